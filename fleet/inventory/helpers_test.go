package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// debianPython is the interpreter that has ansible's modules (the python3
// on PATH may be another one).
const debianPython = "/usr/bin/python3"

// requireOracle skips when a tool is missing, unless CI demands oracles.
func requireOracle(t testing.TB, tool string) string {
	t.Helper()
	return oracle.Tool(t, tool, "apt-get install ansible")
}

// requireAnsiblePython skips unless Debian's python with ansible is there.
func requireAnsiblePython(t testing.TB) {
	t.Helper()
	requireOracle(t, debianPython)
	if err := exec.Command(debianPython, "-c", "import ansible").Run(); err != nil {
		oracle.Missing(t, "%s cannot import ansible (apt-get install ansible): %v", debianPython, err)
	}
}

// runPythonOracle feeds input as JSON to a helper script and decodes its
// JSON answer, numbers kept as json.Number.
func runPythonOracle(t testing.TB, script string, input any) []map[string]any {
	t.Helper()
	requireAnsiblePython(t)
	data, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(debianPython, filepath.Join("testdata", "oracle", script))
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, stderr.String())
	}
	var res []map[string]any
	if err := decodeJSONNumbers(out, &res); err != nil {
		t.Fatalf("%s output: %v", script, err)
	}
	return res
}

func decodeJSONNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// sameJSON compares a value decoded from Python's JSON (numbers as
// json.Number) with one of ours, ints and floats kept apart as Python does.
func sameJSON(want, got any) error {
	switch w := want.(type) {
	case json.Number:
		return sameNumber(w, got)
	case map[string]any:
		return sameMap(w, got)
	case []any:
		return sameList(w, got)
	}
	if want != got {
		return fmt.Errorf("want %#v, got %#v", want, got)
	}
	return nil
}

func sameNumber(w json.Number, got any) error {
	s := w.String()
	isFloat := strings.ContainsAny(s, ".eE")
	switch g := got.(type) {
	case int:
		if !isFloat && s == fmt.Sprint(g) {
			return nil
		}
	case float64:
		f, _ := w.Float64()
		if isFloat && (f == g || math.Abs(f-g) <= 1e-12*math.Abs(f)) {
			return nil
		}
		if !isFloat && math.Abs(g) >= 1<<63 {
			return nil // Python big ints become float64 here
		}
	}
	return fmt.Errorf("want number %s, got %#v", s, got)
}

func sameMap(w map[string]any, got any) error {
	g, ok := got.(map[string]any)
	if !ok {
		return fmt.Errorf("want a mapping, got %#v", got)
	}
	for _, k := range sortedKeys(w) {
		gv, ok := g[k]
		if !ok {
			return fmt.Errorf("missing key %q", k)
		}
		if err := sameJSON(w[k], gv); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			return fmt.Errorf("unexpected key %q", k)
		}
	}
	return nil
}

func sameList(w []any, got any) error {
	g, ok := got.([]any)
	if !ok || len(g) != len(w) {
		return fmt.Errorf("want list %v, got %#v", w, got)
	}
	for i := range w {
		if err := sameJSON(w[i], g[i]); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
	}
	return nil
}

// writeTree creates files (and, for values starting with "->", symlinks)
// under root.
func writeTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for _, name := range sortedKeys(files) {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		content := files[name]
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, path)
		} else {
			err = os.WriteFile(path, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// fakeVault "encrypts" by prefixing the vault header and reversing the
// text; it counts calls and can be told to fail.
type fakeVault struct {
	calls int
	fail  bool
}

func (f *fakeVault) Decrypt(data []byte, file string) ([]byte, error) {
	f.calls++
	if f.fail {
		return nil, errors.New("wrong vault password")
	}
	text := strings.TrimSpace(string(data))
	body, ok := strings.CutPrefix(text, "$ANSIBLE_VAULT;1.1;AES256\n")
	if !ok {
		return nil, errors.New("not a vault")
	}
	return []byte(reverse(body)), nil
}

func fakeEncrypt(plain string) string {
	return "$ANSIBLE_VAULT;1.1;AES256\n" + reverse(plain)
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func mustLoad(t testing.TB, dec Decrypter, sources ...string) *Inventory {
	t.Helper()
	inv, err := Load(sources, dec)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func mustHostVars(t testing.TB, inv *Inventory, host string, l Layers) Vars {
	t.Helper()
	v, err := inv.HostVars(host, l)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}
