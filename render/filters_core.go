package render

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ansibleFilters are the filters implemented here: Jinja2's where gonja's
// differ from Jinja2 3.1, and Ansible's.
func ansibleFilters() map[string]filter {
	filters := map[string]filter{
		"default":    {params: []string{"default_value", "boolean"}, fn: filterDefault, acceptsUndefined: true},
		"mandatory":  {params: []string{"msg"}, fn: filterMandatory, acceptsUndefined: true},
		"lower":      {fn: strMethodFilter("lower", strLower)},
		"upper":      {fn: strMethodFilter("upper", strUpper)},
		"capitalize": {fn: strMethodFilter("capitalize", strCapitalize)},
		"center":     {params: []string{"width"}, fn: filterCenter},
		"string":     {fn: stringFilter(func(s string) string { return s }), keepsRange: true},
		"trim":       {params: []string{"chars"}, fn: filterTrim},
		"replace":    {params: []string{"old", "new", "count"}, fn: filterReplace},
		"int":        {params: []string{"default", "base"}, fn: filterInt},
		"float":      {params: []string{"default"}, fn: filterFloat},
		"length":     {fn: filterLength, keepsRange: true},
		"first":      {fn: filterFirst},
		"last":       {fn: filterLast},
		"join":       {params: []string{"d", "attribute"}, fn: filterJoin},
		"list":       {fn: filterList},
		"items":      {fn: filterItems},
		"dictsort":   {params: []string{"case_sensitive", "by", "reverse"}, fn: filterDictSort},
		"indent":     {params: []string{"width", "first", "blank"}, fn: filterIndent},
		"ternary":    {params: []string{"true_val", "false_val", "none_val"}, fn: filterTernary},
		"type_debug": {fn: func(in any, _ []any) (any, error) {
			return typeName(in), nil
		}, keepsRange: true},
	}
	filters["sum"] = filter{params: []string{"attribute", "start"}, fn: filterSum}
	filters["max"] = filter{params: []string{"case_sensitive", "attribute"}, fn: aggregate(1)}
	filters["min"] = filter{params: []string{"case_sensitive", "attribute"}, fn: aggregate(-1)}
	filters["d"] = filters["default"]
	filters["count"] = filters["length"]
	addDataFilters(filters)
	addTextFilters(filters)
	addJinjaFilters(filters)
	addRandomFilters(filters)
	addTimeFilters(filters)
	addPathURLFilters(filters)
	return filters
}

// filterDefault is Jinja2's default: an undefined value is replaced; None is
// kept (gonja replaces it), unless boolean is true and the value is falsy.
func filterDefault(in any, args []any) (any, error) {
	if _, undefined := in.(*UndefinedError); undefined {
		return or(args[0], ""), nil
	}
	if pyTruthy(or(args[1], false)) && !pyTruthy(in) {
		return or(args[0], ""), nil
	}
	return in, nil
}

func filterMandatory(in any, args []any) (any, error) {
	undefined, ok := in.(*UndefinedError)
	if !ok {
		return in, nil
	}
	if msg := or(args[0], nil); msg != nil {
		return nil, errors.New(pyStr(msg))
	}
	//lint:ignore ST1005 Ansible's mandatory filter message, byte for byte
	return nil, fmt.Errorf("Mandatory variable '%s' not defined.", undefined.Name)
}

// filterBool is Ansible's to_bool.
// boolFilter is bool as the core in use runs it: ansible-core 2.19's
// to_bool gives False for None, which 2.14's passed through
// (lib/ansible/plugins/filter/core.py:98-119 at v2.19.14: None is in
// neither set, and None == 1 is False).
func boolFilter(dataTagging func() bool) func(any, []any) (any, error) {
	return func(in any, args []any) (any, error) {
		if in == nil && dataTagging() {
			return false, nil
		}
		return filterBool(in, args)
	}
}

func filterBool(in any, _ []any) (any, error) {
	switch v := in.(type) {
	case nil, bool:
		return v, nil
	case string:
		switch strings.ToLower(v) {
		case "yes", "on", "1", "true":
			return true, nil
		}
	case int:
		return v == 1, nil
	case float64:
		return v == 1, nil
	}
	return false, nil
}

func stringFilter(fn func(string) string) func(any, []any) (any, error) {
	return func(in any, _ []any) (any, error) {
		return fn(pyStr(in)), nil
	}
}

