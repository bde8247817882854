package render

import "testing"

// gaps2Suite compares with Ansible three Jinja2 constructs straylight had
// wrong: comparison chains with in and not in (compare_chain.go), as
// template text and as templated values (a lone {{ }}, which is how a
// task's when: condition is templated); a macro's kwargs in the call's
// order (macro_kwargs.go); 2.19's concat of a statement's body, None
// when it is empty (empty_body.go).
func gaps2Suite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: `d: {k: v}
nums: [3, 1, 2]
x: 1
v_chain_in: "{{ 1 < x in [1, 2] }}"
v_chain_not_in: "{{ x not in [2] != false }}"
v_chain_filtered: "{{ nums | length in [3, 4] == true }}"
v_chain_compare: "{{ 1 < 3 > 2 }}"
v_pow: "{{ 2 ** 3 }}"
v_tuple: "{{ (1, 2) }}"
v_macro_kwargs: "{% macro m(a) %}{{ kwargs }}{% endmacro %}{{ m(1, z=1, b=2) }}"
v_body_empty: "{% set x %}{% endset %}{{ x }}"
v_body_empty_text: "{% set x %}{% endset %}{{ x ~ 'a' }}"
v_filter_empty: "{% filter upper %}{% endfilter %}"
v_body_one: "{% set x %}{{ 1 }}{% endset %}{{ x }}"
v_macro_list: "{% macro n() %}{{ [1] }}{% endmacro %}{{ n() }}"
v_macro_empty: "{% macro n() %}{% endmacro %}{{ n() }}"`, templates: map[string]string{
		"kw_macros.j2": "{% macro show(a) %}{{ a }}{{ kwargs }}{% endmacro %}{% macro plain(a, b=0) %}{{ a }}{{ b }}{% endmacro %}",
	}}
	cases := []oracleCase{
		{name: "chain_membership", src: "{{ 1 in [1] == true }} {{ 1 < 2 in [true] }} {{ 1 not in [2] != false }} {{ 'a' in 'abc' in ['abc'] }} {{ 2 in [1, 2] == [1, 2] }} {{ 'k' in d != {} }} {{ 0 < 1 in [1] < [2] }}\n"},
		{name: "chain_membership_not", src: "{{ not 1 in [1] == [1] }} {{ not 1 not in [2] != [] }} {{ (1 in [1]) == true }} {{ 1 in [1] }} {{ 1 not in [1] }} {{ not 1 in [1] }}\n"},
		{name: "chain_membership_filtered", src: "{{ [1] | length in [1, 2] == true }} {{ nums | length in nums | list != [] }} {{ 'a' | upper in 'ABC' | lower == 'abc' }} {{ 'a' ~ 'b' in ['ab'] + ['c'] != [] }}\n"},
		{name: "chain_membership_containers", src: "{{ 'k' in d in [d] }} {{ 'v' in d.k not in ['v'] }} {{ 'x' not in 'abc' == 'abc' }} {{ 1 in nums not in [[3, 1, 2]] }} {{ 'k' in d == {'k': 'v'} }} {{ 'b' in 'abc' != 'abc' }}\n"},
		{name: "chain_membership_statements", src: "{% if 1 < x in [1, 2] %}a{% else %}b{% endif %}|{% if x in [1] != [] and not x not in [1] == [1] %}c{% endif %}|{{ 'y' if x in [1] == [1] else 'n' }}|{{ [x in [1] == [1], x not in [] != []] }}|{% set t = x in nums == nums %}{{ t }}|{% for n in nums if n in nums != [] %}{{ n }}{% endfor %}\n"},
		{name: "chain_membership_short_circuit", src: "{{ 1 in [2] == undefined_var }} {{ 3 > 4 in undefined_var }}\n"},
		{name: "chain_membership_values", src: "{{ v_chain_in | to_json }} {{ v_chain_not_in | to_json }} {{ v_chain_filtered | to_json }} {{ v_chain_compare | to_json }} {{ v_pow | to_json }} {{ v_tuple | to_json }}\n"},
		{name: "chain_membership_undefined", src: "{{ 1 in [1] == undefined_var }}\n", wantError: true},
		{name: "chain_membership_string_needs_string", src: "{{ 1 in 'abc' == 'abc' }}\n", wantError: true},
		{name: "chain_membership_not_iterable", src: "{{ 'a' in 1 < 2 }}\n", wantError: true},
		{name: "macro_kwargs_order", src: "{% macro m(a) %}{{ kwargs }}{% endmacro %}{{ m(1, z=1, b=2) }}|{{ m(1) }}|{{ m(a=0, y=1) }}\n"},
		{name: "macro_kwargs_varargs", src: "{% macro m(a) %}{{ varargs }}|{{ kwargs }}{% endmacro %}{{ m(1, 2, 'x', z=1, b=2, a2=none) }}\n"},
		{name: "macro_kwargs_views", src: "{% macro m(a, b=2) %}{{ kwargs }}|{{ kwargs | list }}|{{ kwargs.items() | list }}|{{ kwargs | to_json }}|{{ kwargs | dict2items | map(attribute='key') | join(',') }}|{% for k, v in kwargs.items() %}{{ k }}={{ v }};{% endfor %}{{ b }}{% endmacro %}{{ m(z=[1], a=0, y={'q': 1}, c='s') }}\n"},
		{name: "macro_kwargs_caller", src: "{% macro m() %}{{ caller() }}|{{ kwargs }}{% endmacro %}{% call m(zz=1, aa=2) %}body{% endcall %}\n"},
		{name: "macro_kwargs_nested", src: "{% macro inner() %}{{ kwargs }}{% endmacro %}{% macro outer() %}{{ inner(q=1, p=2) }}{{ kwargs }}{% endmacro %}{{ outer(z=1, b=2) }}|{{ outer() }}\n"},
		{name: "macro_kwargs_params", src: "{% macro m(a, b) %}{{ a }}{{ b }}{% endmacro %}{{ m(b=1, a=2) }}|{% macro d() %}{{ dict(y=1, x=2) }}{{ kwargs }}{% endmacro %}{{ d(w=1, v=2) }}\n"},
		{name: "macro_kwargs_imported", src: "{% from 'kw_macros.j2' import show, plain as p %}{% import 'kw_macros.j2' as h %}{{ show(1, z=1, b=2) }}|{{ h.show(2, y=1, x=2) }}|{{ p(b=3, a=4) }}|{{ h.plain(b=5, a=6) }}\n"},
		{name: "macro_kwargs_value", src: "{{ v_macro_kwargs }}\n"},
		{name: "body_set_empty", src: "{% set x %}{% endset %}{{ x is none }}|{{ x | string }}|{{ x ~ 'a' }}|{{ x | to_json }}|{{ [x] }}|{{ x | type_debug }}|{{ x }}|{{ x | default('d') }}\n"},
		{name: "body_set_alone", src: "{% set x %}{% endset %}{{ x }}\n"},
		{name: "body_set_only", src: "{% set x %}{{ 1 }}{% endset %}\n"},
		{name: "body_set_one_node", src: "{% set x %}{{ 1 }}{% endset %}{{ x | type_debug }}|{% set y %}{{ [1, 2] }}{% endset %}{{ y | type_debug }}|{{ y | length }}|{% set z %}{{ none }}{% endset %}{{ z | type_debug }}|{% set w %}{{ 1 }}{{ 2 }}{% endset %}{{ w | type_debug }}|{% set v %}{{ '' }}{% endset %}{{ v | type_debug }}|{% set u %}{% if false %}a{% endif %}{% endset %}{{ u | type_debug }}|{% set t %} {{ 1 }}{% endset %}{{ t | type_debug }}\n"},
		{name: "body_filter_empty", src: "a{% filter upper %}{% endfilter %}b|{% filter string %}{% endfilter %}|{% filter default('d') %}{% endfilter %}|{% filter upper %}{{ [1] }}{% endfilter %}|{% filter upper %}{% if false %}x{% endif %}{% endfilter %}\n"},
		{name: "body_filter_alone", src: "{% filter upper %}{% endfilter %}\n"},
		{name: "body_macro", src: "{% macro m() %}{% endmacro %}{{ m() | type_debug }}|{{ m() is none }}|{{ m() }}|{% macro n() %}{{ 1 }}{% endmacro %}{{ n() | type_debug }}|{% macro o() %}{{ [1] }}{% endmacro %}{{ o() | length }}\n"},
		{name: "body_macro_alone", src: "{% macro o() %}{{ [1] }}{% endmacro %}{{ o() }}\n"},
		{name: "body_call", src: "{% macro m() %}{{ caller() | type_debug }}{% endmacro %}{% call m() %}{% endcall %}|{% macro n() %}{{ caller() | type_debug }}|{{ caller() | length }}{% endmacro %}{% call n() %}{{ [1] }}{% endcall %}|{% macro o(x) %}<{{ caller() }}{{ x }}>{% endmacro %}{% call o(1) %}in{% endcall %}{% call o(2) %}again{% endcall %}|a{% call m() %}{% endcall %}b\n"},
		{name: "body_call_alone", src: "{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}{{ [1] }}{% endcall %}\n"},
		{name: "body_values", src: "{{ v_body_empty is none }}|{{ v_body_empty | to_json }}|{{ v_body_empty_text }}|{{ v_filter_empty }}|{{ v_body_one | type_debug }}|{{ v_macro_list | type_debug }}|{{ v_macro_empty | to_json }}\n"},
		{name: "macro_kwargs_unknown", src: "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(a=1, b=2) }}\n", wantError: true},
	}
	return oracleSuite{name: "gaps2", repo: repo, cases: cases}
}
