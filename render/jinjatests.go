package render

import (
	"fmt"
	"maps"
	"strings"
	"unicode"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// A test is a Jinja2 test (`x is name`) on engine values.
type test struct {
	params []string
	fn     func(in any, args []any) (bool, error)
	// undefinedIsFalse: an undefined value simply fails the test (type
	// tests); otherwise using it is an error (comparisons).
	undefinedIsFalse bool
	// keepsRange: a range argument reaches fn as a range, not its list
	// (`in`, which works out an int's membership without listing).
	keepsRange bool
}

func typeTest(fn func(any) bool) test {
	return test{fn: func(in any, _ []any) (bool, error) { return fn(in), nil }, undefinedIsFalse: true}
}

func newTestSet(dataTagging func() bool) *exec.TestSet {
	set := map[string]exec.TestFunction{
		"defined":   testFunction(definedTest(true)),
		"undefined": testFunction(definedTest(false)),
	}
	for name, t := range jinjaTests() {
		set[name] = testFunction(t.function(name))
	}
	maps.Copy(set, pathURLTests(dataTagging))
	addUnsupportedTests(set)
	qualifiedPlugins(set, testKind, dataTagging, guardedTest)
	return exec.NewTestSet(set)
}

// definedTest is `is defined` (want true) and `is undefined`.
func definedTest(want bool) func(*exec.Evaluator, *exec.Value, *exec.VarArgs) (bool, error) {
	return func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) {
		if in.IsError() && !isUndefinedValue(in) {
			return false, in
		}
		return in.IsError() != want, nil
	}
}

func (t test) function(name string) func(*exec.Evaluator, *exec.Value, *exec.VarArgs) (bool, error) {
	return func(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) (bool, error) {
		if in.IsError() {
			if t.undefinedIsFalse && isUndefinedValue(in) {
				return false, nil
			}
			return false, in
		}
		as := unrolled
		if t.keepsRange {
			as = func(x any) any { return x }
		}
		args, err := bindArgs(name, t.params, params, as)
		if err != nil {
			return false, err
		}
		return t.fn(unrolled(toPy(in)), args)
	}
}

func jinjaTests() map[string]test {
	tests := map[string]test{
		"none":     typeTest(func(x any) bool { return x == nil }),
		"boolean":  typeTest(func(x any) bool { _, ok := x.(bool); return ok }),
		"true":     typeTest(func(x any) bool { return x == true }),
		"false":    typeTest(func(x any) bool { return x == false }),
		"integer":  typeTest(func(x any) bool { _, ok := x.(int); return ok }),
		"float":    typeTest(func(x any) bool { _, ok := x.(float64); return ok }),
		"number":   typeTest(func(x any) bool { _, ok := toFloat(x); return ok }),
		"string":   typeTest(func(x any) bool { _, ok := x.(string); return ok }),
		"mapping":  typeTest(isMapping),
		"sequence": typeTest(func(x any) bool { _, err := pyLen(x); return err == nil }),
		"iterable": typeTest(func(x any) bool { _, err := pyIter(x); return err == nil }),
		"callable": typeTest(func(any) bool { return false }),
		"lower":    {fn: func(in any, _ []any) (bool, error) { return hasCase(pyStr(in), unicode.IsLower), nil }},
		"upper":    {fn: func(in any, _ []any) (bool, error) { return hasCase(pyStr(in), unicode.IsUpper), nil }},
		"odd":      {fn: intTest(func(n int) bool { return n%2 != 0 })},
		"even":     {fn: intTest(func(n int) bool { return n%2 == 0 })},
		"divisibleby": {params: []string{"num"}, fn: func(in any, args []any) (bool, error) {
			n, ok := or(args[0], nil).(int)
			v, isInt := in.(int)
			return ok && isInt && n != 0 && v%n == 0, nil
		}},
		"in":       {params: []string{"seq"}, fn: func(in any, args []any) (bool, error) { return pyContains(or(args[0], nil), in) }, keepsRange: true},
		"contains": {params: []string{"value"}, fn: func(in any, args []any) (bool, error) { return pyContains(in, or(args[0], nil)) }},
		"truthy":   {params: []string{"convert_bool"}, fn: truthyTest(true)},
		"falsy":    {params: []string{"convert_bool"}, fn: truthyTest(false)},
		"any":      {fn: allAnyTest(false)},
		"all":      {fn: allAnyTest(true)},
		"match":    {params: []string{"pattern", "ignorecase", "multiline"}, fn: regexTest("match")},
		"search":   {params: []string{"pattern", "ignorecase", "multiline"}, fn: regexTest("search")},
		"regex":    {params: []string{"pattern", "ignorecase", "multiline", "match_type"}, fn: regexTest("")},
		"version":  versionTest(),
		// version_compare: the version test's old name (core.py's tests()).
		"version_compare": versionTest(),
	}
	addComparisons(tests)
	addMathTests(tests)
	addPathTests(tests)
	addResultTests(tests)
	return tests
}

