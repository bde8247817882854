package ansible

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// DetectCoreVersion asks `ansible --version` once per installed program:
// the answer is cached under the user's cache directory, keyed by the
// program's path, size and modification time, and asked again when the
// program is replaced (an upgrade).
func TestDetectCoreVersionAsksOncePerProgram(t *testing.T) {
	bin, calls := t.TempDir(), filepath.Join(t.TempDir(), "calls")
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	fake := func(release string, mtime time.Time) {
		script := "#!/bin/sh\necho asked >> " + calls + "\necho 'ansible [core " + release + "]'\n"
		path := filepath.Join(bin, "ansible")
		if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	asked := func() int {
		data, _ := os.ReadFile(calls)
		return strings.Count(string(data), "asked")
	}
	fake("2.14.18", time.Unix(1700000000, 0))
	for range 3 {
		if got := DetectCoreVersion(context.Background()); got != "2.14.18" {
			t.Fatalf("detected %q, want 2.14.18", got)
		}
	}
	if asked() != 1 {
		t.Errorf("ansible --version ran %d times for three detections of one program, want 1", asked())
	}
	fake("2.19.14", time.Unix(1700000100, 0)) // an upgrade replaces the program
	if got := DetectCoreVersion(context.Background()); got != "2.19.14" || asked() != 2 {
		t.Errorf("after the upgrade: detected %q with %d runs, want 2.19.14 with 2", got, asked())
	}
	if got := DetectCoreVersion(context.Background()); got != "2.19.14" || asked() != 2 {
		t.Errorf("again: detected %q with %d runs, want 2.19.14 with 2", got, asked())
	}
}
