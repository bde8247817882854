package render

import (
	"bytes"
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// gonja's set, with and filter statements keep their expressions and
// bodies in unexported fields, which the rewriter (rewrite.go) cannot
// reach: inside them nothing was Jinja2's but what gonja does itself.
// `{% set ok = v is version('2.0', '>=') %}` failed ("__straylight_test_args
// is not callable"), `{% set x = 2 ** 3 %}` was 8.0, a tuple printed as a
// list, `(v | string).split('.')` was not callable and dict(b=1, a=2) lost
// its order. These are the same statements, parsed and run as gonja's are,
// with their parts in exported fields (oracle suite constructs,
// statements_rewritten, both cores).

// setStatement is {% set target = expression [if condition else
// alternative] %} or the block form {% set target %}...{% endset %}. A
// list or dict assigned to a name is owned (owning): see collmethods.go.
type setStatement struct {
	At                                 *tokens.Token
	Target                             nodes.Expression
	Expression, Condition, Alternative nodes.Expression
	Body                               *nodes.Wrapper
	native                             func() bool // 2.19's concat of the body (empty_body.go)
}

func setParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	s := &setStatement{At: p.Current()}
	target, err := args.ParseVariableOrLiteral()
	if err != nil {
		return nil, err
	}
	switch target.(type) {
	case *nodes.Name, *nodes.GetAttribute, *nodes.GetItem:
		s.Target = target
	default:
		return nil, args.Error(fmt.Sprintf("can't assign to %s", target), target.Position())
	}
	if args.Match(tokens.Assign) == nil {
		return s.parseBody(p, args)
	}
	if s.Expression, err = args.ParseExpression(); err != nil {
		return nil, err
	}
	if s.Condition, s.Alternative, err = args.ParseCondition(); err != nil {
		return nil, err
	}
	if (s.Condition != nil && s.Alternative == nil) || !args.End() {
		return nil, args.Error("Malformed 'set' tag args.", args.Current())
	}
	return s, nil
}

func (s *setStatement) parseBody(p, args *parser.Parser) (nodes.ControlStructure, error) {
	if !args.End() {
		return nil, args.Error("Expected '=' or end of tag for block-set.", args.Current())
	}
	body, err := wrapUntilEnd(p, "endset")
	if err != nil {
		return nil, err
	}
	s.Body = body
	return s, nil
}

// wrapUntilEnd is the statement's body, up to its end tag, which takes no
// arguments.
func wrapUntilEnd(p *parser.Parser, end string) (*nodes.Wrapper, error) {
	body, endArgs, err := p.WrapUntil(end)
	if err != nil {
		return nil, err
	}
	if !endArgs.End() {
		return nil, endArgs.Error(end+" takes no arguments", nil)
	}
	return body, nil
}

func (s *setStatement) Position() *tokens.Token { return s.At }
func (s *setStatement) String() string {
	return fmt.Sprintf("set(Line=%d Col=%d)", s.At.Line, s.At.Col)
}

// Execute implements exec.ControlStructure.
func (s *setStatement) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	value, err := s.value(r)
	if err != nil {
		return err
	}
	return assign(r, s.Target, value)
}

// value is what the statement assigns: the block's rendered text (safe,
// as Jinja2's Markup), else the expression or its alternative.
func (s *setStatement) value(r *exec.Renderer) (*exec.Value, error) {
	if s.Body != nil {
		return bodyValue(r, s.Body, nativeConcat(s.native))
	}
	expr := s.Expression
	if s.Condition != nil {
		cond := r.Eval(s.Condition)
		if cond.IsError() {
			return nil, cond
		}
		if cond.IsNil() || !cond.IsTrue() {
			expr = s.Alternative
		}
	}
	value := r.Eval(expr)
	if value.IsError() {
		return nil, value
	}
	return value, nil
}

// assign sets a name (its list or dict owned), an attribute or an item.
func assign(r *exec.Renderer, target nodes.Expression, value *exec.Value) error {
	switch t := target.(type) {
	case *nodes.Name:
		r.Environment.Context.Set(t.Name.Val, owning(value.Interface()))
		return nil
	case *nodes.GetAttribute:
		return setOn(r, t.Node, exec.AsValue(t.Attribute), value)
	case *nodes.GetItem:
		key := r.Eval(t.Arg)
		if key.IsError() {
			return key
		}
		return setOn(r, t.Node, key, value)
	}
	return fmt.Errorf("can't assign to %s", target)
}

