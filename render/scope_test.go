package render

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

func TestOnlyUsedVariablesAreTemplated(t *testing.T) {
	e := NewEngine(Options{})
	vars := parseVars(t, "used: \"{{ base }}-x\"\nbase: b\nbroken: \"{{ nothere }}\"\nloop: \"{{ loop }}\"\nbad_syntax: \"{{ (\"")
	scope := NewScope(vars, Magic{})
	if got := mustRender(t, e, "{{ used }}\n", scope, TemplateDefaults()); got != "b-x\n" {
		t.Fatalf("got %q", got)
	}
	for _, name := range []string{"broken", "loop", "bad_syntax"} {
		if _, templated := scope.cached(name); templated {
			t.Errorf("%s was templated though no template used it", name)
		}
	}
}

// TestHostvarsIsLazy renders for one host of a large fleet a template that
// reads one other host's variable: only that host is looked up, and only
// that variable of it is templated.
func TestHostvarsIsLazy(t *testing.T) {
	e := NewEngine(Options{})
	scopes := map[string]*Scope{}
	var lookups atomic.Int32
	hostvars := func(host string) (*Scope, bool) {
		lookups.Add(1)
		s, ok := scopes[host]
		return s, ok
	}
	var hosts []string
	for i := 0; i < 1000; i++ {
		host := fmt.Sprintf("h%04d", i)
		hosts = append(hosts, host)
		vars := map[string]any{"port": fmt.Sprintf("{{ base + %d }}", i), "base": 8000, "other": "{{ port }}"}
		scopes[host] = NewScope(vars, Magic{InventoryHostname: host, Groups: map[string][]string{"all": hosts}, HostVars: hostvars})
	}
	got := mustRender(t, e, "{{ hostvars['h0007'].port }} {{ hostvars.h0007.port }}\n", scopes["h0000"], TemplateDefaults())
	if got != "8007 8007\n" {
		t.Fatalf("got %q", got)
	}
	if n := lookups.Load(); n != 2 {
		t.Errorf("hostvars looked up %d hosts, want 2 lookups of h0007", n)
	}
	for host, scope := range scopes {
		_, templated := scope.cached("port")
		if templated != (host == "h0007") {
			t.Errorf("%s: port templated = %t", host, templated)
		}
		if _, templated := scope.cached("other"); templated {
			t.Errorf("%s: other templated", host)
		}
	}
}

func TestVariableLoopOnOnePathOnly(t *testing.T) {
	e := NewEngine(Options{})
	vars := parseVars(t, "a: \"{{ b if false else 1 }}\"\nb: \"{{ a }}\"")
	if got := mustRender(t, e, "{{ b }} {{ a }}\n", NewScope(vars, Magic{}), TemplateDefaults()); got != "1 1\n" {
		t.Errorf("got %q", got)
	}
}

func TestCrossHostLoopIsDetected(t *testing.T) {
	e := NewEngine(Options{})
	scopes := map[string]*Scope{}
	hostvars := func(host string) (*Scope, bool) { s, ok := scopes[host]; return s, ok }
	magic := func(host string) Magic { return Magic{InventoryHostname: host, HostVars: hostvars} }
	scopes["a"] = NewScope(parseVars(t, `x: "{{ hostvars['b'].y }}"`), magic("a"))
	scopes["b"] = NewScope(parseVars(t, `y: "{{ hostvars['a'].x }}"`), magic("b"))
	_, err := e.RenderTemplate("t.j2", []byte("{{ x }}"), scopes["a"], TemplateDefaults())
	if err == nil {
		t.Fatal("want a recursive loop error")
	}
}

