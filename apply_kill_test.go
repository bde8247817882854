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
	waitUnlocked(t, filepath.Join(d.Dir, ".straylight", "apply.lock"))
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
// (its parent went away) whose every thread has exited too. The leader of a
// multi-threaded process shows as a zombie while its other threads may
// still be exiting, holding the files (and so the flock) they share.
func waitDead(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if exited(pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("pid %d still runs after SIGKILL", pid)
}

// waitUnlocked waits until the kernel has dropped the flock on path (the
// dead holder's last thread is gone). A lock that names a dead pid in its
// file without a flock, as the old lock did, passes here and fails the next
// apply; a flock the kernel never dropped fails here.
func waitUnlocked(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open the lock: %v", err)
	}
	defer f.Close()
	deadline := time.Now().Add(30 * time.Second)
	for syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the killed apply's flock on %s was never dropped", path)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// exited: pid is gone, or a zombie with no thread left but its leader.
func exited(pid int) bool {
	proc := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(proc + "/stat")
	if err != nil {
		return true
	}
	_, after, ok := strings.Cut(string(stat), ") ")
	threads, err := os.ReadDir(proc + "/task")
	return ok && strings.HasPrefix(after, "Z") && err == nil && len(threads) <= 1
}
