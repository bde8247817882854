package render

import (
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
