package render

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"

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

// rawBlockMarks are rawBlockStart and rawBlockEnd with other block
// markers (the template module's block_start_string, block_end_string).
func rawBlockMarks(marks delimiters) (start, end *regexp.Regexp) {
	open, closing := regexp.QuoteMeta(marks.blockStart), regexp.QuoteMeta(marks.blockEnd)
	return regexp.MustCompile(`^` + open + `[-+]?\s*raw\s*[-+]?` + closing), regexp.MustCompile(open + `[-+]?\s*endraw\s*[-+]?` + closing)
}

type stringScanner struct {
	src     []byte
	out     []byte
	values  map[int]string
	newline string
	// escapeBackslashes is Ansible's _escape_backslashes: inside {{ }} the
	// backslashes of string literals are kept as they are written.
	escapeBackslashes bool
	// rawStart and rawEnd find {% raw %} and {% endraw %} with marks.
	rawStart, rawEnd *regexp.Regexp
	marks            delimiters
	raws             []rawBlock   // the raw blocks met, in order
	tags             []scannedTag // every tag met, in order (lstrip.go)
}

// scanTemplate walks src's data and tags once, as Jinja2's lexer does:
// out is src with string literal contents blanked, values the Jinja2 value
// of each literal keyed by its offset, raws its raw blocks, tags its tags.
func scanTemplate(src, newline string, escapeBackslashes bool, marks delimiters) *stringScanner {
	s := &stringScanner{src: []byte(src), out: []byte(src), values: map[int]string{}, newline: newline, escapeBackslashes: escapeBackslashes, marks: marks}
	s.rawStart, s.rawEnd = rawBlockStart(), rawBlockEnd()
	if marks.blockStart != "{%" || marks.blockEnd != "%}" {
		s.rawStart, s.rawEnd = rawBlockMarks(marks)
	}
	s.scanData(0)
	return s
}

// tagNotUTF8 refuses a tag holding bytes that are not UTF-8: gonja's
// lexer can loop on them (found by FuzzRenderTemplate). Text around the
// tags is written byte for byte, as both cores write it (they decode a
// template with surrogateescape: to_text's surrogate_or_strict in
// plugins/action/template.py:104 at v2.14.18, DataLoader.
// get_text_file_contents in parsing/dataloader.py:181-183 at v2.19.14).
func (s *stringScanner) tagNotUTF8() error {
	for _, t := range s.tags {
		if !utf8.Valid(s.src[t.start:t.end]) {
			line := bytes.Count(s.src[:t.start], []byte("\n")) + 1
			return &parser.SyntaxError{Message: "a tag holds bytes that are not UTF-8 (straylight refuses them; Ansible escapes them)", Line: line}
		}
	}
	return nil
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
	starts := s.marks.blockStart[:1] + s.marks.variableStart[:1] + s.marks.commentStart[:1]
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
		return s.tag(commentTag, pos, skipPast(s.src, pos+len(s.marks.commentStart), s.marks.commentEnd))
	case hasPrefix(rest, s.marks.variableStart):
		return s.tag(variableTag, pos, s.scanExpression(pos+len(s.marks.variableStart), s.marks.variableEnd, true))
	case s.rawStart.Match(rest):
		end := s.rawEnd.FindIndex(rest)
		if end == nil {
			return len(s.src)
		}
		begin := s.rawStart.FindIndex(rest)[1]
		s.raws = append(s.raws, newRawBlock(pos, string(rest[:begin]), string(rest[begin:end[0]]), string(rest[end[0]:end[1]]), s.marks))
		return s.tag(blockTag, pos, pos+end[1])
	case hasPrefix(rest, s.marks.blockStart):
		return s.tag(blockTag, pos, s.scanExpression(pos+len(s.marks.blockStart), s.marks.blockEnd, false))
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

// Ansible accepts a filter or test by its collection name
// (`| ansible.builtin.comment`, `is ansible.builtin.match`,
// `| community.general.json_query(...)`); gonja's lexer does not. Inside
// tags of the blanked source (string literals are blank there), a
// collection prefix after `|` or `is` becomes spaces of the same length:
// positions and lines do not move. The prefix is kept by the offset of the
// name it was written before, so that qualify can give the name back: to
// the filter or test of Jinja2's own that a core may refuse by that name
// (qualifiedRefused), and to every name of another collection, which the
// engine lists as not supported (collectionPlugin).
var (
	tagSpan         = lazyre.New(`(?s)\{\{.*?\}\}|\{%.*?%\}`)
	collectionNamed = lazyre.New(`(\|\s*|\bis\s+(?:not\s+)?)([A-Za-z_]\w*\.[A-Za-z_]\w*\.)[A-Za-z_]`)
)

func shortFilterNames(blanked string, marks delimiters) (string, map[int]string) {
	if !holdsThreePartName(blanked) {
		return blanked, nil
	}
	tags := tagSpan()
	if marks != (delimiters{}) {
		d := marks.orJinja()
		tags = regexp.MustCompile(`(?s)` + regexp.QuoteMeta(d.variableStart) + `.*?` + regexp.QuoteMeta(d.variableEnd) + `|` + regexp.QuoteMeta(d.blockStart) + `.*?` + regexp.QuoteMeta(d.blockEnd))
	}
	out := []byte(blanked)
	prefixes := map[int]string{}
	for _, tag := range tags.FindAllStringIndex(blanked, -1) {
		for _, m := range collectionNamed().FindAllStringSubmatchIndex(blanked[tag[0]:tag[1]], -1) {
			start, end := tag[0]+m[4], tag[0]+m[5]
			prefixes[end] = blanked[start:end]
			copy(out[start:end], strings.Repeat(" ", end-start))
		}
	}
	return string(out), prefixes
}

// holdsThreePartName reports whether s holds what collectionNamed needs: a
// name, a dot, a name and a dot before a third name's first letter. Most
// templates hold none (vllm.model has two parts) and need not be searched
// with the patterns, which cost a 10-host check 4 % of its instructions.
func holdsThreePartName(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] != '.' || !isIdentPart(s[i-1]) || !isIdentStart(s[i+1]) {
			continue
		}
		j := i + 1
		for j < len(s) && isIdentPart(s[j]) {
			j++
		}
		if j+1 < len(s) && s[j] == '.' && isIdentStart(s[j+1]) {
			return true
		}
	}
	return false
}

