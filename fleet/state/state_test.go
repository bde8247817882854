package state

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lockHelperEnv makes the test binary a helper process that takes the lock
// of the repository the variable names, says so and waits to be killed.
const lockHelperEnv = "STRAYLIGHT_STATE_LOCK_HELPER"

func TestMain(m *testing.M) {
	if root := os.Getenv(lockHelperEnv); root != "" {
		if _, err := Open(root).AcquireLock(); err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("locked\n")
		select {} // hold it until killed
	}
	os.Exit(m.Run())
}

func TestLockIsExclusiveAndReleased(t *testing.T) {
	st := Open(t.TempDir())
	lock, err := st.AcquireLock()
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.AcquireLock()
	if err == nil || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second AcquireLock: %v, want a refusal naming pid %d", err, os.Getpid())
	}
	lock.Release()
	again, err := st.AcquireLock()
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	again.Release()
}

// TestLockDiesWithItsHolder: a process holding the lock is killed with
// SIGKILL, so it cannot clean anything up; the next AcquireLock succeeds.
func TestLockDiesWithItsHolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("flock: unix only")
	}
	root := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		cmd.Process.Kill()
		t.Fatalf("helper: %q", line)
	}
	if _, err := Open(root).AcquireLock(); err == nil || !strings.Contains(err.Error(), "pid "+strconv.Itoa(cmd.Process.Pid)) {
		t.Fatalf("while the helper holds it: %v, want a refusal naming pid %d", err, cmd.Process.Pid)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	lock, err := Open(root).AcquireLock()
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	lock.Release()
	if _, err := os.Stat(filepath.Join(root, stateDir, "apply.lock")); err != nil {
		t.Errorf("the lock file should stay (only its flock is released): %v", err)
	}
}

type record struct {
	Host  string    `json:"host"`
	Since time.Time `json:"since"`
}

func TestPendingRoundTripAndClear(t *testing.T) {
	st := Open(t.TempDir())
	var got record
	if found, err := st.GetPending("h", &got); found || err != nil {
		t.Fatalf("before Put: found %v, %v", found, err)
	}
	want := record{Host: "h", Since: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := st.PutPending("h", want); err != nil {
		t.Fatal(err)
	}
	if found, err := st.GetPending("h", &got); !found || err != nil || got != want {
		t.Fatalf("after Put: found %v, %v, %+v", found, err, got)
	}
	if err := st.ClearPending("h"); err != nil {
		t.Fatal(err)
	}
	if found, err := st.GetPending("h", &got); found || err != nil {
		t.Fatalf("after Clear: found %v, %v", found, err)
	}
}

func TestUnreadablePendingRecordIsAnError(t *testing.T) {
	root := t.TempDir()
	st := Open(root)
	path := filepath.Join(root, stateDir, "pending", "h.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{half a rec"), 0o600); err != nil {
		t.Fatal(err)
	}
	var got record
	if _, err := st.GetPending("h", &got); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("corrupt record: %v, want an error naming %s", err, path)
	}
}

func TestAuditFailureIsReturned(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, stateDir, "audit.jsonl"), 0o755); err != nil {
		t.Fatal(err) // a directory where the log should be: appending fails
	}
	if err := Open(root).Audit(AuditEntry{Host: "h", Action: "apply", Result: "ok"}); err == nil {
		t.Fatal("Audit into an unwritable log returned no error")
	}
}
