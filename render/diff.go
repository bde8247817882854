package render

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aymanbagabas/go-udiff"
)

// Diff returns the unified diff of a file going from old to new content, as
// `ansible --check --diff` shows it ("--- before: path", "+++ after: path",
// three lines of context), or "" when the contents are equal.
//
// CRLF files are shown with plain line ends, so a Windows config diffs like
// any other; a change of line endings alone (LF to CRLF, say) is reported
// in a line of its own instead of as every line changing invisibly.
func Diff(path string, old, new []byte) string {
	return diffFrom("before: "+path, path, old, new)
}

// DiffNew is Diff of a file that does not exist yet, against nothing, with
// Ansible's bare "--- before" (written so, not replaced in Diff's output:
// a created file's diff is the whole file).
func DiffNew(path string, new []byte) string {
	return diffFrom("before", path, nil, new)
}

func diffFrom(from, path string, old, new []byte) string {
	if bytes.Equal(old, new) {
		return ""
	}
	header := "--- " + from + "\n+++ after: " + path + "\n"
	if isBinary(old) || isBinary(new) {
		return header + "diff skipped: file appears to be binary\n"
	}
	text := unified(from, "after: "+path, old, new)
	note := lineEndingNote(old, new)
	if text == "" {
		return header + note
	}
	return text + note
}

// unified is udiff.Unified of the contents as displayText shows them; a
// file created from nothing (the usual case in a first --check) is written
// out directly from its bytes, without line matching or a copy of them.
func unified(from, to string, old, new []byte) string {
	if len(old) > 0 || len(new) == 0 {
		return udiff.Unified(from, to, displayText(old), displayText(new))
	}
	if bytes.Contains(new, []byte("\r\n")) {
		new = bytes.ReplaceAll(new, []byte("\r\n"), []byte("\n"))
	}
	lines := bytes.Count(new, []byte("\n"))
	if new[len(new)-1] != '\n' {
		lines++
	}
	var b strings.Builder
	b.Grow(len(new) + lines + len(from) + len(to) + 64)
	b.WriteString("--- " + from + "\n+++ " + to + "\n@@ -0,0 +1")
	if lines > 1 {
		b.WriteString("," + strconv.Itoa(lines))
	}
	b.WriteString(" @@\n")
	for rest := new; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]
		b.WriteByte('+')
		b.Write(line)
		if line[len(line)-1] != '\n' {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
	return b.String()
}

func isBinary(b []byte) bool {
	return bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b)
}

// displayText is the content with CRLF line ends shown as plain ones.
func displayText(b []byte) string {
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

func lineEndingNote(old, new []byte) string {
	before, after := lineEndings(old), lineEndings(new)
	if before == after || before == "" || after == "" {
		return ""
	}
	return fmt.Sprintf("line endings: %s -> %s\n", before, after)
}

// lineEndings names a content's line ending style ("" without any).
func lineEndings(b []byte) string {
	crlf := bytes.Count(b, []byte("\r\n"))
	lf := bytes.Count(b, []byte("\n")) - crlf
	switch {
	case crlf == 0 && lf == 0:
		return ""
	case crlf == 0:
		return "LF"
	case lf == 0:
		return "CRLF"
	}
	return "mixed LF/CRLF"
}
