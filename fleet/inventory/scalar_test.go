package inventory

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// yamlDocs exercise YAML 1.1 scalars, tags, anchors, merge keys and JSON,
// each checked against Ansible's own DataLoader.
var yamlDocs = []string{
	"a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: n\ng: true\nh: TRUE\ni: tRUE",
	"a: 1e3\nb: 1.0e+3\nc: 1.5\nd: .5\ne: 1.\nf: -1_000.5\ng: .inf_x\nh: 6.8523015e+5",
	"a: 017\nb: 0o17\nc: 0x1F\nd: 0b101\ne: 1_000\nf: -42\ng: +7\nh: 08\ni: 0\nj: -0\nk: 00",
	"a: 1:30\nb: -1:30:00\nc: 1:30.5\nd: 190:20:30",
	"a: ~\nb: null\nc: Null\nd:\ne: NULL\nf: nul",
	"a: 2024-01-02\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10\nd: 2002-12-14\ne: 2001-12-15T02:59:43.1Z\nf: 2001-1-2 3:04:05",
	"a: '1'\nb: \"yes\"\nc: !!str 12\nd: !!int '12'\ne: !!float 3\nf: !!bool 'yes'\ng: !!null ''",
	"a: !unsafe '{{ x }}'\nb: !unsafe 42\nc: |\n  line1\n  line2\nd: >\n  folded\n  text\n",
	"base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\nboth:\n  <<: [*b, {x: 9, z: 8}]\nalias: *b",
	"a: 1\na: 2\nb: {k: 1, k: 2}",
	"{\"a\": 1e3, \"b\": 017, \"c\": true, \"d\": null, \"e\": [1, 2.5, \"x\"], \"f\": -0}",
	"{\n\t\"tabbed\": 1,\n\t\"b\": \"x\"\n}",
	"a: [1, 'two', {three: 3}]\nb: {}\nc: []\n? complex\n: key",
	"1: one\ntrue: t\nnull: n\n1.5: f\n1e3: s",
	"a: =",
	"a: 0b",
	"a: [1, 2",
	"a: 1\n---\nb: 2",
	"a: !foo bar",
	"- just\n- a list",
	"plain scalar",
	"",
	"# only a comment",
	"a: 'it''s'\nb: \"tab\\there\"\nc: \"\\u00e9\"\nd: caf\u00e9",
	"a: 1.0\nb: 100.0\nc: 1e+20_\nd: 0.000001\ne: 1.0e+16\nf: 12345678.9",
	"a: 99999999999999999999\nb: 0x7fffffffffffffff",
	"a: 2024-02-30",
	"a: 25:00:00",
	"a: 2001-12-14 25:59:43",
}

func TestYAMLValuesMatchAnsibleLoader(t *testing.T) {
	oracle := runPythonOracle(t, "ansible_load.py", yamlDocs)
	for i, doc := range yamlDocs {
		got, err := decodeWholeDoc([]byte(doc))
		want := oracle[i]
		if msg, failed := want["err"]; failed {
			if err == nil {
				t.Errorf("doc %d %q: Ansible fails (%v), we got %#v", i, doc, msg, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("doc %d %q: %v (Ansible: %v)", i, doc, err, want["ok"])
			continue
		}
		if err := sameJSON(want["ok"], got); err != nil {
			t.Errorf("doc %d %q: %v", i, doc, err)
		}
	}
}

// decodeWholeDoc converts a document the way var files and inventories are.
func decodeWholeDoc(data []byte) (any, error) {
	doc, err := parseDocument(data, "doc.yml", nil)
	if err != nil || doc.root == nil {
		return nil, err
	}
	v, _, err := doc.dec.value(doc.root, "", nil)
	return v, err
}

func TestResolvePlainYAML11(t *testing.T) {
	cases := map[string]any{
		"yes": true, "Off": false, "017": 8*1 + 7, "0x10": 16, "1:00": 60,
		"1e3": "1e3", "1.5": 1.5, "~": nil, "": nil, "2024-01-02": "2024-01-02",
		"0o17": "0o17", "08": "08", "1_0": 10, "+1": 1, "-0x10": -16,
	}
	for in, want := range cases {
		got, err := resolvePlain(in)
		if err != nil || got != want {
			t.Errorf("resolvePlain(%q) = %#v, %v; want %#v", in, got, err, want)
		}
	}
}

func TestPyFloatRepr(t *testing.T) {
	cases := map[float64]string{1: "1.0", 0.5: "0.5", 1e16: "1e+16", 1e-5: "1e-05", 123456.789: "123456.789", -2.5e-7: "-2.5e-07"}
	for in, want := range cases {
		if got := pyFloatRepr(in); got != want {
			t.Errorf("pyFloatRepr(%v) = %q, want %q", in, got, want)
		}
	}
}

// bigIntValue is parseIntBase's reading through big.Int alone, as it read
// every integer before its int64 shortcut.
func bigIntValue(digits string, base int, neg bool) (any, bool) {
	b, ok := new(big.Int).SetString(digits, base)
	if !ok || digits == "" {
		return nil, false
	}
	if neg {
		b.Neg(b)
	}
	return bigToValue(b), true
}

func TestParseIntBaseAgreesWithBigInt(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 13))
	edges := []string{"", "0", "-0", "+1", "-5", "9223372036854775807", "9223372036854775808",
		"18446744073709551616", "-9223372036854775808", "7fffffffffffffff", "8000000000000000", "1_0", "12a", "ff", "FF", " 1"}
	for i := range 200000 {
		digits := edges[i%len(edges)]
		if i >= len(edges) {
			digits = randomDigits(rng)
		}
		for _, base := range []int{2, 8, 10, 16} {
			for _, neg := range []bool{false, true} {
				got, err := parseIntBase(digits, base, neg, digits)
				want, ok := bigIntValue(digits, base, neg)
				if (err == nil) != ok || got != want {
					t.Fatalf("parseIntBase(%q, %d, %v) = %v, %v; big.Int reads %v, %v", digits, base, neg, got, err, want, ok)
				}
			}
		}
	}
}

func randomDigits(rng *rand.Rand) string {
	const alphabet = "0123456789abcdefABCDEF-+_"
	b := make([]byte, rng.IntN(22))
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet)-3*min(1, rng.IntN(8)))]
	}
	return string(b)
}
