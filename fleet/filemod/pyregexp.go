package filemod

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// pyRegexp is a Python regular expression (re.search on one line, as
// lineinfile uses it) run by Go's engine.
type pyRegexp struct {
	re *regexp.Regexp
}

// compilePy translates what differs between Python's re and Go's RE2 for a
// pattern matched against one line: Python's $ also matches before a final
// newline, \Z is Go's \z. Patterns Go cannot run (lookarounds,
// backreferences) are an error naming the pattern.
func compilePy(pattern string) (*pyRegexp, error) {
	re, err := regexp.Compile(translatePy(pattern))
	if err != nil {
		return nil, fmt.Errorf("%q cannot be run as Python runs it: %v", pattern, err)
	}
	return &pyRegexp{re: re}, nil
}

func translatePy(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteString(translateEscape(p[i+1], inClass))
			i++
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == ']' { // a ']' first in a class is literal
				b.WriteString(`\]`)
				i++
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		case c == '$' && !inClass:
			b.WriteString(`(?:\n?\z)`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func translateEscape(c byte, inClass bool) string {
	if c == 'Z' && !inClass {
		return `\z`
	}
	return `\` + string(c)
}

// find is re.search: the submatch indexes of the first match, or nil.
func (p *pyRegexp) find(line []byte) []int { return p.re.FindSubmatchIndex(line) }

// expand is Python's match.expand(template) on bytes: \1 … \99, \g<n>,
// \g<name>, the escapes \a \b \f \n \r \t \v \\; a group that did not take
// part is empty; another escaped letter is Python's "bad escape" error;
// any other escaped character is kept with its backslash.
func (p *pyRegexp) expand(tmpl, line []byte, m []int) ([]byte, error) {
	var out bytes.Buffer
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] != '\\' || i+1 == len(tmpl) {
			out.WriteByte(tmpl[i])
			continue
		}
		n, err := p.expandEscape(&out, tmpl[i:], line, m)
		if err != nil {
			return nil, err
		}
		i += n - 1
	}
	return out.Bytes(), nil
}

var pyEscapes = map[byte]byte{'a': 7, 'b': 8, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11, '\\': '\\'}

// expandEscape writes what the escape at the start of s means and returns
// how many bytes it took.
func (p *pyRegexp) expandEscape(out *bytes.Buffer, s, line []byte, m []int) (int, error) {
	c := s[1]
	switch {
	case c == 'g':
		return p.namedGroup(out, s, line, m)
	case c >= '1' && c <= '9':
		n := 2
		if len(s) > 2 && s[2] >= '0' && s[2] <= '9' {
			n = 3
		}
		idx, _ := strconv.Atoi(string(s[1:n]))
		return n, p.writeGroup(out, idx, line, m)
	case pyEscapes[c] != 0:
		out.WriteByte(pyEscapes[c])
		return 2, nil
	case c == '0' || (c|0x20 >= 'a' && c|0x20 <= 'z'):
		return 0, fmt.Errorf("bad escape \\%c (straylight does not take octal escapes)", c)
	}
	out.Write(s[:2])
	return 2, nil
}

func (p *pyRegexp) namedGroup(out *bytes.Buffer, s, line []byte, m []int) (int, error) {
	end := bytes.IndexByte(s, '>')
	if len(s) < 4 || s[2] != '<' || end < 0 {
		return 0, fmt.Errorf("missing group name in %q", s)
	}
	name := string(s[3:end])
	idx, err := strconv.Atoi(name)
	if err != nil {
		if idx = p.re.SubexpIndex(name); idx < 0 {
			return 0, fmt.Errorf("unknown group name '%s'", name)
		}
	}
	return end + 1, p.writeGroup(out, idx, line, m)
}

func (p *pyRegexp) writeGroup(out *bytes.Buffer, idx int, line []byte, m []int) error {
	if idx > p.re.NumSubexp() {
		return fmt.Errorf("invalid group reference %d", idx)
	}
	if start := m[2*idx]; start >= 0 {
		out.Write(line[start:m[2*idx+1]])
	}
	return nil
}
