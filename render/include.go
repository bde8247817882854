package render

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// {% include %}, {% import %} and {% from %} as Jinja2 3.1.6 (under both
// ansible-cores the tests run) runs them in Ansible's template module: the
// name is looked up in the loader's searchpath (TemplateSearchPath), the
// found file is parsed with the including template's settings
// (trim_blocks, newline_sequence, its "#jinja2:" line's; the found file's
// own "#jinja2:" line is text, as only the template module's own file has
// its first line read) and rendered against the same host's variables,
// its last newline dropped (keep_trailing_newline off: jinja2/lexer.py:686).
//
// Jinja2's rules (jinja2/compiler.py:1030 visit_Include, :1096
// visit_Import, :1107 visit_FromImport, :713 dump_local_context; Jinja2
// 3.1.6): an include sees the including template's
// variables and locals (loop variables, {% set %}s) unless "without
// context"; "ignore missing" renders nothing for a file not found; a list
// of names includes the first one found. An import renders the imported
// template without the importer's variables unless "with context", drops
// its output, and exports its top-level macros and {% set %} variables
// (not those starting with "_").

// templateRunName holds, in a template file's context, what its include,
// import and from statements need (a *templateRun).
const templateRunName = "__straylight_template_run"

// maxIncludeDepth bounds nested includes and imports: a template including
// itself fails (Jinja2 fails too, with Python's RecursionError).
const maxIncludeDepth = 50

// templateRun is one template file being rendered for a host.
type templateRun struct {
	engine *Engine
	scope  *Scope
	key    compileKey // lexer settings; src is this file's
	search []string   // Jinja2's FileSystemLoader searchpath
	root   string     // names in errors are relative to it
	name   string     // this file, for errors
	depth  int
	// outputs, when set, counts the top-level file's and its includes'
	// outputs (TemplateOptions.DataTagging).
	outputs *outputs
}

// TemplateSearchPath is the searchpath the template action plugin gives
// Jinja2's loader for a task: each of dirs (ansible_search_path — the role's
// folder and the task file's —, the playbook's folder, then the template's
// own folder) with its templates/ sub folder first.
// Source: lib/ansible/plugins/action/template.py:108-118 at v2.14.18 (Debian's
// /usr/lib/python3/dist-packages/ansible) and :105-115 at v2.19.14 (the
// wheel), identical.
func TemplateSearchPath(dirs ...string) []string {
	out := make([]string, 0, 2*len(dirs))
	for _, dir := range dirs {
		out = append(out, filepath.Join(dir, "templates"), dir)
	}
	return out
}

// child is the run of an included or imported file.
func (run *templateRun) child(path string, src []byte) *templateRun {
	c := *run
	c.key.src = string(src)
	c.name = displayName(run.root, path)
	c.depth++
	return &c
}

func displayName(root, path string) string {
	if root == "" {
		return path
	}
	if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// currentRun finds the template file being rendered; there is none when a
// value (not a template file) is templated.
func currentRun(r *exec.Renderer, statement string) (*templateRun, error) {
	if v, ok := r.Environment.Context.Get(templateRunName); ok {
		if run, ok := v.(*templateRun); ok {
			return run, nil
		}
	}
	return nil, fmt.Errorf("{%% %s %%} outside a template file "+notSupportedMark, statement)
}

// find looks names up in the searchpath, as Jinja2's FileSystemLoader and
// Environment.select_template do: the first name that is a file in any
// folder wins. found is false when none is.
func (run *templateRun) find(names []string) (path string, found bool) {
	for _, name := range names {
		pieces, ok := splitTemplatePath(name)
		if !ok {
			continue
		}
		for _, dir := range run.search {
			candidate := filepath.Join(append([]string{dir}, pieces...)...)
			if st, err := os.Stat(candidate); err == nil && !st.IsDir() {
				return candidate, true
			}
		}
	}
	return "", false
}

// splitTemplatePath is split_template_path (jinja2/loaders.py:25, Jinja2
// 3.1.6): "/"-separated
// pieces, "" and "." dropped; a ".." piece makes the name not found.
func splitTemplatePath(name string) ([]string, bool) {
	var pieces []string
	for _, piece := range strings.Split(name, "/") {
		switch {
		case piece == "..", strings.ContainsRune(piece, os.PathSeparator):
			return nil, false
		case piece != "" && piece != ".":
			pieces = append(pieces, piece)
		}
	}
	return pieces, true
}

// notFound is Jinja2's TemplateNotFound (TemplatesNotFound for a list),
// worded as Jinja2 3.1.6 (the one ansible-core 2.19 runs on) words it,
// with the searchpath.
func (run *templateRun) notFound(names []string) error {
	if len(names) != 1 {
		return fmt.Errorf("TemplatesNotFound: none of the templates given were found: %s", strings.Join(names, ", "))
	}
	dirs := make([]string, len(run.search))
	for i, dir := range run.search {
		dirs[i] = "'" + displayName(run.root, dir) + "'"
	}
	return fmt.Errorf("TemplateNotFound: '%s' not found in search paths: %s", names[0], strings.Join(dirs, ", "))
}

// open finds and parses the template a statement names; a nil run means it
// was not found.
func (run *templateRun) open(names []string) (*templateRun, *compiled, error) {
	if run.depth >= maxIncludeDepth {
		return nil, nil, fmt.Errorf("templates include or import one another more than %d deep", maxIncludeDepth)
	}
	path, found := run.find(names)
	if !found {
		return nil, nil, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	sub := run.child(path, src)
	c := run.engine.compile(sub.key)
	if err := run.engine.failure(sub.name, c); err != nil {
		return nil, nil, err
	}
	return sub, c, nil
}

// templateNames are the names an include or import expression gives: a
// string, or a list or tuple of them.
func templateNames(v *exec.Value) ([]string, error) {
	if v.IsError() {
		return nil, v
	}
	x := toPy(v)
	if s, ok := x.(string); ok {
		return []string{s}, nil
	}
	list, ok := asList(x)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("a template name must be a string or a list of strings, got %s", typeName(x))
	}
	names := make([]string, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("a template name must be a string, got %s", typeName(item))
		}
		names[i] = s
	}
	return names, nil
}

