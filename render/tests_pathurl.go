package render

import (
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// pathURLFilters are the filters of filters_path.go, filters_url.go and
// fromjson.go whose behaviour depends on the core (dataTagging true:
// ansible-core 2.19), as gonja functions for newFilterSet.
func pathURLFilters(dataTagging func() bool) map[string]exec.FilterFunction {
	filters := pathFilters219(dataTagging)
	filters["from_yaml_all"] = filter{fn: fromYAMLAll(dataTagging)}
	filters["from_json"] = filter{fn: fromJSON(dataTagging)}
	out := map[string]exec.FilterFunction{}
	for name, f := range filters {
		out[name] = f.function(name)
	}
	return out
}

// pathURLTests are Ansible's uri tests (plugins/test/uri.py) and its async
// and reachability tests on task results (plugins/test/core.py), as gonja
// functions for newTestSet.
func pathURLTests(dataTagging func() bool) map[string]exec.TestFunction {
	// 2.14's uri tests catch every exception, an undefined value's too.
	uriTest := func(fn func(any, []any) (bool, error)) test {
		return test{params: []string{"schemes"}, fn: fn, undefinedIsFalse: true}
	}
	tests := map[string]test{
		"uri":         uriTest(isURI),
		"url":         uriTest(isURL),
		"urn":         {fn: func(in any, _ []any) (bool, error) { return isURI(in, []any{pyList{"urn"}}) }, undefinedIsFalse: true},
		"finished":    {fn: asyncTest("finished", dataTagging)},
		"started":     {fn: asyncTest("started", dataTagging)},
		"unreachable": {fn: unreachableTest(false)},
		"reachable":   {fn: unreachableTest(true)},
		"timedout":    {fn: timedoutTest(dataTagging)},
	}
	out := map[string]exec.TestFunction{}
	for name, t := range tests {
		out[name] = testFunction(coreTest(name, t, dataTagging))
	}
	return out
}

// coreTest is t as the core in use runs it: ansible-core 2.19 fails on an
// undefined value where 2.14's uri tests say false.
func coreTest(name string, t test, dataTagging func() bool) testFunction {
	strict, lenient := t, t
	strict.undefinedIsFalse = false
	strictFn, lenientFn := strict.function(name), lenient.function(name)
	return func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) (bool, error) {
		if dataTagging() {
			return strictFn(e, in, params)
		}
		return lenientFn(e, in, params)
	}
}

// isURI is uri.py's is_uri: urlparse succeeds and, when schemes are
// given, its scheme is in them. A false value that is not a str is read
// as b” (urllib's _coerce_args), any other fails (false).
func isURI(in any, args []any) (bool, error) {
	u, ok := uriParts(in)
	if !ok {
		return false, nil
	}
	schemes := or(args[0], nil)
	if !pyTruthy(schemes) {
		return true, nil
	}
	if _, isString := in.(string); !isString {
		return false, nil // b'' in schemes: false, or a TypeError caught
	}
	found, err := pyContains(schemes, u.scheme)
	return found && err == nil, nil
}

// isURL is uri.py's is_url: a uri with a netloc, or a file: one.
func isURL(in any, args []any) (bool, error) {
	if ok, _ := isURI(in, args); !ok {
		return false, nil
	}
	u, _ := uriParts(in)
	return u.netloc != "" || u.scheme == "file", nil
}

// uriParts is urlparse(value)'s scheme and netloc; ok is false where it
// raises.
func uriParts(in any) (urlParts, bool) {
	s, isString := in.(string)
	if !isString && pyTruthy(in) {
		return urlParts{}, false
	}
	u, err := pyURLSplit(s)
	return u, err == nil
}

// resultDict is a task result, or core.py's error for the test name.
func resultDict(name string, in any) (pyDict, error) {
	d, ok := in.(pyDict)
	if !ok {
		//lint:ignore ST1005 Ansible's result-test message, byte for byte
		return nil, fmt.Errorf("The '%s' test expects a dictionary", name)
	}
	return d, nil
}

// asyncTest is core.py's finished and started: true without the key (a
// task that is not async); with it, 2.14 asks value == 1, 2.19 bool(value).
func asyncTest(name string, dataTagging func() bool) func(any, []any) (bool, error) {
	return func(in any, _ []any) (bool, error) {
		d, err := resultDict(name, in)
		if err != nil {
			return false, err
		}
		value, found := d.get(name)
		switch {
		case !found:
			return true, nil
		case dataTagging():
			return pyTruthy(value), nil
		}
		return pyEqual(value, 1), nil
	}
}

// unreachableTest is core.py's unreachable (reachable: its negation):
// the result's unreachable flag. 2.14 returns the flag's value itself,
// printed as it is; here it is its truth.
func unreachableTest(reachable bool) func(any, []any) (bool, error) {
	return func(in any, _ []any) (bool, error) {
		d, err := resultDict("unreachable", in)
		if err != nil {
			return false, err
		}
		return resultFlag(d, "unreachable") != reachable, nil
	}
}

// timedoutTest is ansible-core 2.19's timedout: the result's timedout
// dict has a true period. 2.14 has no such test.
func timedoutTest(dataTagging func() bool) func(any, []any) (bool, error) {
	return func(in any, _ []any) (bool, error) {
		if !dataTagging() {
			//lint:ignore ST1005 ansible-core 2.14's message, byte for byte
			return false, fmt.Errorf("Could not load \"timedout\": 'timedout'")
		}
		d, err := resultDict("timedout", in)
		if err != nil || !resultFlag(d, "timedout") {
			return false, err
		}
		timedout, _ := d.get("timedout")
		inner, ok := timedout.(pyDict)
		if !ok {
			return false, fmt.Errorf("'%s' object has no attribute 'get'", typeName(timedout))
		}
		return resultFlag(inner, "period"), nil
	}
}
