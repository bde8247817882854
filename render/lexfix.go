package render

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// gonja's lexer differs from Jinja2's on string literals: it only unescapes
// \' and \", and a literal ending in an escaped backslash ('C:\\') does not
// end where Jinja2 ends it. Before gonja sees a template, stringScanner finds
// every string literal the way Jinja2 does, records its Jinja2 value, and
// blanks its content (same length, newlines kept, so positions and lines do
// not move). After lexing, the String token at that offset gets the value.

var rawBlockStart = lazyre.New(`^\{%[-+]?\s*raw\s*[-+]?%\}`)
var rawBlockEnd = lazyre.New(`\{%[-+]?\s*endraw\s*[-+]?%\}`)

type stringScanner struct {
	src     []byte
	out     []byte
	values  map[int]string
	newline string
	// escapeBackslashes is Ansible's _escape_backslashes: inside {{ }} the
	// backslashes of string literals are kept as they are written.
	escapeBackslashes bool
	marks             delimiters
}

// blankStrings returns src with string literal contents blanked and the
// Jinja2 value of each literal keyed by its offset.
func blankStrings(src, newline string, escapeBackslashes bool, marks delimiters) (string, map[int]string) {
	s := &stringScanner{src: []byte(src), out: []byte(src), values: map[int]string{}, newline: newline, escapeBackslashes: escapeBackslashes, marks: marks}
	s.scanData(0)
	return string(s.out), s.values
}

func (s *stringScanner) scanData(pos int) {
	for pos < len(s.src) {
		next := s.nextMark(pos)
		if next < 0 {
			return
		}
		pos = s.scanTag(next)
	}
}

// nextMark is the offset of the first byte at or after pos that may start
// a tag (the first byte of a start marker), or -1.
func (s *stringScanner) nextMark(pos int) int {
	starts := "{" + s.marks.variableStart[:1] + s.marks.commentStart[:1]
	i := bytes.IndexAny(s.src[pos:], starts)
	if i < 0 {
		return -1
	}
	return pos + i
}

// scanTag handles the text at pos, which may start a tag, and returns
// where data scanning resumes. The markers are tried in the order of
// gonja's lexer (and Jinja2's, longest first aside): comment, variable,
// block.
func (s *stringScanner) scanTag(pos int) int {
	rest := s.src[pos:]
	switch {
	case hasPrefix(rest, s.marks.commentStart):
		return skipPast(s.src, pos+len(s.marks.commentStart), s.marks.commentEnd)
	case hasPrefix(rest, s.marks.variableStart):
		return s.scanExpression(pos+len(s.marks.variableStart), s.marks.variableEnd, true)
	case rawBlockStart().Match(rest):
		loc := rawBlockEnd().FindIndex(s.src[pos:])
		if loc == nil {
			return len(s.src)
		}
		return pos + loc[1]
	case hasPrefix(rest, "{%"):
		return s.scanExpression(pos+2, "%}", false)
	}
	return pos + 1
}

// scanExpression walks an expression up to its closing delimiter, handling
// string literals and nested brackets like Jinja2's lexer.
func (s *stringScanner) scanExpression(pos int, end string, variable bool) int {
	depth := 0
	for pos < len(s.src) {
		c := s.src[pos]
		switch {
		case c == '\'' || c == '"':
			pos = s.scanString(pos, variable)
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
		case (c == ')' || c == ']' || c == '}') && depth > 0:
			depth--
		case depth == 0 && hasPrefix(s.src[pos:], end):
			return pos + len(end)
		}
		pos++
	}
	return pos
}

// scanString records the literal starting at pos and returns the offset
// after it. An unterminated literal is left to gonja to report.
func (s *stringScanner) scanString(pos int, variable bool) int {
	quote := s.src[pos]
	i := pos + 1
	for i < len(s.src) && s.src[i] != quote {
		if s.src[i] == '\\' {
			i++
		}
		i++
	}
	if i >= len(s.src) {
		return len(s.src)
	}
	content := string(s.src[pos+1 : i])
	s.values[pos] = s.literalValue(content, variable)
	s.blank(pos+1, i)
	return i + 1
}

