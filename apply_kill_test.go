//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
)

// TestCLIApplyKilledAfterHandlerFreesTheLock: an apply runs detached (its
// parent shell has exited) and is killed with SIGKILL after wintermute's
// handler ran, while it waits for wintermute to load and before motoko's
// config is written: nothing of it can clean up. The next apply takes the
// lock at once (the kernel dropped the dead holder's flock) and finishes
// the owed work, motoko's config; a check then finds nothing to change.
func TestCLIApplyKilledAfterHandlerFreesTheLock(t *testing.T) {
	d, err := demo.Start(demo.Options{Dir: t.TempDir(), LoadDelay: 5 * time.Second, TokenRate: 2000})
	if err != nil {
		t.Fatalf("demo.Start: %v", err)
	}
	t.Cleanup(d.Close)
	const renamed = newServedName + "-v2"
	editRepo(t, d.Dir, "host_vars/wintermute.yml", `served_model_name: "`+newServedName+`"`, `served_model_name: "`+renamed+`"`)
	editRepo(t, d.Dir, "group_vars/motoko.yml", "openai/"+newServedName+"\n", "openai/"+renamed+"\n")

	out := filepath.Join(t.TempDir(), "killed-apply.out")
	pid := startDetached(t, buildBinary(t), out, "-C", d.Dir, "--apply", "--yes")
	waitForOutput(t, out, "[wintermute] handler ok")
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d: %v", pid, err)
	}
	waitDead(t, pid)
	first, _ := os.ReadFile(out)
	if strings.Contains(string(first), "[motoko] write") {
		t.Fatalf("the killed apply got as far as motoko:\n%s", first)
	}
	holder, err := os.ReadFile(filepath.Join(d.Dir, ".straylight", "apply.lock"))
	if err != nil || !strings.Contains(string(holder), `"pid":`+strconv.Itoa(pid)) {
		t.Fatalf("the lock file should still name the killed apply (pid %d): %q, %v", pid, holder, err)
	}

	next := runCLI(t, "-C", d.Dir, "--apply", "--yes")
	wantExit(t, next, exitOK)
	wantContains(t, "the next apply", next.stdout, "[wintermute] UNCHANGED", "[motoko] write ok", "[motoko] OK")
	wantExit(t, runCLI(t, "-C", d.Dir, "--check"), exitOK)
}

// startDetached starts bin in the background of a shell that exits at once,
// so the process outlives its parent; it returns the process's pid.
func startDetached(t *testing.T, bin, out string, args ...string) int {
	t.Helper()
	script := `out=$1; shift; "$@" >"$out" 2>&1 </dev/null & echo $!`
	pidText, err := exec.Command("sh", append([]string{"-c", script, "sh", out, bin}, args...)...).Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(pidText)))
	if err != nil {
		t.Fatalf("pid %q: %v", pidText, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

func waitForOutput(t *testing.T, path, text string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if data, _ := os.ReadFile(path); strings.Contains(string(data), text) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	data, _ := os.ReadFile(path)
	t.Fatalf("%q never appeared:\n%s", text, data)
}

// waitDead waits until pid has exited: gone, or a zombie nobody reaped yet
// (its parent went away; its files, and so its locks, are closed).
func waitDead(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return
		}
		if _, after, ok := strings.Cut(string(stat), ") "); ok && strings.HasPrefix(after, "Z") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("pid %d still runs after SIGKILL", pid)
}
