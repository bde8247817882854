package render

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// Ansible's mathstuff filters (ansible/plugins/filter/mathstuff.py) and
// extract (plugins/filter/core.py), at ansible-core 2.14 and 2.19.
//
// Python gives the set filters' results in a set's order when it builds
// sets (2.14 for two strings or tuples, 2.19 for any two iterables of
// hashable items): hash order, random for strings. The engine gives
// first-appearance order there (a's items, then b's), as both cores do
// for lists of unhashable items; and a list where 2.14 gives a set
// (printed {'a', 'b'}). product, permutations, combinations and
// zip_longest are lists of tuples: Ansible turns a filter's iterator
// into a list (2.14's _unroll_iterator, 2.19's), so they print, count
// and loop as lists.

// mathFilters are the mathstuff filters, as the core in use runs them.
func mathFilters(dataTagging func() bool) map[string]filter {
	iterables := []string{"*1", "*2", "*3", "*4", "*5", "*6", "*7", "*8", "*9"}
	return map[string]filter{
		"unique":               {params: []string{"case_sensitive", "attribute"}, fn: filterUnique},
		"intersect":            {params: []string{"b"}, fn: setFilter("intersect", dataTagging, intersectItems)},
		"difference":           {params: []string{"b"}, fn: setFilter("difference", dataTagging, differenceItems)},
		"symmetric_difference": {params: []string{"b"}, fn: setFilter("symmetric_difference", dataTagging, symmetricItems)},
		"union":                {params: []string{"b"}, fn: setFilter("union", dataTagging, unionItems)},
		"product":              {params: append(iterables, "repeat"), fn: filterProduct},
		"permutations":         {params: []string{"r"}, fn: filterPermutations},
		"combinations":         {params: []string{"r"}, fn: filterCombinations},
		"zip_longest":          {params: append(iterables, "fillvalue"), fn: filterZipLongest},
		"log":                  {params: []string{"base"}, fn: filterLog},
		"pow":                  {params: []string{"y"}, fn: filterPow},
		"root":                 {params: []string{"base"}, fn: filterRoot},
		"human_readable":       {params: []string{"isbits", "unit"}, fn: filterHumanReadable},
		"human_to_bytes":       {params: []string{"default_unit", "isbits"}, fn: humanToBytesFilter(dataTagging)},
		"rekey_on_member":      {params: []string{"key", "duplicates"}, fn: filterRekeyOnMember},
		"extract":              {params: []string{"container", "morekeys"}, fn: filterExtract},
	}
}

// addMathFilters installs mathFilters in a filter set.
func addMathFilters(set map[string]exec.FilterFunction, dataTagging func() bool) {
	for name, f := range mathFilters(dataTagging) {
		set[name] = f.function(name)
	}
}

// pyHashable tells whether Python can hash x: scalars and tuples of
// hashable items (lists and dicts cannot be set members or dict keys).
func pyHashable(x any) bool {
	switch v := x.(type) {
	case nil, bool, int, float64, string:
		return true
	case pyTuple:
		for _, item := range v {
			if !pyHashable(item) {
				return false
			}
		}
		return true
	}
	return false
}

// unhashable is Python's TypeError for a set member or dict key it
// cannot hash.
func unhashable(x any) error {
	return fmt.Errorf("unhashable type: '%s'", typeName(x))
}

// dedupe keeps the first of equal items (Python's == and hash: 1, 1.0
// and True are one).
func dedupe(items pyList) pyList {
	out := pyList{}
	for _, item := range items {
		if !containsValue(out, item) {
			out = append(out, item)
		}
	}
	return out
}

// filterUnique is Ansible's unique: Jinja2's do_unique (the first item of
// each key; the key is the attribute when given, lowercased when a string
// and case_sensitive is false, which it is unless given: bool(None));
// when that fails (an unhashable key), Ansible's `x not in c` loop, which
// refuses case_sensitive=False and attribute.
func filterUnique(in any, args []any) (any, error) {
	caseSensitive, attribute := or(args[0], nil), or(args[1], nil)
	items, err := pyIter(in)
	if err != nil {
		return nil, err
	}
	out, err := jinjaUnique(items, pyTruthy(caseSensitive), attribute)
	if err == nil {
		return out, nil
	}
	if caseSensitive == false || pyTruthy(attribute) {
		return nil, fmt.Errorf("Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied. %v", err)
	}
	return dedupe(items), nil
}

