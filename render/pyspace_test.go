package render

import "testing"

// Python's strip(), split() and int() skip the separators U+001C to U+001F
// as space (str.isspace); Go's unicode.IsSpace does not.
func TestTrimSplitAndIntSkipPythonsSpace(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{"padded": "\x1c\x1d 12 \x1e\x1f", "words": "a\x1cb\x1fc"}, Magic{})
	for src, want := range map[string]string{
		"[{{ padded | trim }}]":      "[12]",
		"{{ padded | int + 1 }}":     "13",
		"{{ words | split | list }}": "['a', 'b', 'c']",
	} {
		if got := mustRender(t, e, src, scope, TemplateDefaults()); got != want {
			t.Errorf("%q = %q, want %q", src, got, want)
		}
	}
}
