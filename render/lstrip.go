package render

import "strings"

// lstrip_blocks as Jinja2 applies it (jinja2/lexer.py, tokeniter's
// OptionalLStrip, Jinja2 3.1.6): the spaces and tabs between the start of
// a line and a block or comment tag are removed, and only there. gonja's
// lexer removed them before any such tag whatever preceded it on its line:
// `server {{ host }} {% if backup %}backup{% endif %}` lost the space
// before `backup`. So the template is given to gonja with lstrip_blocks
// off and that whitespace already taken out, found the way Jinja2 finds
// it: the text between two tags, its last line when the text holds a
// newline, all of it when the previous tag's match ended with one (the
// newline trim_blocks takes after %} or #}, or the whitespace a -%}
// takes), and the template's start.

// tagKind is what a tag is, for lstrip_blocks.
type tagKind int

const (
	variableTag tagKind = iota // {{ }}: never lstripped
	blockTag                   // {% %}, and a whole raw block
	commentTag                 // {# #}
)

// scannedTag is a tag as the scanner met it: [start, end) in the source.
type scannedTag struct {
	kind       tagKind
	start, end int
}

// tag records a tag and returns where scanning goes on.
func (s *stringScanner) tag(kind tagKind, start, end int) int {
	s.tags = append(s.tags, scannedTag{kind: kind, start: start, end: end})
	return end
}

// lstripBlocks returns src without the whitespace lstrip_blocks removes.
func lstripBlocks(src string, trimBlocks bool, marks delimiters) string {
	tags := scanTemplate(src, "\n", false, marks).tags
	var out strings.Builder
	last := 0
	prev := (*scannedTag)(nil)
	for i := range tags {
		t := &tags[i]
		if from, ok := lstripFrom(src, prev, t, trimBlocks, marks); ok {
			out.WriteString(src[last:from])
			last = t.start
		}
		prev = t
	}
	if last == 0 {
		return src
	}
	out.WriteString(src[last:])
	return out.String()
}

// lstripFrom is where the whitespace lstrip_blocks removes before t starts.
func lstripFrom(src string, prev, t *scannedTag, trimBlocks bool, marks delimiters) (int, bool) {
	if t.kind == variableTag || startSign(src, t, marks) != 0 {
		return 0, false
	}
	dataStart, lineStarting := 0, true
	if prev != nil {
		dataStart, lineStarting = afterTag(src, prev, trimBlocks, t.start, marks)
	}
	if cut, ok := blankLastLine(src[dataStart:t.start], lineStarting); ok {
		return dataStart + cut, true
	}
	return 0, false
}

// blankLastLine is where text's last line starts, when that line is all
// whitespace (one character at least) and starts a line: after a newline
// in text, or at its start when lineStarting (Jinja2's "l_pos > 0 or
// line_starting").
func blankLastLine(text string, lineStarting bool) (int, bool) {
	lineStart := strings.LastIndexByte(text, '\n') + 1
	last := text[lineStart:]
	ok := (lineStart > 0 || lineStarting) && last != "" && strings.TrimLeftFunc(last, isPythonSpace) == ""
	return lineStart, ok
}

// afterTag is where the data after prev starts, as Jinja2's match of prev
// ends (the newline trim_blocks takes, the whitespace a - takes), and
// whether that match ended with a newline.
func afterTag(src string, prev *scannedTag, trimBlocks bool, limit int, marks delimiters) (int, bool) {
	end := prev.end
	switch closingSign(src, prev, marks) {
	case '-':
		rest := strings.TrimLeftFunc(src[end:limit], isPythonSpace)
		taken := src[end : limit-len(rest)]
		return limit - len(rest), strings.HasSuffix(taken, "\n")
	case '+':
		return end, false
	}
	if trimBlocks && prev.kind != variableTag && strings.HasPrefix(src[end:limit], "\n") {
		return end + 1, true
	}
	return end, false
}

// startSign is the - or + right after a tag's start marker, or 0.
func startSign(src string, t *scannedTag, marks delimiters) byte {
	marker := marks.blockStart
	if t.kind == commentTag {
		marker = marks.commentStart
	}
	if i := t.start + len(marker); i < t.end && (src[i] == '-' || src[i] == '+') {
		return src[i]
	}
	return 0
}

// closingSign is the - or + right before a tag's end marker, or 0.
func closingSign(src string, t *scannedTag, marks delimiters) byte {
	marker := marks.blockEnd
	switch t.kind {
	case variableTag:
		marker = marks.variableEnd
	case commentTag:
		marker = marks.commentEnd
	}
	if i := t.end - len(marker) - 1; i > t.start && strings.HasSuffix(src[:t.end], marker) && (src[i] == '-' || src[i] == '+') {
		return src[i]
	}
	return 0
}