// jinjaUnique is Jinja2 3.1's do_unique: items whose key was not seen.
func jinjaUnique(items pyList, caseSensitive bool, attribute any) (pyList, error) {
	out, seen := pyList{}, pyList{}
	for _, item := range items {
		key, err := uniqueKey(item, caseSensitive, attribute)
		if err != nil {
			return nil, err
		}
		if !pyHashable(key) {
			return nil, unhashable(key)
		}
		if !containsValue(seen, key) {
			seen = append(seen, key)
			out = append(out, item)
		}
	}
	return out, nil
}

// uniqueKey is do_unique's make_attrgetter with ignore_case: an item
// without the attribute fails (Ansible's undefined cannot be hashed).
func uniqueKey(item any, caseSensitive bool, attribute any) (any, error) {
	key := item
	if attribute != nil {
		value, err := attributePath(item, pyStr(attribute))
		if err != nil {
			return nil, err
		}
		key = value
	}
	if s, ok := key.(string); ok && !caseSensitive {
		return pyLower(s), nil
	}
	return key, nil
}

// setFilter is one of Ansible's set filters on a and b. Under 2.14 two
// hashable values (strings, tuples) are Python sets, other values lists;
// under 2.19 any two iterables of hashable items are sets, other values
// lists. Sets keep first-appearance order here (see the file comment);
// lists take the list path (listSetOp).
func setFilter(name string, dataTagging func() bool, op func(a, b pyList) pyList) func(any, []any) (any, error) {
	return func(in any, args []any) (any, error) {
		if args[0] == notGiven {
			return nil, fmt.Errorf("%s() missing 1 required positional argument: 'b'", name)
		}
		b := args[0]
		if dataTagging() {
			if a, b, ok := hashableItems(in, b); ok {
				return op(a, b), nil
			}
		} else if pyHashable(in) && pyHashable(b) {
			return setOf214(in, b, op)
		}
		return listSetOp(name, in, b)
	}
}

// setOf214 is 2.14's set(a) op set(b) on two hashable values.
func setOf214(in, b any, op func(a, b pyList) pyList) (any, error) {
	a, bItems, err := setItems(in, b)
	if err != nil {
		return nil, err
	}
	return op(a, bItems), nil
}

// hashableItems is the items of a and b when both are iterables of
// hashable items (2.19's set(a) and set(b) succeed).
func hashableItems(a, b any) (pyList, pyList, bool) {
	aItems, bItems, err := setItems(a, b)
	return aItems, bItems, err == nil
}

// unionItems, intersectItems, differenceItems and symmetricItems are
// set(a) | set(b), &, - and ^, in first-appearance order.
func unionItems(a, b pyList) pyList { return dedupe(append(append(pyList{}, a...), b...)) }

func intersectItems(a, b pyList) pyList { return dedupe(itemsIn(a, b, true)) }

func differenceItems(a, b pyList) pyList { return dedupe(itemsIn(a, b, false)) }

func symmetricItems(a, b pyList) pyList {
	return append(differenceItems(a, b), differenceItems(b, a)...)
}

// itemsIn is the items of a that are (want) or are not in b.
func itemsIn(a, b pyList, want bool) pyList {
	out := pyList{}
	for _, item := range a {
		if containsValue(b, item) == want {
			out = append(out, item)
		}
	}
	return out
}

// listSetOp is the set filters' list path: union is unique(a + b),
// intersect and difference unique([x for x in a if x (not) in b]),
// symmetric_difference the union's items not in the intersection.
func listSetOp(name string, a, b any) (any, error) {
	switch name {
	case "union":
		sum, err := pyAdd(a, b, false)
		if err != nil {
			return nil, err
		}
		items, err := pyIter(sum)
		return dedupe(items), err
	case "symmetric_difference":
		return listSymmetric(a, b)
	}
	items, err := listMembers(a, b, name == "intersect")
	return dedupe(items), err
}

