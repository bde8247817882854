package render

import "testing"

// oracleVars are group_vars/all of the variable-semantics oracle.
const oracleVars = `
port_default: "{{ vllm.port | default(8000) }}"
served: "{{ vllm.served_model_name | default(None) }}"
nullv: null
num: 5
flt: 0.88
yes_bool: yes
octal: 0755
mixed_list: [1, "two", 3.5, true, null, {a: 1}]
ordered: {zeta: 1, alpha: 2, Mid: 3}
nested: "{{ ordered }}"
list_tpl: "[{{ num }}, {{ flt }}]"
dict_tpl: "{'k': {{ num }}, 'n': null}"
bool_tpl: "{{ num > 3 }}"
str_true: "True"
templated_true: "{{ str_true }}"
num_tpl: "{{ num }}"
null_tpl: "{{ nullv }}"
flt_tpl: "{{ flt }}"
chain_a: "{{ chain_b }}-a"
chain_b: "{{ chain_c }}-b"
chain_c: "c"
self_loop: "{{ self_loop }}"
loop_x: "{{ loop_y }}"
loop_y: "{{ loop_x }}"
undefined_ref: "{{ nothere }}"
win_path: "C:\\Users\\{{ inventory_hostname }}\\dir\\{{ 'x\\y' }}"
quote_str: "it's \"q\""
empty_str: ""
managed_header: "# {{ ansible_managed }}"
multiline: |
  line1
  line2
`

// variablesSuite covers lazy templating and Ansible's typing of
// templated variables, None and default(), printing of values, magic
// variables (groups, group_names, hostvars) and undefined errors.
func variablesSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{
		groupVarsAll: oracleVars,
		hostVars: map[string]string{
			"wintermute": readTestdata(t, "testdata/seed/host_vars/wintermute.yml"),
			"armitage":   readTestdata(t, "testdata/seed/host_vars/armitage.yml"),
			"motoko":     "litellm:\n  port: 4000\n  models: [a, b]",
		},
	}
	wintermute := "vllm: \"{{ hostvars['wintermute'].vllm }}\""
	cases := []oracleCase{
		{name: "types", src: "{{ port_default | type_debug }} {{ served | type_debug }} {{ nullv | type_debug }} {{ num | type_debug }} {{ flt | type_debug }} {{ yes_bool | type_debug }} {{ yes_bool }} {{ octal }} {{ nested | type_debug }} {{ list_tpl | type_debug }} {{ list_tpl }} {{ dict_tpl }} {{ bool_tpl | type_debug }} {{ templated_true | type_debug }}\n"},
		{name: "types_served", src: "{{ port_default | type_debug }}={{ port_default }} {{ served | type_debug }}={{ served }} {{ num_tpl | type_debug }} {{ null_tpl | type_debug }} {{ flt_tpl | type_debug }}\n", taskVars: wintermute},
		{name: "served_if", src: "{% if served %}S={{ served }}{% else %}none{% endif %}\n", taskVars: wintermute},
		{name: "served_if_absent", src: "{% if served %}S={{ served }}{% else %}none{% endif %}\n", taskVars: "vllm: {port: 1}"},
		{name: "served_if_null", src: "{% if served %}S={{ served }}{% else %}none{% endif %}\n", taskVars: "vllm: {served_model_name: null}"},
		{name: "none_default", src: "[{{ None }}][{{ none }}][{{ nullv }}][{{ nullv | default('d') }}][{{ nothere | default('d') }}][{{ nullv | default('d', true) }}][{{ '' | default('e', true) }}][{{ nullv is none }}][{{ nothere is defined }}][{{ nullv is defined }}][{{ None | string }}][{{ nullv | d('x') }}][{{ undefined_ref | default('ok') }}][{{ nothere.attr | default('deep') }}]\n"},
		{name: "literals", src: "{{ true }} {{ false }} {{ none }} {{ True and not false }} {% if none is none %}yes{% endif %} {{ nullv is not none }}\n"},
		{name: "printing", src: "{{ mixed_list }}\n{{ ordered }}\n{{ quote_str }}|{{ [quote_str, 'a\"b', \"x'y\"] }}\n{{ flt * 2 }} {{ 1e16 }} {{ 0.1 + 0.2 }} {{ 10 / 4 }} {{ 7 // 2 }} {{ 3 - 5 }} {{ 'ab' ~ 1 ~ none }}\n{{ multiline }}{{ empty_str }}|{{ num }}{{ flt }}\n"},
		{name: "loops", src: "{% for h in groups['gpu'] %}{{ h }}={{ hostvars[h].vllm.served_model_name }}:{{ hostvars[h]['vllm']['port'] }}\n{% endfor %}{% for g in group_names %}{{ g }}{% endfor %}\n{{ groups['all'] | length }} {{ groups.gpu | join(',') }} {{ 'gpu' in groups }} {{ inventory_hostname }} {{ groups['all'] }}\n"},
		{name: "dict_iteration", src: "{% for k in ordered %}{{ k }},{% endfor %}|{% for k, v in ordered.items() %}{{ k }}={{ v }};{% endfor %}|{{ ordered | dict2items }}|{{ ordered.keys() | list }}|{{ ordered.values() | list }}|{{ ordered.get('alpha') }}{{ ordered.get('x', 9) }}\n"},
		{name: "hostvars_get", src: "{{ hostvars['wintermute'].get('vllm').port }} {{ hostvars['wintermute'].get('nope', 'dflt') }} {{ hostvars['wintermute'].get('nope') }} {{ hostvars[inventory_hostname].get('inventory_hostname') }} {{ 'vllm' in hostvars['wintermute'].keys() }} {% for h in groups['gpu'] %}{{ hostvars[h].get('ansible_host', h) }},{% endfor %}\n"},
		{name: "hostvars_lazy", src: "{{ hostvars['motoko'].litellm.port }} {{ hostvars['wintermute'].vllm.port }} {{ hostvars['localhost'].port_default }} {{ hostvars.motoko.litellm.models | join('+') }}\n"},
		{name: "win_path", src: "{{ win_path }}\n"},
		{name: "chain", src: "{{ chain_a }}\n"},
		{name: "managed_in_variable", src: "{{ managed_header }}\n{{ ansible_managed }}\n"},
		{name: "hostvars_role_default", src: "{{ hostvars['wintermute'].port_default }}\n"},
		{name: "err_self_loop", src: "{{ self_loop }}\n", wantError: true},
		{name: "err_mutual_loop", src: "{{ loop_x }}\n", wantError: true},
		{name: "err_undefined_ref", src: "ok\n{{ undefined_ref }}\n", wantError: true},
		{name: "err_undefined", src: "{{ vllm_foo }}\n", wantError: true},
		{name: "err_attribute", src: "{{ ordered.nothere }}\n", wantError: true},
		{name: "err_if", src: "{% if nothere %}x{% endif %}\n", wantError: true},
		{name: "err_syntax", src: "{% if %}\n", wantError: true},
	}
	return oracleSuite{name: "variables", repo: repo, cases: cases}
}
