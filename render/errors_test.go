package render

import (
	"errors"
	"strings"
	"testing"
)

func renderError(t *testing.T, src string, vars string) *Error {
	t.Helper()
	e := NewEngine(Options{})
	_, err := e.RenderTemplate("roles/x/templates/a.j2", []byte(src), NewScope(parseVars(t, vars), Magic{InventoryHostname: "h"}), TemplateDefaults())
	var renderErr *Error
	if !errors.As(err, &renderErr) {
		t.Fatalf("%q: want an *Error, got %v", src, err)
	}
	return renderErr
}

func TestUndefinedVariableNamesTemplateLineAndVariable(t *testing.T) {
	err := renderError(t, "a\nb\nc\nd\ne\nf\nport: {{ vllm_foo }}\n", "x: 1")
	if err.Error() != "roles/x/templates/a.j2:7: undefined variable 'vllm_foo'" {
		t.Errorf("message %q", err)
	}
	if err.Kind != ErrUndefined || err.Variable != "vllm_foo" || err.Line != 7 {
		t.Errorf("got kind %d variable %q line %d", err.Kind, err.Variable, err.Line)
	}
}

func TestUndefinedAttributeOfDictIsAnError(t *testing.T) {
	err := renderError(t, "x\n\n{{ vllm.served_model_nam }}\n", "vllm: {served_model_name: a}")
	if err.Kind != ErrUndefined || err.Line != 3 || err.Variable != "served_model_nam" {
		t.Errorf("got %+v", err)
	}
	if !strings.Contains(err.Error(), "'dict object' has no attribute 'served_model_nam'") {
		t.Errorf("message %q", err)
	}
}

func TestUndefinedInStatementsAndLoops(t *testing.T) {
	cases := map[string]int{
		"a\n{% if nothere %}\nx\n{% endif %}\n":                          2,
		"a\n{% for i in [1, 2] %}\n{{ i }}\n{{ nothere }}\n{% endfor %}": 4,
		"a\n{% for i in nothere %}{% endfor %}\n":                        2,
		"{{ nothere | lower }}\n":                                        1,
	}
	for src, line := range cases {
		err := renderError(t, src, "x: 1")
		if err.Kind != ErrUndefined || err.Variable != "nothere" || err.Line != line {
			t.Errorf("%q: got kind %d variable %q line %d (%v)", src, err.Kind, err.Variable, err.Line, err)
		}
	}
}

func TestUndefinedInsideLazyVariableNamesBoth(t *testing.T) {
	err := renderError(t, "{{ port }}\n", `port: "{{ vllm.prt }}"`+"\nvllm: {port: 1}")
	if err.Kind != ErrUndefined || err.Variable != "port" {
		t.Errorf("got %+v", err)
	}
	for _, part := range []string{"'port'", "{{ vllm.prt }}", "'prt'"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q lacks %s", err, part)
		}
	}
}

func TestUndefinedIsFineWhereJinjaAllowsIt(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(parseVars(t, `lazy: "{{ nothere }}"`+"\nd: {a: 1}"), Magic{})
	src := "{{ nothere | default('d') }} {{ nothere is defined }} {{ nothere is undefined }} {{ d.x | default(2) }} {{ lazy | default('l') }} {{ nothere.deep.er | d(3) }}\n"
	if got := mustRender(t, e, src, scope, TemplateDefaults()); got != "d False True 2 l 3\n" {
		t.Errorf("got %q", got)
	}
}

func TestSyntaxErrorHasLine(t *testing.T) {
	err := renderError(t, "ok\n{% if %}\n", "x: 1")
	if err.Kind != ErrSyntax || err.Line != 2 {
		t.Errorf("got %+v", err)
	}
	err = renderError(t, "ok\n{% if x %}\n", "x: 1")
	if err.Kind != ErrSyntax {
		t.Errorf("unclosed if: got %+v", err)
	}
}

