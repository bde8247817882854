package render

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// compileKey identifies a parsed template: the same source parsed with the
// same lexer settings gives the same tree, so trees are shared between hosts.
type compileKey struct {
	src                 string
	newline             string
	trimBlocks          bool
	lstripBlocks        bool
	keepTrailingNewline bool
	escapeBackslashes   bool
	// delimiters are the variable, block and comment markers when not
	// Jinja2's (the template module's and the template lookup's options);
	// the zero value is Jinja2's.
	delimiters delimiters
}

// delimiters mark variables, blocks and comments: Jinja2's {{ }}, {% %}
// and {# #} where empty.
type delimiters struct {
	variableStart, variableEnd, blockStart, blockEnd, commentStart, commentEnd string
}

// jinjaDelimiters are Jinja2's markers.
func jinjaDelimiters() delimiters {
	return delimiters{variableStart: "{{", variableEnd: "}}", blockStart: "{%", blockEnd: "%}", commentStart: "{#", commentEnd: "#}"}
}

// orJinja is d with Jinja2's markers where d sets none.
func (d delimiters) orJinja() delimiters {
	for _, f := range d.fields() {
		if *f.own == "" {
			*f.own = f.jinja
		}
	}
	return d
}

// normal is d as a cache key holds it: the zero value when d's markers are
// Jinja2's.
func (d delimiters) normal() delimiters {
	if d.orJinja() == jinjaDelimiters() {
		return delimiters{}
	}
	return d.orJinja()
}

// with is d with the marker of option (variable_start_string, ...) set
// to value; false when option names none.
func (d delimiters) with(option, value string) (delimiters, bool) {
	for _, f := range d.fields() {
		if f.option == option {
			*f.own = value
			return d.normal(), true
		}
	}
	return d, false
}

// templateMarkers reads TemplateOptions.Markers.
func templateMarkers(markers map[string]string) (delimiters, error) {
	var d delimiters
	for _, option := range sortedKeys(markers) {
		var known bool
		if d, known = d.with(option, markers[option]); !known {
			return delimiters{}, fmt.Errorf("template: %s is not a marker option", option)
		}
		if markers[option] == "" {
			return delimiters{}, fmt.Errorf("template: %s must not be empty", option)
		}
	}
	return d, nil
}

// delimiterField is one marker of a delimiters, by its option's name.
type delimiterField struct {
	option string
	own    *string
	jinja  string
}

// fields are d's markers, in the order of the template module's options.
func (d *delimiters) fields() []delimiterField {
	j := jinjaDelimiters()
	return []delimiterField{
		{"variable_start_string", &d.variableStart, j.variableStart}, {"variable_end_string", &d.variableEnd, j.variableEnd},
		{"block_start_string", &d.blockStart, j.blockStart}, {"block_end_string", &d.blockEnd, j.blockEnd},
		{"comment_start_string", &d.commentStart, j.commentStart}, {"comment_end_string", &d.commentEnd, j.commentEnd},
	}
}

// compiled is a parsed template and what rendering needs to know about it.
type compiled struct {
	root *nodes.Template
	cfg  *config.Config
	// names are the identifiers the template may look up; only these are
	// templated from the host's variables (lazily, as Ansible does).
	names []string
	// single is set when the template is exactly one {{ }}: Ansible's
	// ansible_eval_concat then keeps the value's own type.
	single *nodes.Output
	// singleVar is the name when the source is only {{ name }} (Templar's
	// SINGLE_VAR), whose raw scalar value is used untemplated.
	singleVar string
	// fast is set when single is of a shape fastSingle evaluates.
	fast bool
	// text is set when single ends in a filter whose result ansible-core
	// 2.14 marks as text (textFilter): its concat keeps that string, never
	// reading it back as a list, dict or bool.
	text bool
	// mutates is set when the template calls a list or dict method that
	// changes its value (callsMutator).
	mutates bool
	err     error
	// qualified are the filters and tests of Jinja2's own written with
	// their collection prefix, which a core may refuse (refusalOf).
	qualified []qualifiedUse
	// unknown are the filters and tests the template calls by a name the
	// engine had not when it was compiled, which ansible-core 2.14 refuses
	// when it compiles the template (unknownAtCompile); usually none.
	unknown []qualifiedUse
}

// rawTexts are the raw blocks' texts as this key's template writes them,
// by the offset of their {% raw %}.
func (k compileKey) rawTexts(blocks []rawBlock) map[int]string {
	texts := make(map[int]string, len(blocks))
	for _, b := range blocks {
		texts[b.at] = b.text(k.lstripBlocks, k.newline)
	}
	return texts
}

