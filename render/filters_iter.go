package render

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Jinja2 3.1's map, select, reject, selectattr, rejectattr and sort
// (jinja2/filters.py: do_map, select_or_reject, do_sort,
// make_attrgetter, make_multi_attrgetter), in place of gonja's, which
// iterated a dict in sorted key order, called a filter by name with Go maps
// (losing the dicts' key order) and read a missing attribute as None where
// Jinja2 reads an undefined, which fails the task in Ansible.
//
// One difference is kept on purpose: an undefined attribute (or a filter's
// undefined result) fails at once. ansible-core 2.19 fails there too;
// 2.14 fails only when the undefined item is used (printed, compared,
// joined), so `users | map(attribute='missing') | list | length` counts the
// items under 2.14 and fails here (docs/ansible-semantics.md §5).

func iterFilters(tagged func() bool) map[string]exec.FilterFunction {
	return map[string]exec.FilterFunction{
		"map":        filterMap,
		"select":     selectFilter(false, false, tagged),
		"reject":     selectFilter(true, false, tagged),
		"selectattr": selectFilter(false, true, tagged),
		"rejectattr": selectFilter(true, true, tagged),
		"sort":       sortFilter(tagged),
	}
}

// iterated is what Jinja2's `if value: for item in value` sees: nothing
// for a falsy value (None, an empty string), else the items.
func iterated(in *exec.Value) (pyList, error) {
	value := toPy(in)
	if !pyTruthy(value) {
		return nil, nil
	}
	return pyIter(value)
}

// filterMap is do_map: each item's attribute (attribute=, default=) or the
// named filter applied to each item with the remaining arguments.
func filterMap(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	apply, err := mapFunction(e, params)
	if err != nil {
		return exec.AsValue(err)
	}
	items, err := iterated(in)
	if err != nil {
		return exec.AsValue(err)
	}
	return collect(items, apply)
}

// collect applies fn to every item, stopping at the first failure.
func collect(items pyList, fn func(any) (any, error)) *exec.Value {
	out := make(pyList, len(items))
	for i, item := range items {
		value, err := fn(item)
		if err != nil {
			return exec.AsValue(err)
		}
		out[i] = value
	}
	return exec.AsValue(out)
}

// mapFunction is prepare_map's func.
func mapFunction(e *exec.Evaluator, params *exec.VarArgs) (func(any) (any, error), error) {
	if len(params.Args) == 0 {
		return mapAttribute(params.KwArgs)
	}
	name := params.Args[0].String()
	rest := &exec.VarArgs{Args: params.Args[1:], KwArgs: params.KwArgs}
	return func(item any) (any, error) {
		return definedValue(e.ExecuteFilterByName(name, exec.AsValue(item), rest))
	}, nil
}

// mapAttribute is map(attribute=..., default=...).
func mapAttribute(kwargs map[string]*exec.Value) (func(any) (any, error), error) {
	attribute, ok := kwargs["attribute"]
	if !ok {
		return nil, errors.New("map requires a filter argument")
	}
	for _, key := range slices.Sorted(maps.Keys(kwargs)) {
		if key != "attribute" && key != "default" {
			//lint:ignore ST1005 Jinja2's message, byte for byte
			return nil, fmt.Errorf("Unexpected keyword argument '%s'", key)
		}
	}
	var fallback any
	if value, given := kwargs["default"]; given {
		fallback = toPy(value)
	}
	parts := attributeParts(toPy(attribute))
	return func(item any) (any, error) {
		return definedItem(attributeWithDefault(item, parts, fallback))
	}, nil
}

// definedValue is a filter's result as an engine value; an error or an
// undefined result fails.
func definedValue(out *exec.Value) (any, error) {
	if out.IsError() {
		return nil, out.Interface().(error)
	}
	return definedItem(toPy(out))
}

func definedItem(value any) (any, error) {
	if undefined, ok := value.(*UndefinedError); ok {
		return nil, undefined
	}
	return value, nil
}

// attributeParts is _prepare_attribute_parts: a string is split on dots,
// its all-digit parts read as list indexes; anything else is one part.
func attributeParts(attribute any) []any {
	text, isString := attribute.(string)
	if !isString {
		return []any{attribute}
	}
	parts := []any{}
	for _, part := range strings.Split(text, ".") {
		parts = append(parts, digitPart(part))
	}
	return parts
}

func digitPart(part string) any {
	if part == "" || strings.TrimLeft(part, "0123456789") != "" {
		return part
	}
	if index, err := strconv.Atoi(part); err == nil {
		return index
	}
	return part
}

// attributeWithDefault is make_attrgetter's attrgetter: each part read in
// turn, an undefined one replaced by fallback when there is one.
func attributeWithDefault(item any, parts []any, fallback any) any {
	for _, part := range parts {
		item = jinjaGetItem(item, part)
		if _, undefined := item.(*UndefinedError); undefined && fallback != nil {
			item = fallback
		}
	}
	return item
}

// selectFilter is select_or_reject: the items whose test (or truth, with
// no test named) passes, or fails with reject; with attr the test reads
// each item's attribute, its first argument.
func selectFilter(reject, attr bool, tagged func() bool) exec.FilterFunction {
	return func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if in.IsError() {
			return in
		}
		items, err := iterated(in)
		if err != nil || len(items) == 0 {
			return emptyOr(err)
		}
		keep, err := selectTest(e, params, attr, tagged)
		if err != nil {
			return exec.AsValue(err)
		}
		return kept(items, keep, reject)
	}
}

func emptyOr(err error) *exec.Value {
	if err != nil {
		return exec.AsValue(err)
	}
	return exec.AsValue(pyList{})
}

