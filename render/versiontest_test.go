package render

import (
	"strings"
	"testing"
)

// TestVersionTestMessages checks the engine's errors of the version and
// abs tests against what ansible-playbook printed for the same
// expressions, under ansible-core 2.14.18 and 2.19.14 alike (2.19 puts
// "The test plugin 'ansible.builtin.version' failed: " before them); the
// oracle suite (versionsSuite) shows only that Ansible fails.
func TestVersionTestMessages(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{}, Magic{})
	for expr, want := range map[string]string{
		"'1.2b3' is version('1.2.3')":                                  "Version comparison failed: '<' not supported between instances of 'str' and 'int'",
		"'1.0' is version('1.x', '!=')":                                "Version comparison failed: '<' not supported between instances of 'int' and 'str'",
		"'1' is version('1.0', strict=true)":                           "Version comparison failed: invalid version number '1'",
		"'1.0' is version('1.0.0.0', version_type='strict')":           "Version comparison failed: invalid version number '1.0.0.0'",
		"'1.0' is version('1.0.0', version_type='semver')":             "Version comparison failed: invalid semantic version '1.0'",
		"'1.0.0-01' is version('1.0.0', version_type='semver')":        "Version comparison failed: invalid semantic version '1.0.0-01'",
		"'1.0' is version('1.0', strict=true, version_type='loose')":   "Cannot specify both 'strict' and 'version_type'",
		"'1.0' is version('1.0', strict=false, version_type='semver')": "Cannot specify both 'strict' and 'version_type'",
		"'1.0' is version('1.0', '=>')":                                "Invalid operator type (=>). Must be one of '==', '=', 'eq', '<', 'lt', '<=', 'le', '>', 'gt', '>=', 'ge', '!=', '<>', 'ne'",
		"'1.0' is version('1.0', operator=none)":                       "Invalid operator type (None). Must be one of '==', '=', 'eq', '<', 'lt', '<=', 'le', '>', 'gt', '>=', 'ge', '!=', '<>', 'ne'",
		"'1.0' is version('1.0', version_type='debian')":               "Invalid version type (debian). Must be one of 'loose', 'strict', 'semver', 'semantic', 'pep440'",
		"'' is version('1.0')":                                         "Input version value cannot be empty",
		"0 is version('1.0', '<')":                                     "Input version value cannot be empty",
		"'1.0' is version('')":                                         "Version parameter to compare against cannot be empty",
		"'1.0' is version(version=None)":                               "Version parameter to compare against cannot be empty",
		"-3 is abs":                                                    "expected str, bytes or os.PathLike object, not int",
		"'1.0' is version('1.0', 'eq', 'extra', 'loose', 'too many')":  "version() takes at most 4 arguments (5 given)",
		"'1.0' is version('1!1.0', version_type='pep440')":             "pep440 version '1!1.0': straylight compares only the form",
	} {
		_, err := e.RenderTemplate("t.j2", []byte("{{ "+expr+" }}"), scope, TemplateDefaults())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("{{ %s }}: error %v, want one saying %q", expr, err, want)
		}
	}
}

// TestTestArguments checks that a test's parenthesized arguments are its
// arguments, as Jinja2's parser reads them: several positional ones,
// keywords, a tuple as one argument, and none.
func TestTestArguments(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{"seq": []any{1, 2}}, Magic{})
	for src, want := range map[string]string{
		"{{ 2 is in((1, 2)) }}":                              "True",
		"{{ 2 is in(seq) }} {{ 3 is not in (seq) }}":         "True True",
		"{{ 'aB' is match('ab', ignorecase=true) }}":         "True",
		"{{ 'x\nab' is search('^a', multiline=true) }}":      "True",
		"{{ 'x\nab' is search('^a', false, false) }}":        "False",
		"{{ 3 is odd() }} {{ 3 is not even() }}":             "True True",
		"{{ '2.0' is version ('1.0', '>') }}":                "True",
		"{% if '2.0' is version('1.0', 'gt') %}y{% endif %}": "y",
	} {
		if got := mustRender(t, e, src, scope, TemplateDefaults()); got != want {
			t.Errorf("%s: %q, want %q", src, got, want)
		}
	}
}
