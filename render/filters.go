package render

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// A filter works on engine values: in is the filtered value, args the
// arguments bound to the filter's Python parameters (absent ones are
// notGiven).
type filter struct {
	params []string
	fn     func(in any, args []any) (any, error)
	// acceptsUndefined is set for default() and mandatory(), which Jinja2
	// hands an undefined value; every other filter fails on one.
	acceptsUndefined bool
	// keepsRange is set for the filters that see a range as a range
	// (string, type_debug); others get its list (unrolled), as Python's
	// iterate it.
	keepsRange bool
}

// notGiven marks a parameter the template did not pass.
type notGivenType struct{}

var notGiven = notGivenType{}

// or returns arg, or def when the template did not pass it.
func or(arg, def any) any {
	if arg == notGiven {
		return def
	}
	return arg
}

// gonjaFilters are Jinja2 filters whose gonja version matches Jinja2 well
// enough; they get plain Go values and their results are brought back.
var gonjaFilters = []string{
	"safe",
}

func newFilterSet(dataTagging func() bool) *exec.FilterSet {
	set := map[string]exec.FilterFunction{}
	for _, name := range gonjaFilters {
		if fn, ok := builtins.Filters.Get(name); ok {
			set[name] = gonjaFilter(fn)
		}
	}
	maps.Copy(set, iterFilters(dataTagging))
	for name, f := range ansibleFilters() {
		set[name] = f.function(name)
	}
	addMathFilters(set, dataTagging)
	set["format"] = filterFormat
	maps.Copy(set, internalFilters())
	maps.Copy(set, pathURLFilters(dataTagging))
	set["bool"] = filter{fn: boolFilter(dataTagging)}.function("bool")
	addCoreDependentJinjaFilters(set, dataTagging)
	refuseRanges(set, dataTagging)
	addUnsupportedFilters(set)
	qualifiedPlugins(set, filterKind, dataTagging, guardedFilter)
	return exec.NewFilterSet(set)
}

// refuseRanges makes the serializing filters fail on a range as Python's
// do: json under ansible-core 2.14 only (2.19's encoder takes any
// iterable), yaml under both.
func refuseRanges(set map[string]exec.FilterFunction, dataTagging func() bool) {
	always := func() bool { return true }
	under214 := func() bool { return !dataTagging() }
	for _, name := range []string{"to_json", "to_nice_json"} {
		set[name] = rangeRefused(set[name], under214, func(pyRange) string { return "Object of type range is not JSON serializable" })
	}
	for _, name := range []string{"to_yaml", "to_nice_yaml"} {
		set[name] = rangeRefused(set[name], always, func(r pyRange) string { return name + " - ('cannot represent an object', " + r.String() + ")" })
	}
}

// rangeRefused is fn failing with message's text on a range when refused
// says so.
func rangeRefused(fn exec.FilterFunction, refused func() bool, message func(pyRange) string) exec.FilterFunction {
	return func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if r, ok := toPy(in).(pyRange); ok && refused() {
			return exec.AsValue(errors.New(message(r)))
		}
		return fn(e, in, params)
	}
}

// function adapts f to gonja.
func (f filter) function(name string) exec.FilterFunction {
	return func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if in.IsError() && !(f.acceptsUndefined && isUndefinedValue(in)) {
			return in
		}
		args, err := bind(name, f.params, params)
		if err != nil {
			return exec.AsValue(err)
		}
		out, err := f.call(in, args)
		if err != nil {
			return exec.AsValue(err)
		}
		return exec.AsValue(out)
	}
}

// call runs f on in, a size past straylight's limits its error.
func (f filter) call(in *exec.Value, args []any) (out any, err error) {
	defer keepSizeLimit(&err)
	return f.fn(f.input(in), args)
}

// input is what f gets for in: a range's list unless f keeps ranges.
func (f filter) input(in *exec.Value) any {
	if f.keepsRange {
		return filterInput(in)
	}
	return unrolled(filterInput(in))
}

// filterInput is the engine value of in; an undefined value stays the
// *UndefinedError so default() and mandatory() can see it.
func filterInput(in *exec.Value) any {
	if in.IsError() {
		undefined, _ := asUndefined(in.Interface().(error))
		return undefined
	}
	return toPy(in)
}

// bind assigns positional and keyword arguments to params like Python,
// a range argument as its list.
func bind(name string, params []string, va *exec.VarArgs) ([]any, error) {
	return bindArgs(name, params, va, unrolled)
}

// bindArgs is bind with each argument passed through as.
func bindArgs(name string, params []string, va *exec.VarArgs, as func(any) any) ([]any, error) {
	if len(va.Args) > len(params) {
		return nil, fmt.Errorf("%s() takes at most %d arguments (%d given)", name, len(params), len(va.Args))
	}
	args := make([]any, len(params))
	for i := range args {
		args[i] = notGiven
		if i < len(va.Args) {
			args[i] = as(toPy(va.Args[i]))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(va.KwArgs)) { // the same error on every run
		i := indexOf(params, key)
		if i < 0 {
			return nil, fmt.Errorf("%s() got an unexpected keyword argument '%s'", name, key)
		}
		args[i] = as(toPy(va.KwArgs[key]))
	}
	return args, nil
}

func indexOf(list []string, s string) int {
	for i, item := range list {
		if item == s {
			return i
		}
	}
	return -1
}

// gonjaFilter runs one of gonja's filters on plain Go values and brings its
// result into the engine's shape.
func gonjaFilter(fn exec.FilterFunction) exec.FilterFunction {
	return func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if in.IsError() {
			return in
		}
		origins := dictOrigins{}
		plainParams := &exec.VarArgs{Args: make([]*exec.Value, len(params.Args)), KwArgs: map[string]*exec.Value{}}
		for i, arg := range params.Args {
			plainParams.Args[i] = exec.AsValue(origins.plain(toPy(arg)))
		}
		for key, arg := range params.KwArgs {
			plainParams.KwArgs[key] = exec.AsValue(origins.plain(toPy(arg)))
		}
		out := fn(e, exec.AsValue(origins.plain(toPy(in))), plainParams)
		if out.IsError() {
			return out
		}
		restored := exec.AsValue(origins.restore(out.Interface()))
		return &exec.Value{Val: exec.AsValue(toPy(restored)).Val, Safe: out.Safe}
	}
}
