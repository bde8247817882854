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

// TestHugeStringsAndRangesRefused: a string repeated or padded past
// stringLimit, and a range listed past resultLimit, fail the template
// with the size where they ran the process out of memory; a range's
// length, index and membership need no list and work at any size.
func TestHugeStringsAndRangesRefused(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{}, Magic{})
	for src, want := range map[string]string{
		"{{ 'x' * 9999999999 }}":                                "straylight refuses more than 16777216",
		"{{ 'x'.ljust(9999999999) }}":                           "straylight refuses more than 16777216",
		"{{ 'x'.rjust(9999999999, '-') }}":                      "straylight refuses more than 16777216",
		"{{ 'x'.center(9999999999) }}":                          "straylight refuses more than 16777216",
		"{{ 'x'.zfill(9999999999) }}":                           "straylight refuses more than 16777216",
		"{{ 'x' | center(9999999999) }}":                        "straylight refuses more than 16777216",
		"{{ 'a\nb' | indent(9999999999) }}":                     "straylight refuses more than 16777216",
		"{{ '\t'.expandtabs(9999999999) }}":                     "straylight refuses more than 16777216",
		"{{ '{:>9999999999}'.format(1) }}":                      "straylight refuses more than 16777216",
		"{{ '%9999999999d' % 1 }}":                              "straylight refuses more than 1000000",
		"{{ 'x' | comment(prefix_count=9999999999) }}":          "straylight refuses more than 16777216",
		"{{ {'a': 1} | to_json(indent=9999999999) }}":           "straylight refuses more than 16777216",
		"{{ [1, 2] * 9999999999 }}":                             "straylight refuses more than 1000000",
		"{{ range(9223372036854775807) | list | length }}":      "straylight refuses more than 1000000",
		"{{ range(9223372036854775807) | join(',') }}":          "straylight refuses more than 1000000",
		"{% for i in range(9223372036854775807) %}{% endfor %}": "straylight refuses more than 1000000",
	} {
		_, err := e.RenderTemplate("t.j2", []byte("a\n"+src), scope, TemplateDefaults())
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "t.j2:2: ") {
			t.Errorf("%s: err %v, want %q on line 2", src, err, want)
		}
	}
	for src, want := range map[string]string{
		"{{ range(9223372036854775807) | length }}":   "9223372036854775807",
		"{{ range(9223372036854775807)[-1] }}":        "9223372036854775806",
		"{{ range(10, 0, -3)[1] }}":                   "7",
		"{{ range(10, 0, -3)[-1] }}":                  "1",
		"{{ 4 in range(0, 9223372036854775807, 2) }}": "True",
		"{{ 5 in range(0, 9223372036854775807, 2) }}": "False",
		"{{ 7 in range(10, 0, -3) }}":                 "True",
		"{{ 10 in range(10, 0, -3) }}":                "True",
		"{{ 0 in range(10, 0, -3) }}":                 "False",
		"{{ 2.0 in range(3) }}":                       "True",
		"{{ '%05.1f|%-4s|' % (3.14159, 'ab') }}":      "003.1|ab  |",
		"{{ 'ab' * 3 }} {{ 'x'.ljust(3, '-') }}":      "ababab x--",
		"{{ range(3)[5] is defined }}":                "False",
	} {
		if got := mustRender(t, e, src, scope, TemplateDefaults()); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}
