package hvedit

import (
	"bytes"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3 gives where a node starts but not where it ends; the functions here
// find the end by scanning the source the way the YAML scanner does. A wrong
// answer cannot corrupt a file: every edit is parsed again and compared.

var errNoEnd = failf(ErrUnsupported, "cannot find where the value ends in the source")

// start is the byte offset where n begins, properties (tag, anchor) included.
func (s *source) start(n *yaml.Node) int {
	return s.offset(n.Line, n.Column)
}

// end is the byte offset just after n's last character. indent is the
// indentation of the collection holding n; flow tells whether n is inside a
// flow collection.
func (s *source) end(n *yaml.Node, indent int, flow bool) (int, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return s.scalarEnd(n, indent, flow)
	case yaml.AliasNode:
		return s.aliasEnd(s.start(n))
	case yaml.MappingNode, yaml.SequenceNode:
		return s.collectionEnd(n, flow)
	}
	return 0, errNoEnd
}

func (s *source) collectionEnd(n *yaml.Node, flow bool) (int, error) {
	if isFlow(n) {
		return s.flowEnd(n)
	}
	if len(n.Content) == 0 || flow {
		return 0, errNoEnd
	}
	return s.end(n.Content[len(n.Content)-1], s.childIndent(n), false)
}

// childIndent is the indentation of a block collection's entries.
func (s *source) childIndent(n *yaml.Node) int {
	if n.Kind == yaml.SequenceNode {
		return n.Column - 1
	}
	if len(n.Content) > 0 {
		return n.Content[0].Column - 1
	}
	return n.Column - 1
}

// skipProperties moves past a node's tag and anchor ("!vault ", "&x ").
func (s *source) skipProperties(pos int) int {
	for pos < len(s.body) && (s.body[pos] == '!' || s.body[pos] == '&') {
		pos = s.skipToken(pos)
		pos = s.skipSpace(pos, true)
	}
	return pos
}

// propertiesEnd is the end of the last property token of a node at pos.
func (s *source) propertiesEnd(pos int) int {
	end := pos
	for pos < len(s.body) && (s.body[pos] == '!' || s.body[pos] == '&') {
		end = s.skipToken(pos)
		pos = s.skipSpace(end, true)
	}
	return end
}

func (s *source) skipToken(pos int) int {
	for pos < len(s.body) && !isSpaceOrBreak(s.body[pos]) {
		pos++
	}
	return pos
}

// skipSpace moves past spaces and tabs, and past line breaks when lines is set.
func (s *source) skipSpace(pos int, lines bool) int {
	for pos < len(s.body) {
		c := s.body[pos]
		if c != ' ' && c != '\t' && !(lines && (c == '\n' || c == '\r')) {
			break
		}
		pos++
	}
	return pos
}

