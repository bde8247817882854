// Package testfixture finds the byte fixtures the tests of several packages
// share: the recorded vLLM, LiteLLM and WinRM exchanges under the module's
// top-level testdata/ directory (testdata/SOURCES.md says where each file
// came from). Every package's tests run with their own directory as the
// working directory, so the helpers walk up to go.mod to find the module
// root. A fixture that is not there fails the test: the files are part of
// the repository, and a test that skipped without them would prove nothing.
package testfixture

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns testdata/<parts...> under the module root, failing the test
// when that directory does not exist.
func Dir(tb testing.TB, parts ...string) string {
	tb.Helper()
	dir := filepath.Join(append([]string{moduleRoot(tb), "testdata"}, parts...)...)
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		tb.Fatalf("fixture directory %s is missing (it is part of the repository): %v", dir, err)
	}
	return dir
}

// Read returns the bytes of testdata/<parts...> under the module root,
// failing the test when the file cannot be read.
func Read(tb testing.TB, parts ...string) []byte {
	tb.Helper()
	path := filepath.Join(append([]string{moduleRoot(tb), "testdata"}, parts...)...)
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("fixture %s is missing (it is part of the repository): %v", path, err)
	}
	return b
}

// moduleRoot walks up from the working directory to the one holding go.mod.
func moduleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory: run the tests inside the module")
		}
		dir = parent
	}
}
