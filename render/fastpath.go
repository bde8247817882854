package render

import (
	"fmt"

	"github.com/nikolalohinski/gonja/v2/nodes"
)

// The shortcut below evaluates, without gonja, the variables role defaults
// are mostly made of: "{{ vllm.model | default('mistral') }}", a variable,
// its attributes, and filters with literal arguments. Through gonja each
// such value cost an inherited context, an evaluator, a boxed value per
// step and a map per filter call; planning 1,000 hosts templated 13 of
// them per host. It computes what gonja's evaluator computes with the
// engine's own pieces (Engine.lookup, pyDict's attribute rule, the
// filters' functions), and only what succeeds: anything else — another
// shape, a global, a view such as hostvars, a failing step — gives ok
// false, and gonja evaluates the template as before, errors and all.
// TestFastSingleAgreesWithGonja holds the two to the same results.

// fastFilters are the filters the shortcut runs: plain functions of their
// input and literal arguments, installed by newFilterSet as they are.
func fastFilters() map[string]filter {
	all := ansibleFilters()
	out := map[string]filter{}
	for _, name := range []string{"default", "d", "lower", "upper", "trim", "int"} {
		if f, ok := all[name]; ok {
			out[name] = f
		}
	}
	return out
}

// fastShape tells whether expr is one the shortcut evaluates: a name,
// attributes of one, and filters (with literal positional arguments) of
// those.
func fastShape(expr nodes.Expression, filters map[string]filter) bool {
	switch n := expr.(type) {
	case *nodes.Name:
		return true
	case *nodes.GetAttribute:
		inner, ok := n.Node.(nodes.Expression)
		return ok && n.Attribute != "" && fastShape(inner, filters)
	case *nodes.FilteredExpression:
		return fastFilterCalls(n.Filters, filters) && fastShape(n.Expression, filters)
	}
	return false
}

func fastFilterCalls(calls []*nodes.FilterCall, filters map[string]filter) bool {
	for _, fc := range calls {
		if _, ok := filters[fc.Name]; !ok || len(fc.Kwargs) > 0 || len(fc.Args) > len(filters[fc.Name].params) {
			return false
		}
		for _, arg := range fc.Args {
			if _, ok := literal(arg); !ok {
				return false
			}
		}
	}
	return true
}

// literal is the value of a literal argument.
func literal(expr nodes.Expression) (any, bool) {
	switch n := expr.(type) {
	case *nodes.String:
		return n.Val, true
	case *nodes.Integer:
		return n.Val, true
	case *nodes.Float:
		return n.Val, true
	case *nodes.Bool:
		return n.Val, true
	case *nodes.None:
		return nil, true
	}
	return nil, false
}

// fastSingle is evalSingle's result for a lone {{ }} of fastShape, when
// every step succeeds.
func (e *Engine) fastSingle(c *compiled, s *Scope, ch *chain) (any, bool) {
	if !c.fast {
		return nil, false
	}
	value, ok := e.fastEval(c.single.Expression, s, ch)
	if !ok || firstError(value) != nil {
		return nil, false
	}
	return value, true
}

// fastEval evaluates expr; an undefined value is passed on as the
// *UndefinedError gonja's path hands default() and mandatory().
func (e *Engine) fastEval(expr nodes.Expression, s *Scope, ch *chain) (any, bool) {
	switch n := expr.(type) {
	case *nodes.Name:
		return e.fastName(n.Name.Val, s, ch)
	case *nodes.GetAttribute:
		inner, ok := e.fastEval(n.Node.(nodes.Expression), s, ch)
		if !ok {
			return nil, false
		}
		return fastAttribute(inner, n.Attribute)
	case *nodes.FilteredExpression:
		in, ok := e.fastEval(n.Expression, s, ch)
		for _, fc := range n.Filters {
			if !ok {
				return nil, false
			}
			in, ok = e.fastFilter(fc, in)
		}
		return in, ok
	}
	return nil, false
}

// fastName is a variable as contextFor gives it; a global (range, lookup)
// is gonja's.
func (e *Engine) fastName(name string, s *Scope, ch *chain) (any, bool) {
	if e.env.Context.Has(name) && !s.defines(name) {
		return nil, false
	}
	value := e.lookup(s, name, ch)
	if err, isErr := value.(error); isErr {
		_, undefined := err.(*UndefinedError)
		return value, undefined
	}
	return value, true
}

// fastAttribute is d.name as pyDict.GetAttribute gives it, for a dict
// whose attribute is not one of its methods.
func fastAttribute(x any, name string) (any, bool) {
	d, ok := x.(pyDict)
	if !ok || dictReader(name) != nil {
		return nil, false
	}
	if value, found := d.get(name); found {
		if _, isErr := value.(error); isErr {
			return nil, false
		}
		return value, true
	}
	return &UndefinedError{Name: name, Hint: fmt.Sprintf("'dict object' has no attribute '%s'", name)}, true
}

// fastFilter runs one filter as filter.function does.
func (e *Engine) fastFilter(fc *nodes.FilterCall, in any) (any, bool) {
	f := e.fast[fc.Name]
	if _, undefined := in.(*UndefinedError); undefined && !f.acceptsUndefined {
		return nil, false
	}
	args := make([]any, len(f.params))
	for i := range args {
		args[i] = notGiven
		if i < len(fc.Args) {
			args[i], _ = literal(fc.Args[i])
		}
	}
	out, err := f.fn(in, args)
	if err != nil {
		return nil, false
	}
	return canonical(out), true
}