func (s *stringScanner) literalValue(content string, variable bool) string {
	content = strings.ReplaceAll(content, "\n", s.newline)
	if s.escapeBackslashes && variable {
		return content
	}
	return pyUnescape(content)
}

func (s *stringScanner) blank(from, to int) {
	for i := from; i < to; i++ {
		if s.out[i] != '\n' {
			s.out[i] = 'x'
		}
	}
}

func hasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

func skipPast(src []byte, pos int, marker string) int {
	i := strings.Index(string(src[pos:]), marker)
	if i < 0 {
		return len(src)
	}
	return pos + i + len(marker)
}

// pyUnescape decodes Python's unicode-escape sequences, which is what Jinja2
// applies to the content of a string literal.
func pyUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		i = writeEscape(&b, s, i+1)
	}
	return b.String()
}

var simpleEscapes = map[byte]string{
	'\\': `\`, '\'': `'`, '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f",
	'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\n': "",
}

// writeEscape writes the escape whose letter is at s[i] and returns the
// offset after it; unknown escapes are kept with their backslash.
func writeEscape(b *strings.Builder, s string, i int) int {
	if text, ok := simpleEscapes[s[i]]; ok {
		b.WriteString(text)
		return i + 1
	}
	switch s[i] {
	case 'x':
		return writeHexEscape(b, s, i, 2)
	case 'u':
		return writeHexEscape(b, s, i, 4)
	case 'U':
		return writeHexEscape(b, s, i, 8)
	}
	if s[i] >= '0' && s[i] <= '7' {
		return writeOctalEscape(b, s, i)
	}
	b.WriteByte('\\')
	return i
}

func writeHexEscape(b *strings.Builder, s string, i, digits int) int {
	if i+1+digits > len(s) {
		b.WriteString(`\`)
		return i
	}
	code, err := strconv.ParseUint(s[i+1:i+1+digits], 16, 32)
	if err != nil || !utf8.ValidRune(rune(code)) {
		b.WriteString(`\`)
		return i
	}
	b.WriteRune(rune(code))
	return i + 1 + digits
}

func writeOctalEscape(b *strings.Builder, s string, i int) int {
	end := i
	for end < len(s) && end < i+3 && s[end] >= '0' && s[end] <= '7' {
		end++
	}
	code, _ := strconv.ParseUint(s[i:end], 8, 32)
	b.WriteRune(rune(code))
	return end
}

// Ansible accepts a builtin filter or test by its collection name
// (`| ansible.builtin.comment`, `is ansible.builtin.match`); gonja's lexer
// does not. Inside tags of the blanked source (string literals are blank
// there), the ansible.builtin. and ansible.legacy. prefixes after `|` or
// `is` become spaces of the same length: positions and lines do not move.
var (
	tagSpan         = lazyre.New(`(?s)\{\{.*?\}\}|\{%.*?%\}`)
	collectionNamed = lazyre.New(`(\||\bis(?:\s+not)?)(\s*)(ansible\.(?:builtin|legacy)\.)`)
)

func shortFilterNames(blanked string, marks delimiters) string {
	if !strings.Contains(blanked, "ansible.") {
		return blanked
	}
	tags := tagSpan()
	if marks != (delimiters{}) {
		tags = regexp.MustCompile(`(?s)` + regexp.QuoteMeta(marks.variableStart) + `.*?` + regexp.QuoteMeta(marks.variableEnd) + `|\{%.*?%\}`)
	}
	return tags.ReplaceAllStringFunc(blanked, func(tag string) string {
		return collectionNamed().ReplaceAllStringFunc(tag, func(m string) string {
			parts := collectionNamed().FindStringSubmatch(m)
			return parts[1] + parts[2] + strings.Repeat(" ", len(parts[3]))
		})
	})
}
