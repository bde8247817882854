package render

import "testing"

// oracleData is group_vars/all of the filter oracle: values the YAML and
// JSON dumpers must quote, fold or escape like PyYAML and Python's json.
const oracleData = `
num: 5
flt: 0.88
ordered: {zeta: 1, alpha: 2, Mid: 3}
data:
  name: vllm-wintermute
  port: 8000
  ratio: 0.88
  big: 1.0e+16
  enabled: true
  nothing: null
  empty_list: []
  empty_dict: {}
  flags: [a, b, "yes", "no", "123", "1.5", "null", "", " lead", "trail ", "a: b", "#x", "x #y", "- x", "~", "on", "0755", "1e3", "2024-01-01", "=", "*", "!", "@at", "%p", "x:y"]
  quoted: "it's \"q\""
  multi: "line1\nline2\n"
  unicode: "é ü 日本 😀"
  control: "tab\there\u0007bell"
  long: "this is a long string that goes on and on and on past the eighty column limit of the dumper"
  longword: "thisisalongstringwithoutanyspacesthatgoesonandonpasttheeightycolumnlimitofthedumper"
  nested:
    - {k: v, n: 1}
    - [1, [2, 3]]
    - deep: {deeper: {deepest: [x, y]}}
  "key with spaces": 1
  "yes": quoted key
  "Zed": upper key
`

