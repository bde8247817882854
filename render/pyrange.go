package render

import (
	"errors"
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// pyRange is what Jinja2's range() returns: Python's range object, not a
// list. Filters, tests, `in` and for loops see its items (a filter's
// output is a list: _jinja_plugins.py:33 at v2.19.14, and ansible-core
// 2.14's _unroll_iterator); printing it inside a string or a container
// shows range(0, 3). The cores differ where a {{ }} gives a range itself:
// 2.14's finalize unrolls it into its list (template/__init__.py:483-497
// at v2.14.18), 2.19 prints range(0, 3) beside other output and refuses
// it as a template's only value (_jinja_bits.py:999 and :1096-1097 at
// v2.19.14).
type pyRange struct {
	start, stop, step int
}

// String is Python's repr(): range(0, 3), range(1, 7, 2).
func (r pyRange) String() string {
	if r.step == 1 {
		return fmt.Sprintf("range(%d, %d)", r.start, r.stop)
	}
	return fmt.Sprintf("range(%d, %d, %d)", r.start, r.stop, r.step)
}

// items is the range's list.
func (r pyRange) items() pyList {
	out := pyList{}
	for i := r.start; (r.step > 0 && i < r.stop) || (r.step < 0 && i > r.stop); i += r.step {
		out = append(out, i)
	}
	return out
}

// GetItem implements exec.ItemGetter: range(5)[1], range(5)[-1].
func (r pyRange) GetItem(key any) (*exec.Value, bool) {
	return r.items().GetItem(key)
}

// GetAttribute implements exec.AttributeGetter: a range has no attribute
// templates use.
func (r pyRange) GetAttribute(string) (*exec.Value, bool) { return exec.AsValue(nil), false }

// unrolled is x with a range replaced by its list: what a filter, a test
// or an operator iterating x sees.
func unrolled(x any) any {
	if r, ok := x.(pyRange); ok {
		return r.items()
	}
	return x
}

// rangeGlobal is range([start,] stop[, step]).
func rangeGlobal(args *exec.VarArgs) *exec.Value {
	bounds, err := rangeBounds(args.Args)
	if err != nil {
		return exec.AsValue(err)
	}
	r := pyRange{stop: bounds[0], step: 1}
	if len(bounds) > 1 {
		r.start, r.stop = bounds[0], bounds[1]
	}
	if len(bounds) == 3 {
		r.step = bounds[2]
	}
	if r.step == 0 {
		return exec.AsValue(errors.New("range() arg 3 must not be zero"))
	}
	return exec.AsValue(r)
}

// rangeBounds reads range()'s one to three int arguments.
func rangeBounds(args []*exec.Value) ([]int, error) {
	if len(args) < 1 || len(args) > 3 {
		return nil, fmt.Errorf("range expected 1 to 3 arguments, got %d", len(args))
	}
	bounds := make([]int, len(args))
	for i, arg := range args {
		n, ok := asInt(toPy(arg))
		if !ok {
			return nil, fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(toPy(arg)))
		}
		bounds[i] = n
	}
	return bounds, nil
}

// storable is nil unless value holds a range, which ansible-core 2.19
// refuses as a template's result, inside a list or dict too
// (_finalize_template_result in TOP_LEVEL mode: _jinja_bits.py:1071-1108
// at v2.19.14).
func storable(value any) error {
	switch v := value.(type) {
	case pyRange:
		//lint:ignore ST1005 ansible-core's message, byte for byte
		return errors.New("Type 'range' is unsupported for variable storage.")
	case pyList:
		return firstUnstorable(v)
	case pyTuple:
		return firstUnstorable(pyList(v))
	case pyDict:
		return firstUnstorable(dictValues(v))
	}
	return nil
}

func firstUnstorable(items pyList) error {
	for _, item := range items {
		if err := storable(item); err != nil {
			return err
		}
	}
	return nil
}