func TestMagicVariables(t *testing.T) {
	e := NewEngine(Options{AnsibleManaged: "Managed by straylight"})
	groups := map[string][]string{"all": {"a.lab", "b"}, "gpu": {"a.lab"}, "ungrouped": {"b"}}
	scope := NewScope(map[string]any{"inventory_hostname": "ignored"}, Magic{InventoryHostname: "a.lab", GroupNames: []string{"gpu"}, Groups: groups})
	src := "{{ ansible_managed }}|{{ inventory_hostname }}|{{ inventory_hostname_short }}|{{ group_names }}|{{ groups.gpu }}|{{ 'gpu' in groups }}|{% for g in groups %}{{ g }},{% endfor %}|{{ vars['inventory_hostname'] }}\n"
	want := "Managed by straylight|a.lab|a|['gpu']|['a.lab']|True|all,gpu,ungrouped,|a.lab\n"
	if got := mustRender(t, e, src, scope, TemplateDefaults()); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWithOverridesAndKeepsBaseUntouched(t *testing.T) {
	e := NewEngine(Options{})
	base := NewScope(parseVars(t, "port: \"{{ vllm.port | default(8000) }}\"\nvllm: {port: 1}"), Magic{})
	task := base.With(map[string]any{"vllm": map[string]any{"port": 2}})
	if got := mustRender(t, e, "{{ port }}", task, TemplateDefaults()); got != "2" {
		t.Errorf("task scope: %q", got)
	}
	if got := mustRender(t, e, "{{ port }}", base, TemplateDefaults()); got != "1" {
		t.Errorf("base scope: %q", got)
	}
}

const concurrentTemplate = "{% macro m(a, b=2) %}[{{ a }}-{{ b }}]{% endmacro %}{{ port }}/{{ hostvars[next].port }} {{ m(1) }}{% for c in ['a', 'b'] | reverse %}{{ c }}{% endfor %} {{ {'a': [1, 2]} | to_json }}"

// TestConcurrentRendering renders many hosts in parallel, each reading
// its neighbours through hostvars (run with -race).
func TestConcurrentRendering(t *testing.T) {
	e := NewEngine(Options{})
	scopes := map[string]*Scope{}
	hostvars := func(host string) (*Scope, bool) { s, ok := scopes[host]; return s, ok }
	const n = 50
	for i := 0; i < n; i++ {
		host := fmt.Sprintf("h%d", i)
		vars := parseVars(t, fmt.Sprintf("port: \"{{ %d + 8000 }}\"\nnext: h%d", i, (i+1)%n))
		scopes[host] = NewScope(vars, Magic{InventoryHostname: host, HostVars: hostvars})
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out, err := e.RenderTemplate("t.j2", []byte(concurrentTemplate), scopes[fmt.Sprintf("h%d", i)], TemplateDefaults())
			want := fmt.Sprintf("%d/%d [1-2]ba {\"a\": [1, 2]}", 8000+i, 8000+(i+1)%n)
			if err != nil || string(out) != want {
				t.Errorf("h%d: %q %v, want %q", i, out, err, want)
			}
		}(i)
	}
	wg.Wait()
}

func TestDictsKeepInsertionOrder(t *testing.T) {
	e := NewEngine(Options{})
	ordered := NewMap()
	ordered.Set("zeta", 1)
	ordered.Set("alpha", 2)
	scope := NewScope(map[string]any{"ordered": ordered, "plain": map[string]any{"b": 1, "a": 2}}, Magic{})
	src := "{% for k in ordered %}{{ k }}{% endfor %} {{ ordered | to_json }} {{ plain }}"
	if got := mustRender(t, e, src, scope, TemplateDefaults()); got != `zetaalpha {"zeta": 1, "alpha": 2} {'a': 2, 'b': 1}` {
		t.Errorf("got %q", got)
	}
}

func TestHostvarsMembershipAndIteration(t *testing.T) {
	e := NewEngine(Options{})
	scopes := map[string]*Scope{}
	hostvars := func(host string) (*Scope, bool) { s, ok := scopes[host]; return s, ok }
	groups := map[string][]string{"all": {"a", "b"}}
	for _, host := range groups["all"] {
		scopes[host] = NewScope(map[string]any{"port": "{{ 8000 }}"}, Magic{InventoryHostname: host, Groups: groups, HostVars: hostvars})
	}
	src := "{{ 'b' in hostvars }} {{ 'c' in hostvars }} {% for h in hostvars %}{{ h }}={{ hostvars[h].port }};{% endfor %} {{ hostvars | length }} {{ 'port' in hostvars['a'] }}"
	if got := mustRender(t, e, src, scopes["a"], TemplateDefaults()); got != "True False a=8000;b=8000; 2 True" {
		t.Errorf("got %q", got)
	}
}