func TestRecursiveVariable(t *testing.T) {
	err := renderError(t, "{{ a }}\n", `a: "{{ b }}"`+"\n"+`b: "x{{ a }}"`)
	if err.Kind != ErrRender || !strings.Contains(err.Error(), "recursive loop detected in template string") {
		t.Errorf("got %v (kind %d)", err, err.Kind)
	}
}

func TestFilterErrorIsARenderError(t *testing.T) {
	err := renderError(t, "\n{{ 5 | dict2items }}\n", "x: 1")
	if err.Kind != ErrRender || err.Line != 2 || !strings.Contains(err.Error(), "dict2items requires a dictionary") {
		t.Errorf("got %v (kind %d, line %d)", err, err.Kind, err.Line)
	}
}

func TestBadNewlineSequence(t *testing.T) {
	e := NewEngine(Options{})
	_, err := e.RenderTemplate("a.j2", []byte("x"), NewScope(nil, Magic{}), TemplateOptions{NewlineSequence: "\t"})
	if err == nil {
		t.Fatal("want an error")
	}
	out, err := e.RenderTemplate("a.j2", []byte("x\ny\n"), NewScope(nil, Magic{}), TemplateOptions{NewlineSequence: `\r\n`, TrimBlocks: true})
	if err != nil || string(out) != "x\r\ny\r\n" {
		t.Errorf("escaped sequence: %q %v", out, err)
	}
}

// playbook_dir is the running playbook's folder; without one it is
// undefined.
func TestPlaybookDirIsMagic(t *testing.T) {
	e := NewEngine(Options{})
	out, err := e.RenderTemplate("a.j2", []byte("{{ playbook_dir }}/../files"), NewScope(parseVars(t, "x: 1"), Magic{InventoryHostname: "h", PlaybookDir: "/repo/playbooks"}), TemplateDefaults())
	if err != nil || string(out) != "/repo/playbooks/../files" {
		t.Errorf("got %q, %v", out, err)
	}
	if _, err := e.RenderTemplate("a.j2", []byte("{{ playbook_dir }}"), NewScope(parseVars(t, "x: 1"), Magic{InventoryHostname: "h"}), TemplateDefaults()); err == nil {
		t.Error("playbook_dir defined without a playbook")
	}
}

// A filter or test of Jinja2's own written with a collection prefix that
// the core refuses fails naming the template and the line it is on: under
// ansible-core 2.14 wherever it is, under 2.19 (ansible.legacy. only) when
// it runs.
func TestRefusedCollectionNameNamesTemplateAndLine(t *testing.T) {
	cases := []struct {
		tagged bool
		src    string
		want   string
	}{
		{false, "a\n{{ 'b' }}\n{% if false %}\n{{ [1] | ansible.builtin.length }}{% endif %}\n", `roles/x/templates/a.j2:4: Could not load "ansible.builtin.length": 'ansible.builtin.length'`},
		{false, "a\n\n{{ 1 is ansible.legacy.odd }}\n", `roles/x/templates/a.j2:3: Could not load "ansible.legacy.odd": 'ansible.legacy.odd'`},
		{true, "a\n{{ 'b' }}\n{{ [1] | ansible.legacy.length }}\n", "roles/x/templates/a.j2:3: No filter named 'ansible.legacy.length'."},
		{true, "a\n\n{{ [1] | select('ansible.legacy.odd') | list }}\n", "roles/x/templates/a.j2:3: No test named 'ansible.legacy.odd'."},
	}
	for _, c := range cases {
		e := NewEngine(Options{DataTagging: func() bool { return c.tagged }})
		opts := TemplateDefaults()
		opts.DataTagging = c.tagged
		_, err := e.RenderTemplate("roles/x/templates/a.j2", []byte(c.src), NewScope(map[string]any{}, Magic{InventoryHostname: "h"}), opts)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q (2.19: %t): got %v, want %s", c.src, c.tagged, err, c.want)
		}
	}
}

