//go:build unix

package fileowner

import (
	"os"
	"os/user"
	"path/filepath"
	"testing"
)

// A file this test writes is owned by the user running it.
func TestOfNamesTheOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if got := Of(st); got != me.Username {
		t.Errorf("owner %q, want %q", got, me.Username)
	}
}
