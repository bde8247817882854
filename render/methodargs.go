package render

import (
	"errors"
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// The arguments of a Python method's call, bound as CPython 3.11 binds
// those of str's, list's and dict's methods (Objects/unicodeobject.c,
// listobject.c, dictobject.c and their Argument Clinic declarations in
// Objects/clinic/). How a method takes them decides how a wrong call is
// worded (Python/getargs.c): a method of no parameter or of one
// (METH_NOARGS, METH_O) and a refused keyword name the type, "str.upper()
// takes no arguments (1 given)"; Argument Clinic's positional-only
// parameters do not, "center expected at most 2 arguments, got 3";
// PyArg_ParseTuple's and keyword parameters word it as a function's,
// "split() takes at most 2 arguments (3 given)" (methodargs_test.go).

// methodCall is one call of a Python method. qualified is its name as the
// messages that name the type give it ("str.upper").
type methodCall struct {
	name, qualified string
	args            []any
	kwargs          map[string]any
	kwargOrder      []string // kwargs' names as the call wrote them (kwargNames)
}

// strMethodCall is a call of str's method name.
func strMethodCall(name string, va *exec.VarArgs) methodCall {
	return bindCall(name, "str."+name, va, toPy)
}

// listCall and dictCall are calls of list's and dict's method name, their
// arguments as a list or dict stores them (stored: an owned value itself).
func listCall(name string, va *exec.VarArgs) methodCall {
	return bindCall(name, "list."+name, va, stored)
}

func dictCall(name string, va *exec.VarArgs) methodCall {
	return bindCall(name, "dict."+name, va, stored)
}

// bindCall is a call of a method, its arguments converted by value.
func bindCall(name, qualified string, va *exec.VarArgs, value func(*exec.Value) any) methodCall {
	c := methodCall{name: name, qualified: qualified, args: make([]any, len(va.Args))}
	for i, arg := range va.Args {
		c.args[i] = value(arg)
	}
	if len(va.KwArgs) > 0 {
		c.kwargs = make(map[string]any, len(va.KwArgs))
		c.kwargOrder = kwargNames(va.KwArgs)
	}
	for _, key := range c.kwargOrder {
		c.kwargs[key] = value(va.KwArgs[key])
	}
	return c
}

// arguments is "argument" or "arguments", as CPython words a count.
func arguments(n int) string {
	if n == 1 {
		return "argument"
	}
	return "arguments"
}

func (c methodCall) refuseKeywords() error {
	if len(c.kwargs) > 0 {
		return fmt.Errorf("%s() takes no keyword arguments", c.qualified)
	}
	return nil
}

// none binds a method without parameters (upper(), list.clear(), ...).
func (c methodCall) none() error {
	if err := c.refuseKeywords(); err != nil {
		return err
	}
	if len(c.args) > 0 {
		return fmt.Errorf("%s() takes no arguments (%d given)", c.qualified, len(c.args))
	}
	return nil
}

// one binds a method of one positional parameter (join, zfill, partition,
// list.append, ...).
func (c methodCall) one() (any, error) {
	if err := c.refuseKeywords(); err != nil {
		return nil, err
	}
	if len(c.args) != 1 {
		return nil, fmt.Errorf("%s() takes exactly one argument (%d given)", c.qualified, len(c.args))
	}
	return c.args[0], nil
}

// positional binds Argument Clinic's positional-only parameters (center,
// the strip family, replace, list.insert, dict.get, ...); the ones not
// passed are notGiven.
func (c methodCall) positional(least, most int) ([]any, error) {
	if err := c.refuseKeywords(); err != nil {
		return nil, err
	}
	if err := c.expected(least, most); err != nil {
		return nil, err
	}
	return padArgs(c.args, most), nil
}

// expected checks the count of positional arguments as
// _PyArg_CheckPositional and PyArg_UnpackTuple do.
func (c methodCall) expected(least, most int) error {
	n := len(c.args)
	switch {
	case least == most && n != least:
		return fmt.Errorf("%s expected %d %s, got %d", c.name, least, arguments(least), n)
	case n < least:
		return fmt.Errorf("%s expected at least %d %s, got %d", c.name, least, arguments(least), n)
	case n > most:
		return fmt.Errorf("%s expected at most %d %s, got %d", c.name, most, arguments(most), n)
	}
	return nil
}

// finds binds sub[, start[, end]] of count, find, index, startswith and
// their right-hand twins (stringlib's parse_args_finds).
func (c methodCall) finds() ([]any, error) {
	if err := c.refuseKeywords(); err != nil {
		return nil, err
	}
	if len(c.args) < 1 {
		return nil, fmt.Errorf("%s() takes at least 1 argument (0 given)", c.name)
	}
	if err := c.atMost(3); err != nil {
		return nil, err
	}
	return padArgs(c.args, 3), nil
}

// atMost checks the count of all arguments as PyArg_ParseTuple and
// _PyArg_UnpackKeywords do ("keyword arguments" when all are keywords).
func (c methodCall) atMost(most int) error {
	given := len(c.args) + len(c.kwargs)
	if given <= most {
		return nil
	}
	kind := ""
	if len(c.args) == 0 {
		kind = "keyword "
	}
	return fmt.Errorf("%s() takes at most %d %s%s (%d given)", c.name, most, kind, arguments(most), given)
}

// keywords binds parameters that may be passed by position or by name
// (split's sep and maxsplit, splitlines' keepends, expandtabs' tabsize),
// checking as _PyArg_UnpackKeywords does: the count, a parameter given
// both ways, then an unknown name.
func (c methodCall) keywords(names ...string) ([]any, error) {
	if err := c.atMost(len(names)); err != nil {
		return nil, err
	}
	for i, name := range names[:len(c.args)] {
		if _, twice := c.kwargs[name]; twice {
			return nil, fmt.Errorf("argument for %s() given by name ('%s') and position (%d)", c.name, name, i+1)
		}
	}
	bound := padArgs(c.args, len(names))
	for _, key := range sortedKeys(c.kwargs) {
		i := indexOf(names, key)
		if i < 0 {
			return nil, fmt.Errorf("'%s' is an invalid keyword argument for %s()", key, c.name)
		}
		bound[i] = c.kwargs[key]
	}
	return bound, nil
}

// keywordOnly binds keyword-only parameters (list.sort's key and reverse).
func (c methodCall) keywordOnly(names ...string) ([]any, error) {
	if err := c.atMost(len(names)); err != nil {
		return nil, err
	}
	if len(c.args) > 0 {
		return nil, fmt.Errorf("%s() takes no positional arguments", c.name)
	}
	return c.keywords(names...)
}

func padArgs(args []any, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = notGiven
		if i < len(args) {
			out[i] = args[i]
		}
	}
	return out
}

