package render

import (
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Jinja2 chains comparisons as Python does: `0 < x < 10` is `0 < x and
// x < 10`. gonja parses it as `(0 < x) < 10`, which compares a bool with
// 10 and is true for any x. A parenthesized `(a < b) < c` parses to the
// same tree, so chains are found in the tokens: a comparison operator
// that follows another at the same bracket depth, with nothing between
// them that ends an operand run (and, or, not, is, in, if, else, commas,
// colons, assignments, tags). The rewriter then turns the comparison
// written with such an operator into `left and middle op right`, middle
// being the operand the two operators share (evaluated twice here, once
// in Python: operands with side effects, such as list.pop(), are rare in
// comparisons).

var comparisonTokens = map[tokens.Type]bool{
	tokens.Equals: true, tokens.Ne: true, tokens.LowerThan: true, tokens.LowerThanOrEqual: true,
	tokens.GreaterThan: true, tokens.GreaterThanOrEqual: true,
}

var chainBreakers = map[tokens.Type]bool{
	tokens.And: true, tokens.Or: true, tokens.Not: true, tokens.Is: true, tokens.In: true,
	tokens.Comma: true, tokens.Colon: true, tokens.Assign: true, tokens.Semicolon: true,
	tokens.BlockBegin: true, tokens.BlockEnd: true, tokens.VariableBegin: true, tokens.VariableEnd: true,
}

// chainedComparisons are the positions of the comparison operators that
// continue a chain.
func chainedComparisons(toks []*tokens.Token) map[int]bool {
	var chained map[int]bool
	compared := []bool{false} // per open bracket: a comparison seen in this run
	for _, tok := range toks {
		top := len(compared) - 1
		switch {
		case opensBracket(tok.Type):
			compared = append(compared, false)
		case closesBracket(tok.Type):
			compared = closeBracket(compared)
		case breaksChain(tok):
			compared[top] = false
		case comparisonTokens[tok.Type] && compared[top]:
			chained = marked(chained, tok.Pos)
		case comparisonTokens[tok.Type]:
			compared[top] = true
		}
	}
	return chained
}

// breaksChain: the token ends a run of comparison operands.
func breaksChain(tok *tokens.Token) bool {
	return chainBreakers[tok.Type] || tok.Type == tokens.Name && (tok.Val == "if" || tok.Val == "else")
}

// closeBracket drops the innermost bracket's run (keeping a fresh one
// where brackets do not balance: gonja reports those).
func closeBracket[T any](runs []T) []T {
	if len(runs) == 1 {
		var fresh T
		return []T{fresh}
	}
	return runs[:len(runs)-1]
}

func opensBracket(t tokens.Type) bool {
	return t == tokens.LeftParenthesis || t == tokens.LeftBracket || t == tokens.LeftBrace
}

func closesBracket(t tokens.Type) bool {
	return t == tokens.RightParenthesis || t == tokens.RightBracket || t == tokens.RightBrace
}

func marked(set map[int]bool, pos int) map[int]bool {
	if set == nil {
		set = map[int]bool{}
	}
	set[pos] = true
	return set
}

// unchained is `left.left op1 middle and middle op2 right` for a
// comparison written with a chained operator, or nil.
func (rw *rewriter) unchained(n *nodes.BinaryExpression) nodes.Expression {
	left, ok := n.Left.(*nodes.BinaryExpression)
	if !ok || !rw.chained[n.Operator.Token.Pos] || rw.wrapped[n] || !comparisonTokens[left.Operator.Token.Type] {
		return nil
	}
	second := &nodes.BinaryExpression{Left: left.Right, Operator: n.Operator, Right: n.Right}
	rw.wrapped[second] = true
	and := &tokens.Token{Type: tokens.And, Val: "and", Pos: n.Operator.Token.Pos, Line: n.Operator.Token.Line, Col: n.Operator.Token.Col}
	return &nodes.BinaryExpression{Left: left, Operator: &nodes.BinOperator{Token: and}, Right: second}
}
