package render

import "testing"

// constructsSuite covers Jinja2 statements and expressions as Ansible
// evaluates them: macros, loops and loop variables, namespaces, inline if,
// string methods, tuples, operators, lowercase literals, dict methods.
func constructsSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: "x: 1\nl: [b, a]\nd: {k: v, a: 1}\ns: 'a,b'\nempty: []\nnested: {a: {b: [1, {c: deep}]}}"}
	cases := []oracleCase{
		{name: "macro", src: "{% macro m(a, b=2) %}[{{ a }}-{{ b }}]{% endmacro %}{{ m(1) }}{{ m(3, b=4) }}\n"},
		{name: "loops", src: "{% for i in empty %}x{% else %}empty{% endfor %}|{% for i in l %}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ i }}{% endfor %}|{% for i in l if i != 'a' %}{{ i }}{% endfor %}|{% for a, b in [(1, 2), (3, 4)] %}{{ a }}{{ b }}{% endfor %}\n"},
		{name: "double_negation", src: "{{ not not x }}|{{ not not not x }}|{{ not not x and 0 }}|{% if not not x %}y{% endif %}|{{ 'a' if not not x else 'b' }}|{{ not not 'a' in l }}|{{ [not not 0, not x] }}|{{ not not x == 1 }}\n"},
		{name: "unknown_filter_untaken", src: "a{% if false %}{{ x | no_such_filter }}{% endif %}\n", failsUnder: "2.14"},
		{name: "unknown_test_untaken", src: "a{% if false %}{{ x is no_such_test }}{% endif %}\n", failsUnder: "2.14"},
		{name: "macro_varargs", src: "{% macro m(a) %}{{ a }}{% for v in varargs %}+{{ v }}{% endfor %}{{ kwargs.b | default('-') }}{{ kwargs | length }}{% endmacro %}{{ m(1, 2, 3) }}|{{ m(1, b=2) }}|{% macro o() %}{% macro i() %}{{ varargs | length }}{% endmacro %}{{ i(1, 2) }}{% endmacro %}{{ o() }}\n"},
		{name: "macro_varargs_printed", src: "{% macro p() %}{{ varargs }}|{% endmacro %}{{ p() }}{{ p(5) }}{{ p(1, 'a') }}{% macro q() %}{{ varargs | length }}{{ varargs[0] }}{% endmacro %}{{ q(7, 8) }}\n"},
		{name: "macro_extra_argument", src: "a{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}\n", wantError: true},
		{name: "macro_extra_keyword", src: "a{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}\n", wantError: true},
		{name: "loop_neighbours", src: "{% for i in l %}{{ loop.previtem is defined }}{{ loop.nextitem is defined }}{{ loop.previtem | default('-') }}{{ loop.nextitem | default('-') }}|{% endfor %}{% for i in [none, 1] %}{{ loop.previtem is defined }}{% endfor %}\n"},
		{name: "loop_neighbour_items", src: "{% for k, v in d.items() %}{{ loop.nextitem | default('-') }}|{% endfor %}\n"},
		{name: "loop_previtem_first", src: "a{% for i in l %}{{ loop.previtem }}{% endfor %}\n", wantError: true},
		{name: "namespace", src: "{% set ns = namespace(c=0) %}{% for i in l %}{% set ns.c = ns.c + 1 %}{% endfor %}{{ ns.c }}\n"},
		{name: "inline_if", src: "{{ 'a' if x else 'b' }}|{{ 'y' if x }}|{{ 'n' if not x }}|{{ x if x > 0 else -x }}\n"},
		{name: "python_operators", src: "{{ not 0 }}|{{ not -1 }}|{{ not 2.5 }}|{{ not 0.0 }}|{{ not {} }}|{{ not d }}|{{ not empty }}|{{ True * 5 }}|{{ 2 * 'ab' }}|{{ 'ab' * 2 }}|{{ l * 2 }}|{{ 'x' * False }}|{{ True - 3 }}|{{ 5 - 2.5 }}|{{ x * 1.5 }}|{{ (x if x else 0) * 2 }}\n"},
		{name: "inline_if_nested", src: "{{ ('a' if x else 'b') | upper }}|{{ undefined_name | default('d' if x else 'e') }}|{{ ['p' if x else 'q', 2] }}|{{ {'k': 0 if x else 1} }}|{{ 'a' ~ (d.nope if not x else d.k) }}|{% for i in (l if x else empty) %}{{ i }}{% endfor %}|{% if (x if x else 0) %}t{% endif %}|{{ (1 if not x else 2 if not x else 3) + 1 }}|{{ (none if x else 1) }}|{{ lookup('vars', 's' if x else 'l') }}\n"},
		{name: "string_methods", src: "{{ s.split(',') }}|{{ s.upper() }}|{{ s.startswith('a') }}|{{ s.replace(',', ';') }}|{{ ' p '.strip() }}|{{ 'a-b'.split('-')[1] }}\n"},
		{name: "format_range", src: "{{ '%s-%s' | format(1, 'z') }}|{{ '%5.2f' | format(3.14159) }}|{{ range(3) | list }}|{{ range(1, 7, 2) | list }}|{{ range(3) }}\n"},
		{name: "indexing", src: "{{ l | sort | join(',') }}|{{ d.k }}|{{ d['k'] }}|{{ l[0] }}|{{ l[-1] }}|{{ l[5] | default('no') }}|{{ s[0:2] }}|{{ l | length > 1 }}|{{ nested.a.b[1].c }}|{{ nested['a']['b'][0] }}\n"},
		{name: "logic", src: "{% if x == 1 and l %}T{% endif %}|{{ x in [1, 2] }}|{{ d.k is defined }}|{{ ('a', 'b') }}|{{ d.items() | list }}|{{ 'k' in d }}|{{ 'z' not in d }}|{{ not empty }}|{{ x != 2 or fail }}\n"},
		{name: "add_operator", src: "{{ 1 + 2 }}|{{ 1 + 1.5 }}|{{ true + 1 }}|{{ 'a' + 'b' }}|{{ [1] + [2] }}|{{ l + ['c'] }}|{{ (1,) + (2,) }}|{{ -x + 0.5 }}\n"},
		{name: "add_str_int", src: "a{{ 'port ' + x }}\n", wantError: true},
		{name: "add_list_tuple", src: "a{{ [1] + (2,) }}\n", wantError: true},
		{name: "add_int_str", src: "a{{ x + 'a' }}\n", wantError: true},
		{name: "add_dicts", src: "a{{ d + d }}\n", wantError: true},
		{name: "concat_math", src: "{{ 'x' ~ 1 }}|{{ x + 1 }}|{{ x - 1.5 }}|{{ 'ab' ~ none }}|{{ [1, 2] | map('string') | join }}|{{ d | dictsort }}|{{ l | first | upper }}|{{ 10 / 4 }}|{{ 7 % 3 }}|{{ -x }}\n"},
		{name: "dict_methods", src: "{{ d.keys() | list }}|{{ d.values() | list }}|{{ d.get('k') }}|{{ d.get('zz', 'dflt') }}|{{ d.get('zz') }}|{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{{ dict(a=1, b=2) }}\n"},
		{name: "lowercase_literals", src: "{{ none }}|{{ true and not false }}|{{ none is none }}|{{ [none, true, false] }}|{{ {'n': none} }}\n"},
	}
	cases = append(cases, oracleCase{name: "statements_rewritten", src: "{% set ok = '2.1' is version('2.0', '>=') %}{{ ok }}|{% set x = 2 ** 3 %}{{ x }}|{% set d = dict(b=1, a=2) %}{{ d }}|" +
		"{% set p = ('1.2.3' | string).split('.') %}{{ p }}|{% set t = (1, 2) %}{{ t }}|{% set z = 'a' in 'xa' | upper %}{{ z }}|{% set c = 2 ** 2 if false else 3 ** 2 %}{{ c }}\n" +
		"{% with a = 2 ** 3, s = ('a,b' | upper).split(',') %}{{ a }}{{ s }}{% endwith %}|{% filter upper %}{{ 2 ** 3 }}{{ (1, 'x') }}{% endfilter %}|{% filter replace('a', 'o') | upper %}banana{% endfilter %}\n" +
		"{% set b %}{{ 2 ** 2 }}{% if 'v' is version('u', '>') %}!{% endif %}{% endset %}{{ b }}|{% set ns = namespace(v=0) %}{% set ns.v = 3 ** 2 %}{{ ns.v }}|{% set l = [] %}{% for i in [1, 2] %}{% set _ = l.append(i ** 2) %}{% endfor %}{{ l }}\n"})
	return oracleSuite{name: "constructs", repo: repo, cases: append(cases, markerCases()...)}
}