func setOn(r *exec.Renderer, node nodes.Node, key, value *exec.Value) error {
	target := r.Eval(node)
	if target.IsError() {
		return target
	}
	if err := target.Set(key, value.Interface()); err != nil {
		return fmt.Errorf("unable to set %s: %w", key.String(), err)
	}
	return nil
}

// renderWrapper renders a body in a context of its own into a string.
func renderWrapper(r *exec.Renderer, body *nodes.Wrapper) (string, error) {
	var out bytes.Buffer
	sub := r.Inherit()
	sub.Output = &out
	err := sub.ExecuteWrapper(body)
	return out.String(), err
}

// withStatement is {% with a = x, b = y %}...{% endwith %}: the values are
// evaluated first, outside, then the body runs with them.
type withStatement struct {
	At    *tokens.Token
	Names []string
	Pairs []nodes.Expression // Pairs[i] is Names[i]'s value
	Body  *nodes.Wrapper
}

func withParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	w := &withStatement{At: p.Current()}
	for !args.End() {
		name := args.Match(tokens.Name)
		if name == nil || args.Match(tokens.Assign) == nil {
			return nil, args.Error("Expected 'name = value' in with.", args.Current())
		}
		value, err := args.ParseExpression()
		if err != nil {
			return nil, err
		}
		w.Names, w.Pairs = append(w.Names, name.Val), append(w.Pairs, value)
		if args.Match(tokens.Comma) == nil && !args.End() {
			return nil, args.Error("Expected ',' between the with's assignments.", args.Current())
		}
	}
	body, err := wrapUntilEnd(p, "endwith")
	if err != nil {
		return nil, err
	}
	w.Body = body
	return w, nil
}

func (w *withStatement) Position() *tokens.Token { return w.At }
func (w *withStatement) String() string {
	return fmt.Sprintf("with(Line=%d Col=%d)", w.At.Line, w.At.Col)
}

// Execute implements exec.ControlStructure.
func (w *withStatement) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	sub := r.Inherit()
	for i, expr := range w.Pairs {
		value := r.Eval(expr)
		if value.IsError() {
			return value
		}
		sub.Environment.Context.Set(w.Names[i], value.Interface())
	}
	return sub.ExecuteWrapper(w.Body)
}

// filterStatement is {% filter f | g(x) %}...{% endfilter %}: the body's
// text through the filters.
type filterStatement struct {
	At      *tokens.Token
	Filters []*nodes.FilterCall
	Body    *nodes.Wrapper
	native  func() bool // 2.19's concat of the body (empty_body.go)
}

func filterParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	f := &filterStatement{At: p.Current()}
	for !args.End() {
		call, err := args.ParseFilter()
		if err != nil {
			return nil, err
		}
		f.Filters = append(f.Filters, call)
		if args.Match(tokens.Pipe) == nil && !args.End() {
			return nil, args.Error("Expected '|' between the filters.", args.Current())
		}
	}
	if len(f.Filters) == 0 {
		return nil, args.Error("filter needs a filter.", args.Current())
	}
	body, err := wrapUntilEnd(p, "endfilter")
	if err != nil {
		return nil, err
	}
	f.Body = body
	return f, nil
}

func (f *filterStatement) Position() *tokens.Token { return f.At }
func (f *filterStatement) String() string {
	return fmt.Sprintf("filter(Line=%d Col=%d)", f.At.Line, f.At.Col)
}

// Execute implements exec.ControlStructure.
func (f *filterStatement) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	native := nativeConcat(f.native)
	value, err := f.input(r, native)
	if err != nil {
		return err
	}
	for _, call := range f.Filters {
		if value = r.Evaluator().ExecuteFilter(call, value); value.IsError() {
			return value
		}
	}
	return writeNode(r, value, native)
}

// input is the body's value as the core's concat joins it (bodyValue),
// the text not marked safe.
func (f *filterStatement) input(r *exec.Renderer, native bool) (*exec.Value, error) {
	if native {
		return nativeBody(r, f.Body)
	}
	text, err := renderWrapper(r, f.Body)
	return exec.AsValue(text), err
}