// An error a filter or test fails with reads as the failure, without the
// node dump gonja wraps it in or the engine's own filters; an unknown
// filter or test is Jinja2's "No filter named", and one the repository
// defines in Python, or one named with a collection other than
// ansible.builtin (which Jinja2 parses as a dotted name: gonja's lexer did
// not, and called the template a syntax error), is listed as not
// supported, naming its file or collection.
func TestFilterErrorsReadAsTheFailure(t *testing.T) {
	e := NewEngine(Options{})
	e.AddRepositoryPlugins(RepositoryPlugins{
		Filters: map[string]string{"shout": "filter_plugins/shout.py", "lower": "filter_plugins/shout.py"},
		Tests:   map[string]string{"loud": "test_plugins/loud.py"},
	})
	scope := NewScope(map[string]any{"l": []any{"a"}}, Magic{InventoryHostname: "h"})
	plugin := func(kind, name, file string) string {
		return kind + " " + name + ": " + kind + ` "` + name + `" is not supported by straylight's renderer (the repository's own ` + kind + " plugin in " + file + "; straylight runs no Python)"
	}
	for src, want := range map[string]string{
		"a\n{{ 'x' | from_json }}":                         "t.j2:2: filter from_json: Expecting value: char 0",
		"{{ 'x' | whisper }}":                              "t.j2:1: No filter named 'whisper'.",
		"{{ l | map('whisper') | list }}":                  "t.j2:1: No filter named 'whisper'.",
		"{{ 'x' is quiet }}":                               "t.j2:1: No test named 'quiet'.",
		"{{ 'x' | shout }}":                                "t.j2:1: " + plugin("filter", "shout", "filter_plugins/shout.py"),
		"a{{ 'x' is loud }}":                               "t.j2:1: " + plugin("test", "loud", "test_plugins/loud.py"),
		"{% if l %}{{ l | shout }}{% endif %}":             "t.j2:1: " + plugin("filter", "shout", "filter_plugins/shout.py"),
		"a\n{{ l | community.general.json_query('[0]') }}": `t.j2:2: filter community.general.json_query: filter "community.general.json_query" is not supported by straylight's renderer (a filter of the community.general collection; straylight runs no Python)`,
		"{{ 'x' is not my_ns.checks.loud }}":               `t.j2:1: test my_ns.checks.loud: test "my_ns.checks.loud" is not supported by straylight's renderer (a test of the my_ns.checks collection; straylight runs no Python)`,
		"{{ l | first | ns.col.lower }}":                   `t.j2:1: filter ns.col.lower: filter "ns.col.lower" is not supported by straylight's renderer (a filter of the ns.col collection; straylight runs no Python)`,
	} {
		_, err := e.RenderTemplate("t.j2", []byte(src), scope, TemplateDefaults())
		if err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %s", src, err, want)
		}
		_, notSupported := NotSupported(err)
		if wantNotSupported := strings.Contains(want, "runs no Python"); notSupported != wantNotSupported {
			t.Errorf("%q: NotSupported %t, want %t", src, notSupported, wantNotSupported)
		}
	}
	if got := mustRender(t, e, "{{ 'A' | lower }}", scope, TemplateDefaults()); got != "a" {
		t.Errorf("a plugin named as a builtin took the builtin's place: %q", got)
	}
	dotted := NewScope(map[string]any{"d": map[string]any{"is_x": map[string]any{"y": map[string]any{"z": 1}}}}, Magic{})
	if got := mustRender(t, e, "{{ d.is_x.y.z }}|{{ d|length }}", dotted, TemplateDefaults()); got != "1|1" {
		t.Errorf("a dotted variable read as a collection's test: %q", got)
	}
	if _, err := e.RenderTemplate("t.j2", []byte("{{ 'x'|ns.col.f }}"), scope, TemplateDefaults()); err == nil || !strings.Contains(err.Error(), "ns.col collection") {
		t.Errorf("a collection's filter written without spaces: %v", err)
	}
}
