package render

import (
	"errors"
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// A str method call's arguments, bound as CPython binds them
// (Objects/unicodeobject.c and its Argument Clinic declarations,
// Objects/clinic/unicodeobject.c.h, CPython 3.11): each family of methods
// takes its arguments in its own way and words a wrong call in its own way,
// and the messages here are CPython's.

// strCall is one call of a str method, its arguments as engine values.
type strCall struct {
	name   string
	args   []any
	kwargs map[string]any
}

func newStrCall(name string, va *exec.VarArgs) strCall {
	c := strCall{name: name, kwargs: make(map[string]any, len(va.KwArgs))}
	for _, arg := range va.Args {
		c.args = append(c.args, toPy(arg))
	}
	for key, value := range va.KwArgs {
		c.kwargs[key] = toPy(value)
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

func (c strCall) refuseKeywords() error {
	if len(c.kwargs) > 0 {
		return fmt.Errorf("str.%s() takes no keyword arguments", c.name)
	}
	return nil
}

// none binds a method without parameters (upper(), isspace(), ...).
func (c strCall) none() error {
	if err := c.refuseKeywords(); err != nil {
		return err
	}
	if len(c.args) > 0 {
		return fmt.Errorf("str.%s() takes no arguments (%d given)", c.name, len(c.args))
	}
	return nil
}

// one binds a method of one positional parameter (join, zfill, partition,
// removeprefix, ...).
func (c strCall) one() (any, error) {
	if err := c.refuseKeywords(); err != nil {
		return nil, err
	}
	if len(c.args) != 1 {
		return nil, fmt.Errorf("str.%s() takes exactly one argument (%d given)", c.name, len(c.args))
	}
	return c.args[0], nil
}

// positional binds the positional-only parameters of center, ljust, rjust
// and the strip family; the ones not passed are notGiven.
func (c strCall) positional(least, most int) ([]any, error) {
	if err := c.refuseKeywords(); err != nil {
		return nil, err
	}
	if len(c.args) < least {
		return nil, fmt.Errorf("%s expected at least %d %s, got %d", c.name, least, arguments(least), len(c.args))
	}
	if len(c.args) > most {
		return nil, fmt.Errorf("%s expected at most %d %s, got %d", c.name, most, arguments(most), len(c.args))
	}
	return padArgs(c.args, most), nil
}

// finds binds sub[, start[, end]] of count, find, index, startswith and
// their right-hand twins (stringlib's parse_args_finds).
func (c strCall) finds() ([]any, error) {
	if err := c.refuseKeywords(); err != nil {
		return nil, err
	}
	if len(c.args) < 1 {
		return nil, fmt.Errorf("%s() takes at least 1 argument (0 given)", c.name)
	}
	if len(c.args) > 3 {
		return nil, fmt.Errorf("%s() takes at most 3 arguments (%d given)", c.name, len(c.args))
	}
	return padArgs(c.args, 3), nil
}

// keywords binds parameters that may be passed by position or by name
// (split's sep and maxsplit, splitlines' keepends, expandtabs' tabsize).
func (c strCall) keywords(names ...string) ([]any, error) {
	if len(c.args) > len(names) {
		return nil, fmt.Errorf("%s() takes at most %d %s (%d given)", c.name, len(names), arguments(len(names)), len(c.args))
	}
	bound := padArgs(c.args, len(names))
	for _, key := range sortedKeys(c.kwargs) {
		i := indexOf(names, key)
		if i < 0 {
			return nil, fmt.Errorf("'%s' is an invalid keyword argument for %s()", key, c.name)
		}
		if i < len(c.args) {
			return nil, fmt.Errorf("argument for %s() given by name ('%s') and position (%d)", c.name, key, i+1)
		}
		bound[i] = c.kwargs[key]
	}
	return bound, nil
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
