package render

import "testing"

// lookupsSuite covers what lookup('template'), lookup('vars') and
// lookup('env') return under each ansible-core: a string always, or the
// template's one value (2.19 keeps it, as a variable keeps it), trailing
// newlines, the lookup's own options (template_vars, convert_data,
// trim_blocks, custom delimiters), several terms joined.
func lookupsSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{
		groupVarsAll: "x: 1\nport_t: \"{{ 8000 }}\"\nlisttext: \"[{{ 1 }}, 2]\"\nl: [1, 2]",
		templates: map[string]string{
			"aux/int.j2":       "{{ 5 }}\n",
			"aux/list.j2":      "{{ [1, 2] }}\n",
			"aux/dict.j2":      "{{ {'a': 1} }}\n",
			"aux/listtext.j2":  "[{{ 1 }}, 2]\n",
			"aux/text.j2":      "a\n{{ x }}\n\n",
			"aux/plain.j2":     "plain\n",
			"aux/plaintrue.j2": "True\n",
			"aux/bool.j2":      "{{ true }}",
			"aux/none.j2":      "{{ none }}\n",
			"aux/port.j2":      "{{ port_t }}\n",
			"aux/strtrue.j2":   "{{ 'True' }}\n",
			"aux/vars.j2":      "v={{ a | default('none') }}\n",
			"aux/delim.j2":     "b=[% x %] {{ x }}\n",
			"aux/delim2.j2":    "[# c #]{% if x %}[% 'q{{' ~ (x | ansible.builtin.bool) %]{% endif %} {{ raw }} {# kept #}[% [x, 2] | join(']') %]\n",
			"aux/delim3.j2":    "{{ x }} only\n",
			"aux/trim.j2":      "{% if true %}\nyes\n{% endif %}\n",
		},
	}
	each := func(kind string) string {
		return "{% for f in ['int', 'list', 'dict', 'listtext', 'text', 'plain', 'plaintrue', 'bool', 'none', 'port', 'strtrue'] %}" +
			"{{ f }}: {{ " + kind + "('template', 'aux/' ~ f ~ '.j2') | to_json }} {{ " + kind + "('template', 'aux/' ~ f ~ '.j2') is string }}\n{% endfor %}"
	}
	cases := []oracleCase{
		{name: "lookup_template_types", src: each("lookup")},
		{name: "query_template_types", src: each("query")},
		{name: "lookup_template_printed", src: "[{{ lookup('template', 'aux/int.j2') }}][{{ lookup('template', 'aux/text.j2') }}][{{ lookup('template', 'aux/list.j2') }}][{{ lookup('template', 'aux/none.j2') }}]\n"},
		{name: "lookup_template_alone", src: "{{ lookup('template', 'aux/int.j2') }}\n"},
		{name: "lookup_template_alone_text", src: "{{ lookup('template', 'aux/text.j2') }}\n"},
		{name: "lookup_template_concat", src: "{{ lookup('template', 'aux/int.j2') ~ 'x' }}\n"},
		{name: "lookup_template_arith", src: "{{ lookup('template', 'aux/int.j2') + 1 }}\n", failsUnder: "2.14"},
		{name: "lookup_template_vars", src: "{{ lookup('template', 'aux/vars.j2', template_vars={'a': 1}) | to_json }}|{{ lookup('template', 'aux/vars.j2') | to_json }}\n"},
		{name: "lookup_template_convert", src: "{{ lookup('template', 'aux/listtext.j2', convert_data=False) | to_json }}|{{ lookup('template', 'aux/int.j2', convert_data=False) | to_json }}|{{ lookup('template', 'aux/list.j2', convert_data=True) | to_json }}\n"},
		{name: "lookup_template_delimiters", src: "{{ lookup('template', 'aux/delim.j2', variable_start_string='[%', variable_end_string='%]') | to_json }}\n"},
		{name: "lookup_template_delimiters_all", src: "{{ lookup('template', 'aux/delim2.j2', variable_start_string='[%', variable_end_string='%]', comment_start_string='[#', comment_end_string='#]') | to_json }}|{{ lookup('template', 'aux/delim3.j2', variable_start_string='[%', variable_end_string='%]') | to_json }}|{{ lookup('template', 'aux/text.j2', variable_start_string='{{') | to_json }}\n"},
		{name: "lookup_template_trim", src: "{{ lookup('template', 'aux/trim.j2') | to_json }}\n"},
		{name: "lookup_template_no_trim", src: "{{ lookup('template', 'aux/trim.j2', trim_blocks=False) | to_json }}\n"},
		{name: "lookup_template_terms", src: "{{ lookup('template', 'aux/int.j2', 'aux/text.j2') | to_json }}|{{ lookup('template', 'aux/text.j2', 'aux/plain.j2') | to_json }}\n"},
		{name: "lookup_template_terms_list", src: "{{ lookup('template', 'aux/int.j2', 'aux/list.j2') | to_json }}\n"},
		{name: "lookup_vars_types", src: "{{ lookup('vars', 'port_t') | to_json }}|{{ lookup('vars', 'port_t', 'x') | to_json }}|{{ query('vars', 'port_t') | to_json }}|{{ lookup('vars', 'l') | to_json }}|{{ lookup('vars', 'listtext') | to_json }}|{{ lookup('vars', 'nothere', default=5) | to_json }}\n"},
		{name: "lookup_env_types", src: "{{ lookup('env', 'STRAYLIGHT_ORACLE_UNSET') | to_json }}|{{ lookup('env', 'STRAYLIGHT_ORACLE_UNSET', default=5) | to_json }}|{{ query('env', 'STRAYLIGHT_ORACLE_UNSET') | to_json }}\n"},
	}
	return oracleSuite{name: "lookups", repo: repo, cases: cases}
}
