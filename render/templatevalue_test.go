package render

import (
	"reflect"
	"testing"
)

// TestTemplateValueTyping pins Ansible's (non-native) result types, as
// checked with ansible-playbook and type_debug (see the variables oracle).
func TestTemplateValueTyping(t *testing.T) {
	e := NewEngine(Options{})
	vars := parseVars(t, `
vllm: {port: 8000, enabled: true, served_model_name: null, model: m}
port: 8000
flag: true
nothing: null
ratio: 0.88
items: [a, b]
text: "True"
`)
	scope := NewScope(vars, Magic{InventoryHostname: "wintermute"})
	cases := []struct {
		in   any
		want any
	}{
		{"{{ vllm.port | default(8000) }}", "8000"},
		{"{{ port }}", 8000},
		{"{{ flag }}", true},
		{"{{ nothing }}", nil},
		{"{{ ratio }}", 0.88},
		{"{{ ratio * 2 }}", "1.76"},
		{"{{ vllm.served_model_name | default(None) }}", ""},
		{"{{ vllm.missing | default(None) }}", ""},
		{"{{ vllm.enabled }}", true},
		{"{{ items }}", []any{"a", "b"}},
		{"[{{ port }}, 3]", []any{8000, 3}},
		{"{'a': {{ port }}, 'b': null}", map[string]any{"a": 8000, "b": nil}},
		{"{{ text }}", true},
		{"text", "text"},
		{"{{ 'x' }}\n\n", "x\n\n"},
		{"{% if flag %}on{% endif %}", "on"},
		{`C:\Users\mdt\dev\{{ inventory_hostname }}\config.yml`, `C:\Users\mdt\dev\wintermute\config.yml`},
		{`{{ 'C:\dir' }}`, `C:\dir`},
		{5, 5},
		{[]any{"{{ port }}", "p{{ port }}"}, []any{8000, "p8000"}},
		{map[string]any{"dest": "/srv/{{ vllm.model }}", "{{ key }}": "{{ flag }}"}, map[string]any{"dest": "/srv/m", "{{ key }}": true}},
	}
	for _, c := range cases {
		got, err := e.TemplateValue(scope, c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestTemplateValueErrors(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(nil, Magic{})
	for _, in := range []any{"{{ nothere }}", "{{ (", []any{"ok", "{{ x.y }}"}} {
		if _, err := e.TemplateValue(scope, in); err == nil {
			t.Errorf("%q: want an error", in)
		}
	}
}

func TestLiteralEval(t *testing.T) {
	cases := map[string]any{
		"[1, 'a', None, True, 2.5]":     pyList{1, "a", nil, true, 2.5},
		"{'a': [1, {'b': null}]}":       pyDict{"a": {pos: 0, val: pyList{1, pyDict{"b": {val: nil}}}}},
		"[true, false, -3, 0x10, 1e3]":  pyList{true, false, -3, 16, 1000.0},
		`["it's", 'say "hi"', 'a' 'b']`: pyList{"it's", `say "hi"`, "ab"},
		"[(1, 2), (3,)]":                pyList{pyList{1, 2}, pyList{3}},
		"True":                          true,
	}
	for in, want := range cases {
		got, err := literalEval(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v (%v), want %#v", in, got, err, want)
		}
	}
	for _, in := range []string{"[1, foo]", "{'a': 1", "[0755]", "[1] x"} {
		if _, err := literalEval(in); err == nil {
			t.Errorf("%s: want an error", in)
		}
	}
}

func TestPythonRepr(t *testing.T) {
	cases := map[string]any{
		`['a', "it's", 'q"\'s', None, True, 1.0, 1e-05, 1e+16, 123456789012345.0]`: pyList{"a", "it's", `q"'s`, nil, true, 1.0, 0.00001, 1e16, 123456789012345.0},
		`{'k': ('x',), 'e': 'é\n\x00'}`:                                            pyDict{"k": {pos: 0, val: pyTuple{"x"}}, "e": {pos: 1, val: "é\n\x00"}},
	}
	for want, in := range cases {
		if got := pyRepr(in); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

func TestOmit(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{"mode": "0644"}, Magic{})
	args := map[string]any{"src": "a.j2", "mode": "{{ mode | default(omit) }}", "owner": "{{ owner | default(omit) }}",
		"nested": map[string]any{"x": "{{ omit }}", "y": 1}, "list": []any{map[string]any{"z": "{{ omit }}"}}}
	templated, err := e.TemplateValue(scope, args)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"src": "a.j2", "mode": "0644", "nested": map[string]any{"y": 1}, "list": []any{map[string]any{}}}
	if got := RemoveOmitted(templated); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
}
