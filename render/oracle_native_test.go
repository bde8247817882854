package render

import "testing"

// nativeSuite probes what real repositories do with templated values,
// where ansible-core 2.19's native types change the result: a port
// templated to an int (a string under 2.14) fed to to_json, | int, ~, +,
// format, sum, max and length; a list written as text; bools templated;
// default(omit) and ternary; the filters whose result 2.14 keeps as text
// (to_json and its kin, never read back as data).
func nativeSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: `base_port: 8000
port_t: "{{ base_port }}"
port_s: "{{ base_port + 1 }}"
port_str: "8000"
host: wintermute
flag: true
enabled: "{{ flag }}"
yes_t: "{{ 'yes' }}"
addr: "{{ host }}:{{ port_t }}"
ports: "[{{ port_t }}, 9000]"
vals: ["{{ port_t }}", 9000]
cfg: {port: "{{ port_s }}", enabled: "{{ flag }}", name: "{{ host }}"}
tj: "{{ cfg | to_json }}"
tn: "{{ cfg | to_nice_json }}"
ts: "{{ [1, 2] | string }}"
ty: "{{ [1, 2] | to_yaml }}"
tq: "{{ cfg | ansible.builtin.to_json }}"
tt: "{{ cfg | to_json | trim }}"`}
	cases := []oracleCase{
		{name: "native_to_json", src: "{{ port_t | to_json }}|{{ port_s | to_json }}|{{ cfg | to_json }}|{{ {'p': port_t} | to_json }}|{{ [port_s] | to_nice_json }}|{{ enabled | to_json }}|{{ addr | to_json }}|{{ dict(a=port_t) | to_json }}|{{ cfg | dict2items | to_json }}\n"},
		{name: "native_int", src: "{{ '8000' | int + 1 }}|{{ port_str | int }}|{{ '0x1A' | int(base=16) }}|{{ 'x' | int }}|{{ '3.7' | int }}|{{ port_t | int }}|{{ (port_t | int) + 1 }}|{{ port_t | float }}|{{ port_t | string | length }}|{{ [port_t] | map('int') | sum }}\n"},
		{name: "native_concat", src: "{{ port_t ~ '/tcp' }}|{{ 'p' ~ port_t ~ 1.0 }}|{{ addr }}|{{ port_t == 8000 }}|{{ port_t | string == '8000' }}|{{ port_t is number }}|{{ port_t is string }}|{{ vals | join(',') }}\n"},
		{name: "native_plus", src: "{{ port_t + 1 }}\n"},
		{name: "native_plus_templated", src: "{{ port_s + 1 }}\n", failsUnder: "2.14"},
		{name: "native_format", src: "{{ '%s:%d' | format(host, port_t) }}\n"},
		{name: "native_percent", src: "{{ '%05d' % port_t }}\n"},
		{name: "native_sum", src: "{{ vals | sum }}\n", failsUnder: "2.14"},
		{name: "native_max", src: "{{ vals | max }}\n", failsUnder: "2.14"},
		{name: "native_length", src: "{{ port_t | length }}\n", wantError: true},
		{name: "native_length_templated", src: "{{ port_s | length }}\n", failsUnder: "2.19"},
		{name: "native_index", src: "{{ port_t[0] }}\n", wantError: true},
		{name: "native_list_text", src: "{{ ports | to_json }}|{{ ports | length }}|{{ ports is string }}\n"},
		{name: "native_bools", src: "{{ enabled | to_json }}|{{ yes_t | bool }}|{{ port_t | bool }}|{% if enabled %}on{% endif %}|{{ 'true' | bool }}|{{ 'off' | bool }}\n"},
		{name: "native_omit", src: "{{ (missing | default(omit)) == omit }}|{{ omit is defined }}|{{ port_t | default(omit) }}|{{ (x | default(omit)) | to_json }}\n", taskVars: "x: 1"},
		{name: "native_omit_type", src: "{{ omit is string }}|{{ (missing | default(omit)) is string }}\n"},
		{name: "native_omit_printed", src: "a{{ [1, omit, 2] }}|{{ {'a': omit, 'b': 1} }}|{{ omit }}b|{{ omit ~ 'x' }}|{{ omit | string }}|{{ o }}|{{ [o, 3] }}\n", taskVars: "o: \"{{ omit }}\""},
		{name: "native_omit_alone", src: "{{ omit }}\n", failsUnder: "2.19"},
		{name: "aggregates", src: "{{ [3, 1, 2] | max }}|{{ [3, 1, 2] | min }}|{{ ['b', 'A', 'c'] | max }}|{{ ['b', 'A', 'a'] | min }}|{{ ['b', 'A'] | min(case_sensitive=true) }}|{{ [{'n': 2}, {'n': 5}] | max(attribute='n') }}|{{ [{'n': 2}, {'n': 5}] | sum(attribute='n') }}|{{ [[1, 2], [1, 3]] | max }}|{{ [] | max | default('none') }}|{{ [1.5, 2] | sum(start=10) }}|{{ [[1], [2]] | sum(start=[]) }}|{{ [true, 2] | sum }}|{{ [1, 2.5] | max }}\n"},
		{name: "aggregates_mixed_min", src: "a{{ [1, 'a'] | min }}\n", wantError: true},
		{name: "aggregates_strings_sum", src: "a{{ ['a', 'b'] | sum(start='') }}\n", wantError: true},
		{name: "native_ternary", src: "{{ flag | ternary('on', 'off') }}|{{ (port_t | int > 100) | ternary(port_t, 0) | to_json }}|{{ none | ternary(1, 2, 3) }}|{{ 'x' | ternary(1, 2) }}|{{ enabled | ternary('y', 'n') }}\n"},
		{name: "native_yaml", src: "{{ cfg | to_nice_yaml }}{{ cfg | to_yaml }}{{ [port_s, port_t, addr] | to_yaml }}"},
		{name: "native_data", src: "{{ cfg.items() | list }}|{{ cfg | dict2items | items2dict | to_json }}|{{ [port_s, port_t, 8001] | unique | to_json }}|{{ port_s is number }}|{{ cfg.port | int + 1 }}|{{ cfg | combine({'port': port_t}) | to_json }}|{{ port_s | string | to_json }}|{{ [port_t, port_s] | map('string') | join(':') }}|{{ cfg.values() | list | to_json }}\n"},
		{name: "native_text_filters", src: "{{ tj is string }}|{{ tn is string }}|{{ ts is string }}|{{ ty is string }}|{{ tq is string }}|{{ tt is mapping }}|{{ tj | length > 10 }}|{{ tn | length > 10 }}\n"},
		{name: "native_regex", src: "{{ port_t | regex_replace('0', 'x') }}|{{ port_t | string | regex_search('80') }}\n"},
	}
	return oracleSuite{name: "native", repo: repo, cases: cases}
}