// listMembers is [x for x in a if (x in b) == want].
func listMembers(a, b any, want bool) (pyList, error) {
	items, err := pyIter(a)
	if err != nil {
		return nil, err
	}
	out := pyList{}
	for _, item := range items {
		in, err := pyContains(b, item)
		if err != nil {
			return nil, err
		}
		if in == want {
			out = append(out, item)
		}
	}
	return out, nil
}

// listSymmetric is the list path of symmetric_difference: the items of
// union(a, b) not in intersect(a, b).
func listSymmetric(a, b any) (any, error) {
	isect, err := listSetOp("intersect", a, b)
	if err != nil {
		return nil, err
	}
	union, err := listSetOp("union", a, b)
	if err != nil {
		return nil, err
	}
	return itemsIn(union.(pyList), isect.(pyList), false), nil
}

// iterables is the items of each given value of values.
func iterables(values []any) ([]pyList, error) {
	out := []pyList{}
	for _, v := range values {
		if v == notGiven {
			continue
		}
		items, err := pyIter(v)
		if err != nil {
			return nil, err
		}
		out = append(out, items)
	}
	return out, nil
}

// filterProduct is itertools.product(*iterables, repeat=1).
func filterProduct(in any, args []any) (any, error) {
	pools, err := iterables(append([]any{in}, args[:len(args)-1]...))
	if err != nil {
		return nil, err
	}
	repeat, err := productRepeat(or(args[len(args)-1], 1))
	if err != nil {
		return nil, err
	}
	all := []pyList{}
	for range repeat {
		all = append(all, pools...)
	}
	count := 1.0
	for _, pool := range all {
		count *= float64(len(pool))
	}
	if err := withinResultLimit("product", count); err != nil {
		return nil, err
	}
	return cartesian(all), nil
}

// resultLimit is the most tuples product, permutations and combinations
// make, and the most lists slice makes: Python builds them all in memory
// (a 27-character string's permutations would be 27! tuples), where
// straylight refuses, naming the count, rather than run out of memory.
const resultLimit = 1_000_000

func withinResultLimit(name string, count float64) error {
	if count > resultLimit {
		return &sizeLimitError{what: name, size: count, limit: resultLimit, unit: "items"}
	}
	return nil
}

// productRepeat is product's repeat: a non-negative integer.
func productRepeat(x any) (int, error) {
	repeat, err := pyIndex(x)
	if err == nil && repeat < 0 {
		err = errors.New("repeat argument cannot be negative")
	}
	return repeat, err
}

// cartesian is the tuples of one item of each pool, the last pool's
// item changing fastest.
func cartesian(pools []pyList) pyList {
	out := pyList{pyTuple{}}
	for _, pool := range pools {
		next := pyList{}
		for _, prefix := range out {
			for _, item := range pool {
				next = append(next, append(append(pyTuple{}, prefix.(pyTuple)...), item))
			}
		}
		out = next
	}
	return out
}

// comboLength is permutations' and combinations' r: a non-negative
// integer (permutations' default, None, is the input's length).
func comboLength(r any, n int) (int, error) {
	if r == nil {
		return n, nil
	}
	length, err := pyIndex(r)
	if err == nil && length < 0 {
		err = errors.New("r must be non-negative")
	}
	return length, err
}

// filterPermutations is itertools.permutations(iterable, r=None), in
// its lexicographic order of positions.
func filterPermutations(in any, args []any) (any, error) {
	items, err := pyIter(in)
	if err != nil {
		return nil, err
	}
	r, err := comboLength(or(args[0], nil), len(items))
	if err != nil || r > len(items) {
		return pyList{}, err
	}
	count := 1.0
	for i := range r {
		count *= float64(len(items) - i)
	}
	if err := withinResultLimit("permutations", count); err != nil {
		return nil, err
	}
	out := pyList{}
	permute(items, make([]bool, len(items)), pyTuple{}, r, &out)
	return out, nil
}

