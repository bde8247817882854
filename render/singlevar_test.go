package render

import (
	"regexp"
	"testing"
)

// TestSingleVarNameIsTheExpression: singleVarName reads exactly what
// Templar's SINGLE_VAR expression, as written for Go, matches.
func TestSingleVarNameIsTheExpression(t *testing.T) {
	re := regexp.MustCompile(`^\{\{\s*([\p{L}\p{N}_]*)\s*\}\}$`)
	for _, src := range []string{"{{ x }}", "{{x}}", "{{}}", "{{ }}", "{{\tname_1\n}}", "{{ ünï٣ }}",
		"{{ a b }}", "{{ a.b }}", "{{ a }}}", "{{{ a }}", "{{ a }", "{ a }}", "x{{ a }}", "{{ a }}x",
		"{{ a\v}}", "{{ \xff }}", "{{ a\xff }}", "{{}", "{{ a | b }}", "{{ ²½ }}", "", "{{ a }}\n"} {
		m := re.FindStringSubmatch(src)
		name, ok := singleVarName(src)
		if ok != (m != nil) || (ok && name != m[1]) {
			t.Errorf("%q: singleVarName = %q, %v; the expression: %q", src, name, ok, m)
		}
	}
}
