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
		"'banana' is version('1.0', version_type='pep440')":            "Version comparison failed: Invalid version: 'banana'",
		"'1.0' is version('1.' ~ '9' * 4301, version_type='pep440')":   "Version comparison failed: Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit",
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

// pep440Ascending is in packaging.version.Version's order, each version
// before all that follow (checked with packaging 23.0 and 26.4): PEP 440's
// own example and the ranks of _cmpkey (dev-only before a pre-release,
// none after one, post after, local after none; a number after a string
// in a local version), epochs over releases, numbers past int64.
var pep440Ascending = []string{
	"0.9", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
	"1.0b2.post345.dev456", "1.0b2.post345", "1.0b2-346", "1.0c1.dev456", "1.0c1", "1.0rc2", "1.0c3", "1.0",
	"1.0+abc.5", "1.0+abc.10", "1.0+abc.10.a", "1.0+abd", "1.0+1", "1.0+1.a", "1.0+1.0", "1.0+2",
	"1.0.post456.dev34", "1.0.post456", "1.0.post457", "1.0.1", "1.1.dev1", "1.1",
	"1234567890123456789012345", "1234567890123456789012346", "1!0.1", "1!1.0", "2!0.dev0",
}

// TestPEP440Order compares every pair of pep440Ascending both ways.
func TestPEP440Order(t *testing.T) {
	for i, a := range pep440Ascending {
		for j, b := range pep440Ascending {
			want := compareOrdered(float64(i), float64(j))
			if got, err := pep440VersionOrder(a, b); err != nil || got != want {
				t.Errorf("pep440VersionOrder(%q, %q) = %d, %v; want %d", a, b, got, err, want)
			}
		}
	}
}

// TestPEP440Normalized checks versions packaging reads as equal (its
// alternative spellings, separators, implicit numbers, case, whitespace,
// leading zeros) and some that it does not.
func TestPEP440Normalized(t *testing.T) {
	equal := [][2]string{
		{"1.0alpha1", "1.0a1"}, {"1.0-1", "1.0.post1"}, {"1.0.dev", "1.0.dev0"}, {"v1.0", "1.0"}, {"V1.0", "1"},
		{"1.0RC1", "1.0rc1"}, {"1.0-c1", "1.0rc1"}, {"1.0_post2", "1.0.post2"}, {"1.0pre", "1.0rc0"},
		{"1.0preview2", "1.0rc2"}, {"1.0.BETA.3", "1.0b3"}, {"1.0-r4", "1.0.post4"}, {"1.0rev", "1.0.post0"},
		{"0!1.0", "1"}, {"1.0.0", "1"}, {"1.0+ABC.01", "1.0+abc.1"}, {"1.0+a-b_c", "1.0+a.b.c"},
		{" \t1.0\n", "1.0"}, {"\x1c1.0\x1f\v\u00a0\u3000", "1.0"}, {"1.0a-1", "1.0a1"}, {"1.0.a.1", "1.0a1"},
		{"1.0-dev-2", "1.0.dev2"}, {"1.0-dev-", "1.0.dev0"}, {"00001.00", "1"}, {"1.0c", "1.0rc0"},
		{"1.0post1dev1", "1.0.post1.dev1"}, {"1.0-0", "1.0.post0"}, {"0.0", "0"}, {"1.0a.post1", "1.0a0.post1"},
		{"1.0a-post1", "1.0a0.post1"}, {"1.0a--1", "1.0a0.post1"}, {"01!1", "1!1"}, {"1.0+1", "1.0+001"},
	}
	for _, pair := range equal {
		if got, err := pep440VersionOrder(pair[0], pair[1]); err != nil || got != 0 {
			t.Errorf("pep440VersionOrder(%q, %q) = %d, %v; want equal", pair[0], pair[1], got, err)
		}
	}
	for _, pair := range [][2]string{{"1.0+0", "1.0"}, {"1.0.post0", "1.0"}, {"1.0rc0", "1.0"}, {"1.0.dev0", "1.0"}} {
		if got, err := pep440VersionOrder(pair[0], pair[1]); err != nil || got == 0 {
			t.Errorf("pep440VersionOrder(%q, %q) = %d, %v; want unequal", pair[0], pair[1], got, err)
		}
	}
}

// TestPEP440Invalid checks the strings packaging (23.0 and 26.4) refuses,
// with its message, and those straylight refuses because the two differ.
func TestPEP440Invalid(t *testing.T) {
	invalid := []string{
		"banana", "1.0+", "1.0-", "1.0+a..b", " v 1.0", "1..0", "\u0661.0", "1.0 extra", "1.0+\u00e9", "1!", "!1",
		"1.0a1a2", "vv1", "1.0.post1.post2", "1.0dev1.post1", "1.0+a+b", "1.0_", "-1.0", ".1", "1.0+-a", "1.0a1b1",
	}
	for _, s := range invalid {
		want := "Invalid version: " + pyQuote(s)
		if _, err := pep440VersionOrder("1.0", s); err == nil || err.Error() != want {
			t.Errorf("pep440VersionOrder(1.0, %q): error %v, want %q", s, err, want)
		}
	}
	for _, s := range []string{"1.0.po\u017ft1", "1.0+\u212a", "1.0prev\u0131ew1", "1.0prev\u0130ew1"} {
		if _, err := pep440VersionOrder(s, "1.0"); err == nil || !strings.Contains(err.Error(), "packaging 23.0 reads") {
			t.Errorf("pep440VersionOrder(%q, 1.0): error %v, want straylight's refusal", s, err)
		}
	}
	if _, err := pep440VersionOrder("1.0+a"+strings.Repeat("1", 4301), "1.0"); err != nil {
		t.Errorf("a local segment of letters and digits is a string, of any length: %v", err)
	}
	if _, err := pep440VersionOrder("1.0+a."+strings.Repeat("1", 4301), "1.0"); err == nil || !strings.Contains(err.Error(), "value has 4301 digits") {
		t.Errorf("a local number past Python's 4300 digits: error %v, want int()'s", err)
	}
}
