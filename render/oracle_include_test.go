package render

import "testing"

// includesSuite covers {% include %}, {% import %} and {% from %] as the
// template module runs them: the role's templates/ and its sub folders
// searched, the includer's variables and locals passed (the loop variable
// only when the loop's body reads it), "without context", names from
// variables and lists, "ignore missing", nested includes, the includer's
// newline_sequence and trim_blocks applied to the included file (but not
// an included "#jinja2:" line), imports with and without context.
func includesSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: "x: 1\nl: [b, a]", templates: map[string]string{
		"inc_part.j2":        "part {{ x }}\n",
		"inc_default.j2":     "[{{ x | default('nox') }}]",
		"inc_loop.j2":        "[{{ i }}{{ loop.index | default('-') }}]",
		"inc_defined.j2":     "{{ loop is defined }};",
		"inc_set.j2":         "{% set x = 'inner' %}{{ x }}\n",
		"inc_nested.j2":      "n:{% include 'inc_part.j2' %}:{% include 'sub/inc_sub.j2' %}\n",
		"sub/inc_sub.j2":     "sub {{ x }}\n\n",
		"inc_lines.j2":       "l1\n  {% if x %}\nl2 {{ x }}\n  {% endif %}\n\n",
		"inc_macros.j2":      "{% set v = 'mv' %}dropped\n{% set _private = 1 %}{% macro show(p='-') %}{{ p }}{{ x | default('nox') }}{% endmacro %}",
		"inc_err.j2":         "ok\n{{ nothere }}\n",
		"inc_jinja2line.j2":  "#jinja2: trim_blocks: False\nline {{ x }}\n",
		"templates/inner.j2": "in templates/templates\n",
		"inc_marked.j2":      "<< x >>{{ x }}(% if x %)!(% endif %)\n",
		"inc_update.j2":      "{% macro update(a, b) %}{{ a }}-{{ b }}{% endmacro %}",
	}}
	crlfUntrimmed := &TemplateOptions{NewlineSequence: "\r\n", LstripBlocks: true}
	marked := TemplateDefaults()
	marked.Markers = map[string]string{"variable_start_string": "<<", "variable_end_string": ">>", "block_start_string": "(%", "block_end_string": "%)"}
	cases := []oracleCase{
		{name: "include_markers", src: "(% include 'inc_marked.j2' %)|<< x >>|{% include 'inc_part.j2' %}\n", opts: &marked},
		{name: "include_basic", src: "{% include 'inc_part.j2' %}|{% include 'sub/inc_sub.j2' %}|{% include './sub//inc_sub.j2' %}\n"},
		{name: "include_loop_hidden", src: "{% for i in l %}{% include 'inc_loop.j2' %}{% endfor %}\n"},
		{name: "include_loop_passed", src: "{% for i in l %}{% include 'inc_loop.j2' %}{% if loop.last %}.{% endif %}{% endfor %}\n"},
		{name: "include_loop_recursive", src: "{% for i in l recursive %}{% include 'inc_defined.j2' %}{% endfor %}|{% for i in l %}{% include 'inc_defined.j2' %}{% endfor %}\n"},
		{name: "include_loop_nested", src: "{% for j in l %}{% for i in l %}{{ loop.index }}{% include 'inc_loop.j2' %}{% endfor %}{% endfor %}\n"},
		{name: "include_locals", src: "{% set x = 'top' %}{% include 'inc_part.j2' %}{% include 'inc_set.j2' %}{{ x }}\n"},
		{name: "include_without_context", src: "{% include 'inc_default.j2' %}{% include 'inc_default.j2' without context %}{% include 'inc_default.j2' with context %}\n"},
		{name: "include_names", src: "{% set n = 'inc_part.j2' %}{% include n %}{% include ['missing.j2', 'sub/inc_sub.j2', n] %}{% include 'missing.j2' ignore missing %}{% include ('missing.j2', 'inc_default.j2') ignore missing without context %}\n"},
		{name: "include_nested", src: "{% include 'inc_nested.j2' %}|{% include 'inner.j2' %}\n"},
		{name: "include_in_macro", src: "{% macro m(x) %}{% include 'inc_part.j2' %}{% endmacro %}{{ m('arg') }}{{ m(2) }}\n"},
		{name: "include_in_if", src: "{% if x %}\n{% include 'inc_part.j2' %}\n{% endif %}\nend\n"},
		{name: "include_newlines", src: "a\n  {% include 'inc_lines.j2' %}\nb\n", opts: crlfUntrimmed},
		{name: "include_jinja2_line", src: "{% include 'inc_jinja2line.j2' %}\n"},
		{name: "include_overridden", src: "#jinja2: trim_blocks: False, lstrip_blocks: True\n{% include 'inc_lines.j2' %}\n{% include 'inc_part.j2' %}\n"},
		{name: "include_error", src: "a\n{% include 'inc_err.j2' %}\n", wantError: true},
		{name: "include_missing", src: "a\n{% include 'missing.j2' %}\n", wantError: true},
		{name: "include_parent_dir", src: "{% include '../templates/inc_part.j2' %}\n", wantError: true},
		{name: "import_context", src: "{% import 'inc_macros.j2' as m %}{% import 'inc_macros.j2' as mc with context %}{{ m.show() }}|{{ mc.show(p='p') }}|{{ m.v }}|{{ m._private | default('hidden') }}\n"},
		{name: "import_kwargs_order", src: "{% import 'inc_update.j2' as m %}{{ m.update(b=1, a=2) }}|{{ dict(b=1, a=2) }}|{% set d = {} %}{{ d.update(b=1, a=2) }}{{ d }}\n"},
		{name: "from_import", src: "{% from 'inc_macros.j2' import show as s, v %}{% from 'inc_macros.j2' import show with context %}{{ s() }}{{ v }}|{{ show() }}\n"},
		{name: "from_import_missing", src: "{% from 'inc_macros.j2' import nosuch %}[{{ nosuch is defined }}]\n"},
	}
	return oracleSuite{name: "includes", repo: repo, cases: cases}
}