// pyIndex is Python's operator.index for an int parameter: an int, or a
// bool (an int in Python).
func pyIndex(x any) (int, error) {
	if i, ok := asInt(x); ok {
		return i, nil
	}
	return 0, fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(x))
}

// intOr is an int parameter, or def when it was not passed.
func intOr(x any, def int) (int, error) {
	if x == notGiven {
		return def, nil
	}
	return pyIndex(x)
}

// indexBound is list.index's start or stop: an int
// (_PyEval_SliceIndexNotNone, which refuses None), or def when not passed.
func indexBound(x any, def int) (int, error) {
	if x == notGiven {
		return def, nil
	}
	if i, ok := asInt(x); ok {
		return i, nil
	}
	return 0, errors.New("slice indices must be integers or have an __index__ method")
}

// findBound is a start or end parameter: an int, or None (or absent) for
// def.
func findBound(x any, def int) (int, error) {
	if x == notGiven || x == nil {
		return def, nil
	}
	return sliceIndex(x)
}

// strOrNone is a parameter that is a str, or None (or absent) for the
// method's default ("" and false). wrong is CPython's message for
// anything else.
func strOrNone(x any, wrong string) (string, bool, error) {
	switch v := x.(type) {
	case string:
		return v, true, nil
	case nil, notGivenType:
		return "", false, nil
	}
	return "", false, errors.New(wrong)
}

// mustBeStr is a str parameter (a find's sub, a partition's sep).
func mustBeStr(x any) (string, error) {
	if s, ok := x.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("must be str, not %s", typeName(x))
}
