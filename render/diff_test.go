package render

import (
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"
)

func TestDiffUnifiedWithAnsibleHeaders(t *testing.T) {
	old := "a\nb\nc\n"
	new := "a\nB\nc\n"
	want := "--- before: C:\\x\\config.yml\n+++ after: C:\\x\\config.yml\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
	if got := Diff(`C:\x\config.yml`, []byte(old), []byte(new)); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestDiffEqualIsEmpty(t *testing.T) {
	if got := Diff("f", []byte("x\r\n"), []byte("x\r\n")); got != "" {
		t.Errorf("got %q", got)
	}
}

func TestDiffCRLFFilesShowPlainLines(t *testing.T) {
	old := "port: 8000\r\nname: a\r\n"
	new := "port: 8001\r\nname: a\r\n"
	got := Diff("config.yml", []byte(old), []byte(new))
	if strings.Contains(got, "\r") {
		t.Errorf("diff shows carriage returns: %q", got)
	}
	if !strings.Contains(got, "-port: 8000\n+port: 8001\n name: a\n") {
		t.Errorf("unexpected diff %q", got)
	}
}

func TestDiffLineEndingsOnly(t *testing.T) {
	got := Diff("config.yml", []byte("a\nb\n"), []byte("a\r\nb\r\n"))
	want := "--- before: config.yml\n+++ after: config.yml\nline endings: LF -> CRLF\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDiffNewFileAndMissingNewline(t *testing.T) {
	got := Diff("f", nil, []byte("a\nb"))
	want := "--- before: f\n+++ after: f\n@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDiffBinary(t *testing.T) {
	got := Diff("f", []byte("a\x00"), []byte("b"))
	if !strings.Contains(got, "binary") {
		t.Errorf("got %q", got)
	}
}

// TestUnifiedCreatedFileMatchesUdiff holds the direct form of a file
// created from nothing to go-udiff's own output of the displayed text, line
// for line.
func TestUnifiedCreatedFileMatchesUdiff(t *testing.T) {
	for _, text := range []string{"a", "a\n", "\n", "\n\n", "a\nb", "a\nb\n", "x\n\ny\n\n", "één\r\ntwee", strings.Repeat("line\n", 300) + "tail"} {
		want := udiff.Unified("before: f", "after: f", "", strings.ReplaceAll(text, "\r\n", "\n"))
		if got := unified("before: f", "after: f", nil, []byte(text)); got != want {
			t.Errorf("created file %q:\n got %q\nwant %q", text, got, want)
		}
	}
}