// pluginKind is what a name after `|` (a filter) or `is` (a test) names.
type pluginKind int

const (
	filterKind pluginKind = iota
	testKind
)

func (k pluginKind) String() string {
	if k == testKind {
		return "test"
	}
	return "filter"
}

// jinjaOnly are Jinja2's filters and tests (jinja2/defaults.py
// DEFAULT_FILTERS, DEFAULT_TESTS at Jinja2 3.1.6) that ansible-core 2.14
// has no plugin of (its filter plugins: plugins/filter/core.py,
// mathstuff.py, urls.py, urlsplit.py, encryption.py; its tests:
// plugins/test/core.py, files.py, mathstuff.py, uri.py at v2.14.18; random
// and unique are both). 2.14 finds a prefixed name through its plugin
// loader only, then in Jinja2's own names unprefixed, and refuses
// `| ansible.builtin.lower` with "Could not load"
// (template/__init__.py:403-432 at v2.14.18), when the template is
// compiled: an untaken branch fails too (Jinja2's compiler.py:1759-1777 at
// 3.1.6 looks each filter and test up while compiling).
var jinjaOnly = [2]map[string]bool{
	filterKind: setOf("abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
		"filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int", "items", "join", "last",
		"length", "list", "lower", "map", "max", "min", "pprint", "reject", "rejectattr", "replace", "reverse", "round",
		"safe", "select", "selectattr", "slice", "sort", "string", "striptags", "sum", "title", "tojson", "trim",
		"truncate", "upper", "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr"),
	testKind: setOf("boolean", "callable", "defined", "divisibleby", "eq", "equalto", "escaped", "even", "false",
		"filter", "float", "ge", "greaterthan", "gt", "in", "integer", "iterable", "le", "lessthan", "lower", "lt",
		"mapping", "ne", "none", "number", "odd", "sameas", "sequence", "string", "test", "true", "undefined", "upper"),
}

// pluginsOf219 are the names of jinjaOnly that ansible-core 2.19 has
// plugins of (plugins/filter/core.py and plugins/test/core.py at
// v2.19.14), which ansible.legacy. finds.
var pluginsOf219 = [2]map[string]bool{
	filterKind: setOf("d", "default", "groupby", "map", "reject", "rejectattr", "select", "selectattr"),
	testKind:   setOf("defined", "undefined"),
}

func setOf(names ...string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, name := range names {
		set[name] = true
	}
	return set
}

