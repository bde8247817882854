package render

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// gonja computes **, // and % with Go floats and ints (2 ** 10 is 1024.0,
// -7 // 2 is -3, and '%s' % x divides by zero), + with Go's conversions
// ('a' + 1 is 'a1', a tuple plus a tuple a list), * and - with a bool as 0
// (True * 5 is 0, 2 * 'ab' is 0), not with a number's own type (not 0 is
// 1, not -3.25 is 0.0), and `in` with reflection (which cannot see into
// hostvars). After parsing, these operators are rewritten into calls of
// the functions below, which follow Python 3 (not into the filter notFunc).

const (
	powFunc      = "__straylight_pow"
	floorDivFunc = "__straylight_floordiv"
	modFunc      = "__straylight_mod"
	addFunc      = "__straylight_add"
	mulFunc      = "__straylight_mul"
	subFunc      = "__straylight_sub"
	inFunc       = "__straylight_in"
	notFunc      = "__straylight_not"
	truthFunc    = "__straylight_truth"
	eqFunc       = "__straylight_eq"
	neFunc       = "__straylight_ne"
	ltFunc       = "__straylight_lt"
	leFunc       = "__straylight_le"
	gtFunc       = "__straylight_gt"
	geFunc       = "__straylight_ge"
)

var errZeroDivision = errors.New("integer division or modulo by zero")

func operatorFunctions() map[string]any {
	return map[string]any{
		powFunc:      binaryFunction(pyPow),
		floorDivFunc: binaryFunction(pyFloorDiv),
		modFunc:      binaryFunction(pyMod),
		addFunc:      binaryFunction(pyAdd),
		mulFunc:      binaryFunction(pyMul),
		subFunc:      binaryFunction(pySub),
		inFunc: binaryFunction(func(item, container any, _ bool) (any, error) {
			return pyContains(container, item)
		}),
		eqFunc: binaryFunction(func(a, b any, _ bool) (any, error) { return pyEqual(a, b), nil }),
		neFunc: binaryFunction(func(a, b any, _ bool) (any, error) { return !pyEqual(a, b), nil }),
		ltFunc: comparison("<"),
		leFunc: comparison("<="),
		gtFunc: comparison(">"),
		geFunc: comparison(">="),
	}
}

// comparison is Python's op: numbers (bools count) with numbers, strings
// with strings, lists with lists and tuples with tuples, item by item;
// any other pair is a TypeError, which fails the task in Ansible (gonja
// compared '8000' > 100 as strings and None < 1 as 0 < 1).
func comparison(op string) func(*exec.VarArgs) *exec.Value {
	return binaryFunction(func(a, b any, _ bool) (any, error) {
		if fa, ok := toFloat(a); ok {
			if fb, ok := toFloat(b); ok {
				return floatsHold(op, fa, fb), nil
			}
		}
		order, err := pyCompare(a, b)
		if err != nil {
			return nil, errors.New(strings.Replace(err.Error(), "'<'", "'"+op+"'", 1))
		}
		return floatsHold(op, float64(order), 0), nil
	})
}

// floatsHold is a op b on floats (NaN compares false, as in Python).
func floatsHold(op string, a, b float64) bool {
	switch op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	}
	return a >= b
}

// binaryFunction adapts a Python operator to a call op(left, right,
// rightIsTuple).
func binaryFunction(op func(left, right any, rightIsTuple bool) (any, error)) func(*exec.VarArgs) *exec.Value {
	return func(args *exec.VarArgs) *exec.Value {
		result, err := sizeLimited(func() (any, error) { return op(toPy(args.Args[0]), toPy(args.Args[1]), args.Args[2].IsTrue()) })
		if err != nil {
			return exec.AsValue(err)
		}
		return exec.AsValue(result)
	}
}

// numbers reads two operands as Python numbers: both ints (bools count),
// or floats.
func numbers(a, b any) (ia, ib int, fa, fb float64, ints bool, err error) {
	ia, aInt := asInt(a)
	ib, bInt := asInt(b)
	if aInt && bInt {
		return ia, ib, 0, 0, true, nil
	}
	fa, aOK := toFloat(a)
	fb, bOK := toFloat(b)
	if !aOK || !bOK {
		return 0, 0, 0, 0, false, fmt.Errorf("unsupported operand types: '%s' and '%s'", typeName(a), typeName(b))
	}
	return 0, 0, fa, fb, false, nil
}

func asInt(x any) (int, bool) {
	switch v := x.(type) {
	case int:
		return v, true
	case bool:
		return boolToInt(v), true
	}
	return 0, false
}

