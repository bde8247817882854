package render

import "testing"

// Jinja2's lower, upper, capitalize and center filters are the str methods
// of their input (jinja2/filters.py at 3.1: soft_str(s).upper(), ...,
// value.center(width), width 80 by default): the filters and the methods,
// which the strmethods oracle suite holds to Ansible's output, agree.
func TestCaseAndCenterFiltersAreTheStrMethods(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{}, Magic{})
	for src, want := range map[string]string{
		"[{{ 'straße' | upper }}|{{ 'straße'.upper() }}]":         "[STRASSE|STRASSE]",
		"[{{ 'ΣΑΣ' | lower }}|{{ 'ΣΑΣ'.lower() }}]":               "[σας|σας]",
		"[{{ 'ǆx yZ' | capitalize }}|{{ 'ǆx yZ'.capitalize() }}]": "[ǅx yz|ǅx yz]",
		"[{{ 'abc' | center(6) }}|{{ 'abc'.center(6) }}]":         "[ abc  | abc  ]",
		"[{{ 'ab' | center(5) }}]":                                "[  ab ]",
		"{{ 'ab' | center | length }}":                            "80",
		"[{{ 'TRUE' | lower }}|{{ 'ok' | upper }}]":               "[true|OK]",
	} {
		if got := mustRender(t, e, src, scope, TemplateDefaults()); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}
