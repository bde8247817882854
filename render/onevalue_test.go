package render

import (
	"reflect"
	"strings"
	"testing"
)

// TestDataTaggingOneValue: with DataTagging (ansible-core 2.19) a template whose
// output is one value that is not a string loses the trailing newline
// Jinja2 dropped, and one that outputs nothing is empty; everything else
// renders as without it. The bytes are ansible-core 2.19.14's, as
// fleet/plan/moduleparity/onevalue_test.go checks against both cores.
func TestDataTaggingOneValue(t *testing.T) {
	for _, c := range []struct{ src, asIs, joined string }{
		{"{{ true }}\n", "True", "True\n"},
		{"{{ port }}\n", "8000", "8000\n"},
		{"{{ [1, 'a'] }}\n", "[1, 'a']", "[1, 'a']\n"},
		{"{{ none }}\n", "", "\n"},
		{"{% if false %}x{% endif %}\n", "", "\n"},
		{"{% for x in [7] %}{{ x }}{% endfor %}\n", "7", "7\n"},
		{"{{ none }}{{ port }}\n", "8000", "8000\n"},
		{"{% include 'inc.j2' %}\n", "True", "True\n"},
		{"{% import 'm.j2' as m %}{{ port }}\n", "8000", "8000\n"},
		{"{{ 'text' }}\n", "text\n", "text\n"},
		{"{{ true }}\n\n", "True\n\n", "True\n\n"},
		{"port {{ port }}\n", "port 8000\n", "port 8000\n"},
		{"{{ port }}{{ port }}\n", "80008000\n", "80008000\n"},
		{"{% include 'text.j2' %}{{ port }}\n", "x8000\n", "x8000\n"},
	} {
		for _, asIs := range []bool{true, false} {
			_, opts := includeFixture(t, map[string]string{"inc.j2": "{{ true }}\n", "m.j2": "{{ 5 }}\n", "text.j2": "x"})
			opts.DataTagging = asIs
			scope := NewScope(map[string]any{"port": 8000}, Magic{InventoryHostname: "h"})
			out, err := NewEngine(Options{}).RenderTemplate("roles/x/templates/top.j2", []byte(c.src), scope, opts)
			want := c.joined
			if asIs {
				want = c.asIs
			}
			if err != nil || string(out) != want {
				t.Errorf("%q with DataTagging %v: %q (%v), want %q", c.src, asIs, out, err, want)
			}
		}
	}
}

// TestDataTaggingSourceWithoutTemplateSyntax: 2.19 writes a source with no
// {{, {% or {# as it is, CRLF kept, and restores trailing newlines with the
// task's newline_sequence rather than a "#jinja2:" line's (the recorded
// 2.19 bytes of the whitespace oracle cases crlf_source and
// override_newline).
func TestDataTaggingSourceWithoutTemplateSyntax(t *testing.T) {
	for _, c := range []struct{ src, tagged, before string }{
		{"a\r\nb\r\n\r\n", "a\r\nb\r\n\r\n", "a\nb\n"},
		{"#jinja2:newline_sequence:'\\r\\n'\na\n{{ multi }}b\n", "a\r\nl1\nl2\nb\n", "a\r\nl1\nl2\nb\r\n"},
	} {
		for _, tagged := range []bool{true, false} {
			opts := TemplateDefaults()
			opts.DataTagging = tagged
			scope := NewScope(map[string]any{"multi": "l1\nl2\n"}, Magic{InventoryHostname: "h"})
			out, err := NewEngine(Options{}).RenderTemplate("t.j2", []byte(c.src), scope, opts)
			want := c.before
			if tagged {
				want = c.tagged
			}
			if err != nil || string(out) != want {
				t.Errorf("%q with DataTagging %v: %q (%v), want %q", c.src, tagged, out, err, want)
			}
		}
	}
}

// TestDataTaggingRangeArgument: a module argument that templates to a range
// fails under ansible-core 2.19 ("Finalization of task args for
// 'ansible.builtin.debug' failed: ... Type 'range' is unsupported for
// variable storage.", from debug: msg="{{ range(3) }}" and msg="{{ r }}"
// run with 2.19.14), while a variable read inside a template keeps the
// range (the ranges oracle case range_variable); 2.14 gives the list.
func TestDataTaggingRangeArgument(t *testing.T) {
	raw := map[string]any{"r": "{{ range(3) }}", "l": "{{ range(3) | list }}"}
	for _, tagged := range []bool{true, false} {
		e := NewEngine(Options{DataTagging: func() bool { return tagged }})
		for _, arg := range []string{"{{ range(3) }}", "{{ r }}", "{{ [r] }}", "{% if true %}{{ r }}{% endif %}"} {
			got, err := e.TemplateValue(NewScope(raw, Magic{InventoryHostname: "h"}), arg)
			switch {
			case tagged && (err == nil || !strings.Contains(err.Error(), "Type 'range' is unsupported for variable storage.")):
				t.Errorf("2.19: %s gave %v (%v), want the range refused", arg, got, err)
			case !tagged && err != nil:
				t.Errorf("2.14: %s: %v", arg, err)
			}
		}
		got, err := e.TemplateValue(NewScope(raw, Magic{InventoryHostname: "h"}), "{{ l }}")
		if err != nil || !reflect.DeepEqual(got, []any{0, 1, 2}) {
			t.Errorf("tagged %v: {{ l }} gave %#v (%v), want [0 1 2]", tagged, got, err)
		}
	}
}

// TestDataTaggingOmitArgument: under ansible-core 2.19 omit drops out of
// the lists and dicts of a finalized value (debug's msg given these args
// prints {"d": {"y": 1}, "l": [2]} with 2.19.14; the native suite's
// native_omit_printed case shows it in templates) and a value that is
// omit itself comes out as OmitPlaceholder; under 2.14 omit is the
// placeholder everywhere.
func TestDataTaggingOmitArgument(t *testing.T) {
	args := map[string]any{"a": "{{ omit }}", "l": []any{"{{ omit }}", 2}, "d": map[string]any{"x": "{{ missing | default(omit) }}", "y": 1}}
	for _, tagged := range []bool{true, false} {
		e := NewEngine(Options{DataTagging: func() bool { return tagged }})
		got, err := e.TemplateValue(NewScope(nil, Magic{InventoryHostname: "h"}), args)
		want := map[string]any{"l": []any{2}, "d": map[string]any{"y": 1}}
		if !tagged {
			want = map[string]any{"a": OmitPlaceholder, "l": []any{OmitPlaceholder, 2}, "d": map[string]any{"x": OmitPlaceholder, "y": 1}}
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("tagged %v: %#v (%v), want %#v", tagged, got, err, want)
		}
		alone, err := e.TemplateValue(NewScope(nil, Magic{InventoryHostname: "h"}), "{{ omit }}")
		if err != nil || alone != OmitPlaceholder {
			t.Errorf("tagged %v: {{ omit }} gave %#v (%v)", tagged, alone, err)
		}
	}
}
