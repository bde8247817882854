package render

import (
	"fmt"
	"strings"
)

// scalarAnalysis is PyYAML's ScalarAnalysis (allow_unicode on).
type scalarAnalysis struct {
	empty, multiline                 bool
	allowFlowPlain, allowBlockPlain  bool
	allowSingleQuoted, allowBlockish bool
}

func isYAMLBreak(r rune) bool { return r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029 }

func isYAMLSpaceOrBreak(r rune) bool {
	return r == 0 || r == ' ' || r == '\t' || r == '\r' || isYAMLBreak(r)
}

// scalarFacts are what analyze_scalar learns walking the text.
type scalarFacts struct {
	blockIndicators, flowIndicators, lineBreaks, special     bool
	leadingSpace, leadingBreak, trailingSpace, trailingBreak bool
	breakSpace, spaceBreak                                   bool
}

// analyzeScalar is PyYAML's analyze_scalar.
func analyzeScalar(scalar string) scalarAnalysis {
	if scalar == "" {
		return scalarAnalysis{empty: true, allowBlockPlain: true, allowSingleQuoted: true}
	}
	f := scanScalar([]rune(scalar))
	a := scalarAnalysis{multiline: f.lineBreaks, allowFlowPlain: true, allowBlockPlain: true, allowSingleQuoted: true, allowBlockish: true}
	if f.leadingSpace || f.leadingBreak || f.trailingSpace || f.trailingBreak {
		a.allowFlowPlain, a.allowBlockPlain = false, false
	}
	if f.breakSpace {
		a.allowFlowPlain, a.allowBlockPlain, a.allowSingleQuoted = false, false, false
	}
	if f.spaceBreak || f.special {
		a.allowFlowPlain, a.allowBlockPlain, a.allowSingleQuoted = false, false, false
	}
	if f.lineBreaks {
		a.allowFlowPlain, a.allowBlockPlain = false, false
	}
	if f.flowIndicators {
		a.allowFlowPlain = false
	}
	if f.blockIndicators {
		a.allowBlockPlain = false
	}
	return a
}

func scanScalar(text []rune) scalarFacts {
	var f scalarFacts
	if strings.HasPrefix(string(text), "---") || strings.HasPrefix(string(text), "...") {
		f.blockIndicators, f.flowIndicators = true, true
	}
	precededByWhitespace := true
	followedByWhitespace := len(text) == 1 || isYAMLSpaceOrBreak(text[1])
	previousSpace, previousBreak := false, false
	for i, ch := range text {
		f.indicators(ch, i == 0, precededByWhitespace, followedByWhitespace)
		if isYAMLBreak(ch) {
			f.lineBreaks = true
		}
		if !(ch == '\n' || (ch >= 0x20 && ch <= 0x7e)) && !isYAMLPrintableUnicode(ch) {
			f.special = true
		}
		previousSpace, previousBreak = f.whitespace(ch, i, len(text), previousSpace, previousBreak)
		precededByWhitespace = isYAMLSpaceOrBreak(ch)
		followedByWhitespace = i+2 >= len(text) || isYAMLSpaceOrBreak(text[i+2])
	}
	return f
}

func (f *scalarFacts) indicators(ch rune, first, precededByWhitespace, followedByWhitespace bool) {
	if first {
		if strings.ContainsRune("#,[]{}&*!|>'\"%@`", ch) {
			f.flowIndicators, f.blockIndicators = true, true
		}
		if ch == '?' || ch == ':' {
			f.flowIndicators = true
			f.blockIndicators = f.blockIndicators || followedByWhitespace
		}
		if ch == '-' && followedByWhitespace {
			f.flowIndicators, f.blockIndicators = true, true
		}
		return
	}
	if strings.ContainsRune(",?[]{}", ch) {
		f.flowIndicators = true
	}
	if ch == ':' {
		f.flowIndicators = true
		f.blockIndicators = f.blockIndicators || followedByWhitespace
	}
	if ch == '#' && precededByWhitespace {
		f.flowIndicators, f.blockIndicators = true, true
	}
}

func (f *scalarFacts) whitespace(ch rune, i, n int, previousSpace, previousBreak bool) (bool, bool) {
	switch {
	case ch == ' ':
		f.leadingSpace = f.leadingSpace || i == 0
		f.trailingSpace = f.trailingSpace || i == n-1
		f.breakSpace = f.breakSpace || previousBreak
		return true, false
	case isYAMLBreak(ch):
		f.leadingBreak = f.leadingBreak || i == 0
		f.trailingBreak = f.trailingBreak || i == n-1
		f.spaceBreak = f.spaceBreak || previousSpace
		return false, true
	}
	return false, false
}

