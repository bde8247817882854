package render

import "github.com/nikolalohinski/gonja/v2/tokens"

// Jinja2 reads a conditional expression, `a if c else b`, wherever an
// expression goes (jinja2/parser.py, parse_expression → parse_condexpr,
// Jinja2 3.1.6): `(x if y else z) | int`, `default('a' if y else 'b')`,
// `['a' if y else 'b']`. gonja's parser reads one only as the whole of a
// {{ }} or of a {% set %}: anywhere else it failed ("Unbalanced
// parenthesis", "undefined variable 'if'"). Inside brackets, each
// conditional is rewritten, token by token, into what gonja reads and
// evaluates the same way:
//
//	a if c else b   →   ((((c) | truth) and [a] or [b])[0]
//
// truth (truthFunc) is Python's bool() of c (gonja's own truth holds an
// empty dict literal true); gonja's and and or short-circuit and give an
// operand back, as Python's do, and a one-item list is true: only the
// branch c picks is evaluated, and its value is the result, as in Jinja2.
// A conditional without else, and one outside brackets, are left to gonja
// as before.

// rewriteConditionals rewrites the conditional expressions inside the
// brackets of every tag.
func rewriteConditionals(toks []*tokens.Token) []*tokens.Token {
	var out []*tokens.Token
	var open []int // where the current slot of each open bracket starts in out
	for _, tok := range toks {
		switch tok.Type {
		case tokens.VariableBegin, tokens.BlockBegin, tokens.VariableEnd, tokens.BlockEnd:
			open = open[:0]
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			out = append(out, tok)
			open = append(open, len(out))
			continue
		case tokens.Comma, tokens.Colon, tokens.Assign:
			if len(open) > 0 {
				out = closeSlot(out, open[len(open)-1])
				out = append(out, tok)
				open[len(open)-1] = len(out)
				continue
			}
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			if len(open) > 0 {
				out = closeSlot(out, open[len(open)-1])
				open = open[:len(open)-1]
			}
		}
		out = append(out, tok)
	}
	return out
}

// closeSlot rewrites the conditional, if any, of the slot out[start:].
func closeSlot(out []*tokens.Token, start int) []*tokens.Token {
	rewritten := conditional(out[start:])
	if rewritten == nil {
		return out
	}
	return append(out[:start], rewritten...)
}

// conditional rewrites slot when it is `a if c else b` (b may itself be
// one), or returns nil.
func conditional(slot []*tokens.Token) []*tokens.Token {
	ifAt := topLevelName(slot, 0, "if")
	if ifAt <= 0 {
		return nil
	}
	elseAt := topLevelName(slot, ifAt+1, "else")
	if elseAt < 0 {
		return nil
	}
	a, c, b := slot[:ifAt], slot[ifAt+1:elseAt], slot[elseAt+1:]
	if nested := conditional(b); nested != nil {
		b = nested
	}
	at := slot[ifAt]
	var out []*tokens.Token
	out = append(out, punct(at, tokens.LeftParenthesis, "("), punct(at, tokens.LeftParenthesis, "("), punct(at, tokens.LeftParenthesis, "("))
	out = append(out, c...)
	out = append(out, punct(at, tokens.RightParenthesis, ")"), punct(at, tokens.Pipe, "|"), punct(at, tokens.Name, truthFunc),
		punct(at, tokens.RightParenthesis, ")"), punct(at, tokens.And, "and"), punct(at, tokens.LeftBracket, "["))
	out = append(out, a...)
	out = append(out, punct(at, tokens.RightBracket, "]"), punct(at, tokens.Or, "or"), punct(at, tokens.LeftBracket, "["))
	out = append(out, b...)
	return append(out, punct(at, tokens.RightBracket, "]"), punct(at, tokens.RightParenthesis, ")"),
		punct(at, tokens.LeftBracket, "["), punct(at, tokens.Integer, "0"), punct(at, tokens.RightBracket, "]"))
}

// topLevelName is the index of the first Name token name at or after from
// outside the slot's own brackets, or -1.
func topLevelName(slot []*tokens.Token, from int, name string) int {
	depth := 0
	for i, tok := range slot {
		switch tok.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			depth++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			depth--
		case tokens.Name:
			if i >= from && depth == 0 && tok.Val == name {
				return i
			}
		}
	}
	return -1
}

// punct is a token the rewrite adds, placed where at is.
func punct(at *tokens.Token, typ tokens.Type, val string) *tokens.Token {
	return &tokens.Token{Type: typ, Val: val, Pos: at.Pos, Line: at.Line, Col: at.Col}
}