func (k compileKey) config() *config.Config {
	cfg := config.New()
	cfg.StrictUndefined = true
	cfg.TrimBlocks = k.trimBlocks
	cfg.LeftStripBlocks = false // lstrip.go strips as Jinja2 before gonja lexes
	cfg.KeepTrailingNewline = k.keepTrailingNewline
	cfg.NewlineSequence = k.newline
	d := k.delimiters.orJinja()
	cfg.VariableStartString, cfg.VariableEndString = d.variableStart, d.variableEnd
	cfg.BlockStartString, cfg.BlockEndString = d.blockStart, d.blockEnd
	cfg.CommentStartString, cfg.CommentEndString = d.commentStart, d.commentEnd
	return cfg
}

// compile lexes and parses the template described by key.
func (e *Engine) compile(key compileKey) *compiled {
	if cached, ok := e.compiled.Load(key); ok {
		return cached.(*compiled)
	}
	c := e.parseProtected(key)
	actual, _ := e.compiled.LoadOrStore(key, c)
	return actual.(*compiled)
}

// parseProtected is parse, with a panic in gonja's lexer or parser (a
// template it does not expect, found by FuzzRenderTemplate) kept as the
// template's error: a repository's template never ends the process.
func (e *Engine) parseProtected(key compileKey) (c *compiled) {
	err := protect(func() error {
		c = e.parse(key)
		return nil
	})
	if err != nil {
		c = &compiled{err: err}
	}
	return c
}

func (e *Engine) parse(key compileKey) *compiled {
	cfg := key.config()
	src := strings.ReplaceAll(strings.ReplaceAll(key.src, "\r\n", "\n"), "\r", "\n")
	if key.lstripBlocks {
		src = lstripBlocks(src, key.trimBlocks, key.delimiters.orJinja())
	}
	scanned := scanTemplate(src, key.newline, key.escapeBackslashes, key.delimiters.orJinja())
	if err := scanned.tagNotUTF8(); err != nil {
		return &compiled{err: err}
	}
	blanked, values, raws := string(scanned.out), scanned.values, scanned.raws
	short, prefixes := shortFilterNames(blanked, key.delimiters)
	toks := lexTokens(short, cfg)
	toks, names := fixTokens(toks, values)
	toks = bracketMembershipOperands(chainMembershipOperators(nestNegations(rewriteConditionals(toks))))
	statements := positionedStatements{set: e.env.ControlStructures, toks: toks, loops: includeLoopStates(toks), raws: key.rawTexts(raws)}
	root, err := parser.NewParser("template", tokens.NewStream(toks), cfg, e.loader, statements).Parse()
	if err != nil {
		return &compiled{err: err}
	}
	written := singleOutput(root) // as written: the rewrite renames filters
	text := written != nil && written.Condition == nil && endsInTextFilter(written.Expression, prefixes)
	qualified, uses := rewriteTree(root, treeFacts{prefixes: prefixes, chained: chainedComparisons(toks), kwargs: kwargsOrders(toks), keepsKwargs: keepsKwargsOrder(toks)}, &e.nodes)
	single := singleOutput(root)
	e.addCollectionPlugins(qualified)
	c := &compiled{root: root, cfg: cfg, names: names, single: single, qualified: qualified, unknown: e.unknownOf(uses), mutates: callsMutator(toks)}
	c.fast = single != nil && single.Condition == nil && fastShape(single.Expression, e.fast)
	c.text = text
	if name, ok := singleVarName(key.src); ok {
		c.singleVar = name
	}
	return c
}

// failure is c's error as the engine's core sees it: its parse error, or
// the first filter or test that the core refuses by the name it is written
// with.
func (e *Engine) failure(template string, c *compiled) error {
	if c.err != nil {
		return newError(template, c.err, 0)
	}
	if err := refusalOf(template, c.qualified, e.dataTagging()); err != nil {
		return err
	}
	return e.unknownAtCompile(template, c.unknown)
}

// unknownAtCompile is ansible-core 2.14's failure for a filter or test
// the engine has not: its Jinja2 looks each name up when it compiles the
// template (compiler.py:1759-1777 at Jinja2 3.1.6), so a name in a branch
// that never runs fails the template too. 2.19 looks a name up when it
// runs it (nil here; the render fails there).
// A name is looked up again here: one the engine learnt since the compile
// (a repository's plugin) is known.
func (e *Engine) unknownAtCompile(template string, unknown []qualifiedUse) error {
	if len(unknown) == 0 || e.dataTagging() {
		return nil
	}
	still := e.unknownOf(unknown)
	if len(still) == 0 {
		return nil
	}
	use := still[0]
	//lint:ignore ST1005 Jinja2's message, byte for byte
	err := fmt.Errorf("No %s named '%s'.", use.kind, use.name)
	return &Error{Template: template, Line: use.line, Kind: ErrSyntax, Message: err.Error(), Err: err}
}