// markerCases are the template module's variable_start_string,
// variable_end_string, block_start_string, block_end_string,
// comment_start_string and comment_end_string: Jinja2's own markers are
// then text, and raw blocks, whitespace control and string literals work
// with the new ones.
func markerCases() []oracleCase {
	all := TemplateDefaults()
	all.Markers = map[string]string{"variable_start_string": "[[", "variable_end_string": "]]", "block_start_string": "[%", "block_end_string": "%]",
		"comment_start_string": "[#", "comment_end_string": "#]"}
	variables := TemplateDefaults()
	variables.Markers = map[string]string{"variable_start_string": "${", "variable_end_string": "}"}
	lstrip := all
	lstrip.LstripBlocks = true
	return []oracleCase{
		{name: "markers_all", opts: &all, src: "[# a comment #]x=[[ x ]] {{ x }} {% if x %}{# kept #}{% endif %}\n[% for i in l %][[ i ]],[% endfor %]\n[% raw %][[ raw ]] {{ raw }}[% endraw %]\n[[ '{{ ]]' ~ \"[%\" ~ d.k ]]\n[%- if x %]\n  trimmed\n[% endif -%]\n[[ l | join(']]') ]]\n"},
		{name: "markers_variables", opts: &variables, src: "${ x } {{ x }} ${ d } {% if x %}B{% endif %}{# c #} ${ {'a': 1}['a'] }\n"},
		{name: "markers_lstrip", opts: &lstrip, src: "a\n    [% if x %]\n    b [[ x ]]\n    [% endif %]\nc\n"},
		{name: "markers_plain", opts: &all, src: "{{ x }} {% if x %} only Jinja2's markers\n\n"},
		{name: "markers_undefined", opts: &all, src: "ok\n[[ nothere ]]\n", wantError: true},
	}
}
