package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/nodes"
)

// DefaultAnsibleManaged is ansible_managed when ansible.cfg sets none.
const DefaultAnsibleManaged = "Ansible managed"

// Options configure an Engine.
type Options struct {
	// AnsibleManaged is ansible_managed in templates (ansible.cfg's
	// ansible_managed, already expanded); "" means DefaultAnsibleManaged.
	AnsibleManaged string
	// DataTagging, when set and true, templates variables and arguments as
	// ansible-core 2.19 does (templateNative): a template of one value
	// keeps that value's type, others are strings, none read as literals.
	// It is asked when a value is first templated, not at NewEngine.
	DataTagging func() bool
}

// askedOnce is ask's answer, asked on first use and kept (false for nil):
// the answer is the repository's core version, which does not change while
// an engine renders, and it is read for every value templated.
func askedOnce(ask func() bool) func() bool {
	if ask == nil {
		return func() bool { return false }
	}
	return sync.OnceValue(ask)
}

// TemplateOptions are the template task's arguments that change rendering.
// The zero value is NOT Ansible's default (trim_blocks is on by default in
// Ansible); start from TemplateDefaults or WinTemplateDefaults.
type TemplateOptions struct {
	// NewlineSequence is newline_sequence: "\n", "\r" or "\r\n" (the
	// escaped spellings "\\n", "\\r", "\\r\\n" are accepted too); "" is "\n".
	NewlineSequence string
	// TrimBlocks is trim_blocks (Ansible's default: true).
	TrimBlocks bool
	// LstripBlocks is lstrip_blocks (Ansible's default: false).
	LstripBlocks bool
	// SearchPath is where {% include %}, {% import %} and {% from %} look
	// a template name up, in order: Jinja2's loader searchpath, which
	// TemplateSearchPath builds as the template module does. Empty: those
	// statements find nothing.
	SearchPath []string
	// Root, when set, is the folder errors name included templates and
	// search folders relative to (as name is, say, for the template itself).
	Root string
	// Markers are the template module's variable_start_string,
	// variable_end_string, block_start_string, block_end_string,
	// comment_start_string and comment_end_string, by those names (an
	// empty value or another name is an error); a marker not given is
	// Jinja2's. The templates it includes and imports are read with them
	// too, as Ansible's one Jinja2 environment reads them.
	Markers map[string]string
	// DataTagging is ansible-core 2.19's template module (its templating
	// rewrite): a source without {{, {% or {# is written as it is; a
	// template whose output is one value that is not a string is written as
	// that value's str() without the trailing newlines Ansible otherwise
	// restores, and one that outputs nothing is written empty
	// (outputs.oneValueAsIs); trailing newlines are restored with the
	// task's newline_sequence, not a "#jinja2:" line's.
	DataTagging bool
}

// TemplateDefaults are the `template` module's defaults.
func TemplateDefaults() TemplateOptions {
	return TemplateOptions{NewlineSequence: "\n", TrimBlocks: true}
}

// WinTemplateDefaults are the `win_template` module's defaults.
func WinTemplateDefaults() TemplateOptions {
	return TemplateOptions{NewlineSequence: "\r\n", TrimBlocks: true}
}

// Engine renders templates and templates values with Ansible's semantics.
// Parsed templates are cached, so rendering one template for many hosts
// parses it once. An Engine is safe for concurrent use.
type Engine struct {
	opts     Options
	env      *exec.Environment
	loader   loaders.Loader
	carrier  *exec.Template
	compiled sync.Map // compileKey → *compiled
	nodes    nodeIndex
	// dataTagging tells whether values are templated as ansible-core 2.19
	// does (Options.DataTagging, asked once).
	dataTagging func() bool
	fast        map[string]filter // the filters fastSingle runs
	// lookupSecrets are the values lookups read that are secrets (the
	// password lookup's), for the plan to mask.
	lookupSecrets struct {
		sync.Mutex
		values []string
	}
}

// noteSecret records a secret value a lookup read.
func (e *Engine) noteSecret(v string) {
	if v == "" {
		return
	}
	e.lookupSecrets.Lock()
	defer e.lookupSecrets.Unlock()
	if !slices.Contains(e.lookupSecrets.values, v) {
		e.lookupSecrets.values = append(e.lookupSecrets.values, v)
	}
}

// LookupSecrets are the secret values the engine's lookups have read so
// far (the password lookup's passwords).
func (e *Engine) LookupSecrets() []string {
	e.lookupSecrets.Lock()
	defer e.lookupSecrets.Unlock()
	return slices.Clone(e.lookupSecrets.values)
}