// strMethodFilter is a Jinja2 filter that is a str method of its input:
// do_lower, do_upper and do_capitalize are soft_str(s).lower() and so on
// (jinja2/filters.py at 3.1), so they run render's Python str methods
// (strmethods.go: full case mappings, ß upper is SS), not Go's simple ones.
func strMethodFilter(name string, method strMethodFunc) func(any, []any) (any, error) {
	return func(in any, _ []any) (any, error) {
		return method(pyStr(in), methodCall{name: name, qualified: "str." + name})
	}
}

// filterCenter is do_center(value, width=80): value.center(width).
func filterCenter(in any, args []any) (any, error) {
	return strCenter(pyStr(in), methodCall{name: "center", qualified: "str.center", args: []any{or(args[0], 80)}})
}

func filterTrim(in any, args []any) (any, error) {
	chars := or(args[0], nil)
	if chars == nil {
		return trimPythonSpace(pyStr(in)), nil
	}
	return strings.Trim(pyStr(in), pyStr(chars)), nil
}

func filterReplace(in any, args []any) (any, error) {
	count := -1
	if n, ok := or(args[2], nil).(int); ok {
		count = n
	}
	return strings.Replace(pyStr(in), pyStr(or(args[0], "")), pyStr(or(args[1], "")), count), nil
}

// filterInt is Jinja2's int: int(value, base) for strings, else int(value),
// falling back to int(float(value)), then to the default.
func filterInt(in any, args []any) (any, error) {
	def := or(args[0], 0)
	base, _ := or(args[1], 10).(int)
	switch v := in.(type) {
	case bool:
		return boolToInt(v), nil
	case int:
		return v, nil
	case float64:
		return floatToInt(v, def), nil
	case string:
		if n, ok := parsePyInt(v, base); ok {
			return n, nil
		}
		if f, ok := parsePyFloat(v); ok {
			return floatToInt(f, def), nil
		}
	}
	return def, nil
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func floatToInt(f float64, def any) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return def
	}
	return int(f)
}

// parsePyInt is Python's int(s, base).
func parsePyInt(s string, base int) (int, bool) {
	s = strings.ReplaceAll(trimPythonSpace(s), "_", "")
	sign, digits := "", s
	if strings.HasPrefix(digits, "-") || strings.HasPrefix(digits, "+") {
		sign, digits = digits[:1], digits[1:]
	}
	lower := strings.ToLower(digits)
	for prefix, prefixBase := range map[string]int{"0x": 16, "0o": 8, "0b": 2} {
		if strings.HasPrefix(lower, prefix) && (base == prefixBase || base == 0) {
			digits, base = digits[2:], prefixBase
		}
	}
	if base == 0 {
		base = 10
	}
	n, err := strconv.ParseInt(sign+digits, base, 64)
	return int(n), err == nil
}

// parsePyFloat is Python's float(s).
func parsePyFloat(s string) (float64, bool) {
	s = strings.ReplaceAll(trimPythonSpace(s), "_", "")
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity", "nan":
	default:
		if strings.ContainsAny(strings.ToLower(s), "xpn") {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func filterFloat(in any, args []any) (any, error) {
	def := or(args[0], 0.0)
	switch v := in.(type) {
	case bool:
		return float64(boolToInt(v)), nil
	case int:
		return float64(v), nil
	case float64:
		return v, nil
	case string:
		if f, ok := parsePyFloat(v); ok {
			return f, nil
		}
	}
	return def, nil
}

func filterLength(in any, _ []any) (any, error) {
	n, err := pyLen(in)
	return n, err
}

// pyLen is Python's len().
func pyLen(x any) (int, error) {
	switch v := x.(type) {
	case string:
		return len([]rune(v)), nil
	case pyList:
		return len(v), nil
	case pyTuple:
		return len(v), nil
	case pyDict:
		return len(v), nil
	case groupsMap:
		return len(v), nil
	case *hostView:
		return len(v.names()), nil
	case *hostVarsView:
		return len(v.hosts()), nil
	case pyRange:
		return v.length(), nil
	}
	return 0, fmt.Errorf("object of type '%s' has no len()", typeName(x))
}

func filterFirst(in any, _ []any) (any, error) {
	items, err := pyIter(in)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return &UndefinedError{Name: "first", Hint: "No first item, sequence was empty."}, nil
	}
	return items[0], nil
}

func filterLast(in any, _ []any) (any, error) {
	items, err := pyIter(in)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return &UndefinedError{Name: "last", Hint: "No last item, sequence was empty."}, nil
	}
	return items[len(items)-1], nil
}

