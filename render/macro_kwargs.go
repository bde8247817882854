package render

import (
	"fmt"
	"strings"

	controlStructures "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Jinja2 gives a macro the keyword arguments it has no parameter for as
// the dict kwargs, in the order the call wrote them (Python keeps a
// call's keyword arguments in order): m(1, z=1, b=2) prints {'z': 1, 'b':
// 2}. gonja collects them in a Go map, which the engine read in name
// order. A call of a macro (a name the template defines with {% macro %}
// or imports with {% from %}, or a macro of an {% import %}ed template)
// gets its written order as the hidden keyword argument kwargsOrderArg
// (kwargsorder.go); the macro's extra keyword arguments then hold it, and
// each read of kwargs in its body is a call of macroKwargsFunc, which
// orders them by it and drops it. A macro without kwargs drops it before
// gonja binds the arguments (macroStatement). Oracle: gaps2
// macro_kwargs_*, both cores.

// macroKwargsFunc orders a macro's kwargs (macroKwargs).
const macroKwargsFunc = "__straylight_macro_kwargs"

// macroStatement is gonja's {% macro %}, defining a function that drops
// the hidden order argument when the macro has no kwargs.
type macroStatement struct {
	*controlStructures.MacroControlStructure
	native func() bool // 2.19's concat of the body (empty_body.go)
}

// orderedMacroParser wraps gonja's macro statement parser.
func orderedMacroParser(gonjaMacro parser.ControlStructureParser) parser.ControlStructureParser {
	return func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		statement, err := gonjaMacro(p, args)
		if err != nil {
			return nil, err
		}
		if inner, ok := statement.(*controlStructures.MacroControlStructure); ok {
			return &macroStatement{MacroControlStructure: inner}, nil
		}
		return statement, nil
	}
}

// Execute implements exec.ControlStructure: it defines the macro as gonja
// does, through orderDropped.
func (m *macroStatement) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	macro, err := exec.MacroNodeToFunc(m.Macro, r)
	if err != nil {
		return fmt.Errorf("unable to parse macro '%s': %w", m.Name, err)
	}
	if nativeConcat(m.native) {
		macro = nativeMacro(r, macro)
	}
	r.Environment.Context.Set(m.Name, orderDropped(m.Macro, macro))
	return nil
}

// orderDropped is macro, rid of the order argument when it has no
// kwargs to keep it in (gonja would refuse it as an unknown keyword).
func orderDropped(node *nodes.Macro, macro exec.Macro) exec.Macro {
	return func(params *exec.VarArgs) *exec.Value {
		if _, given := params.KwArgs[kwargsOrderArg]; given && node.KwArgsName == "" {
			delete(params.KwArgs, kwargsOrderArg)
		}
		return macro(params)
	}
}

// macroKwargs is a macro's kwargs (gonja's map) as a dict in the call's
// order: the names the order argument lists first, then any other in name
// order.
func macroKwargs(args *exec.VarArgs) *exec.Value {
	in := args.Args[0]
	if in.IsError() {
		return in
	}
	given, ok := in.Interface().(map[string]any)
	if !ok {
		return in
	}
	out := newDict(len(given))
	order, _ := given[kwargsOrderArg].(string)
	for _, name := range strings.Fields(order) {
		if value, ok := given[name]; ok {
			out.set(name, toPy(exec.AsValue(value)))
		}
	}
	for _, name := range sortedKeys(given) {
		if _, done := out.get(name); !done && name != kwargsOrderArg {
			out.set(name, toPy(exec.AsValue(given[name])))
		}
	}
	return exec.AsValue(out)
}

// macroCallees are the names a template calls macros by: those it
// defines ({% macro name %}) and imports ({% from 'f' import name as
// alias %}).
func macroCallees(toks []*tokens.Token) map[string]bool {
	names := map[string]bool{}
	for i := 1; i < len(toks); i++ {
		if toks[i].Type == tokens.Name && (isNameToken(toks[i-1], "macro") || fromImported(toks, i)) {
			names[toks[i].Val] = true
		}
	}
	return names
}

// fromImported tells whether the name at i is bound by a from statement:
// after its import keyword, not a keyword itself.
func fromImported(toks []*tokens.Token, i int) bool {
	switch toks[i].Val {
	case "as", "import", "with", "without", "context":
		return false
	}
	for k := i - 1; k >= 0 && toks[k].Type != tokens.BlockBegin; k-- {
		if isNameToken(toks[k], "import") {
			return k > 0 && blockStartsWith(toks, k, "from")
		}
	}
	return false
}

// blockStartsWith tells whether the tag holding the token at k starts
// with the name word.
func blockStartsWith(toks []*tokens.Token, k int, word string) bool {
	for ; k > 0 && toks[k-1].Type != tokens.BlockBegin; k-- {
	}
	return isNameToken(toks[k], word)
}