// NewEngine returns an engine.
func NewEngine(opts Options) *Engine {
	if opts.AnsibleManaged == "" {
		opts.AnsibleManaged = DefaultAnsibleManaged
	}
	e := &Engine{opts: opts, loader: loaders.MustNewMemoryLoader(map[string]string{carrierName: ""}), fast: fastFilters()}
	e.dataTagging = askedOnce(opts.DataTagging)
	e.env = newEnvironment(e.dataTagging)
	e.addNameTests()
	e.carrier = mustCarrier(e)
	return e
}

// carrierName names an empty template: gonja's renderer wants a
// *exec.Template to hang on; the tree it renders is ours (see execute).
const carrierName = "/straylight-carrier"

func mustCarrier(e *Engine) *exec.Template {
	carrier, err := exec.NewTemplate(carrierName, compileKey{newline: "\n"}.config(), e.loader, e.env)
	if err != nil {
		panic(fmt.Sprintf("render: gonja cannot build an empty template: %v", err))
	}
	return carrier
}

// RenderTemplate renders a template file the way the template module does:
// src is the file's content, name is used in errors. The result has the
// newline handling of Ansible (newline_sequence, trailing newlines).
func (e *Engine) RenderTemplate(name string, src []byte, scope *Scope, opts TemplateOptions) ([]byte, error) {
	newline, err := newlineSequence(opts.NewlineSequence)
	if err != nil {
		return nil, &Error{Template: name, Kind: ErrRender, Message: err.Error(), Err: err}
	}
	marks, err := templateMarkers(opts.Markers)
	if err != nil {
		return nil, &Error{Template: name, Kind: ErrRender, Message: err.Error(), Err: err}
	}
	if opts.DataTagging && !possiblyTemplate(string(src), marks.orJinja()) {
		return src, nil // _engine.py:274-275 at v2.19.14: not templated at all
	}
	key := compileKey{src: string(src), newline: newline, trimBlocks: opts.TrimBlocks, lstripBlocks: opts.LstripBlocks, delimiters: marks}
	if err := applyOverrides(&key); err != nil {
		return nil, &Error{Template: name, Line: 1, Kind: ErrSyntax, Message: err.Error(), Err: err}
	}
	c := e.compile(key)
	if err := e.failure(name, c); err != nil {
		return nil, err
	}
	vars := e.contextFor(c, scope, nil)
	run := &templateRun{engine: e, scope: scope, key: key, search: opts.SearchPath, root: opts.Root, name: name}
	if opts.DataTagging {
		run.outputs = &outputs{}
		vars.Set(finalizeFunc, run.outputs.finalize)
	}
	vars.Set(templateRunName, run)
	if !opts.DataTagging {
		return e.executeFile(name, c, vars, src, key.newline)
	}
	out, err := e.execute(c, vars)
	if err == nil {
		err = run.outputs.storable(out)
	}
	if err != nil {
		return nil, asTemplateError(name, err)
	}
	if run.outputs.oneValueAsIs(out) {
		return []byte(run.outputs.loneText(out)), nil
	}
	// _engine.py:389-403 at v2.19.14: options.overrides.newline_sequence
	// is the task's argument.
	return []byte(preserveTrailingNewlines(string(src), out, newline)), nil
}

// executeFile renders a template file's content straight into the bytes
// it returns, with the trailing newlines the template module keeps: built
// as a string, the output was copied twice more (a 1,000-host check
// renders 1,001 files).
func (e *Engine) executeFile(name string, c *compiled, vars *exec.Context, src []byte, newline string) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(src) + len(src)/2)
	if err := protect(e.renderer(c, vars, &out).Execute); err != nil {
		return nil, asTemplateError(name, err)
	}
	for range trailingNewlines(src) - trailingNewlines(out.Bytes()) {
		out.WriteString(newline)
	}
	return out.Bytes(), nil
}

// outputs counts the values a render's {{ }} give that are not None (the
// nodes ansible-core 2.19 joins), keeping the first.
type outputs struct {
	count int
	first any
	// firstPrinted is how the first value printed (groupby's tuples kept).
	firstPrinted string
}

