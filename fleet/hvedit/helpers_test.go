package hvedit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// seedCopy copies a seed host_vars file (testdata/host_vars, copies of
// examples/homelab/host_vars) into a temporary directory and returns its path.
func seedCopy(t *testing.T, name string) string {
	t.Helper()
	data, err := readTestdata("host_vars/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, name, string(data))
}

func readTestdata(rel string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", filepath.FromSlash(rel)))
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// setText edits text in memory and returns the new text.
func setText(t *testing.T, text string, keyPath []string, value any) (string, Result) {
	t.Helper()
	d, err := Parse("host_vars/test.yml", []byte(text), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Set(keyPath, value)
	if err != nil {
		t.Fatalf("Set %v = %#v: %v", keyPath, value, err)
	}
	return string(res.NewFile), res
}

// changedLines compares two texts line by line (they must have the same
// number of lines) and returns the 1-based numbers of the lines that differ.
func changedLines(t *testing.T, before, after string) []int {
	t.Helper()
	a, b := strings.SplitAfter(before, "\n"), strings.SplitAfter(after, "\n")
	if len(a) != len(b) {
		t.Fatalf("line count changed from %d to %d:\n%s", len(a), len(b), after)
	}
	var diff []int
	for i := range a {
		if a[i] != b[i] {
			diff = append(diff, i+1)
		}
	}
	return diff
}

// decodeYAML decodes text with yaml.v3, independently of the package's own
// verification.
func decodeYAML(t *testing.T, text string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := yaml.Unmarshal([]byte(strings.TrimPrefix(text, "\ufeff")), &v); err != nil {
		t.Fatalf("the edited text does not parse: %v\n%s", err, text)
	}
	return v
}

func wantKind(t *testing.T, err, kind error, mentions ...string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error %v, want %v", err, kind)
	}
	for _, m := range mentions {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not mention %q", err, m)
		}
	}
}