// addResultTests adds Ansible's tests on a registered task result
// (ansible/plugins/test/core.py): changed, failed, succeeded, skipped and
// their aliases.
func addResultTests(tests map[string]test) {
	for name, aliases := range map[string][]string{"changed": {"change"}, "failed": {"failure"},
		"succeeded": {"success", "successful"}, "skipped": {"skip"}} {
		t := test{fn: resultTest(name)}
		tests[name] = t
		for _, alias := range aliases {
			tests[alias] = t
		}
	}
}

func resultTest(name string) func(any, []any) (bool, error) {
	return func(in any, _ []any) (bool, error) {
		d, ok := in.(pyDict)
		if !ok {
			//lint:ignore ST1005 Ansible's result-test message, byte for byte
			return false, fmt.Errorf("The '%s' test expects a dictionary", name)
		}
		switch name {
		case "changed":
			return resultChanged(d), nil
		case "succeeded":
			return !resultFlag(d, "failed"), nil
		}
		return resultFlag(d, name), nil
	}
}

// resultChanged: the result's changed flag; a loop's result without one
// changed when any item did.
func resultChanged(d pyDict) bool {
	if _, ok := d.get("changed"); !ok {
		if results, ok := d.get("results"); ok {
			items, _ := pyIter(results)
			for _, item := range items {
				if r, ok := item.(pyDict); ok && resultFlag(r, "changed") {
					return true
				}
			}
		}
	}
	return resultFlag(d, "changed")
}

func resultFlag(d pyDict, key string) bool {
	v, _ := d.get(key)
	return pyTruthy(v)
}

func isMapping(x any) bool {
	switch x.(type) {
	case pyDict, groupsMap, *hostView, *hostVarsView:
		return true
	}
	return false
}

// hasCase is Python's str.islower/isupper: some cased letter, all of them
// in the wanted case.
func hasCase(s string, want func(rune) bool) bool {
	cased := false
	for _, r := range s {
		if unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) {
			if !want(r) {
				return false
			}
			cased = true
		}
	}
	return cased
}

func intTest(fn func(int) bool) func(any, []any) (bool, error) {
	return func(in any, _ []any) (bool, error) {
		n, ok := in.(int)
		if !ok {
			return false, fmt.Errorf("unsupported operand type: %s", typeName(in))
		}
		return fn(n), nil
	}
}

// pyContains is Python's `x in container`.
func pyContains(container, x any) (bool, error) {
	switch c := container.(type) {
	case string:
		sub, ok := x.(string)
		if !ok {
			return false, fmt.Errorf("'in <string>' requires string as left operand, not %s", typeName(x))
		}
		return strings.Contains(c, sub), nil
	case pyList:
		return containsValue(c, x), nil
	case pyTuple:
		return containsValue(pyList(c), x), nil
	case pyRange:
		if in, worked := c.contains(x); worked {
			return in, nil
		}
		return containsValue(c.items(), x), nil
	case pyDict:
		_, ok := c[dictKey(x)]
		return ok, nil
	case groupsMap:
		_, ok := c[dictKey(x)]
		return ok, nil
	case *hostView:
		_, ok := c.scope.raw.get(dictKey(x))
		return ok, nil
	case *hostVarsView:
		_, ok := c.scope.magic.HostVars(dictKey(x))
		return ok, nil
	}
	return false, fmt.Errorf("argument of type '%s' is not iterable", typeName(container))
}