// varsFor is the context an included or imported template renders with:
// the current one (with context), or only the globals (without), and the
// host's variables the template looks up that are not in it.
func (run *templateRun) varsFor(r *exec.Renderer, c *compiled, withContext bool) *exec.Context {
	e := run.engine
	var ctx *exec.Context
	if withContext {
		ctx = r.Environment.Context.Inherit()
		for _, name := range c.names {
			switch {
			case !ctx.Has(name):
				ctx.Set(name, e.lookup(run.scope, name, nil))
			case (name == "lookup" || name == "query" || name == "q") && !run.scope.defines(name):
				ctx.Set(name, e.lookupGlobal(run.scope, name != "lookup"))
			}
		}
	} else {
		bare := NewScope(nil, Magic{})
		bare.search = run.scope.search
		ctx = e.contextFor(c, bare, nil)
	}
	ctx.Set(templateRunName, run)
	if run.outputs != nil {
		ctx.Set(finalizeFunc, run.outputs.finalize)
	}
	return ctx
}

// render renders an included or imported template into a string; an error
// names that template and its line.
func (run *templateRun) render(c *compiled, vars *exec.Context) (string, error) {
	out, err := run.engine.execute(c, vars)
	if err != nil {
		return "", asTemplateError(run.name, err)
	}
	return out, nil
}

// asTemplateError is newError, keeping an *Error an included template
// already gave (it names that template and its own line).
func asTemplateError(name string, err error) *Error {
	for current := err; current != nil; current = cause(current) {
		var inner *Error
		if errors.As(current, &inner) {
			return inner
		}
	}
	return newError(name, err, 0)
}

// includeStatement is {% include name [ignore missing] [with|without context] %}.
type includeStatement struct {
	Location      *tokens.Token
	Filename      nodes.Expression
	IgnoreMissing bool
	WithContext   bool
	Loop          loopState // what Jinja2 passes as loop (includeLoopStates)
}

func (s *includeStatement) Position() *tokens.Token { return s.Location }
func (s *includeStatement) String() string {
	return fmt.Sprintf("Include(%s Line=%d)", s.Filename, s.Location.Line)
}

// Execute implements exec.ControlStructure.
func (s *includeStatement) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	run, err := currentRun(r, "include")
	if err != nil {
		return err
	}
	names, err := templateNames(r.Eval(s.Filename))
	if err != nil {
		return err
	}
	sub, c, err := run.open(names)
	switch {
	case err != nil:
		return err
	case sub == nil && s.IgnoreMissing:
		return nil
	case sub == nil:
		return run.notFound(names)
	}
	vars := sub.varsFor(r, c, s.WithContext)
	if err := s.passLoop(vars, c); err != nil {
		return err
	}
	out, err := sub.render(c, vars)
	if err != nil {
		return err
	}
	_, err = r.Output.Write([]byte(out))
	return err
}

// passLoop makes the included template's `loop` what Jinja2 passes.
func (s *includeStatement) passLoop(vars *exec.Context, c *compiled) error {
	if !s.WithContext || !slices.Contains(c.names, "loop") {
		return nil
	}
	switch s.Loop {
	case loopHidden:
		vars.Set("loop", undefinedValue(&UndefinedError{Name: "loop"}))
	case loopOuter:
		return fmt.Errorf("an included template reading the loop variable of an outer for loop " + notSupportedMark)
	}
	return nil
}

func includeParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &includeStatement{Location: p.Current(), WithContext: true}
	filename, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	s.Filename = filename
	if args.MatchName("ignore") != nil {
		if args.MatchName("missing") == nil {
			return nil, args.Error("expected 'missing' after 'ignore'", args.Current())
		}
		s.IgnoreMissing = true
	}
	if s.WithContext, err = parseContextModifier(args, true); err != nil {
		return nil, err
	}
	if !args.End() {
		return nil, args.Error("expected 'ignore missing', 'with context' or 'without context' in include", args.Current())
	}
	return s, nil
}

// parseContextModifier reads an optional "with context" or "without
// context"; def when there is none.
func parseContextModifier(args *parser.Parser, def bool) (bool, error) {
	tok := args.MatchName("with", "without")
	if tok == nil {
		return def, nil
	}
	if args.MatchName("context") == nil {
		return def, args.Error("expected 'context' after '"+tok.Val+"'", args.Current())
	}
	return tok.Val == "with", nil
}

// importStatement is {% import name as alias [with|without context] %} and,
// with Names set, {% from name import a, b as c [with|without context] %}.
type importStatement struct {
	Location    *tokens.Token
	Filename    nodes.Expression
	Alias       string
	Names       [][2]string // (exported name, local name), for from
	WithContext bool
}

func (s *importStatement) Position() *tokens.Token { return s.Location }
func (s *importStatement) String() string {
	return fmt.Sprintf("Import(%s Line=%d)", s.Filename, s.Location.Line)
}

// Execute implements exec.ControlStructure.
func (s *importStatement) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	run, err := currentRun(r, "import")
	if err != nil {
		return err
	}
	names, err := templateNames(r.Eval(s.Filename))
	if err != nil {
		return err
	}
	sub, c, err := run.open(names)
	if err != nil {
		return err
	}
	if sub == nil {
		return run.notFound(names)
	}
	module, err := sub.module(r, c, s.WithContext)
	if err != nil {
		return err
	}
	s.bind(r.Environment.Context, module, names[0])
	return nil
}

// bind sets the alias to the module, or each imported name to its value
// (an undefined value, as in Jinja2, for a name the module does not export).
func (s *importStatement) bind(ctx *exec.Context, module map[string]any, file string) {
	if s.Names == nil {
		ctx.Set(s.Alias, module)
		return
	}
	for _, pair := range s.Names {
		value, ok := module[pair[0]]
		if !ok {
			value = undefinedValue(&UndefinedError{Name: pair[0], Hint: fmt.Sprintf(
				"the template '%s' (imported on line %d) does not export the requested name '%s'", file, s.Location.Line, pair[0])})
		}
		ctx.Set(pair[1], value)
	}
}

// module runs an imported template (its output dropped) and returns what it
// exports: its top-level macros and variables.
func (run *templateRun) module(r *exec.Renderer, c *compiled, withContext bool) (map[string]any, error) {
	vars := run.varsFor(r, c, withContext)
	own := vars.Inherit()
	own.Set(finalizeFunc, finalize) // an import's output is dropped, not counted
	if _, err := run.render(c, own); err != nil {
		return nil, err
	}
	set := exec.EmptyContext().Update(own) // own's entries alone, without its parents'
	module := map[string]any{}
	for _, name := range c.names {
		if value, ok := set.Get(name); ok && exported(name) {
			module[name] = value
		}
	}
	return module, nil
}

func exported(name string) bool {
	return !strings.HasPrefix(name, "_") && name != "self"
}

func importParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &importStatement{Location: p.Current()}
	filename, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	s.Filename = filename
	if args.MatchName("as") == nil {
		return nil, args.Error("expected 'as' in import", args.Current())
	}
	alias := args.Match(tokens.Name)
	if alias == nil {
		return nil, args.Error("expected a name after 'as'", args.Current())
	}
	s.Alias = alias.Val
	if s.WithContext, err = parseContextModifier(args, false); err != nil {
		return nil, err
	}
	if !args.End() {
		return nil, args.Error("expected 'with context' or 'without context' in import", args.Current())
	}
	return s, nil
}

func fromParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &importStatement{Location: p.Current(), Names: [][2]string{}}
	filename, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	s.Filename = filename
	if args.MatchName("import") == nil {
		return nil, args.Error("expected 'import' in from", args.Current())
	}
	for !args.End() {
		if args.CurrentName("with", "without") != nil {
			break
		}
		pair, err := parseImportedName(args)
		if err != nil {
			return nil, err
		}
		s.Names = append(s.Names, pair)
		if args.Match(tokens.Comma) == nil {
			break
		}
	}
	if len(s.Names) == 0 {
		return nil, args.Error("expected the names to import", args.Current())
	}
	if s.WithContext, err = parseContextModifier(args, false); err != nil {
		return nil, err
	}
	if !args.End() {
		return nil, args.Error("expected ',', 'with context' or 'without context' in from", args.Current())
	}
	return s, nil
}

