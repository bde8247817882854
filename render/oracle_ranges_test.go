package render

import "testing"

// rangesSuite covers range(): a Python range object that filters, tests,
// `in` and loops iterate, that prints as range(0, 3) inside other output,
// and that a {{ }} of it alone gives as its list under ansible-core 2.14
// and refuses under 2.19 (pyRange).
func rangesSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: "n: 3"}
	cases := []oracleCase{
		{name: "range_printed", src: "{{ range(3) }}|{{ range(1, 7, 2) }}|{{ range(n) }}|{{ range(0) }}|{{ [range(3)] }}|{{ {'a': range(2)} }}|{{ range(3) ~ 'x' }}|{{ range(3) | string }}|{{ '%s' % range(5, 0, -2) }}|{{ range(3) | type_debug }}|{{ range(3) if true }}|{% set r = range(2) %}{{ r }}\n"},
		{name: "range_iterated", src: "{{ range(3) | list }}|{{ range(3) | join(',') }}|{{ range(n) | length }}|{{ 1 in range(3) }}|{{ 5 not in range(3) }}|{% for i in range(3) %}{{ i }}{{ loop.last }}{% endfor %}|{{ range(3) | first }}|{{ range(3) | last }}|{{ range(3) | sum }}|{{ range(3) | max }}|{{ range(4) | select('odd') | list }}|{{ range(3) | map('string') | join }}|{{ range(3) | reverse | list }}|{{ range(5)[1] }}|{{ range(5)[-1] }}|{{ range(3) == [0, 1, 2] }}|{{ range(3) | list == [0, 1, 2] }}|{{ range(3) | default([]) }}|{{ range(0) is sequence }}|{{ range(3) is iterable }}|{{ range(2) | batch(1) | list }}|{{ (range(3) | list) + [4] }}\n"},
		{name: "range_alone", src: "{{ range(3) }}\n", failsUnder: "2.19"},
		{name: "range_alone_nested", src: "{{ [range(3)] }}\n", failsUnder: "2.19"},
		{name: "range_alone_list", src: "{{ range(n) | list }}\n"},
		{name: "range_alone_join", src: "{{ range(3) | join(', ') }}\n"},
		{name: "range_alone_length", src: "{{ range(3) | length }}\n"},
		{name: "range_alone_loop", src: "{% for i in range(1, 4) %}{{ i }}\n{% endfor %}"},
		{name: "range_to_json", src: "a{{ range(3) | to_json }}\n", failsUnder: "2.14"},
		{name: "range_to_yaml", src: "a{{ range(3) | to_yaml }}\n", wantError: true},
		{name: "range_bad_argument", src: "a{{ range('3') }}\n", wantError: true},
		{name: "range_plus_list", src: "a{{ range(3) + [4] }}\n", wantError: true},
		{name: "range_variable", src: "{{ r }}|{{ r | type_debug }}\n", taskVars: "r: \"{{ range(3) }}\""},
		{name: "range_variable_list", src: "{{ r }}|{{ r | type_debug }}\n", taskVars: "r: \"{{ range(3) | list }}\""},
		{name: "range_slice_truth", src: "{{ range(5)[1:3] }}|{% if range(0) %}T{% else %}F{% endif %}\n"},
	}
	return oracleSuite{name: "ranges", repo: repo, cases: cases}
}
