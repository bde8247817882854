package render

import (
	"strings"
	"testing"
)

// FuzzRenderTemplate compiles and renders templates under both cores'
// semantics: whatever the source, the engine returns a result or an error,
// never a panic. Sources that can ask for unbounded work (a huge range, a
// string or list repeated a million times) are skipped: Ansible would run
// them as long as they take.
func FuzzRenderTemplate(f *testing.F) {
	for _, seed := range []string{
		"{{ name }}", "{% for x in items %}{{ x }}{% endfor %}", "{{ d.k | default('z') }}",
		"{% set l = [] %}{% set _ = l.append(1) %}{{ l }}", "{{ '%s-%d' | format('a', 1) }}",
		"{% if n > 1 %}big{% else %}small{% endif %}", "{{ items | map('upper') | join(',') }}",
		"{{ d | dict2items | items2dict }}", "{% raw %}{{ x }}{% endraw %}", "{# c #}{{ 'a b'.split() }}",
		"{{ name | regex_replace('a(.)', '\\\\1') }}", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1) }}",
		"{{ d['k'] ~ items[0] }}", "{{ n | int + 1.5 | round }}", "{{ lookup('vars', 'name') }}",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	scope := func() *Scope {
		return NewScope(map[string]any{"name": "abc", "items": []any{"a", "b"}, "n": 3,
			"d": map[string]any{"k": "v", "n": []any{1, 2}}}, Magic{})
	}
	f.Fuzz(func(t *testing.T, src string, dataTagging bool) {
		if len(src) > 256 || unbounded(src) {
			t.Skip()
		}
		e := NewEngine(Options{DataTagging: func() bool { return dataTagging }})
		out, err := e.RenderTemplate("fuzz.j2", []byte(src), scope(), TemplateDefaults())
		if err != nil && out != nil {
			t.Fatalf("an error with output: %v %q", err, out)
		}
		_, _ = e.TemplateValue(scope(), src)
	})
}

// unbounded: a multiplication or power, or a number of four digits or
// more (a range, a width, a repeat count).
func unbounded(src string) bool {
	digits := 0
	for _, c := range src {
		if c < '0' || c > '9' {
			digits = 0
			continue
		}
		if digits++; digits >= 4 {
			return true
		}
	}
	return strings.Contains(src, "*")
}

// Found by FuzzRenderTemplate: an empty raw block is nothing, as in
// Jinja2 3.1 (the expected outputs are Jinja2's, trim_blocks on), and
// gonja's parser panicked on it; a tag holding bytes that are not UTF-8,
// on which gonja's lexer looped, is refused; a template gonja's parser
// panics on is an error of that template, not the end of the process.
func TestEmptyRawBlockAndParserPanics(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{}, Magic{})
	for src, want := range map[string]string{"{% raw %}{% endraw %}": "", "a{%raw %}{%endraw%}b": "ab",
		"{% raw %}{{ x }}{% endraw %}": "{{ x }}", "x {%- raw %} {{ y }} {% endraw -%} z": "x {{ y }} z", "{%- raw -%} a {%- endraw %}": "a"} {
		if got := mustRender(t, e, src, scope, TemplateDefaults()); got != want {
			t.Errorf("%q: got %q, want %q", src, got, want)
		}
	}
	for _, src := range []string{"{{0 is ", "{% raw x %}{% endraw %}", "{%\xe30.\u3efb\xe3\xe3\xe30.\x9a"} {
		if out, err := e.RenderTemplate("t.j2", []byte(src), scope, TemplateDefaults()); err == nil {
			t.Errorf("%q: no error, output %q", src, out)
		}
	}
}
