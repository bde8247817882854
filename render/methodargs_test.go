package render

import (
	"strings"
	"testing"
)

// wrongMethodCalls are calls of str, list and dict methods with the wrong
// number or kind of arguments, and CPython 3.11's message for each
// (computed with python3.11: eval of each expression, with collVars'
// variables, groups {'all': ['h']} and none for None). Each literal list
// or dict is also called as a {% set %} variable's and a repository
// variable's (l, d, nested.sub, users[0], groups): the render reaches
// their methods in different ways.
var wrongMethodCalls = []struct{ expr, message string }{
	{"'a'.upper(1)", "str.upper() takes no arguments (1 given)"},
	{"'a'.title(1, 2)", "str.title() takes no arguments (2 given)"},
	{"'a'.upper(x=1)", "str.upper() takes no keyword arguments"},
	{"'a'.join()", "str.join() takes exactly one argument (0 given)"},
	{"'a'.join(1, 2)", "str.join() takes exactly one argument (2 given)"},
	{"'a'.removeprefix('a', 'b')", "str.removeprefix() takes exactly one argument (2 given)"},
	{"'a'.zfill(x=1)", "str.zfill() takes no keyword arguments"},
	{"'a'.center()", "center expected at least 1 argument, got 0"},
	{"'a'.center(1, 2, 3)", "center expected at most 2 arguments, got 3"},
	{"'a'.center(width=1)", "str.center() takes no keyword arguments"},
	{"'a'.strip(1, 2)", "strip expected at most 1 argument, got 2"},
	{"'a'.rstrip(x=1)", "str.rstrip() takes no keyword arguments"},
	{"'a'.replace('a')", "replace expected at least 2 arguments, got 1"},
	{"'a'.replace('a', 'b', 1, 2)", "replace expected at most 3 arguments, got 4"},
	{"'a'.find()", "find() takes at least 1 argument (0 given)"},
	{"'a'.find('a', 1, 2, 3)", "find() takes at most 3 arguments (4 given)"},
	{"'a'.find(x=1)", "str.find() takes no keyword arguments"},
	{"'a'.startswith()", "startswith() takes at least 1 argument (0 given)"},
	{"'a'.endswith('a', 1, 2, 3)", "endswith() takes at most 3 arguments (4 given)"},
	{"'a'.count('a', 1, 2, 3)", "count() takes at most 3 arguments (4 given)"},
	{"'a'.split(1, 2, 3)", "split() takes at most 2 arguments (3 given)"},
	{"'a'.split(sep=1, x=2)", "'x' is an invalid keyword argument for split()"},
	{"'a'.split(' ', sep=' ')", "argument for split() given by name ('sep') and position (1)"},
	{"'a'.splitlines(1, 2)", "splitlines() takes at most 1 argument (2 given)"},
	{"'a'.splitlines(x=1)", "'x' is an invalid keyword argument for splitlines()"},
	{"[1].append()", "list.append() takes exactly one argument (0 given)"},
	{"[1].append(1, 2)", "list.append() takes exactly one argument (2 given)"},
	{"[1].append(x=1)", "list.append() takes no keyword arguments"},
	{"{% set a = [1] %}{{ a.append(1, 2) }}", "list.append() takes exactly one argument (2 given)"},
	{"l.append(x=1)", "list.append() takes no keyword arguments"},
	{"[1].extend()", "list.extend() takes exactly one argument (0 given)"},
	{"[1].remove()", "list.remove() takes exactly one argument (0 given)"},
	{"[1].count()", "list.count() takes exactly one argument (0 given)"},
	{"[1].insert(1)", "insert expected 2 arguments, got 1"},
	{"[1].insert(1, 2, 3)", "insert expected 2 arguments, got 3"},
	{"{% set a = [1] %}{{ a.insert(1) }}", "insert expected 2 arguments, got 1"},
	{"[1].index()", "index expected at least 1 argument, got 0"},
	{"[1].index(1, 2, 3, 4)", "index expected at most 3 arguments, got 4"},
	{"l.index()", "index expected at least 1 argument, got 0"},
	{"[1].reverse(1)", "list.reverse() takes no arguments (1 given)"},
	{"[1].clear(1)", "list.clear() takes no arguments (1 given)"},
	{"[1].copy(1)", "list.copy() takes no arguments (1 given)"},
	{"{% set a = [1] %}{{ a.copy(1) }}", "list.copy() takes no arguments (1 given)"},
	{"[1].sort(1)", "sort() takes no positional arguments"},
	{"[1].sort(x=1)", "'x' is an invalid keyword argument for sort()"},
	{"l.sort(1)", "sort() takes no positional arguments"},
	{"{}.get()", "get expected at least 1 argument, got 0"},
	{"{}.get(1, 2, 3)", "get expected at most 2 arguments, got 3"},
	{"{% set e = {} %}{{ e.get(1, 2, 3) }}", "get expected at most 2 arguments, got 3"},
	{"{}.update(1, 2)", "update expected at most 1 argument, got 2"},
	{"d.update(1, 2)", "update expected at most 1 argument, got 2"},
	{"{}.pop()", "pop expected at least 1 argument, got 0"},
	{"{}.pop(1, 2, 3)", "pop expected at most 2 arguments, got 3"},
	{"d.pop()", "pop expected at least 1 argument, got 0"},
	{"{}.setdefault()", "setdefault expected at least 1 argument, got 0"},
	{"{}.setdefault(1, 2, 3)", "setdefault expected at most 2 arguments, got 3"},
	{"{}.fromkeys()", "fromkeys expected at least 1 argument, got 0"},
	{"{}.clear(1)", "dict.clear() takes no arguments (1 given)"},
	{"{}.copy(1)", "dict.copy() takes no arguments (1 given)"},
	{"{% set e = {} %}{{ e.clear(1) }}", "dict.clear() takes no arguments (1 given)"},
	{"{}.values(1)", "dict.values() takes no arguments (1 given)"},
	{"{}.items(1)", "dict.items() takes no arguments (1 given)"},
	{"{}.items(x=1)", "dict.items() takes no keyword arguments"},
	{"{}.keys(1)", "dict.keys() takes no arguments (1 given)"},
	{"{}.popitem(1)", "dict.popitem() takes no arguments (1 given)"},
	{"{}.popitem(x=1)", "dict.popitem() takes no keyword arguments"},
	{"{}.get(x=1)", "dict.get() takes no keyword arguments"},
	{"{}.pop(1, x=1)", "dict.pop() takes no keyword arguments"},
	{"{}.setdefault(1, x=1)", "dict.setdefault() takes no keyword arguments"},
	{"{}.fromkeys([1], x=1)", "dict.fromkeys() takes no keyword arguments"},
	{"{}.fromkeys([1], 2, 3)", "fromkeys expected at most 2 arguments, got 3"},
	{"d.get()", "get expected at least 1 argument, got 0"},
	{"d.get(1, 2, 3)", "get expected at most 2 arguments, got 3"},
	{"d.get(x=1)", "dict.get() takes no keyword arguments"},
	{"d.keys(1)", "dict.keys() takes no arguments (1 given)"},
	{"d.keys(x=1)", "dict.keys() takes no keyword arguments"},
	{"d.values(1)", "dict.values() takes no arguments (1 given)"},
	{"d.items(1)", "dict.items() takes no arguments (1 given)"},
	{"d.popitem(1)", "dict.popitem() takes no arguments (1 given)"},
	{"nested.sub.get(1, 2, 3)", "get expected at most 2 arguments, got 3"},
	{"users[0].keys(1)", "dict.keys() takes no arguments (1 given)"},
	{"groups.keys(1)", "dict.keys() takes no arguments (1 given)"},
	{"groups.get(1, 2, 3)", "get expected at most 2 arguments, got 3"},
	{"groups.pop()", "pop expected at least 1 argument, got 0"},
	{"groups.popitem(1)", "dict.popitem() takes no arguments (1 given)"},
	{"{% set e = {} %}{{ e.items(1) }}", "dict.items() takes no arguments (1 given)"},
	{"[].pop(1, 2)", "pop expected at most 1 argument, got 2"},
	{"l.pop(1, 2)", "pop expected at most 1 argument, got 2"},
	{"[1].pop(x=1)", "list.pop() takes no keyword arguments"},
	{"l.pop(x=1)", "list.pop() takes no keyword arguments"},
	{"[1].insert(0, x=1)", "list.insert() takes no keyword arguments"},
	{"[1].index(1, x=1)", "list.index() takes no keyword arguments"},
	{"[1].index(1, 'a')", "slice indices must be integers or have an __index__ method"},
	{"[1].index(1, 0, none)", "slice indices must be integers or have an __index__ method"},
	{"[1].index(1, 1.5)", "slice indices must be integers or have an __index__ method"},
	{"l.index(1, none)", "slice indices must be integers or have an __index__ method"},
	{"[1].sort(1, 2, 3)", "sort() takes at most 2 arguments (3 given)"},
	{"[1].sort(x=1, y=2, z=3)", "sort() takes at most 2 keyword arguments (3 given)"},
	{"'a'.expandtabs(1, tabsize=2)", "expandtabs() takes at most 1 argument (2 given)"},
	{"'a'.expandtabs(tabsize=2, x=1)", "expandtabs() takes at most 1 keyword argument (2 given)"},
	{"'a'.split(' ', 1, sep=' ')", "split() takes at most 2 arguments (3 given)"},
	{"'a'.split(x=1, y=2, z=3)", "split() takes at most 2 keyword arguments (3 given)"},
	{"'a'.splitlines(1, keepends=1)", "splitlines() takes at most 1 argument (2 given)"},
}

