package render

import (
	"bytes"
	"fmt"

	controlStructures "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
)

// Jinja2 joins a statement body's output nodes with the environment's
// concat: the body of {% set x %}...{% endset %}, of {% filter %} and of a
// macro. ansible-core 2.14's template module joins them into a string
// (ansible_concat), so an empty body is ''. 2.19's concat is its
// template concat (lib/ansible/_internal/_templating/_jinja_bits.py:
// 738-756, None-valued nodes dropped at :894-895 at v2.19.14): no node
// gives None, one node that node's own value, more a string. So under
// 2.19 `{% set x %}{% endset %}` sets None ({{ x is none }} is True, x ~
// 'a' is 'Nonea'), `{% filter upper %}{% endfilter %}` prints NONE, `{%
// set x %}{{ 1 }}{% endset %}` sets the int 1 and a macro whose body is
// one {{ [1] }} returns the list. The body's {{ }} are its own nodes, not
// the template's: a template whose output is one such value writes that
// value as 2.19 does (outputs.oneValueAsIs). Oracle: gaps2 body_*, both
// cores.

// bodyValue renders a statement body into what the core's concat makes
// of it: 2.19's (nativeBody) when native, else the text (safe, as
// Jinja2's Markup).
func bodyValue(r *exec.Renderer, body *nodes.Wrapper, native bool) (*exec.Value, error) {
	if native {
		return nativeBody(r, body)
	}
	text, err := renderWrapper(r, body)
	return exec.AsSafeValue(text), err
}

// nativeBody renders body with its own output count and returns 2.19's
// concat of its nodes.
func nativeBody(r *exec.Renderer, body *nodes.Wrapper) (*exec.Value, error) {
	var out bytes.Buffer
	counted := &outputs{}
	sub := r.Inherit()
	sub.Output = &out
	sub.Environment.Context.Set(finalizeFunc, counted.finalize)
	if err := sub.ExecuteWrapper(body); err != nil {
		return nil, err
	}
	return counted.joined(out.String()), nil
}

// joined is 2.19's concat of a render's nodes whose printed text is out:
// the lone node's value (None for no node), else out.
func (o *outputs) joined(out string) *exec.Value {
	if value, lone := o.lone(out); lone {
		return exec.AsValue(value)
	}
	return exec.AsSafeValue(out)
}

// nativeMacro is a macro returning 2.19's concat of its body's nodes: its
// body's {{ }} are counted apart while it runs (the body's context
// inherits from the definer's, where the count is set, and restored).
func nativeMacro(definer *exec.Renderer, macro exec.Macro) exec.Macro {
	return func(params *exec.VarArgs) *exec.Value {
		ctx := definer.Environment.Context
		previous, _ := ctx.Get(finalizeFunc)
		counted := &outputs{}
		ctx.Set(finalizeFunc, counted.finalize)
		result := macro(params)
		ctx.Set(finalizeFunc, previous)
		if result.IsError() {
			return result
		}
		return counted.joined(result.String())
	}
}

// writeNode writes a value a statement yields as a node of the template
// (a filter block's result, which Jinja2 does not finalize): through the
// render's counting finalize under 2.19 (a None node dropped, the value
// counted), else as gonja prints it.
func writeNode(r *exec.Renderer, value *exec.Value, native bool) error {
	text := value.String()
	if native {
		text = finalizeFilter(r.Evaluator(), value, nil).String()
	}
	_, err := r.Output.Write([]byte(text))
	return err
}

// nativeBodies are the statements whose body is joined by the core's
// concat: they learn the engine's core when parsed (withNativeConcat).
type nativeBodies interface {
	useNativeConcat(native func() bool)
}

func (s *setStatement) useNativeConcat(native func() bool)    { s.native = native }
func (f *filterStatement) useNativeConcat(native func() bool) { f.native = native }
func (m *macroStatement) useNativeConcat(native func() bool)  { m.native = native }

// withNativeConcat is parse, its statement told whether the engine
// templates as 2.19 does (dataTagging).
func withNativeConcat(parse parser.ControlStructureParser, dataTagging func() bool) parser.ControlStructureParser {
	return func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		statement, err := parse(p, args)
		if body, ok := statement.(nativeBodies); ok && err == nil {
			body.useNativeConcat(dataTagging)
		}
		return statement, err
	}
}

// nativeConcat tells whether a statement joins its body as 2.19 does.
func nativeConcat(native func() bool) bool {
	return native != nil && native()
}

// callStatement is gonja's {% call m(...) %}...{% endcall %}, its body
// (caller()) joined by the core's concat and its result written as a
// node of the template (Jinja2's visit_CallBlock yields the macro's
// value, unfinalized).
type callStatement struct {
	*controlStructures.CallControlStructure
	native func() bool
}

func (c *callStatement) useNativeConcat(native func() bool) { c.native = native }

// callerSlot is where gonja's call statement hands a macro its caller
// (exec.MacroNodeToFunc reads it).
const callerSlot = "__gonja_caller__"

// nativeCallParser wraps gonja's call statement parser.
func nativeCallParser(gonjaCall parser.ControlStructureParser) parser.ControlStructureParser {
	return func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		statement, err := gonjaCall(p, args)
		if inner, ok := statement.(*controlStructures.CallControlStructure); ok && err == nil {
			return &callStatement{CallControlStructure: inner}, nil
		}
		return statement, err
	}
}

// Execute implements exec.ControlStructure as gonja's call statement
// does, with bodyValue for caller() and writeNode for the result.
func (c *callStatement) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	native := nativeConcat(c.native)
	caller := func(*exec.VarArgs) *exec.Value {
		value, err := bodyValue(r, c.Body, native)
		if err != nil {
			return exec.AsValue(err)
		}
		return value
	}
	r.Environment.Context.Set(callerSlot, caller)
	result := r.Eval(c.Call)
	r.Environment.Context.Set(callerSlot, nil)
	if result.IsError() {
		return fmt.Errorf("unable to execute {%% call %%}: %w", result)
	}
	return writeNode(r, result, native)
}