func pyPow(a, b any, _ bool) (any, error) {
	ia, ib, fa, fb, ints, err := numbers(a, b)
	if err != nil {
		return nil, err
	}
	if ints && ib >= 0 {
		result, exact := intPow(ia, ib)
		if !exact {
			return nil, intOverflow(ia, "**", ib)
		}
		return result, nil
	}
	if ints {
		fa, fb = float64(ia), float64(ib)
	}
	if fa < 0 && fb != math.Trunc(fb) {
		return nil, fmt.Errorf("complex results are not supported")
	}
	if fa == 0 && fb < 0 {
		return nil, errors.New("0.0 cannot be raised to a negative power")
	}
	return cPow(fa, fb) // C's pow, rounded once: Go's math.Pow can be a unit off in the last place
}

// pyAdd is Python's +: numbers add, a str, list or tuple concatenates with
// one of its own type, anything else is Python's TypeError.
func pyAdd(a, b any, _ bool) (any, error) {
	switch left := a.(type) {
	case string:
		if right, ok := b.(string); ok {
			return left + right, nil
		}
	case pyList:
		if right, ok := b.(pyList); ok {
			return append(append(pyList{}, left...), right...), nil
		}
	case pyTuple:
		if right, ok := b.(pyTuple); ok {
			return append(append(pyTuple{}, left...), right...), nil
		}
	default:
		return addNumbers(a, b)
	}
	return nil, fmt.Errorf(`can only concatenate %s (not "%s") to %s`, typeName(a), typeName(b), typeName(a))
}

// pyMul is Python's *: numbers (a bool is 1 or 0), or a str, list or
// tuple repeated an int number of times, on either side.
func pyMul(a, b any, _ bool) (any, error) {
	if times, ok := asInt(b); ok {
		if out, ok := repeated(a, times); ok {
			return out, nil
		}
	}
	if times, ok := asInt(a); ok {
		if out, ok := repeated(b, times); ok {
			return out, nil
		}
	}
	if isSequence(a) || isSequence(b) {
		return nil, fmt.Errorf("can't multiply sequence by non-int of type '%s'", typeName(nonSequence(a, b)))
	}
	return arithmetic("*", a, b, mulInt, func(x, y float64) float64 { return x * y })
}

// repeated is seq times times, when seq is a str, list or tuple.
func repeated(seq any, times int) (any, bool) {
	times = max(times, 0)
	switch v := seq.(type) {
	case string:
		return repeatString(v, times), true
	case pyList:
		return repeatItems(v, times), true
	case pyTuple:
		return pyTuple(repeatItems(v, times)), true
	}
	return nil, false
}

func repeatItems(items []any, times int) pyList {
	refuseItems("repeating a sequence", float64(len(items))*float64(times))
	out := make(pyList, 0, len(items)*times)
	for range times {
		out = append(out, items...)
	}
	return out
}

func isSequence(x any) bool {
	switch x.(type) {
	case string, pyList, pyTuple:
		return true
	}
	return false
}

// nonSequence is the operand of a sequence's * that is not the sequence.
func nonSequence(a, b any) any {
	if isSequence(a) {
		return b
	}
	return a
}

// pySub is Python's - on numbers (a bool is 1 or 0).
func pySub(a, b any, _ bool) (any, error) {
	return arithmetic("-", a, b, subInt, func(x, y float64) float64 { return x - y })
}

// notFilter is Python's not: a bool, whatever the operand's type.
func notFilter(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	return exec.AsValue(!truthOf(in))
}

// truthOf is Python's bool() of a value: pyTruthy's for the values it
// knows, gonja's own for the rest (a range, a lazy view), which it gets
// right there.
func truthOf(in *exec.Value) bool {
	x := toPy(in)
	switch x.(type) {
	case nil, bool, int, float64, string, pyList, pyTuple, pyDict, groupsMap:
		return pyTruthy(x)
	}
	return in.IsTrue()
}

// truthFilter is Python's bool(): the condition of a conditional
// expression (condexpr.go).
func truthFilter(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	return exec.AsValue(truthOf(in))
}

func addNumbers(a, b any) (any, error) {
	return arithmetic("+", a, b, addInt, func(x, y float64) float64 { return x + y })
}

// arithmetic applies a Python operator to two numbers: ints (a bool is 1
// or 0) give an int, anything with a float a float. ints reports whether
// its result fits in an int (intOverflow).
func arithmetic(op string, a, b any, ints func(int, int) (int, bool), floats func(float64, float64) float64) (any, error) {
	ia, ib, fa, fb, bothInts, err := numbers(a, b)
	switch {
	case err != nil:
		return nil, fmt.Errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
	case bothInts:
		result, fits := ints(ia, ib)
		if !fits {
			return nil, intOverflow(ia, op, ib)
		}
		return result, nil
	}
	return floats(fa, fb), nil
}

