package filemod

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandGuardAndRun runs GuardScript and RunScript in sh: creates
// (a glob) and removes decide as command.py does (:321-333), chdir comes
// first, command's words run unquoted by a shell, shell's line in sh -c.
func TestCommandGuardAndRun(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pre-1"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sh := func(script string) (string, int) {
		out, err := exec.Command("sh", "-c", script).CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return strings.TrimSpace(string(out)), code
	}
	for _, c := range []struct {
		a    CommandArgs
		want string
	}{
		{CommandArgs{Argv: []string{"true"}, Creates: filepath.Join(dir, "pre-*")}, "creates"},
		{CommandArgs{Argv: []string{"true"}, Creates: filepath.Join(dir, "none-*")}, "run"},
		{CommandArgs{Argv: []string{"true"}, Chdir: dir, Creates: "pre-1"}, "creates"},
		{CommandArgs{Argv: []string{"true"}, Removes: filepath.Join(dir, "gone")}, "removes"},
		{CommandArgs{Argv: []string{"true"}, Removes: filepath.Join(dir, "pre-1")}, "run"},
	} {
		if got, _ := sh(c.a.GuardScript()); got != c.want {
			t.Errorf("%+v: guard says %q, want %q", c.a, got, c.want)
		}
	}
	if _, code := sh(CommandArgs{Argv: []string{"true"}, Chdir: filepath.Join(dir, "missing"), Creates: "x"}.GuardScript()); code != 3 {
		t.Errorf("a missing chdir exits %d, want 3", code)
	}
	if got, _ := sh(CommandArgs{Argv: []string{"echo", "a  b", "$HOME"}}.RunScript()); got != "a  b $HOME" {
		t.Errorf("command's words: %q", got)
	}
	if got, _ := sh(CommandArgs{Shell: true, Line: "echo $0; pwd", Chdir: dir}.RunScript()); got != "/bin/sh\n"+dir {
		t.Errorf("shell's line: %q", got)
	}
	if got, _ := sh(CommandArgs{Argv: []string{"echo", "ran"}, Creates: filepath.Join(dir, "pre-1")}.RunScript()); got != "skipped: creates" {
		t.Errorf("the apply's guard: %q", got)
	}
}
