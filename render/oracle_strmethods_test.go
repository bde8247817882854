package render

import (
	"strings"
	"testing"
)

// strMethodsSuite renders the str method cases of the unit tests
// (strMethodCases: one template per method, a line per case) with
// Ansible, and some wrong calls, each its own template since Ansible fails
// the whole template.
func strMethodsSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: `w: "  a \x1c b\tc  "` + "\n" + `g: "ΣΑΣ ǆa ß ﬁx"`}
	var cases []oracleCase
	for _, method := range sortedKeys(strMethodCases) {
		var src strings.Builder
		for _, c := range strMethodCases[method] {
			src.WriteString("{{ " + c.expr + " }}\n")
		}
		cases = append(cases, oracleCase{name: "str_" + method, src: src.String()})
	}
	for _, c := range strMethodOracleErrors {
		cases = append(cases, oracleCase{name: "str_fails_" + c.name, src: "{{ " + c.expr + " }}\n", wantError: true})
	}
	// gonja's parser leaves a bracketed receiver out of the call (adoptReceiver).
	cases = append(cases, oracleCase{name: "method_bracketed_receiver", src: "{{ ('a,b' | upper).split(',') }}|{{ ('a,b').split(',') }}|{{ ('x' ~ 'y').upper() }}|" +
		"{{ (['b', 'a'] | sort).index('b') }}|{{ ('2.3.4' | string).split('.')[0] }}|{% set l = [] %}{% set _ = (l).append(1) %}{{ l }}|{{ (g | lower).startswith('σ') }}\n"})
	return oracleSuite{name: "strmethods", repo: repo, cases: cases}
}

// strMethodOracleErrors are wrong calls Ansible must fail on, one of each
// kind (strMethodErrors has them all, with Python's messages).
var strMethodOracleErrors = []struct{ name, expr string }{
	{"empty_separator", "'ab'.split('')"},
	{"empty_partition", "'ab'.rpartition('')"},
	{"too_many", "'ab'.split('a', 1, 2)"},
	{"fillchar", "'ab'.center(5, 'xy')"},
	{"keyword", "'ab'.center(width=5)"},
	{"tuple_item", "'ab'.endswith(('x', 1))"},
	{"join_item", "'-'.join(['a', 1])"},
	{"index", "'ab'.index('c')"},
	{"format_index", "'{0}'.format()"},
}
