package hvedit

import (
	"math"
	"reflect"
	"unicode/utf8"
)

// normalize turns a requested value into the shapes yaml.v3 decodes to: int
// (int64 beyond int), uint64 beyond int64, float64, string, bool, nil and
// []any of strings.
func normalize(v any) (any, error) {
	switch t := v.(type) {
	case nil, bool, float64:
		return t, nil
	case float32:
		return float64(t), nil
	case string:
		return normalizeString(t)
	case []string:
		return stringList(t)
	case []any:
		return anyList(t)
	}
	return normalizeNumber(v)
}

func normalizeString(s string) (any, error) {
	if !utf8.ValidString(s) {
		return nil, failf(ErrInvalid, "the text is not valid UTF-8")
	}
	return s, nil
}

func normalizeNumber(v any) (any, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intValue(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintValue(rv.Uint()), nil
	}
	return nil, failf(ErrInvalid, "values of type %T cannot be written (use a string, number, boolean, nil or list of strings)", v)
}

// intValue is what yaml.v3 decodes an integer to: int when it fits.
func intValue(n int64) any {
	if n >= math.MinInt && n <= math.MaxInt {
		return int(n)
	}
	return n
}

func uintValue(n uint64) any {
	if n <= math.MaxInt64 {
		return intValue(int64(n))
	}
	return n
}

func stringList(list []string) (any, error) {
	out := make([]any, len(list))
	for i, s := range list {
		if _, err := normalizeString(s); err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func anyList(list []any) (any, error) {
	strs := make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, failf(ErrInvalid, "list item %d is a %T: only lists of strings can be written", i+1, e)
		}
		strs[i] = s
	}
	return stringList(strs)
}

// sameValue compares two normalized values; NaN equals NaN.
func sameValue(a, b any) bool {
	fa, aok := a.(float64)
	fb, bok := b.(float64)
	if aok && bok && math.IsNaN(fa) && math.IsNaN(fb) {
		return true
	}
	return reflect.DeepEqual(canonical(a), canonical(b))
}

// canonical folds the integer types yaml.v3 may decode to into int64/uint64.
func canonical(v any) any {
	switch t := v.(type) {
	case int:
		return int64(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = canonical(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = canonical(e)
		}
		return out
	}
	return v
}
