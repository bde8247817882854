package render

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// filterRound is Jinja2's round (jinja2/filters.py do_round, 3.1.6):
// "common" is Python's round(value, precision), which keeps an int an int
// and rounds a float's exact value half to even (2.5 is 2.0, 2.675 to two
// places 2.67: strconv rounds the exact decimal expansion the same way);
// "ceil" and "floor" give a float. gonja's gave a float for an int and
// rounded halves away from zero.
func filterRound(in any, args []any) (any, error) {
	precision, err := roundPrecision(or(args[0], 0))
	if err != nil {
		return nil, err
	}
	method := pyStr(or(args[1], "common"))
	switch method {
	case "common":
		return roundCommon(in, precision)
	case "ceil", "floor":
		return roundToward(in, precision, method)
	}
	return nil, fmt.Errorf("method must be common, ceil or floor")
}

func roundPrecision(p any) (int, error) {
	n, ok := asInt(p)
	switch {
	case !ok:
		return 0, fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(p))
	case n < 0:
		return 0, fmt.Errorf("round with a negative precision %s", notSupportedMark)
	}
	return n, nil
}

func roundCommon(in any, precision int) (any, error) {
	if n, ok := asInt(in); ok {
		return n, nil
	}
	f, ok := in.(float64)
	if !ok {
		return nil, fmt.Errorf("type %s doesn't define __round__ method", typeName(in))
	}
	if math.IsInf(f, 0) || math.IsNaN(f) || precision > 300 {
		return f, nil
	}
	return strconv.ParseFloat(strconv.FormatFloat(f, 'f', precision, 64), 64)
}

func roundToward(in any, precision int, method string) (any, error) {
	f, ok := toFloat(in)
	if !ok {
		return nil, fmt.Errorf("must be real number, not %s", typeName(in))
	}
	scale := math.Pow(10, float64(precision))
	whole, err := pyFloorOrCeil(f*scale, method)
	if err != nil {
		return nil, err
	}
	return whole / scale, nil
}

// pyFloorOrCeil is Python's math.floor or math.ceil: an int, so an
// infinity or NaN fails as CPython's conversion does, and a zero has no
// sign (Jinja2 then divides the int: round(0, 'ceil') of -0.5 is 0.0, not
// -0.0).
func pyFloorOrCeil(x float64, method string) (float64, error) {
	switch {
	case math.IsInf(x, 0):
		return 0, errors.New("cannot convert float infinity to integer")
	case math.IsNaN(x):
		return 0, errors.New("cannot convert float NaN to integer")
	}
	whole := math.Floor(x)
	if method == "ceil" {
		whole = math.Ceil(x)
	}
	if whole == 0 {
		whole = 0 // an int zero: +0.0
	}
	return whole, nil
}
