// Package plainyaml parses the plain block YAML most vars files and
// rendered configs are made of, into the node tree yaml.v3 builds for it,
// several times faster.
//
// A host_vars file or a rendered server config is a block mapping of
// mappings, sequences and scalars: `key: value` and `- item`, nested by
// indentation, with comments and blank lines between. yaml.v3 reads a
// 15-line vLLM config in about 23 µs and 13.9 KB, through libyaml's
// scanner, token queue and event parser; a 1,000-host --check reads two
// such files per host, and the collector then pays for the garbage
// (README.md, "Performance"). Parse reads that subset line by line and
// builds the same nodes in a sixth of the time.
//
// The subset is narrow on purpose, and anything outside it is declined,
// for the caller to hand the file to yaml.v3: a root that is not a
// mapping; a byte outside printable ASCII but in a comment (a tab, a bare
// carriage return); flow collections, anchors, aliases, tags, block
// scalars, multi-line scalars, quoted keys and escapes in quoted values; a
// null or nested item (`-` alone, `- - x`); a second document; a plain
// value whose type yaml.v3 would have to think about (a timestamp, `0x1F`,
// `1_000`, `1e3`); and any indentation yaml.v3 would have to judge.
// Errors are yaml.v3's: Parse never reports one, it only declines.
//
// Comments are dropped (yaml.v3 keeps them on the nodes; straylight reads
// none). Everything else — kinds, tags, styles, values, lines and columns —
// is yaml.v3's, which the package's tests check against yaml.v3 on every
// YAML file of the repository, on the benchmark repository's vars files,
// on generated documents and in a fuzz target.
//
// No YAML library offers a faster path for this subset; yaml.v3 stays the
// parser for everything else and the oracle for this.
package plainyaml

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Parse returns the root mapping of data's single document, as yaml.v3
// would parse it less the comments, and true; or nil and false when data
// is not plain block YAML (package doc), for yaml.v3 to read.
func Parse(data []byte) (*yaml.Node, bool) {
	if !plainText(data) {
		return nil, false
	}
	p := newParser(string(data))
	if !p.parse() || p.root == nil {
		return nil, false
	}
	p.closePending()
	return p.root, true
}

// plainText reports whether data holds only printable ASCII, line breaks
// ("\n", or "\r\n") and valid UTF-8, which the lines then allow in
// comments only.
func plainText(data []byte) bool {
	utf := false
	for i, c := range data {
		switch {
		case c >= ' ' && c <= '~', c == '\n':
		case c == '\r' && i+1 < len(data) && data[i+1] == '\n':
		case c >= 0x80:
			utf = true
		default:
			return false
		}
	}
	return !utf || utf8.Valid(data)
}

// parser builds one document's nodes, a line at a time.
type parser struct {
	src     string
	nodes   []yaml.Node // every node, allocated at once
	root    *yaml.Node
	open    []level    // the collections still open, outermost first
	pending *yaml.Node // a key whose value is on the next lines, or null
	started bool       // a "---" line came first
}

// level is an open collection and the indentation of its keys, or of its
// items' dashes.
type level struct {
	indent int
	node   *yaml.Node
}

func (l level) sequence() bool { return l.node.Kind == yaml.SequenceNode }

func newParser(src string) *parser {
	// A line makes two nodes at most (a key and its value), a dash line
	// two more (its sequence and its mapping).
	lines, dashes := strings.Count(src, "\n")+1, strings.Count(src, "- ")
	return &parser{src: src, nodes: make([]yaml.Node, 0, 2*lines+2*dashes+1)}
}

// parse reads every line; false when one is outside the subset.
func (p *parser) parse() bool {
	rest := p.src
	for number := 1; rest != ""; number++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if !p.line(strings.TrimSuffix(line, "\r"), number) {
			return false
		}
	}
	return true
}

// line reads one line: blank, a comment, `key:` with its value, or a
// sequence's `- item`.
func (p *parser) line(line string, number int) bool {
	indent := leadingSpaces(line)
	text := line[indent:]
	switch {
	case text == "":
		return true
	case text[0] == '#':
		return comment(text)
	case p.documentStart(text):
		return true
	case dash(text):
		return p.item(text, number, indent)
	}
	mapping, ok := p.mappingAt(indent, number)
	if !ok {
		return false
	}
	return p.entry(mapping, text, number, indent)
}