// pyIter is what Python iterates in x: items, dict keys, characters.
func pyIter(x any) (pyList, error) {
	switch v := x.(type) {
	case pyList:
		return v, nil
	case pyTuple:
		return pyList(v), nil
	case string:
		out := pyList{}
		for _, r := range v {
			out = append(out, string(r))
		}
		return out, nil
	case pyDict, groupsMap, *hostVarsView, *hostView:
		return loopSequence(v, false).(pyList), nil
	case pyRange:
		return v.items(), nil
	}
	return nil, fmt.Errorf("'%s' object is not iterable", typeName(x))
}

func filterJoin(in any, args []any) (any, error) {
	items, err := pyIter(in)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(items))
	for i, item := range items {
		if attribute := or(args[1], nil); attribute != nil {
			item = getAttribute(item, pyStr(attribute))
		}
		parts[i] = pyStr(item)
	}
	return strings.Join(parts, pyStr(or(args[0], ""))), nil
}

// getAttribute is Jinja2's environment.getitem for map(attribute=...)-like
// parameters.
func getAttribute(x any, name string) any {
	if d, ok := x.(pyDict); ok {
		if value, found := d.get(name); found {
			return value
		}
	}
	return &UndefinedError{Name: name}
}

func filterList(in any, _ []any) (any, error) {
	items, err := pyIter(in)
	if err != nil {
		return nil, err
	}
	return append(pyList{}, items...), nil
}

func filterItems(in any, _ []any) (any, error) {
	d, ok := in.(pyDict)
	if !ok {
		if in == nil {
			return pyList{}, nil
		}
		return nil, fmt.Errorf("can only get item pairs from a mapping")
	}
	return dictItems(d), nil
}

func dictItems(d pyDict) pyList {
	out := make(pyList, 0, len(d))
	for _, key := range d.keys() {
		out = append(out, pyTuple{key, d[key].val})
	}
	return out
}

// filterIndent is Jinja2 3.1's indent, including its quirk of not indenting
// an empty last line.
func filterIndent(in any, args []any) (any, error) {
	indentation := strings.Repeat(" ", 4)
	switch width := or(args[0], 4).(type) {
	case string:
		indentation = width
	case int:
		indentation = repeatString(" ", width)
	}
	lines := pySplitLines(pyStr(in) + "\n")
	var out string
	if pyTruthy(or(args[2], false)) {
		out = strings.Join(lines, "\n"+indentation)
	} else {
		out = indentLines(lines, indentation)
	}
	if pyTruthy(or(args[1], false)) {
		out = indentation + out
	}
	return out, nil
}

func indentLines(lines []string, indentation string) string {
	out := lines[0]
	for _, line := range lines[1:] {
		out += "\n"
		if line != "" {
			out += indentation + line
		}
	}
	return out
}

// pySplitLines is Python's str.splitlines().
func pySplitLines(s string) []string {
	var lines []string
	start := 0
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		if !isLineBoundary(runes[i]) {
			continue
		}
		lines = append(lines, string(runes[start:i]))
		if runes[i] == '\r' && i+1 < len(runes) && runes[i+1] == '\n' {
			i++
		}
		start = i + 1
	}
	if start < len(runes) {
		lines = append(lines, string(runes[start:]))
	}
	if lines == nil {
		lines = []string{""}
	}
	return lines
}

