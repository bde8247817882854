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
		{name: "range_slice_printed", src: "{{ range(10)[2:5] }}|{{ range(10)[::2] }}|{{ range(10)[::-3] }}|{{ range(10)[-2:] }}|{{ range(5)[10:20] }}|{{ range(10)[-100:100:4] }}|{{ range(1, 10, 3)[1:] }}|{{ range(10, 0, -2)[1:-1] }}|{{ [range(3)[1:]] }}|{{ range(3)[5:] }}|{{ range(10)[2:5] | type_debug }}|{{ range(10)[:] }}|{{ range(n)[true:] }}|{{ range(4)[1:][::-1] }}\n"},
		{name: "range_slice_alone", src: "{{ range(10)[2:5] }}\n", failsUnder: "2.19"},
		{name: "range_slice_alone_empty", src: "{{ range(10)[5:2] }}\n", failsUnder: "2.19"},
		{name: "range_slice_used", src: "{{ range(10)[2:5] | join(',') }}|{{ range(10)[::-2] | list }}|{% for i in range(10)[7:2:-2] %}{{ i }}{{ loop.index }}{% endfor %}|{{ range(10)[1:3] | length }}|{{ 3 in range(10)[::3] }}|{{ range(10)[2:5][1] }}|{{ range(10)[2:5] | sum }}|{{ range(10)[2:5] | list == [2, 3, 4] }}\n"},
		{name: "range_slice_list_alone", src: "{{ range(10)[::-2] | list }}\n"},
		{name: "range_slice_zero_step", src: "a{{ range(3)[::0] }}\n", wantError: true},
		{name: "range_slice_bad_index", src: "a{{ range(3)['a':] }}\n", wantError: true},
		{name: "range_truth", src: "{% if range(0) %}T{% else %}F{% endif %}|{{ range(0) | length }}|{{ not range(0) }}|{{ not range(2) }}|{{ range(0) | bool }}|{% if range(2) %}T{% endif %}|{{ range(0) or 'e' }}|{{ range(2) or 'e' }}|{{ range(3) and 'a' }}|{{ range(0) and 'a' }}|{{ 'x' if range(0) else 'y' }}|{% for i in range(0) %}{{ i }}{% else %}none{% endfor %}|{{ range(0) | default('d', true) }}|{{ range(5, 1) }}|{{ range(0) is sequence }}|{{ range(0) | list }}|{% if range(5)[3:3] %}T{% else %}F{% endif %}|{{ range(0) == range(0) }}\n"},
		{name: "range_truth_alone", src: "{{ range(0) or range(2, 0) }}\n", failsUnder: "2.19"},
		{name: "range_huge_lazy", src: "{{ range(9223372036854775807) | length }}|{{ range(9223372036854775807)[-1] }}|{{ range(10, 0, -3)[1] }}|{{ range(10, 0, -3)[-1] }}|{{ 4 in range(0, 9223372036854775807, 2) }}|{{ 5 in range(0, 9223372036854775807, 2) }}|{{ 7 in range(10, 0, -3) }}|{{ 10 in range(10, 0, -3) }}|{{ 0 in range(10, 0, -3) }}|{{ 2.0 in range(3) }}|{{ true in range(3) }}|{{ range(3)[5] is defined }}|{{ 3 in range(0) }}|{{ range(0, 9223372036854775807, 2) | length }}\n"},
		{name: "sequence_slices", src: "{{ 'abcdef'[1:4] }}|{{ 'abcdef'[::-1] }}|{{ 'abcdef'[::2] }}|{{ [1, 2, 3, 4][::2] }}|{{ (1, 2, 3)[1:] }}|{{ 'h\u00e9llo'[1:3] }}|{{ [1, 2, 3][5:] }}|{{ [1, 2, 3][-5:2] }}|{{ 'abc'[2:1] }}|{{ [1, 2, 3][:-1] }}|{{ l[1:] }}|{{ s[-3:] }}|{{ l[::-1] | join }}\n", taskVars: "l: [a, b, c]\ns: wintermute"},
	}
	return oracleSuite{name: "ranges", repo: repo, cases: cases}
}
