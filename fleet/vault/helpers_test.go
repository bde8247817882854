package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Test passwords written by testdata/make-fixtures.sh.
const (
	defaultPassword = "straylight-test-default"
	prodPassword    = "straylight-test-prod"
	paddedPassword  = "straylight padded pw" // padded.pass holds it with spaces and newlines around
)

func fixture(t testing.TB, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatalf("fixture missing (run testdata/make-fixtures.sh): %v", err)
	}
	return data
}

func fixturePath(rel string) string {
	return filepath.Join("testdata", rel)
}

// keyringOf builds a keyring from label, password pairs.
func keyringOf(t testing.TB, pairs ...string) *Keyring {
	t.Helper()
	k := NewKeyring()
	for i := 0; i < len(pairs); i += 2 {
		if err := k.Add(pairs[i], []byte(pairs[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// wantErr checks the kind of err, that it names file, and that it leaks none of secrets.
func wantErr(t *testing.T, err, kind error, file string, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %q is not %q", err, kind)
	}
	if file != "" && !strings.Contains(err.Error(), file) {
		t.Errorf("error %q does not name %s", err, file)
	}
	assertNoLeak(t, err.Error(), secrets...)
}

func assertNoLeak(t *testing.T, message string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(message, s) {
			t.Errorf("error %q leaks a secret", message)
		}
	}
}

// writeFile writes a file in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// flipHexDigit changes one hex digit of the payload's line-th line (1-based) at col.
func flipHexDigit(vaultText []byte, line, col int) []byte {
	lines := bytes.Split(bytes.Clone(vaultText), []byte("\n"))
	digit := lines[line][col]
	lines[line][col] = map[bool]byte{true: '1', false: '0'}[digit == '0']
	return bytes.Join(lines, []byte("\n"))
}
