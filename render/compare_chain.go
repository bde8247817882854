package render

import (
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Jinja2's parse_compare reads `in` and `not in` as comparison operators
// beside ==, <, ... (jinja2/parser.py), so `a in b == c`, `1 < x in y`
// and `x not in y != z` are chains: `a in b and b == c`. gonja parses `in`
// as a test read once after its comparisons, so such a chain was a
// syntax error ("'}}' expected here") or, for `1 < 2 in [true]`, `(1 <
// 2) in [true]`. chainMembershipOperators gives each `in` and `not in`
// of a chain (a run of two or more comparison operators at one bracket
// depth, see chainedComparisons) one comparison token: gonja's parser
// reads it as it reads ==, with a math operand on each side, the chain
// is split as any other (rewriter.unchained), and rewriter.membership
// makes it Python's `in` again. An `in` alone is left to
// bracketMembershipOperands, as before.

// Values of a membership operator's comparison token.
const (
	membershipIn    = "in"
	membershipNotIn = "not in"
)

// compareRun is what one run of comparison operands holds so far: its
// comparison operators and the positions of its `in` tokens.
type compareRun struct {
	operators   int
	memberships []int
}

// chainMembershipOperators replaces the `in` and `not in` of comparison
// chains with comparison tokens (membershipToken).
func chainMembershipOperators(toks []*tokens.Token) []*tokens.Token {
	chained := chainedMemberships(toks)
	if len(chained) == 0 {
		return toks
	}
	out := make([]*tokens.Token, 0, len(toks))
	for i, tok := range toks {
		switch {
		case chained[i]:
			out = append(out, membershipToken(toks, i))
		case tok.Type == tokens.Not && chained[i+1]:
			// the not of not in: membershipToken takes it
		default:
			out = append(out, tok)
		}
	}
	return out
}

// membershipToken is the comparison token of the `in` at i: `not in`
// when a not precedes it, placed where the not is.
func membershipToken(toks []*tokens.Token, i int) *tokens.Token {
	at, val := toks[i], membershipIn
	if i > 0 && toks[i-1].Type == tokens.Not {
		at, val = toks[i-1], membershipNotIn
	}
	return &tokens.Token{Type: tokens.Equals, Val: val, Pos: at.Pos, Line: at.Line, Col: at.Col}
}

// chainedMemberships are the positions of the `in` tokens (of in and not
// in) that share a run with another comparison operator.
func chainedMemberships(toks []*tokens.Token) map[int]bool {
	loops := forStatementIns(toks)
	chained := map[int]bool{}
	runs := []compareRun{{}}
	for i, tok := range toks {
		top := len(runs) - 1
		switch {
		case opensBracket(tok.Type):
			runs = append(runs, compareRun{})
		case closesBracket(tok.Type):
			runs[top].markChained(chained)
			runs = closeBracket(runs)
		case isMembershipIn(toks, i, loops):
			runs[top].operators++
			runs[top].memberships = append(runs[top].memberships, i)
		case comparisonTokens[tok.Type]:
			runs[top].operators++
		case endsCompareRun(toks, i, loops):
			runs[top].markChained(chained)
			runs[top] = compareRun{}
		}
	}
	for _, run := range runs {
		run.markChained(chained)
	}
	return chained
}

// markChained marks the run's `in` tokens when the run is a chain.
func (run compareRun) markChained(chained map[int]bool) {
	if run.operators < 2 {
		return
	}
	for _, i := range run.memberships {
		chained[i] = true
	}
}

// isMembershipIn tells whether the `in` at i is the membership operator:
// not a for statement's, nor the test (is in, is not in).
func isMembershipIn(toks []*tokens.Token, i int, loops map[int]bool) bool {
	return toks[i].Type == tokens.In && !loops[i] && !isTestIn(toks, i)
}

// endsCompareRun tells whether the token at i ends a run of comparison
// operands, as chainedComparisons reads them; the not of `not in` does
// not.
func endsCompareRun(toks []*tokens.Token, i int, loops map[int]bool) bool {
	tok := toks[i]
	if tok.Type == tokens.Not && i+1 < len(toks) && isMembershipIn(toks, i+1, loops) {
		return false
	}
	return breaksChain(tok)
}

// membership is Python's `in` (or `not in`) for a comparison written with
// a membership token (chainMembershipOperators), or nil.
func membership(n *nodes.BinaryExpression) nodes.Expression {
	op := n.Operator.Token
	if op.Type != tokens.Equals || (op.Val != membershipIn && op.Val != membershipNotIn) {
		return nil
	}
	contains := call(inFunc, n.Left, n.Right, &nodes.Bool{Location: op, Val: false})
	if op.Val == membershipNotIn {
		return filtered(notFunc, contains)
	}
	return contains
}