// unknownOf are the uses whose names the engine has not.
func (e *Engine) unknownOf(uses []qualifiedUse) []qualifiedUse {
	var out []qualifiedUse
	for _, use := range uses {
		if !e.has(use.kind, use.name) {
			out = append(out, use)
		}
	}
	return out
}

// has tells whether the engine has a filter or test of that name.
func (e *Engine) has(kind pluginKind, name string) bool {
	if kind == testKind {
		return e.env.Tests.Exists(name)
	}
	return e.env.Filters.Exists(name)
}

// lexTokens runs gonja's lexer synchronously (LexAll: no goroutine and
// channel per template) and collects its tokens up to the EOF or error
// token, less the whitespace tokens its stream skips, which the parser
// never sees either.
func lexTokens(src string, cfg *config.Config) []*tokens.Token {
	stream := tokens.LexAll(src, cfg)
	var toks []*tokens.Token
	for {
		toks = append(toks, stream.Current())
		if stream.End() {
			return toks
		}
		stream.Next()
	}
}

// fixTokens gives string literals their Jinja2 values, joins adjacent
// literals ('a' 'b' is 'ab' in Jinja2), turns the lowercase `none` literal
// into one gonja knows, and collects the names the template looks up.
func fixTokens(toks []*tokens.Token, values map[int]string) ([]*tokens.Token, []string) {
	var out []*tokens.Token
	names := map[string]bool{}
	var prev, prevPrev *tokens.Token
	for i, tok := range toks {
		if tok.Type == tokens.String {
			if value, ok := values[tok.Pos]; ok {
				tok.Val = forGonjaParser(value)
			}
			if prev != nil && prev.Type == tokens.String {
				prev.Val += tok.Val
				continue
			}
		}
		testName := tok.Type == tokens.Name && isTestName(prev, prevPrev)
		if tok.Type == tokens.Name && isLookedUp(prev, prevPrev) {
			if tok.Val == "none" {
				tok.Val = "None"
			}
			names[tok.Val] = true
		}
		out = append(out, tok)
		if tok.Type != tokens.Whitespace {
			prevPrev, prev = prev, tok
		}
		if testName && nextIsParenthesis(toks[i+1:]) {
			marker := &tokens.Token{Type: tokens.Name, Val: testArgsFunc, Pos: tok.Pos, Line: tok.Line, Col: tok.Col}
			out = append(out, marker)
			prevPrev, prev = prev, marker
		}
	}
	return out, sortedKeys(names)
}

// isLookedUp tells whether a Name token following prev is a variable: not
// an attribute (x.name), a filter (| name), a test (is name, is not name)
// or a statement keyword ({% name).
func isLookedUp(prev, prevPrev *tokens.Token) bool {
	if prev == nil {
		return true
	}
	switch prev.Type {
	case tokens.Dot, tokens.Pipe, tokens.Is, tokens.BlockBegin:
		return false
	case tokens.Not:
		return prevPrev == nil || prevPrev.Type != tokens.Is
	}
	return true
}

// A test's arguments: gonja's parser reads one argument after a test's
// name, a value or a parenthesized expression, so that `is version('2.9',
// '>=')` is one tuple and `strict=true` a syntax error; Jinja2's
// parse_test (jinja2/parser.py) reads call arguments there. fixTokens puts
// testArgsFunc's name between a test's name and its parenthesis: gonja
// parses a call, with positional and keyword arguments, which rewriteTree
// makes the test's own (testArguments).

// isTestName tells whether a Name token following prev is a test's name
// (is name, is not name).
func isTestName(prev, prevPrev *tokens.Token) bool {
	if prev == nil {
		return false
	}
	return prev.Type == tokens.Is || (prev.Type == tokens.Not && prevPrev != nil && prevPrev.Type == tokens.Is)
}

// nextIsParenthesis tells whether the first token of rest that the parser
// sees is "(".
func nextIsParenthesis(rest []*tokens.Token) bool {
	for _, tok := range rest {
		if tok.Type != tokens.Whitespace {
			return tok.Type == tokens.LeftParenthesis
		}
	}
	return false
}