func isLineBoundary(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// filterTernary is Ansible's ternary.
func filterTernary(in any, args []any) (any, error) {
	noneValue := or(args[2], nil)
	switch {
	case in == nil && noneValue != nil:
		return noneValue, nil
	case pyTruthy(in):
		return or(args[0], nil), nil
	}
	return or(args[1], nil), nil
}

// pyTruthy is Python's bool().
func pyTruthy(x any) bool {
	switch v := x.(type) {
	case nil:
		return false
	case bool:
		return v
	case int:
		return v != 0
	case float64:
		return v != 0
	case string:
		return v != ""
	case pyList:
		return len(v) > 0
	case pyTuple:
		return len(v) > 0
	case pyDict:
		return len(v) > 0
	case groupsMap:
		return len(v) > 0
	}
	return true
}

// filterDictSort is Jinja2's dictsort: the items as (key, value) tuples,
// sorted by key (or value), case-insensitively unless asked.
func filterDictSort(in any, args []any) (any, error) {
	d, ok := in.(pyDict)
	if !ok {
		return nil, fmt.Errorf("dictsort requires a dictionary, got %s", typeName(in))
	}
	items := dictItems(d)
	byValue := pyStr(or(args[1], "key")) == "value"
	caseSensitive := pyTruthy(or(args[0], false))
	var sortErr error
	sort.SliceStable(items, func(i, j int) bool {
		a, b := sortKey(items[i], byValue, caseSensitive), sortKey(items[j], byValue, caseSensitive)
		order, err := pyCompare(a, b)
		if err != nil {
			sortErr = err
		}
		return order < 0
	})
	if pyTruthy(or(args[2], false)) {
		slices.Reverse(items)
	}
	return items, sortErr
}

func sortKey(item any, byValue, caseSensitive bool) any {
	pair := item.(pyTuple)
	key := pair[0]
	if byValue {
		key = pair[1]
	}
	if s, ok := key.(string); ok && !caseSensitive {
		return strings.ToLower(s)
	}
	return key
}

// filterSum is Jinja2's sum(iterable, attribute=None, start=0): Python's
// sum, which adds with + from start (jinja2/filters.py do_sum, Jinja2 3.1).
func filterSum(in any, args []any) (any, error) {
	items, err := aggregated(in, args[0])
	if err != nil {
		return nil, err
	}
	total := or(args[1], 0)
	if _, isString := total.(string); isString {
		return nil, errors.New("sum() can't sum strings [use ''.join(seq) instead]")
	}
	for _, item := range items {
		if total, err = pyAdd(total, item, false); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// aggregate is Jinja2's max (want 1) or min (want -1): the first item
// whose key (its attribute, strings lowered unless case_sensitive) no
// other item's exceeds, Python refusing keys it cannot order
// (jinja2/filters.py _min_or_max, Jinja2 3.1).
func aggregate(want int) func(any, []any) (any, error) {
	return func(in any, args []any) (any, error) {
		items, err := aggregated(in, nil)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return &UndefinedError{Name: "aggregated", Hint: "No aggregated item, sequence was empty."}, nil
		}
		keys, err := aggregated(items, args[1])
		if err != nil {
			return nil, err
		}
		return pickExtreme(items, keys, want, pyTruthy(or(args[0], false)))
	}
}

func pickExtreme(items, keys pyList, want int, caseSensitive bool) (any, error) {
	best := 0
	for i := 1; i < len(items); i++ {
		order, err := pyCompare(aggregateKey(keys[i], caseSensitive), aggregateKey(keys[best], caseSensitive))
		if err != nil {
			return nil, comparisonError(err, want)
		}
		if order == want {
			best = i
		}
	}
	return items[best], nil
}

// comparisonError names the operator Python's max (>) or min (<) used.
func comparisonError(err error, want int) error {
	if want > 0 {
		return errors.New(strings.Replace(err.Error(), "'<'", "'>'", 1))
	}
	return err
}

func aggregateKey(x any, caseSensitive bool) any {
	if s, ok := x.(string); ok && !caseSensitive {
		return strings.ToLower(s)
	}
	return x
}

// aggregated is in's items, or each item's attribute (a dotted path, a
// number indexing a list) when attribute is given.
func aggregated(in any, attribute any) (pyList, error) {
	items, err := pyIter(in)
	if err != nil || or(attribute, nil) == nil {
		return items, err
	}
	out := make(pyList, len(items))
	for i, item := range items {
		value, err := attributePath(item, pyStr(attribute))
		if err != nil {
			return nil, err
		}
		out[i] = value
	}
	return out, nil
}

// attributePath is Jinja2's make_attrgetter: "a.b.0" reads a, then b,
// then item 0.
func attributePath(x any, path string) (any, error) {
	for _, part := range strings.Split(path, ".") {
		if index, err := strconv.Atoi(part); err == nil {
			if list, ok := asList(x); ok && index >= 0 && index < len(list) {
				x = list[index]
				continue
			}
		}
		x = getAttribute(x, part)
		if err, undefined := x.(*UndefinedError); undefined {
			return nil, err
		}
	}
	return x, nil
}
