package render

import (
	"reflect"
	"testing"
)

// fastVars are the variables the shortcut's cases read: a role default's
// mapping, with a nested one, and variables that are templates.
const fastVars = `
vllm:
  model: casperhansen/llama-3-8b-instruct-awq
  port: 8001
  enabled: true
  served: ""
  count: "3"
  name: Vllm-One
  padded: "  x  "
  nested: {key: value}
  list: [1, two]
  none_value: null
  items: shadowed
templated: "{{ vllm.model }}"
lazy_undefined: "{{ nothere }}"
empty: ""
`

// TestFastSingleAgreesWithGonja: every lone {{ }} the shortcut evaluates
// gives what gonja's evaluation gives, under 2.14's and 2.19's rules; the
// shapes it leaves to gonja (a dict method, an undefined result, a filter
// failing on an undefined input, a global, a non-literal argument, an
// inline if) are left.
func TestFastSingleAgreesWithGonja(t *testing.T) {
	fast := []string{
		"{{ vllm.model | default('mistral') }}",
		"{{ vllm.missing | default('mistral') }}",
		"{{ vllm.missing | default(None) }}",
		"{{ vllm.port | default(8000) }}",
		"{{ vllm.missing | default(8000) }}",
		"{{ vllm.missing | default(0.85) }}",
		"{{ vllm.enabled | default(true) | lower }}",
		"{{ vllm.served | default('x', true) }}",
		"{{ vllm.served | d('x') }}",
		"{{ vllm.name | upper }}",
		"{{ vllm.name | lower }}",
		"{{ vllm.padded | trim }}",
		"{{ vllm.count | int }}",
		"{{ vllm.nested.key | default('') }}",
		"{{ vllm.nested }}",
		"{{ vllm.list }}",
		"{{ vllm.none_value }}",
		"{{ vllm.none_value | default('x') }}",
		"{{ nothere | default(1) }}",
		"{{ templated }}",
		"{{ templated | upper }}",
		"{{ empty | default('e', true) }}",
		"{{ lazy_undefined | default('z') }}",
	}
	left := []string{
		"{{ vllm.items }}",
		"{{ vllm.missing }}",
		"{{ vllm.missing | lower }}",
		"{{ nothere }}",
		"{{ range }}",
		"{{ vllm.model | default(vllm.port) }}",
		"{{ vllm.port if vllm.enabled else 1 }}",
	}
	for _, dataTagging := range []bool{false, true} {
		e := NewEngine(Options{DataTagging: func() bool { return dataTagging }})
		for _, src := range fast {
			if !checkFastAgrees(t, e, src, dataTagging) {
				t.Errorf("%s (DataTagging %v): left to gonja, want the shortcut", src, dataTagging)
			}
		}
		for _, src := range left {
			if checkFastAgrees(t, e, src, dataTagging) {
				t.Errorf("%s (DataTagging %v): taken by the shortcut, want it left to gonja", src, dataTagging)
			}
		}
	}
}

// checkFastAgrees compares the shortcut's value of src with gonja's, each
// in a scope of its own; it reports whether the shortcut took src.
func checkFastAgrees(t *testing.T, e *Engine, src string, dataTagging bool) bool {
	t.Helper()
	c := e.compile(compileKey{src: src, newline: "\n", trimBlocks: true, escapeBackslashes: true})
	got, ok := e.fastSingle(c, NewScope(parseVars(t, fastVars), Magic{}), nil)
	if !ok {
		return false
	}
	want, err := gonjaSingle(e, c, NewScope(parseVars(t, fastVars), Magic{}))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%s (DataTagging %v): shortcut %#v, gonja %#v (%v)", src, dataTagging, got, want, err)
	}
	return true
}

// gonjaSingle is what evalSingle gives for c in s, before renderData's
// conversion.
func gonjaSingle(e *Engine, c *compiled, s *Scope) (any, error) {
	return e.evalSingle(c, e.contextFor(c, s, nil))
}
