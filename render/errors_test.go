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
