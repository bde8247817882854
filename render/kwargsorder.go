package render

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Python keeps a call's keyword arguments in the order they are written:
// dict(port=80, name='x') is {'port': 80, 'name': 'x'}, and to_json writes
// it so. gonja's parser keeps them in a map (nodes.Call.Kwargs), and the
// engine took them in name order, writing {"name": "x", "port": 80}.
// kwargsOrders reads the order from the tokens; the rewriter hands it, as
// the hidden keyword argument kwargsOrderArg, to the two calls whose
// result keeps it: the dict global and a dict's update method. Both read
// it through kwargNames, which also drops it (bindCall, dictGlobal).
// Oracle: coll_kwargs_order, both cores.

// kwargsOrderArg holds the keyword arguments' names as written, separated
// by spaces (no name has one).
const kwargsOrderArg = "__straylight_kwargs_order"

// kwargsOrders maps the opening parenthesis of each parenthesized list
// holding two keyword arguments or more (`name=` after the parenthesis or a
// comma) to their names as written. A list that is no call's (a macro's
// defaults, a filter's arguments) is never looked up.
func kwargsOrders(toks []*tokens.Token) map[*tokens.Token][]string {
	orders := map[*tokens.Token][]string{}
	var open []*tokens.Token // the innermost bracket last
	var names [][]string     // the keyword arguments of each open bracket
	for i, tok := range toks {
		switch tok.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			open, names = append(open, tok), append(names, nil)
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			if len(open) == 0 {
				continue // unbalanced: the parser refuses the template
			}
			last := len(open) - 1
			if open[last].Type == tokens.LeftParenthesis && len(names[last]) > 1 {
				orders[open[last]] = names[last]
			}
			open, names = open[:last], names[:last]
		case tokens.Name:
			if len(open) > 0 && isKeywordArgument(toks, i, open[len(open)-1]) {
				names[len(names)-1] = append(names[len(names)-1], tok.Val)
			}
		}
	}
	return orders
}

// isKeywordArgument tells whether toks[i], a name, is a keyword
// argument's: `=` follows it, and the open parenthesis or a comma comes
// before it.
func isKeywordArgument(toks []*tokens.Token, i int, paren *tokens.Token) bool {
	if i == 0 || i+1 >= len(toks) || toks[i+1].Type != tokens.Assign {
		return false
	}
	before := toks[i-1]
	return before == paren || before.Type == tokens.Comma
}

// orderKwargs gives a call of dict or of an update method with two
// keyword arguments or more their order as written. keeps tells whether a
// callee name is the template's own (a macro, a variable, an import):
// those get gonja's call unchanged.
func orderKwargs(c *nodes.Call, orders map[*tokens.Token][]string, keeps func(*nodes.Call) bool) {
	order := orders[c.Location]
	if len(order) < 2 || len(order) != len(c.Kwargs) || !keeps(c) {
		return
	}
	c.Kwargs[kwargsOrderArg] = &nodes.String{Location: c.Location, Val: strings.Join(order, " ")}
}

// keepsKwargsOrder tells whether c calls the engine's dict or a dict's
// update method: dict, unless the template makes the name its own
// (dictShadowed); update, unless on a name the template imports macros as
// (an imported template's macro may be named update).
func keepsKwargsOrder(toks []*tokens.Token) func(*nodes.Call) bool {
	shadowed, aliases, macros := dictShadowed(toks), importAliases(toks), macroCallees(toks)
	return func(c *nodes.Call) bool {
		switch f := c.Func.(type) {
		case *nodes.Name:
			return f.Name.Val == "dict" && !shadowed || macros[f.Name.Val]
		case *nodes.GetAttribute:
			receiver, named := f.Node.(*nodes.Name)
			return f.Attribute == "update" || named && aliases[receiver.Name.Val]
		}
		return false
	}
}

// dictShadowed tells whether the template uses the name dict other than
// as a call (a variable, a loop variable, a set, an import) or defines a
// macro dict.
func dictShadowed(toks []*tokens.Token) bool {
	for i, tok := range toks {
		if tok.Type != tokens.Name || tok.Val != "dict" {
			continue
		}
		called := i+1 < len(toks) && toks[i+1].Type == tokens.LeftParenthesis
		defined := i > 0 && isNameToken(toks[i-1], "macro")
		if !called || defined {
			return true
		}
	}
	return false
}

// importAliases are the names an import binds a template's macros to
// ({% import 'm.j2' as m %}): the names after as.
func importAliases(toks []*tokens.Token) map[string]bool {
	aliases := map[string]bool{}
	for i := 1; i < len(toks); i++ {
		if toks[i].Type == tokens.Name && isNameToken(toks[i-1], "as") {
			aliases[toks[i].Val] = true
		}
	}
	return aliases
}

func isNameToken(tok *tokens.Token, name string) bool {
	return tok.Type == tokens.Name && tok.Val == name
}

// kwargNames are kwargs' names in the order the call wrote them
// (kwargsOrderArg), else in name order; the order itself is not one of
// them.
func kwargNames(kwargs map[string]*exec.Value) []string {
	if given, ok := kwargs[kwargsOrderArg]; ok {
		if order := strings.Fields(given.String()); namesEvery(order, kwargs) {
			return order
		}
	}
	return withoutOrder(sortedKeys(kwargs))
}

// namesEvery tells whether order names each keyword argument but the
// order itself.
func namesEvery(order []string, kwargs map[string]*exec.Value) bool {
	if len(order) != len(kwargs)-1 {
		return false
	}
	for _, name := range order {
		if _, ok := kwargs[name]; !ok {
			return false
		}
	}
	return true
}

func withoutOrder(names []string) []string {
	out := names[:0]
	for _, name := range names {
		if name != kwargsOrderArg {
			out = append(out, name)
		}
	}
	return out
}
