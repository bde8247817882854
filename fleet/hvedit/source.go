package hvedit

import (
	"bytes"
	"unicode/utf8"

	"github.com/straylight-fleet/straylight/internal/yamlline"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// source is the text of a vars file split for editing: the byte-order mark
// set aside (yaml.v3 does not count it in columns), the start of every line
// indexed, and the file's line ending noted so that new lines match it.
type source struct {
	bom        []byte
	body       []byte
	lineStarts []int
	eol        string
}

func newSource(text []byte) *source {
	s := &source{body: text, eol: "\n"}
	if bytes.HasPrefix(text, utf8BOM) {
		s.bom, s.body = utf8BOM, text[len(utf8BOM):]
	}
	s.lineStarts = indexLines(s.body)
	if i := bytes.IndexByte(s.body, '\n'); i > 0 && s.body[i-1] == '\r' {
		s.eol = "\r\n"
	}
	return s
}

func indexLines(body []byte) []int {
	starts := []int{0}
	for i, c := range body {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// checkEncoding refuses texts whose columns could not be mapped to bytes:
// UTF-16 (yaml.v3 converts it), invalid UTF-8, and a line break yaml.v3
// counts and the line index does not (a bare carriage return, NEL, LS or
// PS: the nodes' lines would point below the lines the splices work on).
func checkEncoding(body []byte) error {
	switch {
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}) || bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return failf(ErrUnsupported, "the file is UTF-16; only UTF-8 vars files can be edited")
	case !utf8.Valid(body):
		return failf(ErrSyntax, "the file is not valid UTF-8")
	}
	if b, ok := yamlline.FirstOther(body); ok {
		return failf(ErrUnsupported, "line %d has %s, which YAML reads as a line break and an editor does not; only \\n and \\r\\n line endings can be edited", b.Line, b.Name)
	}
	return nil
}

// offset turns yaml.v3's 1-based line and column (counted in characters)
// into a byte offset in body, clamped to the end of the line's content.
func (s *source) offset(line, column int) int {
	if line < 1 {
		return 0
	}
	if line > len(s.lineStarts) {
		return len(s.body)
	}
	pos, end := s.lineStarts[line-1], s.contentEnd(s.lineStarts[line-1])
	for col := 1; col < column && pos < end; col++ {
		_, size := utf8.DecodeRune(s.body[pos:end])
		pos += size
	}
	return pos
}

// contentEnd is the offset of the line terminator of the line holding off
// (before "\r\n" or "\n"), or the end of the body.
func (s *source) contentEnd(off int) int {
	i := bytes.IndexByte(s.body[off:], '\n')
	if i < 0 {
		return len(s.body)
	}
	end := off + i
	if end > off && s.body[end-1] == '\r' {
		end--
	}
	return end
}

// lineStart is the offset of the start of the line holding off.
func (s *source) lineStart(off int) int {
	return bytes.LastIndexByte(s.body[:off], '\n') + 1
}

// nextLine is the offset of the line after the one holding off, or -1.
func (s *source) nextLine(off int) int {
	i := bytes.IndexByte(s.body[off:], '\n')
	if i < 0 {
		return -1
	}
	return off + i + 1
}

// indentAt counts the spaces that start the line at off.
func (s *source) indentAt(off int) int {
	n := 0
	for off+n < len(s.body) && s.body[off+n] == ' ' {
		n++
	}
	return n
}

// isBlankLine reports a line of nothing but spaces and tabs.
func (s *source) isBlankLine(off int) bool {
	line := s.body[off:s.contentEnd(off)]
	return len(bytes.Trim(line, " \t")) == 0
}

// text reassembles the file from body.
func (s *source) text(body []byte) []byte {
	return append(bytes.Clone(s.bom), body...)
}
