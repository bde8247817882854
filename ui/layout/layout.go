// Package layout has the small text helpers every view shares: fitting a
// cell to a width, drawing a bar, clipping a block of lines to a box. All of
// it is pure and cheap: the fleet table calls it for every visible cell of
// every frame.
package layout

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Ellipsis marks text cut short.
const Ellipsis = "…"

// Width is the display width of s, escape sequences excluded.
func Width(s string) int {
	if isPlainASCII(s) {
		return len(s)
	}
	if n, ok := narrowWidth(s); ok {
		return n
	}
	return ansi.StringWidth(s)
}

// narrowWidth counts the runes of s when every one of them is one cell wide
// for certain: printable, below the first wide block (U+1100), not a
// combining mark. Box drawing, blocks, arrows and punctuation such as
// "–…≠›█░" qualify; grapheme segmentation is only paid for the rest.
func narrowWidth(s string) (int, bool) {
	n := 0
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || (r >= 0x300 && r < 0x370) || r >= 0x1100 && !isNarrowSymbol(r) {
			return 0, false
		}
		n++
	}
	return n, true
}

// isNarrowSymbol covers the general punctuation, arrows, maths (U+2010–
// U+22FF), box drawing and blocks (U+2500–U+25FC) the views draw with, minus
// the zero-width and combining code points there. Miscellaneous Technical
// (U+23xx) and U+25FD–U+25FF hold wide emoji and are left to the slow path.
func isNarrowSymbol(r rune) bool {
	switch {
	case r >= 0x2028 && r <= 0x202e, r >= 0x2060 && r <= 0x206f, r >= 0x20d0 && r <= 0x20ff:
		return false
	}
	return (r >= 0x2010 && r <= 0x22ff) || (r >= 0x2500 && r <= 0x25fc)
}

// isPlainASCII reports printable ASCII without escapes: its width is its length.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Truncate cuts s to at most w cells, ending in an ellipsis when cut.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	if isPlainASCII(s) {
		return s[:w-1] + Ellipsis
	}
	return ansi.Truncate(s, w, Ellipsis)
}

// Fit cuts or pads s (on the right) to exactly w cells.
func Fit(s string, w int) string {
	s = Truncate(s, w)
	return s + spaces(w-Width(s))
}

// FitRight cuts or pads s (on the left) to exactly w cells: for figures.
func FitRight(s string, w int) string {
	s = Truncate(s, w)
	return spaces(w-Width(s)) + s
}

// blanks is long enough for any terminal line; slicing it avoids allocating.
var blanks = strings.Repeat(" ", 512)

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}

// Pad returns n spaces.
func Pad(n int) string { return spaces(n) }

// Bar draws frac (0–1) as w cells of full and empty blocks.
func Bar(frac float64, w int) (full, empty string) {
	if w <= 0 {
		return "", ""
	}
	n := int(frac*float64(w) + 0.5)
	n = max(0, min(n, w))
	return blocks(fullBlocks, "█", n), blocks(emptyBlocks, "░", w-n)
}

// Bars longer than these are rare; slicing them avoids allocating.
var (
	fullBlocks  = strings.Repeat("█", 64)
	emptyBlocks = strings.Repeat("░", 64)
)

// blocks is n copies of a three-byte block character.
func blocks(run, block string, n int) string {
	if n*len(block) <= len(run) {
		return run[:n*len(block)]
	}
	return strings.Repeat(block, n)
}

// Clip keeps the first h lines of block, each cut to w cells, and pads the
// result with empty lines to exactly h lines.
func Clip(block string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(block, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = Truncate(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Window returns the first index of a window of h rows over n rows that
// keeps cursor visible, moving as little as possible from offset.
func Window(offset, cursor, h, n int) int {
	if h <= 0 || n <= h {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+h {
		offset = cursor - h + 1
	}
	return max(0, min(offset, n-h))
}

// WrapLines folds lines wider than width onto the next lines, indented by
// indent cells, breaking at spaces, slashes and commas (paths, model names,
// lint messages), so nothing is cut off. Styled text keeps its styles.
func WrapLines(lines []string, width, indent int) []string {
	if width < 20 {
		return lines
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if Width(l) <= width {
			out = append(out, l)
			continue
		}
		folded := strings.Split(ansi.Wrap(l, width-indent, " /,"), "\n")
		out = append(out, folded[0])
		for _, f := range folded[1:] {
			out = append(out, spaces(indent)+f)
		}
	}
	return out
}