// isYAMLPrintableUnicode is libyaml's IS_PRINTABLE beyond ASCII (Ansible
// dumps with the C dumper, which, unlike PyYAML's Python emitter, escapes
// characters outside the Basic Multilingual Plane).
func isYAMLPrintableUnicode(ch rune) bool {
	return ((ch >= 0xa0 && ch <= 0xd7ff) || (ch >= 0xe000 && ch <= 0xfffd)) && ch != 0xfeff
}

// writePlain is PyYAML's write_plain.
func (e *yamlEmitter) writePlain(text string, split bool) {
	if text == "" {
		return
	}
	if !e.whitespace {
		e.write(" ")
	}
	e.whitespace, e.indention = false, false
	runes := []rune(text)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(runes); end++ {
		ch := rune(-1)
		if end < len(runes) {
			ch = runes[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && e.column > e.style.width && split {
					e.writeIndent()
					e.whitespace, e.indention = false, false
				} else {
					e.write(string(runes[start:end]))
				}
				start = end
			}
		case breaks:
			if !isYAMLBreak(ch) {
				e.writeBreaks(runes[start:end])
				e.writeIndent()
				e.whitespace, e.indention = false, false
				start = end
			}
		default:
			if ch == -1 || ch == ' ' || isYAMLBreak(ch) {
				e.write(string(runes[start:end]))
				start = end
			}
		}
		if ch != -1 {
			spaces, breaks = ch == ' ', isYAMLBreak(ch)
		}
	}
}

// writeBreaks writes a run of line breaks inside a scalar (a lone "\n"
// becomes two, since one would fold into a space).
func (e *yamlEmitter) writeBreaks(breaks []rune) {
	if breaks[0] == '\n' {
		e.writeLineBreak("\n")
	}
	for _, br := range breaks {
		e.writeLineBreak(string(br))
	}
}

// writeSingleQuoted is PyYAML's write_single_quoted.
func (e *yamlEmitter) writeSingleQuoted(text string, split bool) {
	e.writeIndicator("'", true, false, false)
	runes := []rune(text)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(runes); end++ {
		ch := rune(-1)
		if end < len(runes) {
			ch = runes[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && e.column > e.style.width && split && start != 0 && end != len(runes) {
					e.writeIndent()
				} else {
					e.write(string(runes[start:end]))
				}
				start = end
			}
		case breaks:
			if !isYAMLBreak(ch) {
				e.writeBreaks(runes[start:end])
				e.writeIndent()
				start = end
			}
		default:
			if (ch == -1 || ch == ' ' || isYAMLBreak(ch) || ch == '\'') && start < end {
				e.write(string(runes[start:end]))
				start = end
			}
		}
		if ch == '\'' {
			e.write("''")
			start = end + 1
		}
		if ch != -1 {
			spaces, breaks = ch == ' ', isYAMLBreak(ch)
		}
	}
	e.writeIndicator("'", false, false, false)
}

var yamlEscapes = map[rune]string{
	0: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0a: "n", 0x0b: "v", 0x0c: "f",
	0x0d: "r", 0x1b: "e", '"': "\"", '\\': "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
}

func needsDoubleEscape(ch rune) bool {
	if ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xfeff {
		return true
	}
	return !((ch >= 0x20 && ch <= 0x7e) || (ch >= 0xa0 && ch <= 0xd7ff) || (ch >= 0xe000 && ch <= 0xfffd))
}

func yamlEscape(ch rune) string {
	if short, ok := yamlEscapes[ch]; ok {
		return "\\" + short
	}
	switch {
	case ch <= 0xff:
		return fmt.Sprintf("\\x%02X", ch)
	case ch <= 0xffff:
		return fmt.Sprintf("\\u%04X", ch)
	}
	return fmt.Sprintf("\\U%08X", ch)
}

// writeDoubleQuoted is PyYAML's write_double_quoted.
func (e *yamlEmitter) writeDoubleQuoted(text string, split bool) {
	e.writeIndicator("\"", true, false, false)
	runes := []rune(text)
	start := 0
	for end := 0; end <= len(runes); end++ {
		ch := rune(-1)
		if end < len(runes) {
			ch = runes[end]
		}
		if ch == -1 || needsDoubleEscape(ch) {
			if start < end {
				e.write(string(runes[start:end]))
				start = end
			}
			if ch != -1 {
				e.write(yamlEscape(ch))
				start = end + 1
			}
		}
		if end > 0 && end < len(runes)-1 && (ch == ' ' || start >= end) && e.column+(end-start) > e.style.width && split {
			e.write(string(runes[start:end]) + "\\")
			if start < end {
				start = end
			}
			e.writeIndent()
			e.whitespace, e.indention = false, false
			if runes[start] == ' ' {
				e.write("\\")
			}
		}
	}
	e.writeIndicator("\"", false, false, false)
}