// qualifiedRefused is the core's refusal of a filter or test written with
// its collection prefix (ansible.builtin. or ansible.legacy.), nil when
// the core accepts it. ansible-core 2.14 refuses Jinja2's own names with
// either prefix (jinjaOnly); 2.19 registers every Jinja2 builtin under
// ansible.builtin. too (plugins/loader.py:1289-1304, _jinja_bits.py:531-574
// at v2.19.14) and finds ansible.legacy. names through its plugin loader
// only, falling back on the unprefixed builtins (_jinja_plugins.py:62-86).
func qualifiedRefused(kind pluginKind, prefix, name string, tagged bool) error {
	switch {
	case !jinjaOnly[kind][name]:
		return nil
	case !tagged:
		//lint:ignore ST1005 ansible-core's message, byte for byte
		return fmt.Errorf("Could not load \"%s%s\": '%s%s'", prefix, name, prefix, name)
	case prefix == "ansible.legacy." && !pluginsOf219[kind][name]:
		//lint:ignore ST1005 ansible-core's message, byte for byte
		return fmt.Errorf("No %s named '%s%s'.", kind, prefix, name)
	}
	return nil
}

// qualifiedUse is a filter or test of jinjaOnly written with its prefix,
// or one of another collection than ansible.builtin and ansible.legacy
// (collection), and where.
type qualifiedUse struct {
	kind         pluginKind
	prefix, name string
	line         int
	collection   bool
}

// qualify gives a parsed filter or test of jinjaOnly its prefix back (the
// engine's filter and test sets hold those names too: qualifiedPlugins),
// and a name of another collection its prefix, recording both.
func (rw *rewriter) qualify(kind pluginKind, tok *tokens.Token, name *string) {
	prefix, ok := rw.prefixes[tok.Pos]
	builtin := slices.Contains(collectionPrefixes[:], prefix)
	if !ok || (builtin && !jinjaOnly[kind][*name]) {
		return
	}
	rw.qualified = append(rw.qualified, qualifiedUse{kind: kind, prefix: prefix, name: *name, line: tok.Line, collection: !builtin})
	*name = prefix + *name
}

// refusalOf is the first of uses that ansible-core 2.14 refuses when it
// compiles the template, nil under 2.19 (tagged), whose Jinja2 looks a
// name up when it runs it (qualifiedPlugins).
func refusalOf(template string, uses []qualifiedUse, tagged bool) error {
	if tagged {
		return nil
	}
	for _, use := range uses {
		if use.collection {
			continue
		}
		if err := qualifiedRefused(use.kind, use.prefix, use.name, tagged); err != nil {
			return &Error{Template: template, Line: use.line, Kind: ErrSyntax, Message: err.Error(), Err: err}
		}
	}
	return nil
}

var collectionPrefixes = [...]string{"ansible.builtin.", "ansible.legacy."}

// splitPrefix is name's collection prefix, if any, and its short name.
func splitPrefix(name string) (prefix, short string) {
	for _, prefix := range collectionPrefixes {
		if strings.HasPrefix(name, prefix) {
			return prefix, name[len(prefix):]
		}
	}
	return "", name
}

// qualifiedPlugins adds each name of set under both collection prefixes:
// the names qualify leaves in the tree, and the names select or map may be
// given ('ansible.builtin.odd'). A name of jinjaOnly is guarded: it fails
// when the core in use refuses it, as that core fails when it runs it.
func qualifiedPlugins[F any](set map[string]F, kind pluginKind, tagged func() bool, guard func(F, func() error) F) {
	names := make([]string, 0, len(set))
	for name := range set {
		if !strings.HasPrefix(name, "__straylight") {
			names = append(names, name)
		}
	}
	for _, name := range names {
		for _, prefix := range collectionPrefixes {
			set[prefix+name] = set[name]
			if jinjaOnly[kind][name] {
				set[prefix+name] = guard(set[name], func() error { return qualifiedRefused(kind, prefix, name, tagged()) })
			}
		}
	}
}

func guardedFilter(fn exec.FilterFunction, refusal func() error) exec.FilterFunction {
	return func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if err := refusal(); err != nil {
			return exec.AsValue(err)
		}
		return fn(e, in, params)
	}
}

type testFunction = func(*exec.Evaluator, *exec.Value, *exec.VarArgs) (bool, error)

func guardedTest(fn exec.TestFunction, refusal func() error) exec.TestFunction {
	test, ok := fn.(testFunction)
	if !ok {
		return fn
	}
	return testFunction(func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) (bool, error) {
		if err := refusal(); err != nil {
			return false, err
		}
		return test(e, in, params)
	})
}
