package render

import (
	"math"
	"testing"
)

// Values of Python's math.log, math.log10 and math.pow (glibc's log,
// log10 and pow), printed with repr.
func TestCLogMatchesPython(t *testing.T) {
	cases := []struct{ x, log, log10 float64 }{
		{2.0, 0.6931471805599453, 0.3010299956639812},
		{3.0, 1.0986122886681098, 0.47712125471966244},
		{10.0, 2.302585092994046, 1.0},
		{100.0, 4.605170185988092, 2.0},
		{1000.0, 6.907755278982137, 3.0},
		{0.001, -6.907755278982137, -3.0},
		{0.1, -2.3025850929940455, -1.0},
		{2.5, 0.9162907318741551, 0.3979400086720376},
		{12345.0, 9.42100640177928, 4.091491094267951},
		{1e+100, 230.25850929940458, 100.0},
		{1e-300, -690.7755278982137, -300.0},
		{math.SmallestNonzeroFloat64, -744.4400719213812, -323.3062153431158},
		{math.MaxFloat64, 709.782712893384, 308.25471555991675},
		{65536.0, 11.090354888959125, 4.816479930623699},
		{7.0, 1.9459101490553132, 0.8450980400142568},
		{0.5, -0.6931471805599453, -0.3010299956639812},
	}
	for _, c := range cases {
		if got := cLog(c.x); got != c.log {
			t.Errorf("log(%v) = %v, Python says %v", c.x, got, c.log)
		}
		if got := cLog10(c.x); got != c.log10 {
			t.Errorf("log10(%v) = %v, Python says %v", c.x, got, c.log10)
		}
	}
}

func TestCPowMatchesPython(t *testing.T) {
	cases := []struct{ x, y, want float64 }{
		{2.0, 10.0, 1024.0},
		{2.0, 0.5, 1.4142135623730951},
		{2.5, 2.0, 6.25},
		{10.0, -2.0, 0.01},
		{1024.0, 0.1, 2.0},
		{7.0, 0.3333333333333333, 1.912931182772389},
		{1.5, 1.5, 1.8371173070873836},
		{-2.0, -3.0, -0.125},
		{10.0, 22.0, 1e+22},
		{2.0, -1074.0, math.SmallestNonzeroFloat64},
		{2.0, 1023.0, 8.98846567431158e+307},
		{1.0001, 5000.0, 1.648680055931085},
		{3.0, 0.3333333333333333, 1.4422495703074083},
		{9.0, 0.5, 3.0},
	}
	for _, c := range cases {
		if got, err := cPow(c.x, c.y); err != nil || got != c.want {
			t.Errorf("pow(%v, %v) = %v (%v), Python says %v", c.x, c.y, got, err, c.want)
		}
	}
}

func TestCPowErrors(t *testing.T) {
	for _, c := range []struct {
		x, y float64
		want error
	}{{10, 400, errMathRange}, {-8, 0.5, errMathDomain}, {0, -1, errMathDomain}, {1e308, 2, errMathRange}} {
		if _, err := cPow(c.x, c.y); err != c.want {
			t.Errorf("pow(%v, %v): error %v, want %v", c.x, c.y, err, c.want)
		}
	}
	if got, _ := cPow(2, -1080); got != 0 {
		t.Errorf("pow(2, -1080) = %v, want 0 (underflow is not an error)", got)
	}
	if got, _ := cPow(math.Inf(1), 2); !math.IsInf(got, 1) {
		t.Errorf("pow(inf, 2) = %v", got)
	}
}
