package render

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// collVars are variables of the repository the method tests read.
const collVars = "l: [3, 1, 2, 1]\nd: {a: 1, b: 2}\nnested: {items: [1], sub: {k: v}}\nusers: [{name: a}, {name: b}]"

// TestListAndDictMethods checks Python's results of each method and that a
// mutation is seen by later reads in the same render (the oracle suite
// "collections" checks the same against ansible-playbook).
func TestListAndDictMethods(t *testing.T) {
	e := NewEngine(Options{})
	cases := []struct{ src, want string }{
		{"{% set a = [] %}{% if l | length > 0 %}{% set _ = a.append('email') %}{% endif %}{% for t in a %}- {{ t }}{% endfor %}", "- email"},
		{"{% set a = [] %}{% for i in l %}{% set _ = a.append(i * 2) %}{% endfor %}{{ a }}", "[6, 2, 4, 2]"},
		{"{% set a = [1] %}{{ a.append(2) }}|{{ a.extend([3, 4]) }}|{{ a.insert(0, 0) }}|{{ a }}", "|||[0, 1, 2, 3, 4]"},
		{"{% set a = [1, 2, 3] %}{{ a.pop() }}{{ a.pop(0) }}{{ a }}", "31[2]"},
		{"{% set a = l %}{{ a.index(2) }}{{ a.count(1) }}{{ a.index(1, 2) }}", "223"},
		{"{% set a = l %}{{ a.remove(1) }}{{ a }}{{ a.reverse() }}{{ a }}", "[3, 2, 1][1, 2, 3]"},
		{"{% set a = ['b', 'c', 'a'] %}{{ a.sort() }}{{ a }}{{ a.sort(reverse=true) }}{{ a }}", "['a', 'b', 'c']['c', 'b', 'a']"},
		{"{% set a = [1, 2] %}{% set b = a.copy() %}{{ b.append(3) }}{{ a }}{{ b }}{{ a.clear() }}{{ a }}", "[1, 2][1, 2, 3][]"},
		{"{% set e = d %}{{ e.update({'c': 3}) }}{{ e.update(z=9) }}{{ e }}", "{'a': 1, 'b': 2, 'c': 3, 'z': 9}"},
		{"{% set e = d %}{{ e.pop('a') }}{{ e.pop('q', 'dflt') }}{{ e }}{{ e.update({'a': 5}) }}{{ e }}", "1dflt{'b': 2}{'b': 2, 'a': 5}"},
		{"{% set e = d %}{{ e.setdefault('q', 7) }}{{ e.setdefault('a', 7) }}{{ e }}{{ e.popitem() }}{{ e }}", "71{'a': 1, 'b': 2, 'q': 7}('q', 7){'a': 1, 'b': 2}"},
		{"{% set by = {} %}{% for u in users %}{% set _ = by.setdefault(u.name[0], []).append(u.name) %}{% endfor %}{{ by }}", "{'a': ['a'], 'b': ['b']}"},
		{"{% set e = nested %}{% set _ = e['items'].append(2) %}{% set _ = e.sub.update(x=1) %}{{ e }}", "{'items': [1, 2], 'sub': {'k': 'v', 'x': 1}}"},
		{"{% set us = users %}{% for u in us %}{% set _ = u.update(seen=true) %}{% endfor %}{{ us }}", "[{'name': 'a', 'seen': True}, {'name': 'b', 'seen': True}]"},
		{"{% set e = d.copy() %}{{ e.clear() }}{{ e }}{{ d }}|{{ {}.fromkeys(['x', 'y'], 0) }}", "{}{'a': 1, 'b': 2}|{'x': 0, 'y': 0}"},
		{"{{ l.append(9) }}{{ l }}{{ d.update(c=3) }}{{ d }}", "[3, 1, 2, 1, 9]{'a': 1, 'b': 2, 'c': 3}"},
		{"{{ l.index(2) }}{{ l.count(1) }}{{ d.get('a') }}{{ d.items() | list }}", "221[('a', 1), ('b', 2)]"},
		{"{% set ns = namespace(items=[]) %}{% set ns.more = [] %}{% for i in [1, 2] %}{% set _ = ns.items.append(i) %}{% set _ = ns.more.insert(0, i) %}{% endfor %}{{ ns.items }}{{ ns.more }}", "[1, 2][2, 1]"},
		{"{% macro m(x) %}{% set _ = x.append(1) %}{% endmacro %}{{ m(l) }}{{ l }}", "[3, 1, 2, 1, 1]"},
		{"{% set e = {'a': [1]} %}{% for k, v in e.items() %}{{ k }}{{ v.append(2) }}{% endfor %}{% for v in e.values() %}{{ v.append(3) }}{% endfor %}{{ e }}{{ e.items() | list }}{{ e.items() | first }}", "a{'a': [1, 2, 3]}[('a', [1, 2, 3])]('a', [1, 2, 3])"},
	}
	for _, c := range cases {
		scope := NewScope(parseVars(t, collVars), Magic{})
		if got := mustRender(t, e, c.src, scope, TemplateDefaults()); got != c.want {
			t.Errorf("%s\ngot  %s\nwant %s", c.src, got, c.want)
		}
	}
}

