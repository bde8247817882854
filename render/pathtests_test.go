package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathTestMessages checks the path tests' errors, in Python's words
// as ansible-core shows them (the files oracle suite checks that these
// fail under both cores).
func TestPathTestMessages(t *testing.T) {
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{}, Magic{})
	missing := filepath.Join(t.TempDir(), "missing")
	for expr, want := range map[string]string{
		"none is exists":                      "stat: path should be string, bytes, os.PathLike or integer, not NoneType",
		"1.5 is file":                         "stat: path should be string, bytes, os.PathLike or integer, not float",
		"1 is link":                           "lstat: path should be string, bytes or os.PathLike, not int",
		"[] is link_exists":                   "lstat: path should be string, bytes or os.PathLike, not list",
		"true is mount":                       "lstat: path should be string, bytes or os.PathLike, not bool",
		"1099511627776 is directory":          "fd is greater than maximum",
		"'/' is same_file":                    "samefile() missing 1 required positional argument: 'f2'",
		"'" + missing + "' is same_file('/')": "[Errno 2] No such file or directory: '" + missing + "'",
		"'/' is same_file(999)":               "[Errno 9] Bad file descriptor: 999",
	} {
		_, err := e.RenderTemplate("t.j2", []byte("{{ "+expr+" }}"), scope, TemplateDefaults())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("{{ %s }}: error %v, want one saying %q", expr, err, want)
		}
	}
}

// TestPathTestFileDescriptor checks that an int is read as os.stat reads
// it, a file descriptor of this process: one open on a file is a file
// and the same file as its path, a closed one is not there.
func TestPathTestFileDescriptor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	scope := NewScope(map[string]any{"fd": int(f.Fd()), "path": path}, Magic{})
	src := "{{ fd is exists }} {{ fd is file }} {{ fd is directory }} {{ path is same_file(fd) }} {{ -1 is exists }}"
	if got := mustRender(t, NewEngine(Options{}), src, scope, TemplateDefaults()); got != "True True False True False" {
		t.Errorf("%s: %q", src, got)
	}
}