// dash reports a sequence entry's indicator: a dash and a space (a bare
// dash, a null or nested item, is refused later).
func dash(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// documentStart takes a "---" line before the root: the document's
// explicit start, which changes no node of the root's.
func (p *parser) documentStart(text string) bool {
	rest, ok := strings.CutPrefix(text, "---")
	if !ok || p.started || p.root != nil || !onlyComment(rest) {
		return false
	}
	p.started = true
	return true
}

// mappingAt is the mapping a key indented by indent belongs to: a new
// one under the pending key or at the root, or an open one.
func (p *parser) mappingAt(indent, number int) (*yaml.Node, bool) {
	switch {
	case p.pending != nil:
		return p.openNested(indent, number)
	case p.root == nil:
		if indent != 0 {
			return nil, false
		}
		p.root = p.node(yaml.MappingNode, "!!map", "", number, 1)
		p.open = append(p.open, level{0, p.root})
		return p.root, true
	}
	return p.closeTo(indent)
}

// openNested starts the mapping that is the pending key's value when its
// keys sit deeper than the pending key; otherwise that value is null.
func (p *parser) openNested(indent, number int) (*yaml.Node, bool) {
	if indent <= p.top().indent {
		p.closePending()
		return p.closeTo(indent)
	}
	return p.openValue(yaml.MappingNode, "!!map", indent, number), true
}

// openValue opens the collection that is the pending key's value.
func (p *parser) openValue(kind yaml.Kind, tag string, indent, number int) *yaml.Node {
	value := p.node(kind, tag, "", number, indent+1)
	parent := p.top().node
	parent.Content = append(parent.Content, value)
	p.open = append(p.open, level{indent, value})
	p.pending = nil
	return value
}

func (p *parser) top() level { return p.open[len(p.open)-1] }

// closeTo closes the collections deeper than indent, and a sequence at
// it (its parent's key is at its indentation); the key must then line up
// with the innermost open mapping.
func (p *parser) closeTo(indent int) (*yaml.Node, bool) {
	p.closeDeeper(indent)
	if len(p.open) > 0 && p.top().indent == indent && p.top().sequence() {
		p.open = p.open[:len(p.open)-1]
	}
	if len(p.open) == 0 || p.top().indent != indent {
		return nil, false
	}
	return p.top().node, true
}

// closeDeeper closes the collections indented deeper than indent.
func (p *parser) closeDeeper(indent int) {
	for len(p.open) > 0 && p.top().indent > indent {
		p.open = p.open[:len(p.open)-1]
	}
}

// item reads `- value` or `- key: value` (an item that is a mapping,
// whose keys line up under the first one).
func (p *parser) item(text string, number, indent int) bool {
	sequence, ok := p.sequenceAt(indent, number)
	if !ok {
		return false
	}
	spaces := leadingSpaces(text[1:])
	rest, col := text[1+spaces:], indent+spaces+2
	switch {
	case rest == "" || rest[0] == '#' || dash(rest):
		return false
	case keyEnd(rest) > 0:
		mapping := p.node(yaml.MappingNode, "!!map", "", number, col)
		sequence.Content = append(sequence.Content, mapping)
		p.open = append(p.open, level{col - 1, mapping})
		return p.entry(mapping, rest, number, col-1)
	}
	value, ok := p.value(rest, number, col)
	if ok {
		sequence.Content = append(sequence.Content, value)
	}
	return ok
}

// sequenceAt is the sequence an item whose dash is indented by indent
// belongs to: a new one that is the pending key's value (its dashes may
// line up with the key), or an open one.
func (p *parser) sequenceAt(indent, number int) (*yaml.Node, bool) {
	switch {
	case p.root == nil:
		return nil, false
	case p.pending != nil && indent >= p.top().indent:
		return p.openValue(yaml.SequenceNode, "!!seq", indent, number), true
	}
	p.closePending()
	p.closeDeeper(indent)
	if len(p.open) == 0 || p.top().indent != indent || !p.top().sequence() {
		return nil, false
	}
	return p.top().node, true
}

// entry reads `key:` and what follows it on the line.
func (p *parser) entry(mapping *yaml.Node, text string, number, indent int) bool {
	end := keyEnd(text)
	if end == 0 {
		return false
	}
	key, ok := p.plain(text[:end], number, indent+1)
	if !ok {
		return false
	}
	mapping.Content = append(mapping.Content, key)
	after := text[end+1:]
	spaces := leadingSpaces(after)
	if rest := after[spaces:]; rest == "" || rest[0] == '#' && spaces > 0 {
		p.pending = key
		return comment(rest)
	}
	value, ok := p.value(after[spaces:], number, indent+end+2+spaces)
	if ok {
		mapping.Content = append(mapping.Content, value)
	}
	return ok
}

// keyEnd is the index of the colon that ends a plain key (letters,
// digits, `_`, then also `.`, `-` and `/`), followed by a space or the end
// of the line; 0 when text does not start with one.
func keyEnd(text string) int {
	for i := 0; i < len(text) && i <= maxKey; i++ {
		switch c := text[i]; {
		case isWordByte(c):
		case i > 0 && (c == '.' || c == '-' || c == '/'):
		case i > 0 && c == ':' && (i+1 == len(text) || text[i+1] == ' '):
			return i
		default:
			return 0
		}
	}
	return 0
}

// maxKey bounds a key's length well under libyaml's 1,024-character
// limit on simple keys.
const maxKey = 128

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func leadingSpaces(s string) int {
	n := 0
	for n < len(s) && s[n] == ' ' {
		n++
	}
	return n
}

// value reads the scalar text starts with, at column col; a comment may
// follow it.
func (p *parser) value(text string, number, col int) (*yaml.Node, bool) {
	switch text[0] {
	case '"', '\'':
		return p.quoted(text, number, col)
	}
	end, ok := plainEnd(text)
	if !ok {
		return nil, false
	}
	return p.plain(text[:end], number, col)
}

// quoted reads a quoted scalar without escapes that ends on its line.
func (p *parser) quoted(text string, number, col int) (*yaml.Node, bool) {
	quote := text[0]
	closing := strings.IndexByte(text[1:], quote) + 1
	if closing == 0 || !onlyComment(text[closing+1:]) {
		return nil, false
	}
	body := text[1:closing]
	if !ascii(body) {
		return nil, false
	}
	style := yaml.SingleQuotedStyle
	if quote == '"' {
		if strings.IndexByte(body, '\\') >= 0 {
			return nil, false
		}
		style = yaml.DoubleQuotedStyle
	}
	n := p.node(yaml.ScalarNode, "!!str", body, number, col)
	n.Style = style
	return n, true
}

// closePending gives the pending key, if any, its null value: yaml.v3
// places it just after the key's colon.
func (p *parser) closePending() {
	if key := p.pending; key != nil {
		null := p.node(yaml.ScalarNode, "!!null", "", key.Line, key.Column+len(key.Value)+1)
		parent := p.top().node
		parent.Content = append(parent.Content, null)
		p.pending = nil
	}
}

// onlyComment reports whether what follows a value is spaces, then
// perhaps a comment after at least one of them.
func onlyComment(s string) bool {
	spaces := leadingSpaces(s)
	return spaces == len(s) || spaces > 0 && s[spaces] == '#' && comment(s[spaces:])
}

// comment reports whether a comment (or nothing) holds only characters
// yaml.v3 prints and no line break of its own (NEL, U+2028, U+2029).
func comment(s string) bool {
	for _, r := range s {
		if r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0xd800 && r < 0xe000 ||
			r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// plainEnd is the length of the plain scalar text starts with, less the
// spaces before a comment or the end of the line; false for a start or a
// character that could make it something else in YAML.
func plainEnd(text string) (int, bool) {
	if !plainStart(text) {
		return 0, false
	}
	end := 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case ' ':
			if i+1 < len(text) && text[i+1] == '#' {
				return end, comment(text[i+1:])
			}
			continue
		case '#', '[', ']', '{', '}', '`':
			return 0, false
		case ':':
			if i+1 == len(text) || text[i+1] == ' ' {
				return 0, false
			}
		default:
			if c >= 0x80 {
				return 0, false
			}
		}
		end = i + 1
	}
	return end, true
}

// plainStart reports whether a plain scalar may start text: not an
// indicator, but for a `-` or `.` before a digit.
func plainStart(text string) bool {
	c := text[0]
	if isWordByte(c) || c == '/' || c == '~' || c == '(' {
		return true
	}
	return (c == '-' || c == '.') && len(text) > 1 && text[1] >= '0' && text[1] <= '9'
}

// plain makes the node of a plain scalar, tagged as yaml.v3 resolves it;
// false when that takes more than the simple cases.
func (p *parser) plain(value string, number, col int) (*yaml.Node, bool) {
	tag, ok := resolve(value)
	if !ok {
		return nil, false
	}
	return p.node(yaml.ScalarNode, tag, value, number, col), true
}

// node takes the next node of the batch, its fields set in place: the
// batch is zeroed already, and copying a whole yaml.Node in runs a write
// barrier over each of its pointers while the collector marks.
func (p *parser) node(kind yaml.Kind, tag, value string, line, col int) *yaml.Node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = make([]yaml.Node, 0, cap(p.nodes)) // the nodes taken keep the old batch
	}
	p.nodes = p.nodes[:len(p.nodes)+1]
	n := &p.nodes[len(p.nodes)-1]
	n.Kind, n.Tag, n.Value, n.Line, n.Column = kind, tag, value, line, col
	return n
}

