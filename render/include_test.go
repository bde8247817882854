package render

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// includeFixture writes a role's templates under a temporary repository
// and returns the repository and options searching it as the template
// module would for a task of that role.
func includeFixture(t *testing.T, files map[string]string) (string, TemplateOptions) {
	t.Helper()
	root := t.TempDir()
	role := filepath.Join(root, "roles", "x")
	for name, content := range files {
		path := filepath.Join(role, "templates", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := TemplateDefaults()
	opts.Root = root
	opts.SearchPath = TemplateSearchPath(role, filepath.Join(role, "tasks"), root, root, filepath.Join(role, "templates"))
	return root, opts
}

func renderIncluding(t *testing.T, src string, files map[string]string) (string, error) {
	t.Helper()
	_, opts := includeFixture(t, files)
	scope := NewScope(map[string]any{"l": []any{"a", "b"}}, Magic{InventoryHostname: "h"})
	out, err := NewEngine(Options{}).RenderTemplate("roles/x/templates/top.j2", []byte(src), scope, opts)
	return string(out), err
}

// TestIncludeErrorsNameTheirFile: a failure inside an included template
// names that template (relative to Root) and its own line; a missing
// include names the including template's line, the name and where it was
// looked for.
func TestIncludeErrorsNameTheirFile(t *testing.T) {
	files := map[string]string{"bad.j2": "ok\n{{ nothere }}\n", "syntax.j2": "\n\n{% if %}\n", "ok.j2": "fine"}
	for _, c := range []struct{ src, want string }{
		{"a\n{% include 'bad.j2' %}\n", "roles/x/templates/bad.j2:2: undefined variable 'nothere'"},
		{"{% include 'syntax.j2' %}", "roles/x/templates/syntax.j2:3: template syntax error"},
		{"a\n\n{% include 'ok.j2' %}{% include 'gone.j2' %}\n", "roles/x/templates/top.j2:3: TemplateNotFound: 'gone.j2' not found in search paths: " +
			"'roles/x/templates', 'roles/x', 'roles/x/tasks/templates', 'roles/x/tasks', 'templates', '.', 'templates', '.', 'roles/x/templates/templates', 'roles/x/templates'"},
		{"{% include ['a.j2', 'b.j2'] %}", "roles/x/templates/top.j2:1: TemplatesNotFound: none of the templates given were found: a.j2, b.j2"},
		{"{% import 'gone.j2' as m %}", "roles/x/templates/top.j2:1: TemplateNotFound: 'gone.j2'"},
		{"{% include 42 %}", "roles/x/templates/top.j2:1: a template name must be a string or a list of strings, got int"},
	} {
		out, err := renderIncluding(t, c.src, files)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %q, %v; want an error with %q", c.src, out, err, c.want)
		}
	}
}

// TestIncludeRefusals: what the engine cannot render as Jinja2 does is
// refused as not supported (the task is then Ansible's), never rendered
// differently.
func TestIncludeRefusals(t *testing.T) {
	files := map[string]string{"self.j2": "{% include 'self.j2' %}", "loop.j2": "{{ loop.index }}"}
	for _, c := range []struct{ src, want string }{
		// Jinja2 passes the outer loop's `loop` (the inner loop's body does
		// not read it); gonja has only the inner one.
		{"{% for a in l %}{{ loop.index }}{% for b in l %}{% include 'loop.j2' %}{% endfor %}{% endfor %}", "loop variable of an outer for loop is not supported"},
		{"{% extends 'base.j2' %}", "{% extends %} is not supported"},
	} {
		out, err := renderIncluding(t, c.src, files)
		if _, refused := NotSupported(err); !refused || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %q, %v; want a refusal with %q", c.src, out, err, c.want)
		}
	}
	out, err := renderIncluding(t, "{% include 'self.j2' %}", files)
	if err == nil || !strings.Contains(err.Error(), "include or import one another more than 50 deep") {
		t.Errorf("a template including itself: got %q, %v", out, err)
	}
	value, err := NewEngine(Options{}).TemplateValue(NewScope(nil, Magic{}), "{% include 'x.j2' %}")
	if _, refused := NotSupported(err); !refused {
		t.Errorf("an include in a variable's value: got %v, %v; want a refusal", value, err)
	}
}

// TestTemplateLookupIncludes: a template read by lookup('template') finds
// what it includes beside itself first (the template lookup's searchpath).
func TestTemplateLookupIncludes(t *testing.T) {
	root, _ := includeFixture(t, map[string]string{"outer.j2": "<{% include 'inner.j2' %}>", "inner.j2": "in {{ 1 + 1 }}\n"})
	scope := NewScope(nil, Magic{InventoryHostname: "h"}).WithSearchPath([]string{filepath.Join(root, "roles", "x"), root})
	got := mustRender(t, NewEngine(Options{}), "{{ lookup('template', 'outer.j2') }}", scope, TemplateDefaults())
	if got != "<in 2>" {
		t.Errorf("lookup('template') of a template that includes another: %q, want %q", got, "<in 2>")
	}
}

// TestIncludeLoopVariable: an included template sees the enclosing loop's
// `loop` only when the loop's body reads it or the loop is recursive (the
// oracle suite checks the first against Ansible); otherwise
// it is undefined, as ansible-playbook reports ("'loop' is undefined").
func TestIncludeLoopVariable(t *testing.T) {
	files := map[string]string{"loop.j2": "{{ loop.index }}", "defined.j2": "{{ loop is defined }}"}
	for _, c := range []struct{ src, want string }{
		{"{% for i in l %}{% include 'loop.j2' %}{% endfor %}", "error"},
		{"{% for i in l %}{% include 'loop.j2' %}{{ loop.last }}{% endfor %}", "1False2True"},
		{"{% for i in l recursive %}{% include 'defined.j2' %}{% endfor %}", "TrueTrue"},
		{"{% for i in l %}{% include 'defined.j2' %}{% endfor %}", "FalseFalse"},
		{"{% for i in l %}{% for j in [i] %}{{ loop.index }}{% endfor %}{% include 'loop.j2' %}{% endfor %}", "1112"},
		{"{% for i in l %}{{ x.loop | default('') }}{% include 'loop.j2' without context %}{% endfor %}", "error"},
	} {
		out, err := renderIncluding(t, c.src, files)
		if c.want == "error" {
			var e *Error
			if !errors.As(err, &e) || e.Variable != "loop" {
				t.Errorf("%q: got %q, %v; want undefined variable 'loop'", c.src, out, err)
			}
		} else if err != nil || out != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.src, out, err, c.want)
		}
	}
}