// intOverflow is the error of an int operation whose result does not fit
// in 64 bits. Python's ints have no bound, and it computes such a result
// exactly; the engine's are Go's, and wrapping around
// (9223372036854775807 + 1 was negative, 4294967296 * 4294967296 was 0)
// or turning to a float (2 ** 64) would render a wrong number: it fails
// the task instead (docs/ansible-semantics.md §5).
func intOverflow(a int, op string, b int) error {
	return fmt.Errorf("integer overflow: %d %s %d does not fit in 64 bits (Python computes it exactly; straylight's integers are 64-bit)", a, op, b)
}

// addInt, subInt and mulInt are +, - and * on ints; fits is false on
// overflow.
func addInt(x, y int) (sum int, fits bool) {
	sum = x + y
	return sum, (y >= 0) == (sum >= x)
}

func subInt(x, y int) (diff int, fits bool) {
	diff = x - y
	return diff, (y >= 0) == (diff <= x)
}

func mulInt(x, y int) (product int, fits bool) {
	if x == 0 || y == 0 {
		return 0, true
	}
	product = x * y
	wrapped := product/y != x || (x == -1 && y == math.MinInt) || (y == -1 && x == math.MinInt)
	return product, !wrapped
}

// intPow is exact integer exponentiation by squaring (so that 1 ** 10 **
// 12 does not loop 10 ** 12 times); exact is false on overflow. A square
// is taken only while exponent bits remain, and then the result holds it:
// its overflow is the result's.
func intPow(base, exp int) (result int, exact bool) {
	result, exact = 1, true
	for exp > 0 && exact {
		if exp&1 == 1 {
			result, exact = mulInt(result, base)
		}
		if exp >>= 1; exp > 0 && exact {
			base, exact = mulInt(base, base)
		}
	}
	return result, exact
}

func pyFloorDiv(a, b any, _ bool) (any, error) {
	ia, ib, fa, fb, ints, err := numbers(a, b)
	if err != nil {
		return nil, err
	}
	if ints {
		if ib == 0 {
			return nil, errZeroDivision
		}
		if ia == math.MinInt && ib == -1 {
			return nil, intOverflow(ia, "//", ib)
		}
		return floorDivInt(ia, ib), nil
	}
	if fb == 0 {
		return nil, errors.New("float floor division by zero")
	}
	return math.Floor(fa / fb), nil
}

func floorDivInt(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func pyMod(a, b any, rightIsTuple bool) (any, error) {
	if format, ok := a.(string); ok {
		return pyFormat(format, b, rightIsTuple)
	}
	ia, ib, fa, fb, ints, err := numbers(a, b)
	if err != nil {
		return nil, err
	}
	if ints {
		if ib == 0 {
			return nil, errZeroDivision
		}
		return ia - ib*floorDivInt(ia, ib), nil
	}
	if fb == 0 {
		return nil, errors.New("float modulo")
	}
	m := math.Mod(fa, fb)
	if m != 0 && (m < 0) != (fb < 0) {
		m += fb
	}
	return m, nil
}

// pyFormat is Python's printf-style `format % args`.
func pyFormat(format string, args any, spread bool) (string, error) {
	f := &formatter{args: pyList{args}, mapping: nil}
	if list, ok := asList(args); ok && spread {
		f.args = list
	} else if d, ok := args.(pyDict); ok {
		f.mapping = d
	}
	out, err := f.format(format)
	if err != nil {
		return "", err
	}
	if f.mapping == nil && f.next < len(f.args) {
		return "", errors.New("not all arguments converted during string formatting")
	}
	return out, nil
}

type formatter struct {
	args    pyList
	next    int
	mapping pyDict
}

func (f *formatter) format(format string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		end, text, err := f.directive(format, i+1)
		if err != nil {
			return "", err
		}
		b.WriteString(text)
		i = end
	}
	return b.String(), nil
}

// directive formats the conversion starting after the '%' at start and
// returns the index of its last byte.
func (f *formatter) directive(format string, start int) (int, string, error) {
	value, i, err := f.mappingKey(format, start)
	if err != nil {
		return 0, "", err
	}
	specStart := i
	for i < len(format) && strings.IndexByte("-+ #0123456789.", format[i]) >= 0 {
		i++
	}
	if i >= len(format) {
		return 0, "", errors.New("incomplete format")
	}
	if format[i] == '%' {
		return i, "%", nil
	}
	if f.mapping == nil {
		if value, err = f.nextArg(); err != nil {
			return 0, "", err
		}
	}
	if err := formatWidthsWithin(format[specStart:i]); err != nil {
		return 0, "", err
	}
	text, err := convert(format[specStart:i], format[i], value)
	return i, text, err
}

