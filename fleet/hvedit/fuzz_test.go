package hvedit

import (
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzSetValue edits arbitrary YAML: the edit either fails with an *Error
// naming the file, or the edited key holds the new value and every other
// key its old one, as yaml.v3 decodes both texts (independently of the
// package's own verification). Never a panic.
func FuzzSetValue(f *testing.F) {
	for _, name := range []string{"armitage.yml", "wintermute.yml"} {
		seed := readSeed(f, name)
		f.Add(seed, "vllm.gpu_memory_utilization", uint8(2), "0.9")
		f.Add(seed, "vllm.served_model_name", uint8(0), "a: b")
		f.Add(seed, "vllm.max_num_seqs", uint8(1), "4")
		f.Add(strings.ReplaceAll(seed, "\n", "\r\n"), "litellm.port", uint8(1), "4000")
	}
	f.Add("a: &x 1\nb: *x\nc: [1, {d: e}]\n", "c", uint8(5), "p,q")
	f.Add("k: |\n  text\n\nz: 1", "k", uint8(3), "")
	f.Add("# c\nlitellm:\n  port: 4000  # api\n  models:\n    - a\n    - 'b'\n  name: \"x\"\n\nvllm: {a: [1, 2], b: c}  # flow\nz: ~\n", "litellm.models", uint8(5), "q,r s")
	f.Add("vllm:\n  served_model_name:\n  - a  # one\n  - b\n  extra:\n    x: y\n", "vllm.extra.z", uint8(0), "w")
	f.Fuzz(func(t *testing.T, text, key string, kind uint8, raw string) {
		checkFuzzEdit(t, text, strings.SplitN(key, ".", 5), fuzzValue(kind, raw))
	})
}

func readSeed(f *testing.F, name string) string {
	f.Helper()
	data, err := readTestdata("host_vars/" + name)
	if err != nil {
		f.Fatal(err)
	}
	return string(data)
}

// fuzzValue picks the value's type from kind.
func fuzzValue(kind uint8, raw string) any {
	switch kind % 6 {
	case 1:
		n, _ := strconv.ParseInt(raw, 10, 64)
		return n
	case 2:
		x, _ := strconv.ParseFloat(raw, 64)
		return x
	case 3:
		return len(raw)%2 == 0
	case 4:
		return nil
	case 5:
		return strings.Split(raw, ",")
	}
	return raw
}

const fuzzFile = "host_vars/fuzz.yml"

func checkFuzzEdit(t *testing.T, text string, keyPath []string, value any) {
	d, err := Parse(fuzzFile, []byte(text), Options{})
	if err != nil {
		checkClearError(t, err)
		return
	}
	res, err := d.Set(keyPath, value)
	if err != nil {
		checkClearError(t, err)
		return
	}
	if string(res.OldFile) != text || !reflect.DeepEqual(res.NewFile, d.Bytes()) || res.Line < 1 {
		t.Fatalf("result does not describe the edit: %+v", res)
	}
	checkIndependently(t, text, string(res.NewFile), keyPath, res.NewValue)
}

func checkClearError(t *testing.T, err error) {
	var e *Error
	if !errors.As(err, &e) || e.File != fuzzFile || e.Err == nil || !strings.HasPrefix(err.Error(), fuzzFile) {
		t.Fatalf("unclear error %T %q", err, err)
	}
}

// checkIndependently decodes both texts with yaml.v3 and compares them with
// the target removed. Documents yaml.v3 cannot decode into plain values
// (duplicate keys, unknown tags) are left to the package's own check, but an
// edit must not make a decodable document undecodable.
func checkIndependently(t *testing.T, before, after string, keyPath []string, want any) {
	oldDoc, errOld := decodeAny(before)
	newDoc, errNew := decodeAny(after)
	if errOld != nil {
		return
	}
	if errNew != nil {
		t.Fatalf("the edit broke the document: %v\n%q\n%q", errNew, before, after)
	}
	got, ok := valueAt(newDoc, keyPath)
	if !ok || !sameValue(got, want) {
		t.Fatalf("%v reads back as %#v, want %#v\n%q", keyPath, got, want, after)
	}
	removeTarget(oldDoc, newDoc, keyPath)
	if !equalValues(oldDoc, newDoc) {
		t.Fatalf("other values changed:\nbefore %#v\nafter  %#v\n%q\n%q", oldDoc, newDoc, before, after)
	}
}

func decodeAny(text string) (v any, err error) {
	defer recoverAsSyntaxError(&err)
	err = yaml.Unmarshal([]byte(strings.TrimPrefix(text, "\ufeff")), &v)
	if v == nil && err == nil {
		v = map[string]any{}
	}
	return v, err
}

func valueAt(doc any, keyPath []string) (any, bool) {
	for _, k := range keyPath {
		var ok bool
		if doc, ok = childOf(doc, k); !ok {
			return nil, false
		}
	}
	return doc, true
}

// childOf looks up a string key in a decoded mapping of either map type.
func childOf(doc any, k string) (any, bool) {
	switch m := doc.(type) {
	case map[string]any:
		v, ok := m[k]
		return v, ok
	case map[any]any:
		v, ok := m[k]
		return v, ok
	}
	return nil, false
}

func setChild(doc any, k string, v any, present bool) {
	switch m := doc.(type) {
	case map[string]any:
		if m[k] = v; !present {
			delete(m, k)
		}
	case map[any]any:
		if m[k] = v; !present {
			delete(m, k)
		}
	}
}

// removeTarget deletes the edited key from both documents; where the editor
// created parents (absent or null before), the new document gets the old
// state back.
func removeTarget(oldDoc, newDoc any, keyPath []string) {
	last := len(keyPath) - 1
	for _, k := range keyPath[:last] {
		oldChild, present := childOf(oldDoc, k)
		if !isMapping(oldChild) {
			setChild(newDoc, k, oldChild, present)
			return
		}
		newChild, _ := childOf(newDoc, k)
		oldDoc, newDoc = oldChild, newChild
	}
	setChild(oldDoc, keyPath[last], nil, false)
	setChild(newDoc, keyPath[last], nil, false)
}

func isMapping(v any) bool {
	switch v.(type) {
	case map[string]any, map[any]any:
		return true
	}
	return false
}

// equalValues is reflect.DeepEqual with NaN equal to NaN.
func equalValues(a, b any) bool {
	return reflect.DeepEqual(withoutNaN(a), withoutNaN(b))
}

func withoutNaN(v any) any {
	switch t := v.(type) {
	case float64:
		if math.IsNaN(t) {
			return "NaN"
		}
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = withoutNaN(e)
		}
		return out
	case map[any]any:
		out := make(map[any]any, len(t))
		for k, e := range t {
			out[k] = withoutNaN(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = withoutNaN(e)
		}
		return out
	}
	return v
}
