package render

import "testing"

// comparisonsSuite compares Python's comparison operators (render/operators.go
// comparison, render/chaincmp.go) with Ansible's output: True == 1,
// ordering only what Python orders, chains; and the truth of a dict
// literal.
func comparisonsSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: "port_s: '8000'\nnums: [3, 1, 2, 1]\nflag: true"}
	cases := []oracleCase{
		{name: "cmp_equality", src: "{{ 1 == True }} {{ 1 != True }} {{ 1.0 == 1 }} {{ '1' == 1 }} {{ none == none }} {{ [1] == [1.0] }} {{ (1, 2) == [1, 2] }} {{ {'a': 1} == {'a': 1.0} }} {{ 0 == False }} {{ 2 == True }} {{ flag == 1 }} {{ port_s == 8000 }} {{ port_s | int == 8000 }}\n"},
		{name: "cmp_ordering", src: "{{ [1, 2] < [1, 3] }} {{ (1, 2) < (1, 3) }} {{ 'a' < 'b' }} {{ 'B' < 'a' }} {{ true > 0 }} {{ 1.5 >= 1 }} {{ [1] <= [1] }} {{ [] < [0] }} {{ 'é' > 'z' }} {{ port_s | int > 1024 }} {% if nums | length > 2 %}big{% endif %}\n"},
		{name: "cmp_chains", src: "{{ 1 < 2 < 3 }} {{ 3 > 2 > 1 }} {{ 1 < 3 > 2 }} {{ 1 < 3 < 2 }} {{ 1 == 1 == 1 }} {{ 2 > 1 == 1 }} {{ (3 > 2) > 1 }} {{ [3 > 2 > 1] }} {{ 0 < 20 < 10 }} {{ 1 < 2 < 3 < 4 < 2 }} {{ 1 < 2 and 3 > 2 > 1 }} {{ (1 < 2) == (2 < 3) == true }} {{ 1 < (2 < 3) }}\n{% if 0 < nums | length < 10 %}in range{% endif %}\n"},
		{name: "dict_literal_truth", src: "{% if {} %}y{% else %}n{% endif %} {{ 'y' if {} else 'n' }} {{ {} or 1 }} {{ 'y' if {'a': 1} else 'n' }} {% set d = {} %}{% set _ = d.update({'b': 2, 'a': 1}) %}{{ d }} {{ {'z': 1, 'a': 2} | to_json }} {% set e = {'x': []} %}{% set _ = e.x.append(1) %}{{ e }}\n"},
		{name: "pow_floats", src: "{{ 2 ** 0.5 }} {{ 10 ** -2 }} {{ 1.1 ** 3 }} {{ 9170 ** 0.3 }} {{ 2 ** 10 }} {{ 2.0 ** 10 }} {{ 3 ** 0.1 }} {{ 7.7 ** 2.2 }} {{ 1e10 ** 0.5 }} {{ 0.1 ** 3 }}\n"},
		{name: "pow_zero_negative", src: "{{ 0.0 ** -1 }}\n", wantError: true},
		{name: "in_string_needs_string", src: "{{ 1 in '12' }}\n", wantError: true},
		{name: "in_strings", src: "{{ '1' in '12' }} {{ 'x' in ['x'] }} {{ 1 in [1.0] }} {{ 'b' in {'b': 1} }}\n"},
		{name: "in_filtered_operand", src: "{{ 'a' in 'xa' | upper }} {{ 'x' in [{'name': 'x'}] | map(attribute='name') | list }} {{ 'a' not in 'xa' | upper }} {{ 3 in nums | select('odd') | list }} {{ 'b' in ['b', 'a'] | sort | first }}\n" +
			"{{ 'a' in 'x' ~ 'a' }} {{ 2 in [1] + [2] }} {{ 3 in [1] + [2] }} {{ 1 in [1] * 2 }} {{ 1 in nums and 'a' in 'xa' | upper }} {{ 'y' if 2 in nums | map('int') | list else 'n' }} {{ 1 is in nums }}\n" +
			"{% for n in nums | unique if n in nums | select('odd') | list %}{{ n }}{% endfor %} {% if 'x' in [{'name': 'x'}] | map(attribute='name') | list %}found{% else %}missing{% endif %}\n"},
		{name: "cmp_str_int", src: "{{ port_s > 1024 }}\n", wantError: true},
		{name: "cmp_none_int", src: "{{ none < 1 }}\n", wantError: true},
		{name: "cmp_list_items", src: "{{ [1] < ['a'] }}\n", wantError: true},
		{name: "cmp_dicts", src: "{{ {} < {} }}\n", wantError: true},
		{name: "cmp_tuple_list", src: "{{ (1,) < [1] }}\n", wantError: true},
	}
	return oracleSuite{name: "compare", repo: repo, cases: cases}
}
