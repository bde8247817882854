package render

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// pyRandomVectors are CPython 3.11.2's draws, generated with
//
//	python3 -c 'import random; r = random.Random(seed); print([r.randrange(0, 59),
//	  r.randrange(0, 2**40), r.randrange(5, 100, 7), r.randrange(100, -3, -4),
//	  r.randrange(-2**62, 2**62), r.randrange(-2**63, 2**63-1)]);
//	  print(random.Random(seed).choice(range(10)));
//	  l = list(range(8)); random.Random(seed).shuffle(l); print(l)'
//
// for each seed (a str, an int, a bool or a float).
var pyRandomVectors = []struct {
	seed    any
	ranges  []int
	choice  int
	shuffle []int
}{
	{"wintermute", []int{21, 536764667142, 68, 48, 2095640063216207580, -8201009199981599022}, 5, []int{7, 0, 6, 2, 3, 4, 1, 5}},
	{"armitage", []int{23, 489287519108, 40, 4, -3254452243325561149, -5500739184075680232}, 5, []int{6, 7, 4, 0, 3, 2, 1, 5}},
	{"localhost", []int{42, 891050435462, 96, 60, 2461591874744154933, 1617097519940047954}, 7, []int{5, 0, 1, 6, 4, 2, 3, 7}},
	{"", []int{29, 453528840960, 47, 8, -538039075446517882, -2887955217541572583}, 7, []int{2, 0, 6, 5, 3, 1, 4, 7}},
	{"é日本😀", []int{34, 125239542808, 82, 56, 4151414232846306010, 5989349724476237129}, 8, []int{4, 6, 1, 3, 7, 5, 0, 2}},
	{"web-01.example.com", []int{20, 273526415560, 33, 36, -3464901560424224627, -7560357997898358930}, 5, []int{3, 6, 1, 4, 2, 0, 7, 5}},
	{0, []int{54, 927241537154, 5, 68, 2858030360793825765, 5235159937668179891}, 6, []int{4, 1, 5, 2, 0, 3, 7, 6}},
	{1, []int{8, 558616790225, 12, 40, 3679960568397983556, 2796396837008117857}, 2, []int{3, 6, 1, 5, 7, 0, 4, 2}},
	{-1, []int{8, 558616790225, 12, 40, 3679960568397983556, 2796396837008117857}, 2, []int{3, 6, 1, 5, 7, 0, 4, 2}},
	{42, []int{40, 52017770879, 82, 68, -494174546569380976, 4362123993650086377}, 1, []int{3, 4, 6, 7, 2, 5, 0, 1}},
	{4294967296, []int{7, 916336905148, 5, 100, -4353462790125899708, -7825593415317748230}, 1, []int{5, 7, 6, 4, 0, 3, 2, 1}},
	{9223372036854775807, []int{20, 998540972510, 12, 40, 471606824881652258, 3827219803123369673}, 5, []int{2, 0, 4, 3, 1, 6, 7, 5}},
	{-9223372036854775808, []int{35, 529180061256, 96, 36, 1975464770730626357, -3077455767854911948}, 8, []int{3, 2, 5, 0, 4, 7, 1, 6}},
	{1099511627783, []int{39, 1046707559811, 33, 24, 2087324460788129483, -1051841990227432735}, 9, []int{0, 5, 6, 3, 1, 4, 2, 7}},
	{true, []int{8, 558616790225, 12, 40, 3679960568397983556, 2796396837008117857}, 2, []int{3, 6, 1, 5, 7, 0, 4, 2}},
	{false, []int{54, 927241537154, 5, 68, 2858030360793825765, 5235159937668179891}, 6, []int{4, 1, 5, 2, 0, 3, 7, 6}},
	{float64(1.5), []int{35, 566175368877, 19, 28, 2194178983966804586, -1454848394897188913}, 8, []int{2, 5, 0, 6, 3, 7, 1, 4}},
	{float64(-1.5), []int{45, 1895599190, 33, 88, 3763484734782277803, 3132740596782843440}, 7, []int{3, 1, 5, 4, 6, 2, 0, 7}},
	{float64(2.0), []int{55, 197811381919, 12, 56, -1492643913664347868, 5699343810210334584}, 0, []int{5, 3, 4, 1, 2, 6, 7, 0}},
	{float64(0.1), []int{51, 301686139372, 47, 20, -342480007456344609, 2663319912320142449}, 3, []int{0, 2, 4, 6, 5, 7, 1, 3}},
	{math.Copysign(0, -1), []int{54, 927241537154, 5, 68, 2858030360793825765, 5235159937668179891}, 6, []int{4, 1, 5, 2, 0, 3, 7, 6}},
	{float64(1e+300), []int{16, 146189046324, 82, 48, 1587668079803130147, 3739616699617212319}, 4, []int{5, 7, 2, 1, 3, 6, 0, 4}},
	{math.Inf(1), []int{12, 628245286047, 12, 88, 1038402629380751943, -3516987985527248506}, 3, []int{7, 1, 5, 4, 0, 6, 2, 3}},
	{math.Inf(-1), []int{52, 643428951227, 68, 24, -4159426725255872860, -2126572910323314759}, 4, []int{3, 1, 5, 0, 2, 6, 7, 4}},
	{float64(-1.0), []int{8, 668910424582, 82, 88, 3778398742107605723, -7495179855434214408}, 2, []int{6, 3, 1, 4, 0, 7, 5, 2}},
	{float64(123456789.123), []int{34, 1874831241, 75, 24, -1401595249343282754, -1615437639697252555}, 8, []int{2, 1, 3, 7, 4, 5, 0, 6}},
	{float64(5e-324), []int{30, 914745939395, 47, 80, -4383211043379604672, -7895257988590214532}, 7, []int{4, 2, 0, 5, 1, 6, 3, 7}},
	{float64(4.611686018427388e+18), []int{55, 197811381919, 12, 56, -1492643913664347868, 5699343810210334584}, 0, []int{5, 3, 4, 1, 2, 6, 7, 0}},
}

