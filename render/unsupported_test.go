package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnsupportedBuiltinsAreNotSupported: an ansible.builtin filter or
// test the renderer does not evaluate fails as not supported (the plan
// lists it), never as an unknown name; an unknown name stays an error
// of the template.
func TestUnsupportedBuiltinsAreNotSupported(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{}, Magic{})
	for _, src := range []string{
		"{{ 'x' | password_hash('sha512', 'salt') }}",
		"{{ 'x' | ansible.builtin.password_hash('sha512') }}",
		"{{ '2020-01-02' | to_datetime('%Y-%m-%d') }}",
		"{{ 'x' | vault('secret') }}",
		"{{ 'x' | unvault('secret') }}",
		"{{ 'x' is vault_encrypted }}",
		"{{ 'x' is vaulted_file }}",
		"{{ {'a': 1} | pprint }}",
		"{{ none is sameas none }}",
		"{{ 'x' | escape is escaped }}",
	} {
		_, err := e.RenderTemplate("t.j2", []byte(src), scope, TemplateDefaults())
		if why, ok := NotSupported(err); !ok || !strings.Contains(why, "renderer (") {
			t.Errorf("%s: err %v, want a not-supported error with its reason", src, err)
		}
	}
	_, err := e.RenderTemplate("t.j2", []byte("{{ 'x' | nosuchfilter }}"), scope, TemplateDefaults())
	if _, ok := NotSupported(err); err == nil || ok {
		t.Errorf("unknown filter: err %v, want an error that is not 'not supported'", err)
	}
}

// TestEveryBuiltinNameIsKnown: each filter and test ansible-core 2.14 and
// 2.19 list (ansible-doc, recorded in testdata/builtin-names) is one the
// engine evaluates or lists as not supported: under 2.14 an unknown name
// fails the template when it is compiled (unknownAtCompile), so a
// builtin missing here would fail templates Ansible renders.
func TestEveryBuiltinNameIsKnown(t *testing.T) {
	e := NewEngine(Options{})
	for _, file := range []string{"filters-214.txt", "filters-219.txt", "tests-214.txt", "tests-219.txt"} {
		kind := filterKind
		if strings.HasPrefix(file, "tests") {
			kind = testKind
		}
		src, err := os.ReadFile(filepath.Join("testdata", "builtin-names", file))
		if err != nil {
			t.Fatal(err)
		}
		names := strings.Fields(string(src))
		if len(names) < 40 {
			t.Fatalf("%s: %d names", file, len(names))
		}
		for _, name := range names {
			if !e.has(kind, name) {
				t.Errorf("%s: %s %q is unknown to the engine", file, kind, name)
			}
		}
	}
	scope := NewScope(map[string]any{}, Magic{})
	for src, want := range map[string]string{
		"{{ 'lower' is filter }}|{{ 'nosuch' is filter }}|{{ 'odd' is test }}|{{ 1 is filter }}": "True|False|True|False",
	} {
		if got := mustRender(t, e, src, scope, TemplateDefaults()); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}
