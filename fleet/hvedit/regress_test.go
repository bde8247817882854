package hvedit

import (
	"strings"
	"testing"
)

// Regressions found by FuzzSetValue; each input is also in
// testdata/fuzz/FuzzSetValue/regress-*.

// `0:` is the integer 0, not the variable "0": a key path must not reach
// through it by its text.
func TestNonStringKeysAreNotMatchedByText(t *testing.T) {
	d, _ := Parse("host_vars/x.yml", []byte("#c\n0:\n 00:"), Options{})
	_, err := d.Set([]string{"0", "0"}, []string{"0"})
	wantKind(t, err, ErrUnsupported, "host_vars/x.yml:2: 0: ", "integer, not a string")
	_, err = d.Set([]string{"<<"}, 1)
	if err == nil {
		t.Log("no merge key here; fine")
	}
	d, _ = Parse("host_vars/x.yml", []byte("base: &b {p: 1}\nv:\n  <<: *b\n"), Options{})
	_, err = d.Set([]string{"v", "<<"}, 1)
	wantKind(t, err, ErrUnsupported, "merge")
}

// Keys that are not UTF-8 are refused as invalid input, not left to fail
// verification.
func TestKeysMustBeValidText(t *testing.T) {
	d, _ := Parse("host_vars/x.yml", []byte(""), Options{})
	for _, key := range []string{"\xff\xac", "a\nb", "tab\t"} {
		_, err := d.Set([]string{"vllm", key}, true)
		wantKind(t, err, ErrInvalid, "host_vars/x.yml", "valid UTF-8")
	}
}

// A UTF-16 file is refused (yaml.v3 would convert it, and its columns would
// not match the bytes).
func TestUTF16FileIsRefused(t *testing.T) {
	_, err := Parse("host_vars/x.yml", []byte("\xfe\xff"), Options{})
	wantKind(t, err, ErrUnsupported, "host_vars/x.yml", "UTF-16")
	_, err = Parse("host_vars/x.yml", []byte("a: \xff\n"), Options{})
	wantKind(t, err, ErrSyntax, "host_vars/x.yml", "UTF-8")
}

// A block scalar that ends the file without a line break would gain one
// (and change value) if a key were added after it: refused, not corrupted.
func TestAddAfterBlockScalarAtEndOfFileWithoutNewline(t *testing.T) {
	d, _ := Parse("host_vars/x.yml", []byte("a: >\n 0"), Options{})
	_, err := d.Set([]string{"b"}, 0)
	wantKind(t, err, ErrVerify, "host_vars/x.yml", "would also change a")
	if string(d.Bytes()) != "a: >\n 0" {
		t.Errorf("the document changed: %q", d.Bytes())
	}
	got, _ := setText(t, "a: >\n 0\n", []string{"b"}, 0)
	if got != "a: >\n 0\nb: 0\n" {
		t.Errorf("got %q", got)
	}
}

// An anchor on an empty value is not the value: the new value replaces it
// rather than being written in front of it.
func TestAnchorOnEmptyValue(t *testing.T) {
	got, _ := setText(t, "&b: *b\nx: &0\ny: 1\n", []string{"x"}, 0)
	if got != "&b: *b\nx: 0\ny: 1\n" {
		t.Errorf("got %q", got)
	}
	got, _ = setText(t, "x: !!null\n", []string{"x", "z"}, 1)
	if got != "x:\n  z: 1\n" {
		t.Errorf("got %q", got)
	}
}

// YAML limits implicit keys to 1024 characters; longer ones are refused up
// front.
func TestOverlongKeyIsRefused(t *testing.T) {
	d, _ := Parse("host_vars/x.yml", []byte("a: 1\n"), Options{})
	_, err := d.Set([]string{strings.Repeat("E", 1001)}, 1)
	wantKind(t, err, ErrInvalid, "host_vars/x.yml", "at most 1000 characters")
}

// A line break YAML reads and an editor does not (a bare CR, NEL, LS, PS)
// puts the nodes' lines below the text's: such a file is refused with the
// line, before any edit, where the edit used to fail to find its value.
func TestLineBreaksAnEditorDoesNotCountAreRefused(t *testing.T) {
	for brk, name := range map[string]string{"\r": "a bare carriage return", "\u0085": "a NEL (U+0085)",
		"\u2028": "a line separator (U+2028)", "\u2029": "a paragraph separator (U+2029)"} {
		for _, text := range []string{"a: 1\n# note" + brk + "# more\nb: 2\n", "a: 1\nx: \"p" + brk + "q\"\nb: 2\n"} {
			_, err := Parse("host_vars/x.yml", []byte(text), Options{})
			wantKind(t, err, ErrUnsupported, "host_vars/x.yml", "line 2 has "+name)
		}
	}
}

// An anchored empty key (&0:) is a null key whose path is named "": a key
// added after its block scalar, which would gain a line break, is refused
// like any other key's (the verification read the path "" as no change).
func TestChangeToAnAnchoredEmptyKeyIsRefused(t *testing.T) {
	d, _ := Parse("host_vars/x.yml", []byte("&0: >\n 0"), Options{})
	_, err := d.Set([]string{"0"}, []string{"0"})
	wantKind(t, err, ErrVerify, "host_vars/x.yml", `would also change ""`)
	if string(d.Bytes()) != "&0: >\n 0" {
		t.Errorf("the document changed: %q", d.Bytes())
	}
}