// finalize is finalizeFunc for a render that counts its outputs (2.19's),
// printing a value as 2.19 does: finalized first, so that tuples inside it
// print as lists (_jinja_bits.py:750-756 at v2.19.14).
func (o *outputs) finalize(in *exec.Value) *exec.Value {
	value := toPy(in)
	if value == nil || firstError(value) != nil {
		return finalize(in)
	}
	printed := printedNode(finalizedValue(value, true))
	if o.count == 0 {
		o.first, o.firstPrinted = nativeResult(value), printed
	}
	o.count++
	return exec.AsValue(printed)
}

// printedNode is a node's value as 2.19's concat prints it: omit drops out
// of the joined nodes (_jinja_bits.py:750-756, :1016-1019 at v2.19.14).
func printedNode(value any) string {
	if value == (omitValue{}) {
		return ""
	}
	return pyStr(value)
}

// oneValueAsIs tells whether ansible-core 2.19 writes out as the render
// gave it: its concat returns the only node as it is, None for no node
// (lib/ansible/_internal/_templating/_jinja_bits.py:738-756 at v2.19.14,
// None-valued nodes skipped at :894-895), trailing newlines are restored
// on a string only (_engine.py:389-403), and the template action writes
// None as "" and another value as its str() (plugins/action/template.py:
// 139-142, :159). out is the whole text only when no template text was
// printed beside the value.
func (o *outputs) oneValueAsIs(out string) bool {
	value, lone := o.lone(out)
	_, isString := value.(string)
	return lone && !isString
}

// loneText is the lone value's text as the template action writes it:
// its str() once stored (a GroupTuple as a list), not as it printed.
func (o *outputs) loneText(out string) string {
	if o.count == 1 {
		return printedNode(o.first)
	}
	return out
}

// storable fails when the render's result is a lone value 2.19 refuses:
// a range (see storable) or omit (AnsibleValueOmittedError,
// _engine.py:311-316 at v2.19.14).
func (o *outputs) storable(out string) error {
	value, lone := o.lone(out)
	switch {
	case !lone:
		return nil
	case value == (omitValue{}):
		//lint:ignore ST1005 ansible-core's message, byte for byte
		return errors.New("A template was resolved to an Omit scalar.")
	}
	return storable(value)
}

// lone is what 2.19's concat returns when it joins nothing: the only
// output's value (None for no output) when out is that value printed and
// nothing else.
func (o *outputs) lone(out string) (any, bool) {
	switch o.count {
	case 0:
		return nil, out == ""
	case 1:
		return o.first, out == o.firstPrinted
	}
	return nil, false
}

// jinjaOverrides starts a template's first line that sets Jinja2 options,
// as in "#jinja2: trim_blocks: False, lstrip_blocks: True".
const jinjaOverrides = "#jinja2:"

// applyOverrides applies a template's "#jinja2:" line to key and removes it
// from the source, as Ansible does.
func applyOverrides(key *compileKey) error {
	if !strings.HasPrefix(key.src, jinjaOverrides) {
		return nil
	}
	line, rest, _ := strings.Cut(key.src, "\n")
	key.src = rest
	for _, pair := range strings.Split(strings.TrimPrefix(line, jinjaOverrides), ",") {
		if err := applyOverride(key, pair); err != nil {
			return err
		}
	}
	return nil
}

func applyOverride(key *compileKey, pair string) error {
	name, text, ok := strings.Cut(pair, ":")
	if !ok {
		return fmt.Errorf("failed to parse jinja2 override '%s'", strings.TrimSpace(pair))
	}
	value, err := literalEval(strings.TrimSpace(text))
	if err != nil {
		return fmt.Errorf("jinja2 override %s: %w", strings.TrimSpace(name), err)
	}
	switch strings.TrimSpace(name) {
	case "trim_blocks":
		key.trimBlocks = pyTruthy(value)
	case "lstrip_blocks":
		key.lstripBlocks = pyTruthy(value)
	case "keep_trailing_newline":
		key.keepTrailingNewline = pyTruthy(value)
	case "newline_sequence":
		key.newline, err = newlineSequence(pyStr(value))
		return err
	default:
		marks, known := key.delimiters.with(strings.TrimSpace(name), pyStr(value))
		if !known {
			return fmt.Errorf("jinja2 override %s "+notSupportedMark, strings.TrimSpace(name))
		}
		key.delimiters = marks
	}
	return nil
}

func newlineSequence(seq string) (string, error) {
	switch seq {
	case "", "\n", `\n`:
		return "\n", nil
	case "\r", `\r`:
		return "\r", nil
	case "\r\n", `\r\n`:
		return "\r\n", nil
	}
	return "", fmt.Errorf("newline_sequence needs to be one of: \\n, \\r or \\r\\n (got %q)", seq)
}

