package render

import (
	"strings"
	"testing"
)

// TestHugeResultsRefused: itertools results and slice counts past
// resultLimit fail with the count, where Python (and a naive port) would
// build them until memory ran out; a huge truncate length is Python's
// big int, not an overflow.
func TestHugeResultsRefused(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{}, Magic{})
	for _, src := range []string{
		"{{ 'abcdefghijklmnopqrstuvwxyz0' | permutations | list | length }}",
		"{{ range(100) | product(range(100), range(100), range(100)) | list | length }}",
		"{{ range(60) | combinations(30) | list | length }}",
		"{{ 'abc' | slice(9223372036854775807) | list }}",
	} {
		_, err := e.RenderTemplate("t.j2", []byte(src), scope, TemplateDefaults())
		if err == nil || !strings.Contains(err.Error(), "straylight refuses more than 1000000") {
			t.Errorf("%s: err %v, want the result limit", src, err)
		}
	}
	for src, want := range map[string]string{
		"{{ 'abc' | truncate(9223372036854775807) }}":      "abc",
		"{{ range(5) | combinations(2) | list | length }}": "10",
		"{{ 'abcdefgh' | permutations | list | length }}":  "40320",
	} {
		if got := mustRender(t, e, src, scope, TemplateDefaults()); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}