// methodCallError renders expr (a template, or an expression printed) and
// returns its error's message, without the template and line before it.
func methodCallError(t *testing.T, e *Engine, expr string) (string, bool) {
	t.Helper()
	src := expr
	if !strings.Contains(expr, "{%") {
		src = "{{ " + expr + " }}"
	}
	_, err := e.RenderTemplate("m.j2", []byte(src), NewScope(parseVars(t, collVars), Magic{Groups: map[string][]string{"all": {"h"}}}), TemplateDefaults())
	if err == nil {
		return "", false
	}
	return err.Error(), true
}

func TestWrongMethodCallsFailAsPythons(t *testing.T) {
	e := NewEngine(Options{})
	for _, c := range wrongMethodCalls {
		got, failed := methodCallError(t, e, c.expr)
		if !failed || !strings.HasSuffix(got, ": "+c.message) || strings.Contains(got, "func") {
			t.Errorf("%s: error %q, Python's is %q", c.expr, got, c.message)
		}
	}
}

// startEndCases are calls with start and end indexes (list.index's, the
// str find methods', list.insert's place) and Python 3.11's result: a
// negative index counts from the end, and is 0 when still negative; an end
// past the end is the end; a start past the end finds nothing, "" neither.
var startEndCases = []struct{ src, want string }{
	{"{{ [3, 1, 2, 1].index(1, -2) }}", "3"},
	{"{{ [3, 1, 2, 1].index(1, -9) }}", "1"},
	{"{{ [3, 1, 2, 1].index(2, 0, -1) }}", "2"},
	{"{{ [3, 1, 2, 1].index(1, 1, 99) }}", "1"},
	{"{{ [3, 1, 2, 1].index(3, -99, -3) }}", "0"},
	{"{{ [3, 1, 2, 1].index(1, true) }}", "1"},
	{"{{ 'banana'.find('a', -3) }}", "3"},
	{"{{ 'banana'.find('a', -99, -4) }}", "1"},
	{"{{ 'banana'.find('n', 0, -3) }}", "2"},
	{"{{ 'banana'.rfind('a', -99, 99) }}", "5"},
	{"{{ 'banana'.find('a', 9) }}", "-1"},
	{"{{ 'banana'.count('a', -4, -1) }}", "1"},
	{"{{ 'banana'.count('', -2, 99) }}", "3"},
	{"{{ 'banana'.count('', 4, 2) }}", "0"},
	{"{{ 'banana'.index('n', -3, -1) }}", "4"},
	{"{{ 'banana'.rindex('a', 0, -1) }}", "3"},
	{"{{ 'banana'.startswith('an', -5) }}", "True"},
	{"{{ 'banana'.startswith('na', -2, 99) }}", "True"},
	{"{{ 'banana'.endswith('an', -99, -2) }}", "False"},
	{"{{ 'banana'.endswith('', 6, 6) }}", "True"},
	{"{{ 'banana'.endswith('', 7) }}", "False"},
	{"{{ 'ab'.find('', 2) }}", "2"},
	{"{{ 'ab'.find('', -1, -5) }}", "-1"},
	{"{{ 'ab'.startswith('', -1, -5) }}", "False"},
	{"{% set a = [1, 2] %}{{ a.insert(-1, 'x') }}{{ a }}", "[1, 'x', 2]"},
	{"{% set a = [1, 2] %}{{ a.insert(-2, 'x') }}{{ a }}", "['x', 1, 2]"},
	{"{% set a = [1, 2] %}{{ a.insert(-9, 'x') }}{{ a }}", "['x', 1, 2]"},
	{"{% set a = [1, 2] %}{{ a.insert(2, 'x') }}{{ a }}", "[1, 2, 'x']"},
	{"{% set a = [1, 2] %}{{ a.insert(9, 'x') }}{{ a }}", "[1, 2, 'x']"},
	{"{% set a = [1, 2] %}{{ a.insert(true, 'x') }}{{ a }}", "[1, 'x', 2]"},
}

func TestStartAndEndAsPythons(t *testing.T) {
	e := NewEngine(Options{})
	for _, c := range startEndCases {
		if got := mustRender(t, e, c.src, NewScope(nil, Magic{}), TemplateDefaults()); got != c.want {
			t.Errorf("%s = %q, Python: %q", c.src, got, c.want)
		}
	}
}