// forGonjaParser encodes a string literal's value for gonja's parser, which
// reads a String token through strconv.Unquote after turning each `\\` into
// `\`: doubling the backslashes makes it give the value back unchanged.
func forGonjaParser(value string) string {
	return strings.ReplaceAll(value, `\`, `\\`)
}

// endsInTextFilter: the expression's last filter is one whose result
// Ansible wraps as NativeJinjaText (lib/ansible/template/__init__.py
// _wrap_native_text at v2.14.18), which ansible_eval_concat returns as it
// is: a filter named, as written, in the default STRING_TYPE_FILTERS
// (lib/ansible/config/base.yml). Written ansible.builtin.to_json, the
// name is not in the list, and the result is read back as data.
// The parser sees names without their collection prefix, which prefixes
// holds by the name's position (shortFilterNames).
func endsInTextFilter(x nodes.Expression, prefixes map[int]string) bool {
	f, ok := x.(*nodes.FilteredExpression)
	if !ok || len(f.Filters) == 0 {
		return false
	}
	last := f.Filters[len(f.Filters)-1]
	if _, qualified := prefixes[last.Token.Pos]; qualified {
		return false
	}
	switch last.Name {
	case "string", "to_json", "to_nice_json", "to_yaml", "to_nice_yaml", "ppretty", "json":
		return true
	}
	return false
}

func singleOutput(root *nodes.Template) *nodes.Output {
	if len(root.Nodes) != 1 {
		return nil
	}
	out, ok := root.Nodes[0].(*nodes.Output)
	if !ok {
		return nil
	}
	unwrapped := *out
	unwrapped.Expression = unfinalized(out.Expression)
	if out.Alternative != nil {
		unwrapped.Alternative = unfinalized(out.Alternative)
	}
	return &unwrapped
}

// unfinalized is a rewritten output's expression without the finalizeFunc
// filter rewriteNode put around it: the expression the rewriter made
// Python's (a chain split, ** made pyPow), which a copy taken before the
// rewrite did not hold where the rewriter replaced its top node ({{ 1 <
// 3 > 2 }} was gonja's (1 < 3) > 2, false, as a value).
func unfinalized(expr nodes.Expression) nodes.Expression {
	f, ok := expr.(*nodes.FilteredExpression)
	if ok && len(f.Filters) == 1 && f.Filters[0].Name == finalizeFunc {
		return f.Expression
	}
	return expr
}

// positionedStatements hands gonja's parser the statement parsers, making
// sure a syntax error inside a statement carries the statement's line
// (gonja reports none for, say, an {% if %} without a condition).
type positionedStatements struct {
	set   *exec.ControlStructureSet
	toks  []*tokens.Token
	loops map[*tokens.Token]loopState // of include statements, by BlockBegin
	raws  map[int]string              // the raw blocks' texts as Jinja2 writes them, by offset
}

// Get implements parser.ControlStructureGetter.
func (ps positionedStatements) Get(name string) (parser.ControlStructureParser, bool) {
	statement, ok := ps.set.Get(name)
	if !ok {
		return nil, false
	}
	return func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		next := p.Current()
		node, err := statement(p, args)
		if err != nil && syntaxLine(err) == 0 {
			err = &parser.SyntaxError{Message: err.Error(), Line: ps.statementLine(next)}
		}
		if include, ok := node.(*includeStatement); ok {
			if begin := ps.statementBegin(next); begin != nil {
				include.Location, include.Loop = begin, ps.loops[begin]
			}
		}
		if raw, ok := node.(*rawText); ok {
			ps.setRawText(raw, next)
		}
		return node, err
	}, true
}

func syntaxLine(err error) int {
	var syntax *parser.SyntaxError
	if errors.As(err, &syntax) {
		return syntax.Line
	}
	return 0
}

// statementLine is the line of the statement that ends just before next.
func (ps positionedStatements) statementLine(next *tokens.Token) int {
	if begin := ps.statementBegin(next); begin != nil {
		return begin.Line
	}
	return 0
}

// statementBegin is the BlockBegin of the statement that ends just before
// next.
// setRawText gives a raw block Jinja2's text, found by its {% raw %}'s
// offset; a block the scanner did not see keeps gonja's.
func (ps positionedStatements) setRawText(raw *rawText, next *tokens.Token) {
	if begin := ps.statementBegin(next); begin != nil {
		if text, ok := ps.raws[begin.Pos]; ok {
			raw.text = text
		}
	}
}

func (ps positionedStatements) statementBegin(next *tokens.Token) *tokens.Token {
	for i, tok := range ps.toks {
		if tok != next {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			if ps.toks[j].Type == tokens.BlockBegin {
				return ps.toks[j]
			}
		}
	}
	return nil
}