// preserveTrailingNewlines is Ansible's rule: Jinja2 drops the template's
// last newline; Ansible appends the newline sequence until the output ends
// with as many "\n" as the source does.
func preserveTrailingNewlines(src, out, newline string) string {
	missing := trailingNewlines(src) - trailingNewlines(out)
	if missing <= 0 {
		return out
	}
	return out + strings.Repeat(newline, missing)
}

// trailingNewlines counts the "\n" bytes ending s ("\r\n\r\n" counts 1, as
// in Ansible's _count_newlines_from_end).
func trailingNewlines[T string | []byte](s T) int {
	count := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\n'; i-- {
		count++
	}
	return count
}

// contextFor builds the variables a render of c sees: for each name the
// template may look up, the scope's templated variable, or (unless it is a
// global such as range) an undefined value. The context's parent holds the
// globals.
func (e *Engine) contextFor(c *compiled, s *Scope, ch *chain) *exec.Context {
	ctx := e.env.Context.Inherit()
	for _, name := range c.names {
		switch {
		case (!e.env.Context.Has(name) || s.defines(name)) && c.mutates:
			ctx.Set(name, owning(e.lookup(s, name, ch)))
		case !e.env.Context.Has(name) || s.defines(name):
			ctx.Set(name, e.lookup(s, name, ch))
		case name == "lookup" || name == "query" || name == "q":
			ctx.Set(name, e.lookupGlobal(s, name != "lookup"))
		}
	}
	return ctx
}

// environment is the engine's environment with vars as the context.
func (e *Engine) environment(vars *exec.Context) *exec.Environment {
	return &exec.Environment{
		Filters:           e.env.Filters,
		Tests:             e.env.Tests,
		ControlStructures: e.env.ControlStructures,
		Methods:           e.env.Methods,
		Context:           vars,
	}
}

// renderer prepares gonja's renderer for c's tree with vars.
func (e *Engine) renderer(c *compiled, vars *exec.Context, out io.Writer) *exec.Renderer {
	r := exec.NewRenderer(e.environment(vars), out, c.cfg, e.loader, e.carrier)
	r.RootNode = c.root
	return r
}

func (e *Engine) execute(c *compiled, vars *exec.Context) (string, error) {
	var out strings.Builder
	r := e.renderer(c, vars, &out)
	err := protect(r.Execute)
	return out.String(), err
}

// evalSingle evaluates a template that is one {{ }} and returns its value.
func (e *Engine) evalSingle(c *compiled, vars *exec.Context) (any, error) {
	evaluator := &exec.Evaluator{Config: c.cfg, Environment: e.environment(vars), Loader: e.loader}
	var value *exec.Value
	err := protect(func() error {
		value = evalOutput(evaluator, c.single)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if value.IsError() {
		return nil, value
	}
	result := toPy(value)
	if err := firstError(result); err != nil {
		return nil, err
	}
	return result, nil
}

// evalOutput is what gonja's renderer does for {{ x if c else y }}, keeping
// the value instead of printing it.
func evalOutput(r *exec.Evaluator, o *nodes.Output) *exec.Value {
	if o.Condition == nil {
		return r.Eval(o.Expression)
	}
	condition := r.Eval(o.Condition)
	switch {
	case condition.IsError():
		return condition
	case condition.IsTrue():
		return r.Eval(o.Expression)
	case o.Alternative != nil:
		return r.Eval(o.Alternative)
	}
	return exec.AsValue("")
}

// firstError finds an error (an undefined value, say) inside a container;
// Ansible fails on those when it finalizes a value.
func firstError(x any) error {
	switch v := x.(type) {
	case error:
		return v
	case pyList, pyTuple:
		list, _ := asList(v)
		for _, item := range list {
			if err := firstError(item); err != nil {
				return err
			}
		}
	case pyDict:
		for _, slot := range v {
			if err := firstError(slot.val); err != nil {
				return err
			}
		}
	}
	return nil
}

// protect runs fn, turning a panic inside gonja (it panics on some type
// mismatches, such as an int key looked up in a dict) into an error.
func protect(fn func() error) (err error) {
	defer func() {
		r := recover()
		if limit, ok := r.(*sizeLimitError); ok {
			err = limit
		} else if r != nil {
			err = fmt.Errorf("template engine failure: %v", r)
		}
	}()
	return fn()
}