// resolve is the tag yaml.v3 gives a plain scalar (its resolve.go, by the
// scalar's first character), for the values whose answer is plain to see;
// false for the rest (a timestamp, a base prefix, an exponent, `_` between
// digits), which yaml.v3 is left to judge.
func resolve(s string) (string, bool) {
	switch c := s[0]; {
	case c >= '0' && c <= '9', c == '-', c == '+':
		return resolveNumeric(s)
	case c == '.':
		return resolveDot(s)
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		return resolveWord(s), true
	}
	return "!!str", true
}

// resolveWord: the words yaml.v3 reads as booleans or null.
func resolveWord(s string) string {
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "~", "null", "Null", "NULL":
		return "!!null"
	}
	return "!!str"
}

// resolveDot: `.inf` and `.nan` spelt yaml.v3's ways, else a float when
// Go parses one (as yaml.v3 asks it to).
func resolveDot(s string) (string, bool) {
	switch s {
	case ".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN":
		return "!!float", true
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return "!!float", true
	}
	return "!!str", true
}

// resolveNumeric: a decimal integer or a decimal fraction, or a string
// that holds a character no number can, or two dots (no float yaml.v3
// reads has two, no integer one), and is no timestamp.
func resolveNumeric(s string) (string, bool) {
	switch {
	case decimalInteger(s):
		return "!!int", true
	case decimalFraction(s):
		return "!!float", true
	case timestampPrefix(s):
		return "", false
	case strings.IndexFunc(s, notNumeric) >= 0 || strings.Count(s, ".") > 1:
		return "!!str", true
	}
	return "", false
}

// decimalInteger: an optional `-`, then 0 or up to 18 digits not starting
// with 0 (an int64 for sure).
func decimalInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "0" {
		return true
	}
	return len(s) > 0 && len(s) <= 18 && s[0] != '0' && allDigits(s)
}

// decimalFraction: an optional `-`, digits, a dot and digits.
func decimalFraction(s string) bool {
	whole, fraction, ok := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	return ok && len(whole) > 0 && len(fraction) > 0 && len(s) <= 24 && allDigits(whole) && allDigits(fraction)
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// notNumeric reports a character that no integer Go's ParseInt reads with
// base 0, no float yaml.v3's pattern admits, and no sign holds.
func notNumeric(r rune) bool {
	return !strings.ContainsRune("0123456789abcdefABCDEFxXoO_+-.", r)
}

// timestampPrefix: four digits and a dash, which yaml.v3 tries as a
// timestamp.
func timestampPrefix(s string) bool {
	return len(s) >= 5 && allDigits(s[:4]) && s[4] == '-'
}