func truthyTest(want bool) func(any, []any) (bool, error) {
	return func(in any, args []any) (bool, error) {
		if pyTruthy(or(args[0], false)) {
			in, _ = filterBool(in, nil)
		}
		return pyTruthy(in) == want, nil
	}
}

func allAnyTest(all bool) func(any, []any) (bool, error) {
	return func(in any, _ []any) (bool, error) {
		items, err := pyIter(in)
		if err != nil {
			return false, err
		}
		for _, item := range items {
			if pyTruthy(item) != all {
				return !all, nil
			}
		}
		return all, nil
	}
}

// regexTest is Ansible's regex test; kind "" takes match_type from args.
func regexTest(kind string) func(any, []any) (bool, error) {
	return func(in any, args []any) (bool, error) {
		if kind == "" {
			kind = pyStr(or(args[len(args)-1], "search"))
		}
		pattern := pyStr(or(args[0], ""))
		if kind == "match" {
			pattern = `\A(?:` + pattern + `)`
		} else if kind == "fullmatch" {
			pattern = `\A(?:` + pattern + `)\z`
		}
		re, err := compilePython(pattern, pyTruthy(or(args[1], false)), pyTruthy(or(args[2], false)))
		if err != nil {
			return false, err
		}
		return re.MatchString(pyStr(in)), nil
	}
}

// addComparisons adds Jinja2's comparison tests.
func addComparisons(tests map[string]test) {
	comparisons := map[string][]string{
		"eq": {"equalto", "=="}, "ne": {"!="}, "lt": {"lessthan", "<"},
		"le": {"<="}, "gt": {"greaterthan", ">"}, "ge": {">="},
	}
	for name, aliases := range comparisons {
		t := test{params: []string{"other"}, fn: comparisonTest(name)}
		tests[name] = t
		for _, alias := range aliases {
			tests[alias] = t
		}
	}
}

func comparisonTest(op string) func(any, []any) (bool, error) {
	return func(in any, args []any) (bool, error) {
		other := or(args[0], nil)
		switch op {
		case "eq":
			return pyEqual(in, other), nil
		case "ne":
			return !pyEqual(in, other), nil
		}
		order, err := pyCompare(in, other)
		if err != nil {
			return false, err
		}
		return map[string]bool{"lt": order < 0, "le": order <= 0, "gt": order > 0, "ge": order >= 0}[op], nil
	}
}

// pyCompare orders numbers with numbers and strings with strings, like
// Python 3 (which refuses other pairs).
func pyCompare(a, b any) (int, error) {
	if fa, ok := toFloat(a); ok {
		if fb, ok := toFloat(b); ok {
			return compareOrdered(fa, fb), nil
		}
	}
	sa, okA := a.(string)
	sb, okB := b.(string)
	if okA && okB {
		return strings.Compare(sa, sb), nil
	}
	if la, okA := a.(pyList); okA {
		if lb, okB := b.(pyList); okB {
			return compareLists(la, lb)
		}
	}
	if ta, okA := a.(pyTuple); okA {
		if tb, okB := b.(pyTuple); okB {
			return compareLists(pyList(ta), pyList(tb))
		}
	}
	return 0, fmt.Errorf("'<' not supported between instances of '%s' and '%s'", typeName(a), typeName(b))
}

// compareLists orders lists as Python does: by the first items that
// differ, else by length.
func compareLists(a, b pyList) (int, error) {
	for i := 0; i < len(a) && i < len(b); i++ {
		if pyEqual(a[i], b[i]) {
			continue
		}
		return pyCompare(a[i], b[i])
	}
	return compareOrdered(float64(len(a)), float64(len(b))), nil
}

func compareOrdered(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
