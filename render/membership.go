package render

import (
	"slices"

	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Jinja2 parses the right side of `in` and `not in` as it parses an
// operand of `+` (parse_compare reads parse_math1): arithmetic, `~`,
// filters and tests included, so `'x' in users | map(attribute='name') |
// list` asks whether 'x' is one of the names. gonja parses `in` as a test
// whose argument is a single variable or literal, so the filters applied
// to the membership's answer ([] for the idiom above, a false branch), and
// `2 in [1] + [2]` was a syntax error. bracketMembershipOperands brackets
// each such operand: `'x' in (users | map(attribute='name') | list)`,
// which gonja parses with Jinja2's meaning. The `in` of a for statement
// and the test `is in` (whose argument Jinja2 also reads without filters)
// are left as they are.

// bracketMembershipOperands inserts the brackets, last operand first.
func bracketMembershipOperands(toks []*tokens.Token) []*tokens.Token {
	loops := forStatementIns(toks)
	for i := len(toks) - 2; i >= 0; i-- {
		if toks[i].Type != tokens.In || loops[i] || isTestIn(toks, i) {
			continue
		}
		end := membershipOperandEnd(toks, i+1)
		if end == i+1 {
			continue // no operand: gonja reports the syntax error
		}
		toks = slices.Insert(toks, end, bracket(tokens.RightParenthesis, ")", toks[end-1]))
		toks = slices.Insert(toks, i+1, bracket(tokens.LeftParenthesis, "(", toks[i+1]))
	}
	return toks
}

// isTestIn tells whether the `in` at i names the test: `is in`, `is not in`.
func isTestIn(toks []*tokens.Token, i int) bool {
	before := i - 1
	if before >= 0 && toks[before].Type == tokens.Not {
		before--
	}
	return before >= 0 && toks[before].Type == tokens.Is
}

// forStatementIns marks the `in` of each {% for %}: the first outside
// brackets after the tag's for.
func forStatementIns(toks []*tokens.Token) map[int]bool {
	marked := map[int]bool{}
	inFor, depth := false, 0
	for i, tok := range toks {
		switch tok.Type {
		case tokens.BlockBegin:
			inFor, depth = i+1 < len(toks) && isNameToken(toks[i+1], "for"), 0
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			depth++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			depth--
		case tokens.In:
			if inFor && depth == 0 {
				marked[i], inFor = true, false
			}
		}
	}
	return marked
}

// membershipOperandEnd is where the operand starting at start ends: as a
// negation's operand does (negationEnd), and at a comparison, another in
// or the not of not in as well (the not of `is not` is the test's).
func membershipOperandEnd(toks []*tokens.Token, start int) int {
	return operandEnd(toks, start, func(k int) bool {
		t := toks[k].Type
		isTestNot := t == tokens.Not && k > 0 && toks[k-1].Type == tokens.Is
		return endsClause(t) || (isComparison(t) && !isTestNot)
	})
}

func isComparison(t tokens.Type) bool {
	switch t {
	case tokens.Equals, tokens.Ne, tokens.GreaterThan, tokens.GreaterThanOrEqual, tokens.LowerThan, tokens.LowerThanOrEqual, tokens.In, tokens.Not:
		return true
	}
	return false
}
