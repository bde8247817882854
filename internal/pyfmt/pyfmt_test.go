package pyfmt

import "testing"

// Expected strings are Python 3's repr() of the same floats.
func TestFiniteFloatMatchesPythonRepr(t *testing.T) {
	cases := map[float64]string{
		0.88: "0.88", 1: "1.0", 0: "0.0", -2.5: "-2.5", 1e16: "1e+16", 1e15: "1000000000000000.0",
		0.0001: "0.0001", 0.00001: "1e-05", 123456789.125: "123456789.125", 1.5e-7: "1.5e-07",
	}
	for f, want := range cases {
		if got := FiniteFloat(f); got != want {
			t.Errorf("FiniteFloat(%v) = %q, want %q", f, got, want)
		}
	}
}
