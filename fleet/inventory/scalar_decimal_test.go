package inventory

import (
	"reflect"
	"testing"
)

// TestPlainDecimalAgreesWithTheResolvers: every string plainDecimal takes
// is one the resolvers' expressions read the same way, in their order
// (float first), so its path changes no value.
func TestPlainDecimalAgreesWithTheResolvers(t *testing.T) {
	for _, s := range []string{"0", "7", "8000", "20000", "0.9", "0.85", "00.5", "10.0",
		"07", "0_1", "1_000", "-1", "+1", "5.", ".5", "1e3", "1.5e+3", "1:30", "1:30.5",
		"0x1f", "0b101", "2024-01-02", "12a", "1.2.3", "1.a", "", "0.", "9" + "9999999999999999999999"} {
		kind := plainDecimal(s)
		isFloat := s != "" && yamlFloat().MatchString(s)
		isInt := s != "" && yamlInt().MatchString(s)
		switch kind {
		case decimalInt:
			if isFloat || !isInt {
				t.Errorf("%q: plainDecimal says int; the resolvers float=%v int=%v", s, isFloat, isInt)
			}
		case decimalFloat:
			if !isFloat {
				t.Errorf("%q: plainDecimal says float; the float resolver does not match", s)
			}
		}
	}
	for _, s := range []string{"8000", "0", "0.9", "07", "1_000", "5.", "-1", "127.0.0.1", "1.2.3", "1:30.5",
		"2024-01-02", "2024-01-02 10:00:00.5", ".5", "1.5e+3", "12a", "9" + "9999999999999999999999"} {
		got, gotErr := resolveNumberOrTime(s)
		want, wantErr := resolveByExpressions(s)
		if !reflect.DeepEqual(got, want) || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("%q: %#v, %v; the expressions alone: %#v, %v", s, got, gotErr, want, wantErr)
		}
	}
	for s, want := range map[string]decimalKind{"8000": decimalInt, "0": decimalInt, "0.9": decimalFloat,
		"07": notDecimal, "1_000": notDecimal, "5.": notDecimal, "-1": notDecimal, "": notDecimal} {
		if got := plainDecimal(s); got != want {
			t.Errorf("plainDecimal(%q) = %d, want %d", s, got, want)
		}
	}
}

// resolveByExpressions is resolveNumberOrTime without its shortcuts.
func resolveByExpressions(s string) (any, error) {
	switch {
	case yamlFloat().MatchString(s):
		return constructFloat(s)
	case yamlInt().MatchString(s):
		return constructInt(s)
	case yamlTimestampImplicit().MatchString(s):
		return constructTimestamp(s)
	}
	return s, nil
}
