package render

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// The checked int operations agree with math/big: the exact result when
// it fits in 64 bits, fits false when it does not. Operands lean to the
// edges (0, ±1, powers of two, MinInt, MaxInt) where overflows hide.
func TestIntOperationsAgreeWithBigInt(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	edge := []int{0, 1, -1, 2, -2, 3, math.MaxInt, math.MinInt, math.MaxInt - 1, math.MinInt + 1, 1 << 31, -(1 << 31), 1 << 32, 3037000499, 3037000500, -3037000500}
	operand := func() int {
		switch r.IntN(3) {
		case 0:
			return edge[r.IntN(len(edge))]
		case 1:
			return int(r.Int64()) >> r.IntN(64)
		}
		return r.IntN(2001) - 1000
	}
	ops := []struct {
		name  string
		fn    func(int, int) (int, bool)
		exact func(x, y *big.Int) *big.Int
	}{
		{"+", addInt, func(x, y *big.Int) *big.Int { return new(big.Int).Add(x, y) }},
		{"-", subInt, func(x, y *big.Int) *big.Int { return new(big.Int).Sub(x, y) }},
		{"*", mulInt, func(x, y *big.Int) *big.Int { return new(big.Int).Mul(x, y) }},
	}
	for range 200000 {
		x, y := operand(), operand()
		for _, op := range ops {
			got, fits := op.fn(x, y)
			checkAgainstBig(t, x, op.name, y, got, fits, op.exact(big.NewInt(int64(x)), big.NewInt(int64(y))))
		}
		exp := r.IntN(70)
		got, fits := intPow(x, exp)
		checkAgainstBig(t, x, "**", exp, got, fits, new(big.Int).Exp(big.NewInt(int64(x)), big.NewInt(int64(exp)), nil))
	}
}

func checkAgainstBig(t *testing.T, x int, op string, y, got int, fits bool, exact *big.Int) {
	t.Helper()
	if exact.IsInt64() != fits || (fits && exact.Int64() != int64(got)) {
		t.Fatalf("%d %s %d: got %d (fits %v), exact %s", x, op, y, got, fits, exact)
	}
}

// A result beyond 64 bits fails the template, naming the operation, where
// it wrapped around or turned to a float; a huge exponent of 1 answers at
// once.
func TestIntOverflowFailsTheTemplate(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{}, Magic{})
	for src, want := range map[string]string{
		"{{ 9223372036854775807 + 1 }}":  "integer overflow: 9223372036854775807 + 1 does not fit in 64 bits",
		"{{ 4294967296 * 4294967296 }}":  "integer overflow: 4294967296 * 4294967296 does not fit in 64 bits",
		"{{ 2 ** 64 }}":                  "integer overflow: 2 ** 64 does not fit in 64 bits",
		"{{ -9223372036854775807 - 2 }}": "integer overflow: -9223372036854775807 - 2 does not fit in 64 bits",
		"{{ 1 ** 1000000000000 }}":       "",
		"{{ (-2) ** 63 }}":               "",
	} {
		_, err := e.RenderTemplate("t.j2", []byte(src), scope, TemplateDefaults())
		if (err == nil) != (want == "") || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: got %v, want %q", src, err, want)
		}
	}
}
