package render

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

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

// length is len(range): how many items it has.
func (r pyRange) length() int {
	if r.step > 0 && r.start < r.stop {
		return spanCount(r.stop-r.start, r.step)
	}
	if r.step < 0 && r.start > r.stop {
		return spanCount(r.start-r.stop, -r.step)
	}
	return 0
}

// spanCount is how many steps of step fit in a span of span (both
// positive, span possibly past MaxInt as a difference of two ints),
// counted in uint64 so that range(0, 2**63-1, 2) does not overflow;
// MaxInt at most, where Python's len() raises OverflowError.
func spanCount(span, step int) int {
	n := (uint64(span)-1)/uint64(step) + 1
	return int(min(n, math.MaxInt))
}

// emptyRange is an empty range as gonja must hold it: a Go slice of no
// items, which gonja takes as false in {% if %}, not, and, or, select
// and the rest, as Python takes an empty range (range(0) is true as a Go
// struct). The one slot past its length keeps the range itself, which
// canonical gives back, so that it prints as range(5, 5).
type emptyRange []pyRange

// value is r as the engine hands it to gonja: an emptyRange when r has
// no items.
func (r pyRange) value() any {
	if r.length() > 0 {
		return r
	}
	held := make(emptyRange, 1)
	held[0] = r
	return held[:0]
}

// pyRange is the empty range e holds.
func (e emptyRange) pyRange() pyRange { return e[:1][0] }

// items is the range's list; one past resultLimit is refused (a
// sizeLimitError panic, which protect returns), where Python would build
// it until memory ran out.
func (r pyRange) items() pyList {
	refuseItems("listing "+r.String(), float64(r.length()))
	out := make(pyList, 0, r.length())
	for i := r.start; (r.step > 0 && i < r.stop) || (r.step < 0 && i > r.stop); i += r.step {
		out = append(out, i)
	}
	return out
}

// GetItem implements exec.ItemGetter: range(5)[1], range(5)[-1], an
// index read without listing the range; a slice lists it.
func (r pyRange) GetItem(key any) (*exec.Value, bool) {
	if i, isInt := key.(int); isInt {
		return r.at(i)
	}
	return r.items().GetItem(key)
}

// at is r[i]; one out of range is undefined, as a list's is.
func (r pyRange) at(i int) (*exec.Value, bool) {
	n := r.length()
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return pyList{}.GetItem(i)
	}
	return exec.AsValue(r.start + i*r.step), true
}

// contains is x in r, worked out for an int as Python's range does,
// without listing the range.
func (r pyRange) contains(x any) (bool, bool) {
	i, isInt := x.(int)
	if !isInt {
		return false, false
	}
	offset := i - r.start
	inside := (r.step > 0 && i >= r.start && i < r.stop) || (r.step < 0 && i <= r.start && i > r.stop)
	return inside && offset%r.step == 0, true
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
	return exec.AsValue(r.value())
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

// sliceFunc is what a slice x[start:stop:step] is rewritten into (a call,
// with None for a bound left out): gonja slices only Go slices and
// strings, and makes a list of a range's slice.
const sliceFunc = "__straylight_slice"

// sliceCall is x[start:stop:step] as Python computes it: a list's or a
// tuple's items, a string's characters, and a range of a range
// (range(10)[2:5] is range(2, 5): Objects/rangeobject.c compute_slice at
// CPython v3.11.2), which each core then prints as it prints a range.
func sliceCall(args *exec.VarArgs) *exec.Value {
	out, err := pySlice(toPy(args.Args[0]), toPy(args.Args[1]), toPy(args.Args[2]), toPy(args.Args[3]))
	if err != nil {
		return exec.AsValue(err)
	}
	return exec.AsValue(out)
}

func pySlice(x, start, stop, step any) (any, error) {
	length, ok := sliceableLength(x)
	if !ok {
		return nil, fmt.Errorf("'%s' object is not subscriptable", typeName(x))
	}
	first, last, by, err := sliceIndices(length, start, stop, step)
	if err != nil {
		return nil, err
	}
	switch v := x.(type) {
	case pyRange:
		return pyRange{start: v.start + first*v.step, stop: v.start + last*v.step, step: v.step * by}.value(), nil
	case string:
		runes := []rune(v)
		return string(pickItems(first, last, by, func(i int) rune { return runes[i] })), nil
	case pyTuple:
		return pyTuple(pickItems(first, last, by, func(i int) any { return v[i] })), nil
	}
	list := x.(pyList)
	return pyList(pickItems(first, last, by, func(i int) any { return list[i] })), nil
}

// sliceableLength is len(x) for the values a slice takes.
func sliceableLength(x any) (int, bool) {
	switch v := x.(type) {
	case pyRange:
		return v.length(), true
	case string:
		return utf8.RuneCountInString(v), true
	case pyList:
		return len(v), true
	case pyTuple:
		return len(v), true
	}
	return 0, false
}

// pickItems is item(first), item(first+by), ... up to last (excluded).
func pickItems[T any](first, last, by int, item func(int) T) []T {
	out := []T{}
	for i := first; (by > 0 && i < last) || (by < 0 && i > last); i += by {
		out = append(out, item(i))
	}
	return out
}

// sliceIndices is Python's slice(start, stop, step).indices(length), a
// None bound taking its default.
func sliceIndices(length int, start, stop, step any) (first, last, by int, err error) {
	by = 1
	if step != nil {
		if by, err = sliceIndex(step); err != nil {
			return 0, 0, 0, err
		}
		if by == 0 {
			return 0, 0, 0, errors.New("slice step cannot be zero")
		}
	}
	if first, err = sliceBound(start, length, by, false); err != nil {
		return 0, 0, 0, err
	}
	last, err = sliceBound(stop, length, by, true)
	return first, last, by, err
}

// sliceBound is one bound of slice.indices: the default end when it is
// None (the start's or, isStop, the stop's end in the step's direction),
// counted from the end when negative, then clamped to the sequence
// (PySlice_AdjustIndices, Objects/sliceobject.c at CPython v3.11.2).
func sliceBound(bound any, length, by int, isStop bool) (int, error) {
	lowest, highest := 0, length
	if by < 0 {
		lowest, highest = -1, length-1
	}
	if bound == nil {
		if isStop == (by > 0) {
			return highest, nil
		}
		return lowest, nil
	}
	i, err := sliceIndex(bound)
	if err != nil {
		return 0, err
	}
	if i < 0 {
		i += length
	}
	return min(max(i, lowest), highest), nil
}

func sliceIndex(x any) (int, error) {
	if i, ok := asInt(x); ok {
		return i, nil
	}
	return 0, errors.New("slice indices must be integers or None or have an __index__ method")
}

// startAndEnd are a start and an end parameter into n items, read by read
// (their defaults 0 and n) and adjusted: the end at most n, a start past
// it left there (it finds nothing, not even "").
func startAndEnd(start, end any, n int, read func(any, int) (int, error)) (int, int, error) {
	i, err := read(start, 0)
	if err != nil {
		return 0, 0, err
	}
	j, err := read(end, n)
	return adjustIndex(i, n), min(adjustIndex(j, n), n), err
}

// adjustIndex is an index into n items as CPython adjusts a start or an
// end (ADJUST_INDICES in Objects/unicodeobject.c, list_index_impl and ins1
// in Objects/listobject.c, CPython 3.11): counted from the end when
// negative, and 0 when still negative.
func adjustIndex(i, n int) int {
	if i < 0 {
		return max(i+n, 0)
	}
	return i
}