func TestPyRandomMatchesCPython(t *testing.T) {
	for _, v := range pyRandomVectors {
		r, err := seededRandom(v.seed)
		if err != nil {
			t.Fatalf("seed %#v: %v", v.seed, err)
		}
		got := []int{}
		for _, args := range [][3]int{{0, 59, 1}, {0, 1 << 40, 1}, {5, 100, 7}, {100, -3, -4}, {-1 << 62, 1 << 62, 1}, {math.MinInt64, math.MaxInt64, 1}} {
			n, err := r.randrange(args[0], args[1], args[2])
			if err != nil {
				t.Fatalf("seed %#v: randrange%v: %v", v.seed, args, err)
			}
			got = append(got, n)
		}
		if !slices.Equal(got, v.ranges) {
			t.Errorf("seed %#v: randrange gives %v, Python %v", v.seed, got, v.ranges)
		}
		checkChoiceAndShuffle(t, v.seed, v.choice, v.shuffle)
	}
}

func checkChoiceAndShuffle(t *testing.T, seed any, choice int, shuffled []int) {
	t.Helper()
	r, _ := seededRandom(seed)
	if i, _ := r.choiceIndex(10); i != choice {
		t.Errorf("seed %#v: choice index %d, Python %d", seed, i, choice)
	}
	r, _ = seededRandom(seed)
	list := []any{0, 1, 2, 3, 4, 5, 6, 7}
	r.shuffle(list)
	for i, item := range list {
		if item != shuffled[i] {
			t.Errorf("seed %#v: shuffle gives %v, Python %v", seed, list, shuffled)
			break
		}
	}
}

// TestPyFloatHash compares with CPython 3.11.2's hash(f), generated with
// python3 -c 'print(hash(f))'.
func TestPyFloatHash(t *testing.T) {
	for _, v := range []struct {
		f    float64
		hash int64
	}{
		{0.0, 0},
		{1.5, 1152921504606846977},
		{-1.5, -1152921504606846977},
		{0.1, 230584300921369408},
		{1e+300, 1224995262755759164},
		{5e-324, 16777216},
		{4.611686018427388e+18, 2},
		{2.305843009213694e+18, 1},
		{2.3058430092136937e+18, 2305843009213693696},
		{-1.0, -2},
		{123456789.123, 283618680910892309},
		{1e-10, 2124533198426632172},
		{3.141592653589793, 326490430436040707},
		{-2.5e-07, -976437270670017967},
		{1.7976931348623157e+308, 2234066890152476671},
		{math.Inf(1), 314159},
		{math.Inf(-1), -314159},
	} {
		if got, err := pyFloatHash(v.f); err != nil || got != v.hash {
			t.Errorf("hash(%v) = %d (%v), Python %d", v.f, got, err, v.hash)
		}
	}
	if _, err := pyFloatHash(math.NaN()); err == nil {
		t.Error("hash(nan) is refused")
	}
}

// TestPyRandomErrors are randrange's and seed's errors, Python's words.
func TestPyRandomErrors(t *testing.T) {
	r, _ := seededRandom(1)
	for _, args := range [][3]int{{5, 5, 1}, {5, 1, 1}, {0, 10, 0}, {0, 10, -1}, {10, 0, 2}} {
		if _, err := r.randrange(args[0], args[1], args[2]); err == nil {
			t.Errorf("randrange%v: no error", args)
		}
	}
	if _, err := r.randrange(5, 5, 1); err == nil || err.Error() != "empty range for randrange() (5, 5, 0)" {
		t.Errorf("randrange(5, 5): %v", err)
	}
	if _, err := seededRandom(pyList{1}); err == nil || !strings.Contains(err.Error(), "The only supported seed types") {
		t.Errorf("a list seed: %v", err)
	}
	if _, err := r.choiceIndex(0); err == nil {
		t.Error("choice of nothing: no error")
	}
}

// TestPyRandomStringKeys covers str seeds whose integer drops leading
// zero bytes, and one longer than the generator's 624 words, against
// python3 -c 'import random; r = random.Random(s); print([r.randrange(0, 1000) for _ in range(5)])'.
func TestPyRandomStringKeys(t *testing.T) {
	for seed, want := range map[string][]int{
		"\x00\x00abc":             {290, 479, 812, 543, 744},
		"\x00":                    {779, 782, 461, 717, 532},
		strings.Repeat("x", 3000): {485, 843, 623, 372, 314},
	} {
		r, _ := seededRandom(seed)
		got := make([]int, len(want))
		for i := range got {
			got[i], _ = r.randrange(0, 1000, 1)
		}
		if !slices.Equal(got, want) {
			t.Errorf("seed %.10q: %v, Python %v", seed, got, want)
		}
	}
}