// permute adds to out each r-tuple of distinct positions of items, in
// itertools.permutations' order.
func permute(items pyList, used []bool, prefix pyTuple, r int, out *pyList) {
	if len(prefix) == r {
		*out = append(*out, append(pyTuple{}, prefix...))
		return
	}
	for i, item := range items {
		if !used[i] {
			used[i] = true
			permute(items, used, append(prefix, item), r, out)
			used[i] = false
		}
	}
}

// combinationsLength is combinations' r: required, never None.
func combinationsLength(r any, n int) (int, error) {
	switch r {
	case notGiven:
		return 0, errors.New("combinations() missing required argument 'r' (pos 2)")
	case nil:
		return 0, errors.New("'NoneType' object cannot be interpreted as an integer")
	}
	return comboLength(r, n)
}

// filterCombinations is itertools.combinations(iterable, r): r is
// required.
func filterCombinations(in any, args []any) (any, error) {
	items, err := pyIter(in)
	if err != nil {
		return nil, err
	}
	r, err := combinationsLength(args[0], len(items))
	if err != nil {
		return nil, err
	}
	count := 1.0
	for i := 1; i <= r && r <= len(items); i++ {
		count = count * float64(len(items)-r+i) / float64(i)
	}
	if err := withinResultLimit("combinations", count); err != nil {
		return nil, err
	}
	out := pyList{}
	combine(items, 0, pyTuple{}, r, &out)
	return out, nil
}

// combine adds to out each r-tuple of items in increasing positions from
// start, in itertools.combinations' order.
func combine(items pyList, start int, prefix pyTuple, r int, out *pyList) {
	if len(prefix) == r {
		*out = append(*out, append(pyTuple{}, prefix...))
		return
	}
	for i := start; i < len(items); i++ {
		combine(items, i+1, append(prefix, items[i]), r, out)
	}
}

// filterZipLongest is itertools.zip_longest(*iterables, fillvalue=None).
func filterZipLongest(in any, args []any) (any, error) {
	lists, err := iterables(append([]any{in}, args[:len(args)-1]...))
	if err != nil {
		return nil, err
	}
	fill, out := or(args[len(args)-1], nil), pyList{}
	for i := range longestLen(lists) {
		row := pyTuple{}
		for _, l := range lists {
			row = append(row, itemOr(l, i, fill))
		}
		out = append(out, row)
	}
	return out, nil
}

// longestLen is the length of the longest of lists.
func longestLen(lists []pyList) int {
	longest := 0
	for _, l := range lists {
		longest = max(longest, len(l))
	}
	return longest
}

// itemOr is l[i], or fill past l's end (zip_longest's fillvalue).
func itemOr(l pyList, i int, fill any) any {
	if i < len(l) {
		return l[i]
	}
	return fill
}

// realNumber is Python's conversion of a math function's argument to a
// float: ints, floats and bools, else TypeError.
func realNumber(x any) (float64, error) {
	if _, isString := x.(string); !isString {
		if f, ok := toFloat(x); ok {
			return f, nil
		}
	}
	return 0, fmt.Errorf("must be real number, not %s", typeName(x))
}

// filterLog is Ansible's log(x, base=e): math.log10(x) when base == 10,
// else math.log(x, base), which is log(x) / log(base).
func filterLog(in any, args []any) (any, error) {
	x, errX := realNumber(in)
	base, errBase := realNumber(or(args[0], math.E))
	if err := errors.Join(errX, errBase); err != nil {
		return nil, fmt.Errorf("log() can only be used on numbers: %v", firstErr(errX, errBase))
	}
	return pyLog(x, base)
}

// pyLog is math.log10(x) for base 10, else math.log(x, base): log(x) /
// log(base).
func pyLog(x, base float64) (float64, error) {
	if x <= 0 || base <= 0 {
		return 0, errMathDomain
	}
	if base == 10 {
		return cLog10(x), nil
	}
	den := cLog(base)
	if den == 0 {
		return 0, errors.New("float division by zero")
	}
	return cLog(x) / den, nil
}