// formatWidthLimit is the largest width or precision a %-format takes:
// Go's fmt, which convert hands the spec, prints %!(BADWIDTH) past it,
// where Python pads to any width.
const formatWidthLimit = 1_000_000

// formatWidthsWithin refuses a spec whose width or precision passes
// formatWidthLimit, rather than print fmt's error text as the value.
func formatWidthsWithin(spec string) error {
	for _, digits := range strings.FieldsFunc(spec, func(r rune) bool { return r < '0' || r > '9' }) {
		if n, err := strconv.Atoi(digits); err != nil || n > formatWidthLimit {
			return fmt.Errorf("a %%-format width or precision of %s: straylight refuses more than %d", digits, formatWidthLimit)
		}
	}
	return nil
}

// mappingKey reads "(key)" at i, returning its value from the mapping and
// where the rest of the directive starts.
func (f *formatter) mappingKey(format string, i int) (any, int, error) {
	if i >= len(format) || format[i] != '(' {
		return nil, i, nil
	}
	end := strings.IndexByte(format[i:], ')')
	if end < 0 || f.mapping == nil {
		return nil, 0, errors.New("format requires a mapping")
	}
	key := format[i+1 : i+end]
	value, ok := f.mapping.get(key)
	if !ok {
		return nil, 0, fmt.Errorf("KeyError: '%s'", key)
	}
	return value, i + end + 1, nil
}

func (f *formatter) nextArg() (any, error) {
	if f.next >= len(f.args) {
		return nil, errors.New("not enough arguments for format string")
	}
	f.next++
	return f.args[f.next-1], nil
}

// convert applies one conversion (flags, width and precision in spec).
func convert(spec string, verb byte, value any) (string, error) {
	switch verb {
	case 's':
		return fmt.Sprintf("%"+stringSpec(spec)+"s", pyStr(value)), nil
	case 'r', 'a':
		return fmt.Sprintf("%"+stringSpec(spec)+"s", pyRepr(value)), nil
	case 'd', 'i', 'u':
		n, err := formatInt(value)
		return fmt.Sprintf("%"+spec+"d", n), err
	case 'x', 'X', 'o':
		n, err := formatInt(value)
		return fmt.Sprintf("%"+spec+string(verb), n), err
	case 'c':
		n, err := formatInt(value)
		return fmt.Sprintf("%"+stringSpec(spec)+"c", rune(n)), err
	case 'f', 'F', 'e', 'E', 'g', 'G':
		x, ok := toFloat(value)
		if !ok {
			return "", fmt.Errorf("must be real number, not %s", typeName(value))
		}
		if (verb == 'g' || verb == 'G') && !strings.Contains(spec, ".") {
			spec += ".6" // C's default precision; Go's %g is shortest
		}
		return fmt.Sprintf("%"+spec+string(verb), x), nil
	}
	return "", fmt.Errorf("unsupported format character '%c'", verb)
}

// stringSpec drops the flags %s does not take in Go but ignores in Python.
func stringSpec(spec string) string {
	return strings.TrimLeft(spec, "+ #0")
}

func formatInt(value any) (int, error) {
	if n, ok := asInt(value); ok {
		return n, nil
	}
	if f, ok := value.(float64); ok {
		return int(f), nil
	}
	if s, ok := value.(string); ok {
		if _, err := strconv.Atoi(s); err == nil {
			return 0, errors.New("%d format: a real number is required, not str")
		}
	}
	return 0, fmt.Errorf("%%d format: a real number is required, not %s", typeName(value))
}

// filterFormat is Jinja2's format: value % args (or % kwargs).
func filterFormat(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if len(params.Args) > 0 && len(params.KwArgs) > 0 {
		return exec.AsValue(errors.New("can't handle positional and keyword arguments at the same time"))
	}
	var args any = canonicalValues(params.Args)
	if len(params.KwArgs) > 0 {
		kwargs := newDict(len(params.KwArgs))
		for _, key := range sortedKeys(params.KwArgs) {
			kwargs.set(key, toPy(params.KwArgs[key]))
		}
		args = kwargs
	}
	out, err := pyFormat(pyStr(toPy(in)), args, true)
	if err != nil {
		return exec.AsValue(err)
	}
	return exec.AsValue(out)
}