// filtersSuite compares every filter the engine implements with
// Ansible's output.
func filtersSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: oracleData}
	cases := []oracleCase{
		{name: "bool", src: "{{ 'yes' | bool }} {{ 'No' | bool }} {{ 1 | bool }} {{ 0 | bool }} {{ 'on' | bool }} [{{ none | bool }}] {{ 'TRUE' | bool }} {{ 2 | bool }} {{ '1' | bool }} {{ 1.0 | bool }} {{ 'y' | bool }}\n"},
		{name: "comment", src: "{{ 'one\ntwo' | comment }}\n{{ 'x' | comment('c') }}\n{{ 'a\n\nb' | comment('cblock') }}\n{{ 'y' | comment('xml') }}\n{{ 'z' | comment(decoration='; ', prefix_count=2) }}\n"},
		{name: "case", src: "{{ 'MiXed' | lower }} {{ true | lower }} {{ 'abc' | upper }} {{ none | lower }} {{ [1] | upper }}\n"},
		{name: "gonja_filters_keep_key_order", taskVars: "users: [{name: x, port: 1, 'on': true}, {name: y, port: 2, 'on': false}]", src: "{{ users | selectattr('on') | list | to_json }}\n{{ users | rejectattr('on') | list }}\n{{ users | sort(attribute='port', reverse=true) | to_json }}\n{{ users | select | list }}\n{{ [users, users] | first }}\n"},
		{name: "jinja_round", src: "{{ 2.5 | round }} {{ 3.5 | round }} {{ -2.5 | round }} {{ 0.125 | round(2) }} {{ 2.675 | round(2) }} {{ 7 | round }} {{ 7 | round(1) }} {{ true | round }} {{ 2.5 | round(0, 'ceil') }} {{ 7 | round(1, 'floor') }} {{ 2.45 | round(1) }} {{ (10 / 3) | round(3) }}\n"},
		{name: "jinja_tojson", src: "{{ data | tojson }}\n{{ {'b': '<é>&\\'', 'a': [1, 2.0, none, true]} | tojson }}\n{{ [1, {'z': 1, 'a': 2}] | tojson(2) }}\n{{ 1.0 | tojson }}\n"},
		{name: "to_json", src: "{{ data | to_json }}\n{{ ordered | to_json }}\n{{ 'é\"\\\\' | to_json }} {{ none | to_json }} {{ [] | to_json }}\n"},
		{name: "to_nice_json", src: "{{ data | to_nice_json }}\n{{ data.nested | to_nice_json(indent=2) }}\n{{ {} | to_nice_json }}\n"},
		{name: "to_yaml", src: "{{ data | to_yaml }}---\n{{ ordered | to_yaml }}{{ data.flags | to_yaml }}{{ 'plain' | to_yaml }}{{ 'yes' | to_yaml }}{{ 5 | to_yaml }}{{ '' | to_yaml }}{{ [] | to_yaml }}{{ none | to_yaml }}"},
		{name: "to_nice_yaml", src: "{{ data | to_nice_yaml }}---\n{{ data | to_nice_yaml(indent=2) }}---\n{{ data.nested | to_nice_yaml }}{{ {'a': [1, 2]} | to_nice_yaml(indent=2) }}"},
		{name: "yaml_simple_keys", src: "{{ {'': 1, 'a' * 128: 2, 'b' * 129: 3, 'é' * 64: 4, 'é' * 65: 5, 'x\ny': 6} | to_nice_yaml }}{{ {'': [1], 'k': ''} | to_yaml }}{{ [{'': 0}] | to_nice_yaml(indent=2) }}"},
		{name: "from_yaml", src: "{{ ('a: 1\nb: [x, yes]\nc: {d: 0755}\n' | from_yaml) | to_json }} {{ ('' | from_yaml) is none }} {{ (data.nested | from_yaml) == data.nested }} {{ ({'x': 'y: 1'} | to_nice_yaml | from_yaml).x }}\n"},
		{name: "to_yaml_indent", src: "config:\n  {{ data.nested | to_nice_yaml(indent=2) | indent(2) }}\n"},
		{name: "regex_replace", src: `{{ 'hello world' | regex_replace('o', '0') }} {{ 'abc123' | regex_replace('(\\d+)', '<\\1>') }} {{ 'ab' | regex_replace('(?P<x>a)', '\\g<x>\\g<x>') }} {{ 'A-b' | regex_replace('[a-z]', 'X', ignorecase=true) }} {{ 'C:\\dir\\f' | regex_replace('\\\\', '/') }} {{ 'a\nb' | regex_replace('^b', 'B', multiline=true) }} {{ 'x' | regex_replace('x', '$1\\n') }} {{ 'v1.2' | regex_replace('^v(\\d+)\\.(\\d+)$', '\\2.\\1') }}` + "\n"},
		{name: "regex_search", src: `{{ 'port=8000' | regex_search('\\d+') }} {{ 'k=v' | regex_search('(\\w)=(\\w)', '\\2', '\\1') }} [{{ 'x' | regex_search('y') }}] {{ 'AB' | regex_search('b', ignorecase=true) }} {{ 'k=v' | regex_search('(?P<key>\\w)=', '\\g<key>') }}` + "\n"},
		{name: "regex_escape_posix_basic", src: `{{ 'a.b[c]^$*\\d(e)+?' | regex_escape('posix_basic') }}|{{ 'a.b[c]^$*\\d(e)+? #&~' | regex_escape }}` + "\n"},
		{name: "regex_findall", src: `{{ 'a1b22c333' | regex_findall('\\d+') }} {{ 'k=v,x=y' | regex_findall('(\\w)=(\\w)') }} {{ 'k=v,x=y' | regex_findall('(\\w)=') }} {{ 'a.b' | regex_escape }}` + "\n"},
		{name: "comment_fq", src: "{{ 'Ansible managed' | comment }}\n{{ 'a\n\nb' | comment('c') }}\n{{ 'x' | comment('cblock') }}\n{{ 'x\ny' | comment('xml') }}\n{{ ansible_managed | comment }}\n{{ 'fq' | ansible.builtin.comment }}|{{ 'a' is ansible.builtin.match('a') }}|{{ 'b' is not ansible.builtin.match('a') }}|{{ '| ansible.builtin.x' }}\n"},
		{name: "mandatory", src: "{{ num | mandatory }}\n"},
		{name: "mandatory_fails", src: "{{ nothere | mandatory }}\n", wantError: true},
		{name: "quote", src: "{{ 'a b' | quote }} {{ \"it's\" | quote }} {{ '' | quote }} {{ 'safe-path/x.y=@%+:,' | quote }} [{{ none | quote }}] {{ 'é' | quote }} {{ 5 | quote }}\n"},
		{name: "paths", src: "{{ '/etc/hosts' | basename }} {{ '/etc/hosts' | dirname }} [{{ 'dir/' | basename }}] {{ '/a//b//' | dirname }} [{{ 'file' | dirname }}] {{ '//' | dirname }} {{ '/' | dirname }} {{ 'C:\\\\x\\\\y.txt' | win_basename }} {{ 'C:\\\\x\\\\y.txt' | win_dirname }}\n"},
		{name: "join", src: "{{ [1, 2, 3] | join('-') }} {{ 'abc' | join(',') }} {{ ordered | join(',') }} {{ [none, true] | join }} {{ [{'n': 'a'}, {'n': 'b'}] | join(',', attribute='n') }}\n"},
		{name: "int_float", src: "{{ '42' | int }} {{ '42.7' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ '0x1A' | int(base=16) }} {{ 3.9 | int }} {{ true | int }} {{ ' 12 ' | int }} {{ -3.9 | int }} {{ '1e3' | int }} | {{ '1.5' | float }} {{ 'x' | float }} {{ 2 | float }} {{ '1e3' | float }} {{ 'x' | float(1.5) }} {{ '-0' | float }}\n"},
		{name: "string_trim_replace", src: "{{ 5 | string }} {{ [1, 'a'] | string }} {{ none | string }} [{{ '  x \t' | trim }}] [{{ 'xxaxx' | trim('x') }}] {{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ 12 | replace('1', 'x') }}\n"},
		{name: "length_first_last", src: "{{ [1, 2] | length }} {{ 'héllo' | length }} {{ ordered | length }} {{ ordered | count }} {{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | first }} {{ ordered | first }} {{ ordered | last }} {{ [] | first | default('empty') }}\n"},
		{name: "dict_items", src: "{{ ordered | dict2items }} {{ ordered | dict2items('k', 'v') }} {{ [{'key': 'a', 'value': 1}, {'key': 'b', 'value': 2}] | items2dict }} {{ [{'n': 'a', 'v': 1}] | items2dict(key_name='n', value_name='v') }} {{ ordered | items | list }} {{ ordered | list }} {{ 'ab' | list }}\n"},
		{name: "combine", src: "{{ {'a': 1, 'b': {'x': 1}} | combine({'b': {'y': 2}, 'c': 3}) }} {{ {'a': 1, 'b': {'x': 1}} | combine({'b': {'y': 2}}, recursive=true) }} {{ {'l': [1]} | combine({'l': [2]}, list_merge='append') }} {{ [{'a': 1}, {'b': 2}] | combine }} {{ ordered | combine({'alpha': 9, 'new': 0}) }}\n"},
		{name: "ternary", src: "{{ true | ternary('y', 'n') }} {{ none | ternary('y', 'n', 'null') }} {{ 0 | ternary('y', 'n') }} {{ none | ternary('y', 'n') }} {{ 'x' | ternary(1, 2) }}\n"},
		{name: "b64_hash", src: "{{ 'hello é' | b64encode }} {{ 'aGVsbG8gw6k=' | b64decode }} {{ 'abc' | hash('sha256') }} {{ 'abc' | checksum }} {{ 'abc' | hash('md5') }} {{ 'abc' | md5 }} {{ 'abc' | sha1 }} {{ 'abc' | hash }} {{ 5 | b64encode }}\n"},
		{name: "indent", src: "{{ 'a\\nb\\n' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent(4, blank=true) }}|{{ 'a\\n\\nb' | indent }}|{{ 'x\\ny' | indent('> ') }}\n"},
		{name: "split_flatten", src: "{{ 'a,b,,c' | split(',') }} {{ ' a  b ' | split }} {{ 'a b c' | split(' ', 1) }} {{ [1, [2, [3, none]], 'null'] | flatten }} {{ [1, [2, [3]]] | flatten(levels=1) }}\n"},
		{name: "round_toward_zero_sign", src: "{{ -0.5 | round(0, 'ceil') }} {{ -0.001 | round(2, 'ceil') }} {{ (-1.0 * 0.0) | round(0, 'floor') }} {{ -0.4 | round }} {{ -0.0 | round(1) }} {{ -1.5 | round(0, 'ceil') }} {{ 0.25 | round(1, 'floor') }}\n"},
		{name: "round_floor_infinity", src: "{{ (1e308 * 10) | round(0, 'floor') }}\n", wantError: true},
		{name: "jinja_builtins", src: "{{ [3, 1, 2, 1] | unique | sort }} {{ [{'n': 'b'}, {'n': 'a'}] | map(attribute='n') | list }} {{ [1, 2, 3, 4] | select('odd') | list }} {{ [{'n': 1, 'on': true}, {'n': 2, 'on': false}] | selectattr('on') | map(attribute='n') | list }} {{ ['b', 'A', 'c'] | sort }} {{ [1, 2] | reverse | list }} {{ 'hello world' | title }} {{ 'hello' | capitalize }} {{ [1, 2, 3] | sum }} {{ [1, 5, 2] | max }} {{ 2.567 | round(1) }} {{ -3 | abs }}\n"},
		{name: "selectattr_defined", src: "{% set ms = [{'n': 'a'}, {'n': 'b', 'mode': 'x'}, {'n': 'c', 'mode': {'gpu': 1}}] %}{{ ms | selectattr('mode', 'undefined') | map(attribute='n') | list }} {{ ms | selectattr('mode', 'defined') | map(attribute='n') | list }} {{ ms | rejectattr('mode', 'defined') | map(attribute='n') | list }} {{ ms | rejectattr('mode', 'undefined') | map(attribute='n') | list }} {{ ms | selectattr('mode', 'defined') | selectattr('mode', 'equalto', 'x') | map(attribute='n') | list }}\n"},
		{name: "subelements_zip", src: "{% set ms = [{'n': 'a', 'al': ['a1', 'a2']}, {'n': 'b', 'al': []}, {'n': 'c', 'al': ['c1']}] %}{{ ms | subelements('al') | map(attribute=1) | list }} {{ ms | subelements('al') | map(attribute=0) | map(attribute='n') | list }} {{ ([{'n': 'd'}] + ms) | subelements('al', skip_missing=True) | length }} {{ [1, 2, 3] | zip(['x', 'y']) | list }} {{ dict(['k1', 'k2'] | zip([1, 2])) }}\n"},
		{name: "tests", src: "{{ 5 is number }} {{ 'x' is string }} {{ ordered is mapping }} {{ [1] is sequence }} {{ 'abc' is match('a') }} {{ 'abc' is match('b') }} {{ 'abc' is search('b') }} {{ 'abc' is regex('^a.c$') }} {{ 3 is odd }} {{ 4 is even }} {{ 6 is divisibleby(3) }} {{ 'ab' is lower }} {{ 'yes' is truthy }} {{ '' is falsy }} {{ [1, 2] is subset([1, 2, 3]) }} {{ [1, 2, 3] is superset([2]) }} {{ 2 in [1, 2] }} {{ 2 is in([1, 2]) }} {{ [1, 2] is contains(2) }} {{ 1 is eq(1.0) }} {{ 3 is gt(2) }} {{ none is none }} {{ true is boolean }} {{ 1 is integer }} {{ 1.5 is float }} {{ [true, 1] is all }} {{ [0, ''] is any }}\n"},
		{name: "operators", src: "{{ 2 ** 10 }} {{ 2 ** 0.5 }} {{ -7 // 2 }} {{ 7.0 // 2 }} {{ -7 % 3 }} {{ 7.5 % 2 }} {{ '%s:%d' % ('host', 8000) }} {{ '%05.1f|%-4s|%x|%r' % (3.14159, 'ab', 255, 'q') }} {{ '%(a)s=%(b)s' % {'a': 1, 'b': 'two'} }} {{ '100%%' % () }} {{ 'v=%s' % none }} {{ 1 + 2.5 }} {{ [1] + [2] }} {{ 'ab' * 2 }}\n"},
	}
	return oracleSuite{name: "filters", repo: repo, cases: append(cases, qualifiedNameCases()...)}
}