// filterPow is Ansible's pow: math.pow(x, y).
func filterPow(in any, args []any) (any, error) {
	x, errX := realNumber(in)
	y, errY := realNumber(or(args[0], nil))
	if args[0] == notGiven {
		return nil, errors.New("power() missing 1 required positional argument: 'y'")
	}
	if err := firstErr(errX, errY); err != nil {
		return nil, fmt.Errorf("pow() can only be used on numbers: %v", err)
	}
	return cPow(x, y)
}

// filterRoot is Ansible's root(x, base=2): math.sqrt(x) for base 2,
// else math.pow(x, 1.0 / float(base)).
func filterRoot(in any, args []any) (any, error) {
	x, err := realNumber(in)
	if err != nil {
		return nil, fmt.Errorf("root() can only be used on numbers: %v", err)
	}
	out, err := inversePower(x, or(args[0], 2))
	if err != nil && err.Error() != "float division by zero" {
		return nil, fmt.Errorf("root() can only be used on numbers: %v", err)
	}
	return out, err
}

// inversePower is math.sqrt(x) for base 2, else math.pow(x, 1.0 /
// float(base)).
func inversePower(x float64, base any) (any, error) {
	if f, ok := toFloat(base); ok && f == 2 {
		if x < 0 {
			return nil, errMathDomain
		}
		return math.Sqrt(x), nil
	}
	b, err := pyFloatOf(base)
	if err == nil && b == 0 {
		err = errors.New("float division by zero")
	}
	if err != nil {
		return nil, err
	}
	return cPow(x, 1.0/b)
}

// pyFloatOf is Python's float(x) for a number or a numeric string.
func pyFloatOf(x any) (float64, error) {
	if s, ok := x.(string); ok {
		if f, ok := parsePyFloat(s); ok {
			return f, nil
		}
		return 0, fmt.Errorf("could not convert string to float: %s", pyRepr(s))
	}
	if f, ok := toFloat(x); ok {
		return f, nil
	}
	return 0, fmt.Errorf("float() argument must be a string or a real number, not '%s'", typeName(x))
}

