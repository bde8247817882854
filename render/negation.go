package render

import (
	"slices"

	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Jinja2 parses `not` recursively (parse_not: `not` then another parse_not),
// so `not not x` is not (not x); gonja's parseNot takes one `not` before a
// comparison and calls a second a syntax error. nestNegations brackets the
// operand of every `not` that follows another: `not not x` is lexed as
// `not (not x)`, which gonja parses with Jinja2's meaning.

// nestNegations inserts the brackets, innermost last, so that a run of
// three or more nests too.
func nestNegations(toks []*tokens.Token) []*tokens.Token {
	for i := len(toks) - 2; i >= 0; i-- {
		if toks[i].Type != tokens.Not || toks[i+1].Type != tokens.Not || (i > 0 && toks[i-1].Type == tokens.Is) {
			continue
		}
		end := negationEnd(toks, i+1)
		toks = slices.Insert(toks, end, bracket(tokens.RightParenthesis, ")", toks[end-1]))
		toks = slices.Insert(toks, i+1, bracket(tokens.LeftParenthesis, "(", toks[i+1]))
	}
	return toks
}

// negationEnd is where the operand of the `not` at start ends: at the
// first and, or, comma, colon, =, inline if or else, closing bracket or
// tag end outside brackets opened after start.
func negationEnd(toks []*tokens.Token, start int) int {
	return operandEnd(toks, start, func(k int) bool { return endsClause(toks[k].Type) })
}

// operandEnd is where the operand starting at start ends: at an inline if
// or else, a closing bracket, or a token ends accepts, outside brackets
// opened after start.
func operandEnd(toks []*tokens.Token, start int, ends func(k int) bool) int {
	depth := 0
	for k := start; k < len(toks); k++ {
		switch t := toks[k]; t.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			depth++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			if depth == 0 {
				return k
			}
			depth--
		case tokens.Name:
			if depth == 0 && (t.Val == "if" || t.Val == "else") {
				return k
			}
		default:
			if depth == 0 && ends(k) {
				return k
			}
		}
	}
	return len(toks)
}

// endsClause tells whether a token ends a boolean operand: and, or, a
// comma, a colon, =, or the tag's end.
func endsClause(t tokens.Type) bool {
	switch t {
	case tokens.And, tokens.Or, tokens.Comma, tokens.Colon, tokens.Assign, tokens.VariableEnd, tokens.BlockEnd, tokens.EOF:
		return true
	}
	return false
}

// bracket is a bracket token placed where at is.
func bracket(typ tokens.Type, val string, at *tokens.Token) *tokens.Token {
	return &tokens.Token{Type: typ, Val: val, Pos: at.Pos, Line: at.Line, Col: at.Col}
}
