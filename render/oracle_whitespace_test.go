package render

import "testing"

// whitespaceSuite covers Ansible's newline handling: trailing
// newlines, newline_sequence (which rewrites template text, not variable
// values), trim_blocks, lstrip_blocks and whitespace control.
func whitespaceSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: "multi: \"l1\\nl2\\n\"\nitems: [a, b]\nflag: true"}
	crlf := TemplateOptions{NewlineSequence: "\r\n", TrimBlocks: true}
	cr := TemplateOptions{NewlineSequence: "\r", TrimBlocks: true}
	noTrim := TemplateOptions{NewlineSequence: "\n"}
	lstrip := TemplateOptions{NewlineSequence: "\n", TrimBlocks: true, LstripBlocks: true}
	lstripNoTrim := TemplateOptions{NewlineSequence: "\n", LstripBlocks: true}
	cases := []oracleCase{
		{name: "endif_dash_blank", src: "a\n{% if flag %}\nb\n{%- endif %}\n\n"},
		{name: "endif_dash_blank_crlf", src: "a\n{% if flag %}\nb\n{%- endif %}\n\n", opts: &crlf},
		{name: "endif_dash_end", src: "a\n{% if flag %}\nb\n{%- endif %}"},
		{name: "no_trailing_newline", src: "a\nb"},
		{name: "one_trailing_newline", src: "a\nb\n"},
		{name: "two_trailing_newlines", src: "a\nb\n\n"},
		{name: "three_after_expression", src: "{{ 'x' }}\n\n\n"},
		{name: "expression_ends_in_newlines", src: "{{ multi }}"},
		{name: "expression_ends_in_newlines_crlf", src: "x\n{{ multi }}\n", opts: &crlf},
		{name: "only_newlines", src: "\n\n"},
		{name: "empty", src: ""},
		{name: "crlf_source", src: "a\r\nb\r\n\r\n"},
		{name: "crlf_source_win", src: "a\r\n{% if flag %}\r\nb\r\n{% endif %}\r\n\r\n", opts: &crlf},
		{name: "cr_sequence", src: "a\n{{ multi }}\nb\n", opts: &cr},
		{name: "value_newlines_kept", src: "{{ multi }}end\n{% for i in items %}\n- {{ i }}\n{% endfor %}\n", opts: &crlf},
		{name: "no_trim_blocks", src: "{% if flag %}\nx\n{% endif %}\n{% for i in items %}\n{{ i }}\n{% endfor %}\n", opts: &noTrim},
		{name: "lstrip_blocks", src: "  {% if flag %}\n  x\n    {% endif %}\n  {# c #}\nend\n", opts: &lstrip},
		{name: "lstrip_mid_line", src: "server {{ 'h' }} {% if flag %}backup{% endif %}\n  {% if flag %}\nx\n  {% endif %}\na {# c #} b\n  {# c #}\n\t{% for i in items %} {{ i }} {% endfor %}\nend\n", opts: &lstrip},
		{name: "lstrip_after_tags", src: "{% if flag %}\n  {% if flag %}y{% endif %}  {% if flag %}z{% endif %}\n{% endif %}\n{{ 'v' }}  {% if flag %}w{% endif %}\n{% if flag -%}\n  \t{% if flag %}u{% endif %}\n{%- endif %}\n", opts: &lstrip},
		{name: "lstrip_mid_line_no_trim", src: "a {% if flag %}b{% endif %}\n  {% if flag %}c{% endif %}\n", opts: &lstripNoTrim},
		{name: "lstrip_no_trim", src: "  {% if flag %}\n  x\n  {% endif %}\n", opts: &lstripNoTrim},
		{name: "plus_and_minus", src: "a  {%- if flag %}\nb\n{%+ endif %}\n  {{- 'c' -}}  \nd {%- if flag -%}  e  {%- endif -%} f\n"},
		{name: "comments", src: "{# one #}\nx\n{#- two -#}\ny {# three #}\nz\n"},
		{name: "raw_block", src: "{% raw %}{{ not templated }}\n{% endraw %}\nafter\n"},
		{name: "raw_block_newlines", src: "{% raw %}\n{{ a }}\n{% endraw %}\nafter\n"},
		{name: "raw_block_newlines_no_trim", src: "{% raw %}\n{{ a }}\n{% endraw %}\nafter\n", opts: &noTrim},
		{name: "raw_block_dashes", src: "x {%- raw -%}  {{ a }}  {%- endraw -%} y\n{% raw -%}\n  b\n  {%- endraw %}\n"},
		{name: "raw_block_empty", src: "a{% raw %}{% endraw %}b\n{%- raw %}{% endraw -%}\nc\n"},
		{name: "raw_block_collection_name", src: "{% raw %}{{ x | ansible.builtin.to_json }}{% endraw %} {{ [1] | ansible.builtin.to_json }}\n"},
		{name: "raw_block_lstrip", src: "  {% raw %}\n  {{ a }}\n  {% endraw %}\nb\n", opts: &lstrip},
		{name: "string_escapes", src: "{{ 'a\\nb' }}|{{ \"q\\\"q\" }}|{{ 'C:\\\\' }}|{{ 'tab\\there' }}|{{ 'it\\'s' }}|{{ 'u\\u00e9' }}\n"},
		{name: "string_escapes_crlf", src: "{{ 'a\\nb' }}|{{ 'line\nbreak' }}\n", opts: &crlf},
		{name: "adjacent_strings", src: "{{ 'a' 'b' \"c\" }}\n"},
		{name: "override_header", src: "#jinja2: trim_blocks: False, lstrip_blocks: True\n  {% if flag %}\nx\n  {% endif %}\n\n"},
		{name: "override_newline", src: "#jinja2:newline_sequence:'\\r\\n'\na\n{{ multi }}b\n"},
		{name: "override_keep_newline", src: "#jinja2: keep_trailing_newline: True\na\n{% if flag %}\nb\n{%- endif %}\n"},
		{name: "set_and_loop_vars", src: "{% set sep = '\\\\' %}{% for i in items %}{{ loop.index }}{{ sep }}{{ i }}{% if not loop.last %},{% endif %}{% endfor %}\n"},
	}
	return oracleSuite{name: "whitespace", repo: repo, cases: cases}
}