// qualifiedNameCases write Jinja2's own filters and tests, and Ansible's,
// with the ansible.builtin. and ansible.legacy. prefixes: ansible-core
// 2.14 refuses Jinja2's by either (when it compiles the template: an
// untaken branch too), 2.19 by ansible.legacy. only, but for those it has
// plugins of (default, select, map, defined, ...), and only when it runs
// them (qualifiedRefused).
func qualifiedNameCases() []oracleCase {
	return []oracleCase{
		{name: "fq_jinja_builtin", src: "{{ 'A' | ansible.builtin.lower }}|{{ [1, 2] | ansible.builtin.join(',') }}|{{ nothing | ansible.builtin.default('d') }}|{{ 1 is ansible.builtin.odd }}|{{ [3, 1] | ansible.builtin.sort | ansible.builtin.list }}|{{ 'x' is not ansible.builtin.number }}\n", failsUnder: "2.14"},
		{name: "fq_jinja_builtin_line", src: "a\n{{ 'b' }}\n{{ [1] | ansible.builtin.length }}\n", failsUnder: "2.14"},
		{name: "fq_legacy_filter", src: "a{{ 'A' | ansible.legacy.lower }}\n", wantError: true},
		{name: "fq_legacy_test", src: "a{{ 1 is ansible.legacy.odd }}\n", wantError: true},
		{name: "fq_legacy_plugins_219", src: "{{ nothing is ansible.legacy.defined }}|{{ [0, 1] | ansible.legacy.select | list }}|{{ nothing | ansible.legacy.default('d') }}|{{ [1] | ansible.legacy.map('string') | list }}\n", failsUnder: "2.14"},
		{name: "fq_ansible_plugins", src: "{{ [1] | ansible.legacy.to_json }}|{{ 'a' | ansible.builtin.b64encode }}|{{ 1 is ansible.legacy.truthy }}|{{ 'ab' is ansible.builtin.match('a') }}|{{ {'k': 1} | ansible.builtin.dict2items }}|{{ [[1], 2] | ansible.legacy.flatten }}|{{ 'x' | ansible.builtin.mandatory }}\n"},
		{name: "fq_untaken_builtin", src: "{% if false %}{{ 'a' | ansible.builtin.lower }}{% endif %}ok\n", failsUnder: "2.14"},
		{name: "fq_untaken_legacy", src: "{% if false %}{{ 'a' | ansible.legacy.lower }}{% endif %}ok\n", failsUnder: "2.14"},
		{name: "fq_taken_legacy", src: "{% if true %}{{ 'a' | ansible.legacy.lower }}{% endif %}ok\n", wantError: true},
		{name: "fq_named_jinja", src: "{{ [1, 2] | select('ansible.builtin.odd') | list }}|{{ [1, 2] | map('ansible.builtin.string') | list }}|{{ [{'a': 1}, {}] | selectattr('a', 'ansible.builtin.defined') | list }}|{{ [1, 2] | reject('ansible.builtin.odd') | list }}\n", failsUnder: "2.14"},
		{name: "fq_named_plugins", src: "{{ [1, 2] | map('ansible.builtin.to_json') | list }}|{{ [1, 0] | select('ansible.legacy.truthy') | list }}|{{ [] | select('ansible.builtin.odd') | list }}|{{ ['a', 'b'] | reject('ansible.builtin.match', 'a') | list }}\n"},
		{name: "fq_named_legacy", src: "a{{ [1] | select('ansible.legacy.odd') | list }}\n", wantError: true},
		{name: "fq_named_unknown", src: "a{{ [1] | select('no_such_test') | list }}\n", wantError: true},
		{name: "fq_variable", src: "{{ lowered }}\n", taskVars: "lowered: \"{{ 'A' | ansible.builtin.lower }}\"", failsUnder: "2.14"},
	}
}