func isSpaceOrBreak(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func isFlowIndicator(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

func (s *source) aliasEnd(pos int) (int, error) {
	if pos >= len(s.body) || s.body[pos] != '*' {
		return 0, errNoEnd
	}
	pos++
	for pos < len(s.body) && !isSpaceOrBreak(s.body[pos]) && !isFlowIndicator(s.body[pos]) {
		pos++
	}
	return pos, nil
}

func (s *source) scalarEnd(n *yaml.Node, indent int, flow bool) (int, error) {
	pos := s.start(n)
	if isEmptyNull(n) {
		return pos, nil
	}
	if n.Value == "" && n.Style&^yaml.TaggedStyle == 0 {
		return s.propertiesEnd(pos), nil // "&a" or "!!str" with nothing after
	}
	pos = s.skipProperties(pos)
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return s.doubleQuotedEnd(pos)
	case n.Style&yaml.SingleQuotedStyle != 0:
		return s.singleQuotedEnd(pos)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return s.blockScalarEnd(pos, indent)
	}
	return s.plainEnd(pos, n.Value, flow)
}

func (s *source) doubleQuotedEnd(pos int) (int, error) {
	if pos >= len(s.body) || s.body[pos] != '"' {
		return 0, errNoEnd
	}
	for i := pos + 1; i < len(s.body); i++ {
		switch s.body[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errNoEnd
}

func (s *source) singleQuotedEnd(pos int) (int, error) {
	if pos >= len(s.body) || s.body[pos] != '\'' {
		return 0, errNoEnd
	}
	for i := pos + 1; i < len(s.body); i++ {
		if s.body[i] != '\'' {
			continue
		}
		if i+1 < len(s.body) && s.body[i+1] == '\'' {
			i++
			continue
		}
		return i + 1, nil
	}
	return 0, errNoEnd
}

// blockScalarEnd finds the end of a literal (|) or folded (>) scalar whose
// indicator is at pos: the end of its last non-blank content line.
func (s *source) blockScalarEnd(pos, indent int) (int, error) {
	if pos >= len(s.body) || (s.body[pos] != '|' && s.body[pos] != '>') {
		return 0, errNoEnd
	}
	content, end := s.blockContentIndent(pos, indent), s.headerEnd(pos)
	for line := s.nextLine(pos); line >= 0 && line < len(s.body); line = s.nextLine(line) {
		if s.isBlankLine(line) {
			continue
		}
		if content < 0 {
			content = max(s.indentAt(line), indent+1)
		}
		if s.indentAt(line) < content {
			break
		}
		end = s.contentEnd(line)
	}
	return end, nil
}

// blockContentIndent reads an explicit indentation indicator ("|2"), or
// returns -1 when the content's own indentation decides.
func (s *source) blockContentIndent(pos, indent int) int {
	for i := pos + 1; i < len(s.body) && !isSpaceOrBreak(s.body[i]); i++ {
		if c := s.body[i]; c >= '1' && c <= '9' {
			return indent + int(c-'0')
		}
	}
	return -1
}

// headerEnd is the end of a block scalar's indicators ("|", "|-", ">2").
func (s *source) headerEnd(pos int) int {
	return s.skipToken(pos)
}

// plainEnd finds the end of a plain scalar starting at pos whose value is
// value. It reads the first line, then folds following lines as YAML does
// until the text read is all of value (matching piece by piece, so that the
// work stays linear).
func (s *source) plainEnd(pos int, value string, flow bool) (int, error) {
	end := s.plainLineEnd(pos, flow)
	rest, ok := strings.CutPrefix(value, string(s.body[pos:end]))
	for ok && rest != "" {
		var piece string
		if piece, end, ok = s.foldNextLine(end, flow); ok {
			rest, ok = strings.CutPrefix(rest, piece)
		}
	}
	if !ok {
		return 0, errNoEnd
	}
	return end, nil
}

// foldNextLine reads the next non-blank line of a multi-line plain scalar
// after end: the line break folded into a space (or the blank lines into
// newlines) followed by the line's text, and where that text ends.
func (s *source) foldNextLine(end int, flow bool) (string, int, bool) {
	blanks := 0
	for line := s.nextLine(end); line >= 0; line = s.nextLine(line) {
		if s.isBlankLine(line) {
			blanks++
			continue
		}
		start := s.skipSpace(line, false)
		if s.body[start] == '#' {
			return "", 0, false
		}
		lineEnd := s.plainLineEnd(start, flow)
		sep := " "
		if blanks > 0 {
			sep = strings.Repeat("\n", blanks)
		}
		return sep + string(s.body[start:lineEnd]), lineEnd, true
	}
	return "", 0, false
}

// plainLineEnd is where a plain scalar's text on one line stops: before a
// comment, a ": " (a mapping key), a flow indicator inside flow collections,
// or the line's end, trailing spaces excluded.
func (s *source) plainLineEnd(pos int, flow bool) int {
	stop := s.contentEnd(pos)
	i := pos
	for ; i < stop; i++ {
		if s.endsPlain(i, pos, stop, flow) {
			break
		}
	}
	return pos + len(bytes.TrimRight(s.body[pos:i], " \t"))
}

func (s *source) endsPlain(i, pos, stop int, flow bool) bool {
	c := s.body[i]
	switch {
	case c == '#':
		return i > pos && (s.body[i-1] == ' ' || s.body[i-1] == '\t')
	case c == ':':
		return i+1 == stop || isSpaceOrBreak(s.body[i+1]) || (flow && isFlowIndicator(s.body[i+1]))
	}
	return flow && isFlowIndicator(c)
}

// flowEnd finds the bracket closing a flow collection: after its last child,
// past spaces, comments and a trailing comma.
func (s *source) flowEnd(n *yaml.Node) (int, error) {
	pos := s.skipProperties(s.start(n))
	if pos >= len(s.body) || (s.body[pos] != '[' && s.body[pos] != '{') {
		return 0, errNoEnd
	}
	if len(n.Content) > 0 {
		var err error
		if pos, err = s.end(n.Content[len(n.Content)-1], 0, true); err != nil {
			return 0, err
		}
	} else {
		pos++
	}
	return s.closingBracket(pos, closerOf(n))
}

func closerOf(n *yaml.Node) byte {
	if n.Kind == yaml.SequenceNode {
		return ']'
	}
	return '}'
}

func (s *source) closingBracket(pos int, closer byte) (int, error) {
	for pos < len(s.body) {
		switch c := s.body[pos]; {
		case c == closer:
			return pos + 1, nil
		case isSpaceOrBreak(c) || c == ',':
			pos++
		case c == '#':
			pos = s.contentEnd(pos)
		default:
			return 0, errNoEnd
		}
	}
	return 0, errNoEnd
}