// firstErr is the first of errs that is not nil.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// sizeRanges are formatters.py's SIZE_RANGES, largest first.
var sizeRanges = []struct {
	suffix string
	shift  uint
}{{"Y", 80}, {"Z", 70}, {"E", 60}, {"P", 50}, {"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}, {"B", 0}}

// filterHumanReadable is Ansible's human_readable (formatters.py
// bytes_to_human): the first range the size reaches, or the unit's,
// '%.2f' of the size in it, then the suffix (Bytes or bits for bytes).
func filterHumanReadable(in any, args []any) (any, error) {
	size, ok := toFloat(in)
	if !ok {
		return nil, fmt.Errorf("human_readable() failed on bad input: '>=' not supported between instances of '%s' and 'int'", typeName(in))
	}
	unit := or(args[1], nil)
	if _, isString := unit.(string); unit != nil && !isString {
		return nil, fmt.Errorf("human_readable() can't interpret following string: %s", pyStr(in))
	}
	suffix, shift := humanRange(size, unit)
	return percentTwoF(size/math.Ldexp(1, int(shift))) + " " + humanSuffix(suffix, shift, pyTruthy(or(args[0], false))), nil
}

// humanSuffix is bytes_to_human's suffix: Bytes (bits) for the B range,
// else the range's letter and B (b).
func humanSuffix(letter string, shift uint, isbits bool) string {
	base := "Bytes"
	if isbits {
		base = "bits"
	}
	if shift == 0 {
		return base
	}
	return letter + base[:1]
}

// percentTwoF is Python's '%.2f' % f: inf, -inf and nan as Python spells
// them.
func percentTwoF(f float64) string {
	if !isFinite(f) {
		return pyFloat(f)
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

// humanRange is bytes_to_human's loop: the largest range size reaches
// when no unit is given, else the unit's (B when none matches).
func humanRange(size float64, unit any) (string, uint) {
	for _, r := range sizeRanges {
		if unit == nil && size >= math.Ldexp(1, int(r.shift)) {
			return r.suffix, r.shift
		}
		if u, ok := unit.(string); ok && pyUpper(u) == r.suffix {
			return r.suffix, r.shift
		}
	}
	return "B", 0
}

// humanToBytesFilter is Ansible's human_to_bytes as the core in use runs
// it: formatters.py changed its parsing and its unit check in 2.19.
func humanToBytesFilter(dataTagging func() bool) func(any, []any) (any, error) {
	return func(in any, args []any) (any, error) {
		text, defaultUnit, isbits := pyStr(in), or(args[0], nil), pyTruthy(or(args[1], false))
		number, unit, ok := humanParts(text, dataTagging())
		if !ok {
			return nil, fmt.Errorf("human_to_bytes() can't interpret following string: %s", text)
		}
		switch {
		case unit == "" && defaultUnit == nil:
			return int(math.RoundToEven(number)), nil
		case unit == "":
			return humanWithDefault(text, number, defaultUnit, isbits, dataTagging())
		}
		return humanBytes(text, number, unit, isbits, dataTagging())
	}
}

// humanWithDefault is human_to_bytes with default_unit standing for the
// unit the text lacks (a non-string one is a TypeError).
func humanWithDefault(text string, number float64, unit any, isbits, v219 bool) (any, error) {
	u, ok := unit.(string)
	if !ok {
		return nil, fmt.Errorf("human_to_bytes() failed on bad input: '%s' object is not subscriptable", typeName(unit))
	}
	if u == "" {
		return nil, fmt.Errorf("human_to_bytes() failed on bad input: string index out of range")
	}
	return humanBytes(text, number, u, isbits, v219)
}

var (
	humanParts214 = lazyre.New(`^\s*(\d*\.?\d*)\s*([A-Za-z]+)?`)
	humanParts219 = lazyre.New(`^([0-9]*\.?[0-9]+)(?:\s*([A-Za-z]+))?\s*$`)
)

// humanParts is the number and the unit human_to_bytes reads: 2.14's
// `^\s*(\d*\.?\d*)\s*([A-Za-z]+)?` (anything may follow), 2.19's
// `^([0-9]*\.?[0-9]+)(?:\s*([A-Za-z]+))?\s*$` (Python's \s and \d, which
// take Unicode spaces and digits, read as ASCII's here).
func humanParts(text string, v219 bool) (float64, string, bool) {
	if v219 {
		m := humanParts219().FindStringSubmatch(text)
		if m == nil {
			return 0, "", false
		}
		f, err := strconv.ParseFloat(m[1], 64)
		return f, m[2], err == nil
	}
	m := humanParts214().FindStringSubmatch(text)
	f, err := strconv.ParseFloat(m[1], 64)
	return f, m[2], err == nil && m[1] != "." && m[1] != ""
}

// humanBytes is human_to_bytes' unit check and int(round(number *
// range)).
func humanBytes(text string, number float64, unit string, isbits, v219 bool) (any, error) {
	key := pyUpper(string([]rune(unit)[0]))
	shift, found := rangeShift(key)
	if !found {
		return nil, fmt.Errorf("human_to_bytes() failed to convert %s (unit = %s). The suffix must be one of Y, Z, E, P, T, G, M, K, B", text, unit)
	}
	if len([]rune(unit)) > 1 && !humanUnitValid(unit, key, isbits, v219) {
		return nil, fmt.Errorf("human_to_bytes() failed to convert %s. Value is not a valid string", text)
	}
	bytes := math.RoundToEven(number * math.Ldexp(1, int(shift)))
	if bytes >= math.Ldexp(1, 63) {
		return nil, fmt.Errorf("human_to_bytes(): %s is %.0f, beyond the 64-bit integers straylight's engine has", text, bytes)
	}
	return int(bytes), nil
}

// rangeShift is SIZE_RANGES[key] as a power of two.
func rangeShift(key string) (uint, bool) {
	for _, r := range sizeRanges {
		if r.suffix == key {
			return r.shift, true
		}
	}
	return 0, false
}

// humanUnitValid is the check of a unit longer than one letter: 2.14
// takes any unit holding "byte" ("bit") or whose second letter is B (b);
// 2.19 the unit's name (megabyte) or its symbol (MB), exactly.
func humanUnitValid(unit, key string, isbits, v219 bool) bool {
	class, name := "B", "byte"
	if isbits {
		class, name = "b", "bit"
	}
	if v219 {
		longName := strings.ToLower(map[string]string{"B": "", "K": "kilo", "M": "mega", "G": "giga", "T": "tera",
			"P": "peta", "E": "exa", "Z": "zeta", "Y": "yotta"}[key]) + name
		symbol := key + class
		if key == "B" {
			symbol = class
		}
		return pyLower(unit) == longName || unit == symbol
	}
	return strings.Contains(pyLower(unit), name) || string([]rune(unit)[1]) == class
}

// filterRekeyOnMember is Ansible's rekey_on_member: a dict of the dicts
// of data (a list, or a dict's values) by their key member; a repeated
// key fails unless duplicates is 'overwrite'. The engine's dicts have
// string keys: a member that is not a string is refused.
func filterRekeyOnMember(in any, args []any) (any, error) {
	key, duplicates := or(args[0], nil), pyStr(or(args[1], "error"))
	if duplicates != "error" && duplicates != "overwrite" {
		return nil, fmt.Errorf("duplicates parameter to rekey_on_member has unknown value: %s", duplicates)
	}
	items, err := rekeyItems(in)
	if err != nil {
		return nil, err
	}
	out := newDict(len(items))
	for _, item := range items {
		if err := rekeyOne(out, item, key, duplicates); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rekeyItems is what rekey_on_member iterates: a dict's values, a list's
// items; a string or a scalar is refused.
func rekeyItems(in any) (pyList, error) {
	switch v := in.(type) {
	case pyDict:
		out := pyList{}
		for _, key := range v.keys() {
			out = append(out, v[key].val)
		}
		return out, nil
	case pyList:
		return v, nil
	case pyTuple:
		return pyList(v), nil
	}
	//lint:ignore ST1005 rekey_on_member's message, as Ansible words it
	return nil, errors.New("Type is not a valid list, set, or dict")
}

// rekeyOne files item in out under its key member: the body of
// rekey_on_member's loop.
func rekeyOne(out pyDict, item, key any, duplicates string) error {
	d, ok := item.(pyDict)
	if !ok {
		//lint:ignore ST1005 rekey_on_member's message, as Ansible words it
		return errors.New("List item is not a valid dict")
	}
	name, err := rekeyMember(d, key)
	if err != nil {
		return err
	}
	if _, exists := out[name]; exists && duplicates == "error" {
		//lint:ignore ST1005 rekey_on_member's message, as Ansible words it
		return fmt.Errorf("Key %s is not unique, cannot correctly turn into dict", name)
	}
	out.set(name, item)
	return nil
}

// rekeyMember is item[key], which must be a string here.
func rekeyMember(item pyDict, key any) (string, error) {
	member, found := item.get(dictKey(key))
	if _, isString := key.(string); !found || !isString {
		//lint:ignore ST1005 rekey_on_member's message, as Ansible words it
		return "", fmt.Errorf("Key %s was not found", pyStr(key))
	}
	name, isString := member.(string)
	switch {
	case !pyHashable(member):
		return "", unhashable(member)
	case !isString:
		return "", fmt.Errorf("rekey_on_member: the key %s is a %s; straylight's dicts have string keys only", pyRepr(member), typeName(member))
	}
	return name, nil
}

// filterExtract is Ansible's extract(item, container, morekeys=None):
// container[item], then each of morekeys (a list, or one key) in turn,
// Jinja2's getitem (a missing one is undefined).
func filterExtract(in any, args []any) (any, error) {
	if args[0] == notGiven {
		return nil, errors.New("extract() missing 1 required positional argument: 'container'")
	}
	value := args[0]
	for _, key := range extractKeys(in, or(args[1], nil)) {
		value = jinjaGetItem(value, key)
		if _, undefined := value.(*UndefinedError); undefined {
			return value, nil
		}
	}
	return value, nil
}

// extractKeys is extract's [item] + morekeys (a list), or [item,
// morekeys] (one key).
func extractKeys(item, morekeys any) pyList {
	switch more := morekeys.(type) {
	case nil:
		return pyList{item}
	case pyList:
		return append(pyList{item}, more...)
	}
	return pyList{item, morekeys}
}

// jinjaGetItem is Jinja2's environment.getitem(obj, key): obj[key], then
// for groupby's tuples their attribute (grouper, list), an undefined
// value when there is none.
func jinjaGetItem(obj, key any) any {
	if b, ok := key.(bool); ok {
		key = boolToInt(b)
	}
	if tuple, ok := obj.(pyTuple); ok {
		if value, ok := groupTupleAttribute(tuple, pyStr(key)); ok {
			return value
		}
	}
	if s, ok := obj.(string); ok {
		return stringItem(s, key)
	}
	if getter, ok := unrolled(obj).(exec.ItemGetter); ok {
		if value, found := getter.GetItem(key); found {
			return undefinedOrValue(value)
		}
	}
	return &UndefinedError{Name: pyStr(key), Hint: fmt.Sprintf("'%s' has no attribute '%s'", typeName(obj), pyStr(key))}
}

// undefinedOrValue is the engine value of a GetItem result, its
// undefined error kept as the value.
func undefinedOrValue(value *exec.Value) any {
	if value.IsError() {
		if undefined, ok := asUndefined(value.Interface().(error)); ok {
			return undefined
		}
	}
	return toPy(value)
}

// stringItem is s[key]: a character, by an int index (negative from the
// end).
func stringItem(s string, key any) any {
	runes := []rune(s)
	index, ok := key.(int)
	if ok && index < 0 {
		index += len(runes)
	}
	if !ok || index < 0 || index >= len(runes) {
		return &UndefinedError{Name: pyStr(key), Hint: fmt.Sprintf("'str object' has no attribute '%s'", pyStr(key))}
	}
	return string(runes[index])
}

// addMathTests adds Ansible's mathstuff tests (plugins/test/mathstuff.py):
// subset and superset (set(a) <= set(b), set(a) >= set(b)) under their
// names issubset and issuperset too, and nan (isnan): math.isnan of a
// float, false for anything else.
func addMathTests(tests map[string]test) {
	for _, name := range []string{"subset", "issubset"} {
		tests[name] = test{params: []string{"b"}, fn: setTest(false)}
	}
	for _, name := range []string{"superset", "issuperset"} {
		tests[name] = test{params: []string{"b"}, fn: setTest(true)}
	}
	nan := test{fn: func(in any, _ []any) (bool, error) {
		f, ok := in.(float64)
		return ok && math.IsNaN(f), nil
	}}
	tests["nan"] = nan
	tests["isnan"] = nan
}

// setTest is Python's set(a) <= set(b) (superset: >=): the items of both
// must be hashable.
func setTest(superset bool) func(any, []any) (bool, error) {
	return func(in any, args []any) (bool, error) {
		a, b, err := setItems(in, or(args[0], nil))
		if err != nil {
			return false, err
		}
		if superset {
			a, b = b, a
		}
		return len(itemsIn(a, b, false)) == 0, nil
	}
}

// setItems is the items of a and b as Python's set(a) and set(b) take
// them: iterables of hashable items.
func setItems(a, b any) (pyList, pyList, error) {
	aItems, errA := pyIter(a)
	if errA != nil {
		return nil, nil, errA
	}
	bItems, errB := pyIter(b)
	if errB != nil {
		return nil, nil, errB
	}
	for _, item := range append(append(pyList{}, aItems...), bItems...) {
		if !pyHashable(item) {
			return nil, nil, unhashable(item)
		}
	}
	return aItems, bItems, nil
}
