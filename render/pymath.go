package render

import (
	"errors"
	"math"
	"math/big"
)

// Python's math.log, math.log10 and math.pow call the C library's log,
// log10 and pow (glibc's, under Ansible on Linux). glibc's log and pow
// are correctly rounded but for rare inputs (at most 0.52 ULP off), where
// Go's math.Log and math.Pow are up to 1 ULP off (math.Log differs from
// glibc for about 2% of integers, math.Log10(1000) is 2.9999999999999996):
// so the functions below compute with 200 bits (math/big) and round once,
// and log10 is glibc's own formula on that log.

// bigPrec is the working precision: far more than float64's 53 bits, so
// that rounding the result once is rounding the exact value.
const bigPrec = 200

// ln2Digits is ln(2) to 100 digits.
const ln2Digits = "0.6931471805599453094172321214581765680755001343602552541206800094933936219696947156058633269964186875"

var errMathDomain = errors.New("math domain error")

var errMathRange = errors.New("math range error")

// bigFloat is x at bigPrec bits.
func bigFloat(x float64) *big.Float { return new(big.Float).SetPrec(bigPrec).SetFloat64(x) }

// bigLn2 is ln(2) at bigPrec bits.
func bigLn2() *big.Float {
	f, _, _ := big.ParseFloat(ln2Digits, 10, bigPrec, big.ToNearestEven)
	return f
}

// cLog is C's log(x): log(x) = e·ln 2 + 2·atanh((m-1)/(m+1)) with
// x = m·2^e, m in [√½, √2).
func cLog(x float64) float64 {
	if special, ok := logSpecial(x); ok {
		return special
	}
	f, _ := bigLog(x).Float64()
	return f
}

// logSpecial is a logarithm of what is not a finite x > 0: NaN and +Inf
// themselves, -Inf for 0, NaN below 0.
func logSpecial(x float64) (float64, bool) {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x, true
	case x == 0:
		return math.Inf(-1), true
	case x < 0:
		return math.NaN(), true
	}
	return 0, false
}

// bigLog is ln(x) for a finite x > 0, to bigPrec bits.
func bigLog(x float64) *big.Float {
	m, e := math.Frexp(x)
	if m < math.Sqrt2/2 {
		m, e = m*2, e-1
	}
	s := new(big.Float).Quo(new(big.Float).Sub(bigFloat(m), bigFloat(1)), new(big.Float).Add(bigFloat(m), bigFloat(1)))
	out := atanhSeries(s)
	out.Mul(out, bigFloat(2))
	return out.Add(out, new(big.Float).Mul(bigLn2(), bigFloat(float64(e))))
}

// atanhSeries is atanh(s) = s + s³/3 + s⁵/5 + ... for a small |s|.
func atanhSeries(s *big.Float) *big.Float {
	sum, term := new(big.Float).Copy(s), new(big.Float).Copy(s)
	s2 := new(big.Float).Mul(s, s)
	for k := 3; term.Sign() != 0; k += 2 {
		term.Mul(term, s2)
		t := new(big.Float).Quo(term, bigFloat(float64(k)))
		sum.Add(sum, t)
		if t.Sign() == 0 || t.MantExp(nil)-sum.MantExp(nil) < -bigPrec {
			break
		}
	}
	return sum
}

// cLog10 is glibc's log10 (sysdeps/ieee754/dbl-64/e_log10.c): x = 2^k·m,
// log10(x) = k·log10(2) + log(m)/ln(10), in its order of operations,
// each product rounded on its own (no fused multiply-add).
func cLog10(x float64) float64 {
	const ivln10 = 4.34294481903251816668e-01
	const log10TwoHi = 3.01029995663611771306e-01
	const log10TwoLo = 3.69423907715893078616e-13
	if special, ok := logSpecial(x); ok {
		return special
	}
	m, k := glibcLog10Split(x)
	y := float64(k)
	z := float64(y*log10TwoLo) + float64(ivln10*cLog(m))
	return z + float64(y*log10TwoHi)
}

// glibcLog10Split is e_log10.c's x = 2^k·m, m in [1, 2) for k ≥ 0 and in
// [½, 1) for k < 0.
func glibcLog10Split(x float64) (float64, int) {
	m, e := math.Frexp(x) // m in [½, 1)
	k := e - 1
	if k >= 0 {
		return m * 2, k
	}
	return m, k + 1
}

// cPow is C's pow(x, y) with Python's math.pow errors: a negative x to a
// non-integer power and zero to a negative power are domain errors, a
// finite result too large for a float a range error.
func cPow(x, y float64) (float64, error) {
	if !isFinite(x) || !isFinite(y) || y == 0 || x == 1 {
		return math.Pow(x, y), nil
	}
	if x == 0 {
		if y < 0 {
			return 0, errMathDomain
		}
		return math.Pow(x, y), nil
	}
	sign := 1.0
	if x < 0 {
		if y != math.Trunc(y) {
			return 0, errMathDomain
		}
		if math.Mod(y, 2) != 0 {
			sign = -1
		}
		x = -x
	}
	return powPositive(x, y, sign)
}

// powPositive is sign·exp(y·ln x) for a finite x > 0, rounded once.
func powPositive(x, y, sign float64) (float64, error) {
	t := bigLog(x)
	t.Mul(t, bigFloat(y))
	if limit, _ := t.Float64(); limit > 710 {
		return 0, errMathRange
	} else if limit < -746 {
		return sign * 0, nil
	}
	f, _ := bigExp(t).Float64()
	if math.IsInf(f, 0) {
		return 0, errMathRange
	}
	return sign * f, nil
}

// bigExp is e^t for |t| < 750: 2^k·e^r with r = t - k·ln 2, e^r by its
// Taylor series.
func bigExp(t *big.Float) *big.Float {
	ln2 := bigLn2()
	kf, _ := new(big.Float).Quo(t, ln2).Float64()
	k := math.Round(kf)
	r := new(big.Float).Sub(t, new(big.Float).Mul(ln2, bigFloat(k)))
	sum, term := bigFloat(1), bigFloat(1)
	for n := 1; n < 200; n++ {
		term.Mul(term, r)
		term.Quo(term, bigFloat(float64(n)))
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < -bigPrec {
			break
		}
	}
	return sum.SetMantExp(sum, int(k))
}

// isFinite is C's isfinite.
func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