// TestCollectionMethodErrors checks Python's errors.
func TestCollectionMethodErrors(t *testing.T) {
	e := NewEngine(Options{})
	cases := []struct{ src, want string }{
		{"{% set a = [1] %}{{ a.remove(9) }}", "list.remove(x): x not in list"},
		{"{% set a = [1] %}{{ a.index('x') }}", "'x' is not in list"},
		{"{% set a = [] %}{{ a.pop() }}", "pop from empty list"},
		{"{% set a = [1] %}{{ a.pop(3) }}", "pop index out of range"},
		{"{% set a = [1] %}{{ a.append() }}", "list.append() takes exactly one argument (0 given)"},
		{"{% set a = [1, 'a'] %}{{ a.sort() }}", "'<' not supported between instances of 'str' and 'int'"},
		{"{% set e = {} %}{{ e.pop('zz') }}", "KeyError: 'zz'"},
		{"{% set e = {} %}{{ e.popitem() }}", "KeyError: 'popitem(): dictionary is empty'"},
		{"{{ d.pop('zz') }}", "KeyError: 'zz'"},
		{"{{ l.remove(9) }}", "list.remove(x): x not in list"},
	}
	for _, c := range cases {
		scope := NewScope(parseVars(t, collVars), Magic{})
		_, err := e.RenderTemplate("m.j2", []byte(c.src), scope, TemplateDefaults())
		if err == nil || !strings.HasSuffix(err.Error(), ": "+c.want) || strings.Contains(err.Error(), "func") {
			t.Errorf("%s: error %v, want %q", c.src, err, c.want)
		}
	}
}

// TestGroupsMutatorChangesACopy checks that a dict method changing groups
// (a map the scopes share) works as on any variable's dict: on the
// render's copy, the shared map left as it was.
func TestGroupsMutatorChangesACopy(t *testing.T) {
	e := NewEngine(Options{})
	groups := map[string][]string{"all": {"h"}, "web": {"h"}}
	scope := NewScope(nil, Magic{Groups: groups})
	if got := mustRender(t, e, "{{ groups.pop('web') }}{{ groups }}", scope, TemplateDefaults()); got != "['h']{'all': ['h']}" {
		t.Errorf("groups.pop('web') then groups: %s, Python's ['h']{'all': ['h']}", got)
	}
	if len(groups) != 2 || mustRender(t, e, "{{ groups | length }}", scope, TemplateDefaults()) != "2" {
		t.Errorf("the shared groups changed: %v", groups)
	}
}

// TestMutationStaysInItsRender renders, on one scope and on a second host
// sharing the same raw variables, a template that changes variables (seen
// through every path to them in that render, as in Ansible), then a
// template that reads them: it sees the repository's values.
func TestMutationStaysInItsRender(t *testing.T) {
	e := NewEngine(Options{})
	raw := parseVars(t, collVars)
	first, second := NewScope(raw, Magic{InventoryHostname: "a"}), NewScope(raw, Magic{InventoryHostname: "b"})
	mutate := "{% set _ = l.append(9) %}{% set _ = d.update(c=3) %}{% set _ = nested['items'].append(2) %}" +
		"{% set n = nested %}{% set _ = n.sub.update(x=1) %}{% set _ = n['items'].append(3) %}{% set u = users %}{% set _ = u[0].update(z=1) %}{{ l }}{{ d }}{{ nested }}{{ users[0] }}"
	want := "[3, 1, 2, 1, 9]{'a': 1, 'b': 2, 'c': 3}{'items': [1, 2, 3], 'sub': {'k': 'v', 'x': 1}}{'name': 'a', 'z': 1}"
	if got := mustRender(t, e, mutate, first, TemplateDefaults()); got != want {
		t.Fatalf("mutating render: got %s, want %s", got, want)
	}
	read := "{{ l }}{{ d }}{{ nested }}{{ users }}"
	unchanged := "[3, 1, 2, 1]{'a': 1, 'b': 2}{'items': [1], 'sub': {'k': 'v'}}[{'name': 'a'}, {'name': 'b'}]"
	for _, scope := range []*Scope{first, second} {
		if got := mustRender(t, e, read, scope, TemplateDefaults()); got != unchanged {
			t.Errorf("a later render sees another's mutation: got %s, want %s", got, unchanged)
		}
	}
}

// TestParallelMutationsDoNotRace renders a template that changes shared
// variables many times at once (run with -race), half on one shared scope,
// half on scopes sharing its raw variables: each render sees its own
// mutations only.
func TestParallelMutationsDoNotRace(t *testing.T) {
	e := NewEngine(Options{})
	raw := parseVars(t, collVars)
	shared := NewScope(raw, Magic{})
	src := "{% set _ = l.append('h') %}{% set _ = d.update({'h': 1}) %}{% for u in users %}{% set _ = u.update(seen=1) %}{% endfor %}" +
		"{% set _ = nested['items'].append('h') %}{% set _ = nested.sub.pop('k') %}{{ l }} {{ d | length }} {{ nested }} {{ users | map(attribute='seen') | list }}"
	want := "[3, 1, 2, 1, 'h'] 3 {'items': [1, 'h'], 'sub': {}} [1, 1]"
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		scope := shared
		if i%2 == 1 {
			scope = NewScope(raw, Magic{})
		}
		wg.Go(func() {
			got, err := e.RenderTemplate("p.j2", []byte(src), scope, TemplateDefaults())
			if err != nil || string(got) != want {
				errs <- fmt.Errorf("got %q (%v), want %q", got, err, want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := mustRender(t, e, "{{ l }}{{ users }}", shared, TemplateDefaults()); got != "[3, 1, 2, 1][{'name': 'a'}, {'name': 'b'}]" {
		t.Errorf("the shared scope changed: %s", got)
	}
}