// parseImportedName reads "name" or "name as alias" of a from statement;
// Jinja2 refuses names starting with "_".
func parseImportedName(args *parser.Parser) ([2]string, error) {
	name := args.Match(tokens.Name)
	if name == nil {
		return [2]string{}, args.Error("expected a name to import", args.Current())
	}
	if strings.HasPrefix(name.Val, "_") {
		return [2]string{}, args.Error("names starting with an underline can not be imported", name)
	}
	local := name.Val
	if args.MatchName("as") != nil {
		alias := args.Match(tokens.Name)
		if alias == nil {
			return [2]string{}, args.Error("expected a name after 'as'", args.Current())
		}
		local = alias.Val
	}
	return [2]string{name.Val, local}, nil
}

// extendsParser refuses {% extends %}: template inheritance (blocks filled
// in by a child template) is not implemented.
func extendsParser(p *parser.Parser, _ *parser.Parser) (nodes.ControlStructure, error) {
	return nil, &parser.SyntaxError{Message: "{% extends %} " + notSupportedMark, Line: p.Current().Line}
}

// loopState is whether Jinja2 passes the enclosing for loop's `loop` to an
// included template. It passes the locals the include's frame stores
// (jinja2/compiler.py visit_Include, dump_local_context), and a for loop
// stores `loop` only when its body mentions the name (jinja2/compiler.py:1171
// visit_For's extended_loop: find_undeclared on the body, or a recursive
// loop; Jinja2 3.1.6).
type loopState int

const (
	noLoop     loopState = iota // outside any for loop
	loopPassed                  // the innermost loop's body mentions loop
	loopHidden                  // no enclosing loop's body does: undefined
	loopOuter                   // only an outer loop's does: Jinja2 passes that one
)

// inner is the state inside a for loop's body.
func (s loopState) inner(bodyMentionsLoop bool) loopState {
	switch {
	case bodyMentionsLoop:
		return loopPassed
	case s == loopPassed || s == loopOuter:
		return loopOuter
	}
	return loopHidden
}

// includeLoopStates finds, for the BlockBegin token of each include
// statement in toks, what Jinja2 passes it as `loop`: a for loop's body
// "mentions loop" when the name is read anywhere in it, nested loops
// included (jinja2/compiler.py:271 UndeclaredNameVisitor), or the loop is
// recursive (a scoped {% block %} would count too; gonja parses none).
func includeLoopStates(toks []*tokens.Token) map[*tokens.Token]loopState {
	scan := loopScan{enclosing: map[*tokens.Token][]*bool{}}
	for i, tok := range toks {
		scan.token(toks, i, tok)
	}
	states := make(map[*tokens.Token]loopState, len(scan.enclosing))
	for begin, loops := range scan.enclosing {
		state := noLoop
		for _, mentions := range loops {
			state = state.inner(*mentions)
		}
		states[begin] = state
	}
	return states
}

// loopScan is includeLoopStates' walk over the tokens.
type loopScan struct {
	open      []*bool // the for loops around the token: does the body mention loop?
	header    *bool   // a for statement being read (opened at its end)
	prev      *tokens.Token
	enclosing map[*tokens.Token][]*bool // each include's open loops
}

func (sc *loopScan) token(toks []*tokens.Token, i int, tok *tokens.Token) {
	switch tok.Type {
	case tokens.BlockBegin:
		sc.begin(tok, statementName(toks, i))
	case tokens.BlockEnd:
		if sc.header != nil {
			sc.open, sc.header = append(sc.open, sc.header), nil
		}
	case tokens.Name:
		sc.name(tok)
	}
	if tok.Type != tokens.Whitespace {
		sc.prev = tok
	}
}

func (sc *loopScan) begin(tok *tokens.Token, statement string) {
	switch statement {
	case "for":
		sc.header = new(bool)
	case "endfor":
		sc.open = sc.open[:max(len(sc.open)-1, 0)]
	case "include":
		sc.enclosing[tok] = slices.Clone(sc.open)
	}
}

func (sc *loopScan) name(tok *tokens.Token) {
	switch {
	case tok.Val == "recursive" && sc.header != nil:
		*sc.header = true
	case tok.Val == "loop" && (sc.prev == nil || sc.prev.Type != tokens.Dot):
		for _, mentions := range sc.open {
			*mentions = true
		}
	}
}

// statementName is the name of the statement whose BlockBegin is toks[i].
func statementName(toks []*tokens.Token, i int) string {
	for _, tok := range toks[i+1:] {
		if tok.Type != tokens.Whitespace {
			if tok.Type == tokens.Name {
				return tok.Val
			}
			return ""
		}
	}
	return ""
}