// kept is the items keep passes (or fails, with reject).
func kept(items pyList, keep func(any) (bool, error), reject bool) *exec.Value {
	out := pyList{}
	for _, item := range items {
		pass, err := keep(item)
		if err != nil {
			return exec.AsValue(err)
		}
		if pass != reject {
			out = append(out, item)
		}
	}
	return exec.AsValue(out)
}

// selectTest is prepare_select_or_reject's func, before reject's not.
func selectTest(e *exec.Evaluator, params *exec.VarArgs, attr bool, tagged func() bool) (func(any) (bool, error), error) {
	read := func(item any) any { return item }
	args := params.Args
	if attr {
		if len(args) == 0 {
			//lint:ignore ST1005 Jinja2's message, byte for byte
			return nil, errors.New("Missing parameter for attribute name")
		}
		parts := attributeParts(toPy(args[0]))
		read = func(item any) any { return attributeWithDefault(item, parts, nil) }
		args = args[1:]
	}
	if len(args) == 0 {
		return func(item any) (bool, error) { return truthOfItem(read(item)) }, nil
	}
	return namedTest(e, args[0].String(), &exec.VarArgs{Args: args[1:], KwArgs: params.KwArgs}, read, tagged)
}

// truthOfItem is bool(x); an undefined has none (Ansible's undefined is
// strict).
func truthOfItem(x any) (bool, error) {
	if undefined, ok := x.(*UndefinedError); ok {
		return false, undefined
	}
	return pyTruthy(x), nil
}

// namedTest runs the test called name on each item read.
func namedTest(e *exec.Evaluator, name string, args *exec.VarArgs, read func(any) any, tagged func() bool) (func(any) (bool, error), error) {
	if err := testNameRefused(e, name, tagged()); err != nil {
		return nil, err
	}
	return func(item any) (bool, error) {
		out := e.ExecuteTestByName(name, testInput(read(item)), args)
		if out.IsError() {
			return false, out.Interface().(error)
		}
		return out.Bool(), nil
	}, nil
}

// testInput is x as a test gets it: an undefined as the error value a
// missing variable evaluates to.
func testInput(x any) *exec.Value {
	if undefined, ok := x.(*UndefinedError); ok {
		return undefinedValue(undefined)
	}
	return exec.AsValue(x)
}

// testNameRefused is Jinja2's "No test named" (and Ansible's refusal of
// a Jinja2 test under a collection name it does not have).
func testNameRefused(e *exec.Evaluator, name string, tagged bool) error {
	prefix, short := splitPrefix(name)
	if err := qualifiedRefused(testKind, prefix, short, tagged); prefix != "" && err != nil {
		return err
	}
	if !e.Environment.Tests.Exists(name) {
		//lint:ignore ST1005 Jinja2's message, byte for byte
		return fmt.Errorf("No test named '%s'.", name)
	}
	return nil
}

// sortFilter is do_sort(reverse=False, case_sensitive=False,
// attribute=None): Python's stable sorted() on make_multi_attrgetter's
// keys, strings lowered unless case_sensitive. An undefined key fails
// once Python compares it (two items or more) under 2.14, at once under
// 2.19.
func sortFilter(tagged func() bool) exec.FilterFunction {
	return func(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if in.IsError() {
			return in
		}
		args, err := bind("sort", []string{"reverse", "case_sensitive", "attribute"}, params)
		if err != nil {
			return exec.AsValue(err)
		}
		items, err := pyIter(toPy(in))
		if err != nil {
			return exec.AsValue(err)
		}
		keys := sortKeys(items, or(args[2], nil), pyTruthy(or(args[1], false)))
		if len(items) > 1 || tagged() {
			if err := undefinedKey(keys); err != nil {
				return exec.AsValue(err)
			}
		}
		return pySorted(items, keys, pyTruthy(or(args[0], false)))
	}
}

// sortKeys are make_multi_attrgetter's keys: per item, the list of its
// comma-separated attributes (the item itself with none).
func sortKeys(items pyList, attribute any, caseSensitive bool) []pyList {
	attributes := [][]any{{}} // none: the item itself
	if text, ok := attribute.(string); ok {
		attributes = nil
		for _, one := range strings.Split(text, ",") {
			attributes = append(attributes, attributeParts(one))
		}
	} else if attribute != nil {
		attributes = [][]any{attributeParts(attribute)}
	}
	keys := make([]pyList, len(items))
	for i, item := range items {
		keys[i] = itemSortKey(item, attributes, caseSensitive)
	}
	return keys
}

func itemSortKey(item any, attributes [][]any, caseSensitive bool) pyList {
	key := make(pyList, len(attributes))
	for i, parts := range attributes {
		value := attributeWithDefault(item, parts, nil)
		if s, ok := value.(string); ok && !caseSensitive {
			value = pyLower(s)
		}
		key[i] = value
	}
	return key
}

// pySorted is sorted(items, key=..., reverse=...): CPython reverses,
// sorts stably and reverses again, so that equal items keep their order
// either way.
func pySorted(items pyList, keys []pyList, reverse bool) *exec.Value {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	if reverse {
		slices.Reverse(order)
	}
	var failure error
	sort.SliceStable(order, func(i, j int) bool {
		less, err := compareLists(keys[order[i]], keys[order[j]])
		if err != nil && failure == nil {
			failure = err
		}
		return less < 0
	})
	if reverse {
		slices.Reverse(order)
	}
	if failure != nil {
		return exec.AsValue(failure)
	}
	return exec.AsValue(pickOrder(items, order))
}

func undefinedKey(keys []pyList) error {
	for _, key := range keys {
		if err := firstError(key); err != nil {
			return err
		}
	}
	return nil
}

func pickOrder(items pyList, order []int) pyList {
	out := make(pyList, len(order))
	for i, index := range order {
		out[i] = items[index]
	}
	return out
}
