package ansible

import (
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

// decodeAny reads plain scalars as YAML 1.1 (Ansible's PyYAML) does, and
// the same nodes decoded twice give the same values (1.0e+3 stays the
// float 1000, not the int its new text would resolve to).
func TestDecodeAnyReadsPlainScalarsAsYAML11(t *testing.T) {
	var doc yaml.Node
	src := "{a: 1e3, b: 08080, c: '1e3', d: 0o17, e: 1:30, f: 1.0e+3, g: yes, h: 2024-01-01, i: ~, j: 0x1F, k: !!str 12, l: [on, 1.5]}"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": "1e3", "b": "08080", "c": "1e3", "d": "0o17", "e": 90, "f": 1000.0, "g": true,
		"h": "2024-01-01", "i": nil, "j": 31, "k": "12", "l": []any{true, 1.5}}
	for pass := 1; pass <= 2; pass++ {
		got, err := decodeAny(doc.Content[0])
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("pass %d: decodeAny = %#v, %v\nwant %#v", pass, got, err, want)
		}
	}
}

// A plain scalar PyYAML cannot construct is an error naming its line.
func TestDecodeAnyRefusesWhatYAML11Cannot(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: 1\nb: 2024-02-30\n"), &doc); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeAny(doc.Content[0]); err == nil || err.Error() != `line 2: invalid date "2024-02-30"` {
		t.Fatalf("decodeAny: %v", err)
	}
}
