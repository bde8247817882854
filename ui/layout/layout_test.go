package layout

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWidthAgreesWithANSI(t *testing.T) {
	for _, s := range []string{"", "abc", "≠ casper", "idle ≥40s", "███░░ 45%", "–", "›", "漢字", "e\u0301", "⌚", "\x1b[1mbold\x1b[m", "→ ↺ ✓ ✗ │"} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, ansi says %d", s, got, want)
		}
	}
}

func TestFit(t *testing.T) {
	cases := []struct {
		in    string
		w     int
		left  string
		right string
	}{
		{"abc", 5, "abc  ", "  abc"},
		{"abcdef", 4, "abc…", "abc…"},
		{"≠ casperhansen", 6, "≠ cas…", "≠ cas…"},
		{"漢字漢字", 5, "漢字…", "漢字…"},
		{"x", 0, "", ""},
	}
	for _, c := range cases {
		if got := Fit(c.in, c.w); got != c.left {
			t.Errorf("Fit(%q, %d) = %q, want %q", c.in, c.w, got, c.left)
		}
		if got := FitRight(c.in, c.w); got != c.right {
			t.Errorf("FitRight(%q, %d) = %q, want %q", c.in, c.w, got, c.right)
		}
		if got := Width(Fit(c.in, c.w)); got != c.w {
			t.Errorf("Fit(%q, %d) is %d wide", c.in, c.w, got)
		}
	}
}

func TestBar(t *testing.T) {
	cases := []struct {
		frac float64
		w    int
		want string
	}{
		{0, 4, "░░░░"}, {0.5, 4, "██░░"}, {1, 4, "████"}, {1.7, 3, "███"}, {-1, 2, "░░"}, {0.5, 0, ""}, {0.5, 100, strings.Repeat("█", 50) + strings.Repeat("░", 50)},
	}
	for _, c := range cases {
		full, empty := Bar(c.frac, c.w)
		if full+empty != c.want {
			t.Errorf("Bar(%v, %d) = %q, want %q", c.frac, c.w, full+empty, c.want)
		}
	}
}

func TestWindowKeepsCursorVisible(t *testing.T) {
	cases := []struct{ offset, cursor, h, n, want int }{
		{0, 0, 5, 3, 0},   // everything fits
		{0, 7, 5, 20, 3},  // cursor below: scroll just enough
		{10, 4, 5, 20, 4}, // cursor above: scroll up to it
		{18, 19, 5, 20, 15},
		{3, 4, 5, 20, 3}, // inside: stay
	}
	for _, c := range cases {
		if got := Window(c.offset, c.cursor, c.h, c.n); got != c.want {
			t.Errorf("Window(%d, %d, %d, %d) = %d, want %d", c.offset, c.cursor, c.h, c.n, got, c.want)
		}
	}
}

func TestClipPadsAndCuts(t *testing.T) {
	got := Clip("abcdef\nxy\nz\nextra", 4, 3)
	if want := "abc…\nxy\nz"; got != want {
		t.Errorf("Clip = %q, want %q", got, want)
	}
	if got := Clip("a", 4, 3); got != "a\n\n" {
		t.Errorf("Clip pads to the height: %q", got)
	}
}

func TestWrapLinesKeepsEveryCell(t *testing.T) {
	line := "  host_vars/wintermute.yml:5 (host_vars) → /very/long/path/to/the/repository/of/this/fleet/host_vars/wintermute.yml"
	got := WrapLines([]string{"short", line}, 40, 4)
	if got[0] != "short" || len(got) < 3 {
		t.Fatalf("wrapped: %q", got)
	}
	joined := ""
	for i, l := range got[1:] {
		if Width(l) > 40 {
			t.Errorf("line %d is %d cells: %q", i, Width(l), l)
		}
		joined += strings.TrimSpace(l)
	}
	if joined != strings.ReplaceAll(line, " ", "") && strings.ReplaceAll(joined, " ", "") != strings.ReplaceAll(line, " ", "") {
		t.Errorf("text lost in wrapping: %q", joined)
	}
}
