package sshdtest

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

const sudoersFile = "/etc/sudoers.d/straylight-sshdtest"

// sudoRules: KeyUser may sudo without a password, SudoUser with its own.
var sudoRules = fmt.Sprintf(`# Created by straylight's internal/sshdtest for its tests.
Defaults:%[1]s !lecture
Defaults:%[2]s !lecture
%[1]s ALL=(ALL:ALL) NOPASSWD: ALL
%[2]s ALL=(ALL:ALL) ALL
`, KeyUser, SudoUser)

// EnsureUsers creates the test users and the sudo rule when missing and
// (re)sets the users' passwords. It is idempotent and safe across
// concurrently running test binaries (a lock file serializes it).
func EnsureUsers(t testing.TB) {
	t.Helper()
	if err := ensureUsers(); err != nil {
		t.Fatalf("sshdtest: preparing the test users: %v", err)
	}
}

func ensureUsers() error {
	lock, err := os.OpenFile("/run/straylight-sshdtest.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	for _, u := range []struct{ name, password string }{{KeyUser, KeyUserPassword}, {SudoUser, SudoUserPassword}} {
		if err := ensureUser(u.name, u.password); err != nil {
			return err
		}
	}
	return ensureSudoers()
}

// ensureUser creates the user when missing and sets its password once per
// boot: a marker in /run records it, so test binaries running side by side
// do not rewrite /etc/shadow while another one's sudo reads it.
func ensureUser(name, password string) error {
	if exec.Command("id", "-u", name).Run() != nil {
		if out, err := exec.Command("useradd", "-m", "-s", "/bin/bash", name).CombinedOutput(); err != nil {
			return fmt.Errorf("useradd %s: %v: %s", name, err, out)
		}
	}
	marker := "/run/straylight-sshdtest-" + name + ".password"
	want := fmt.Sprintf("%x", sha256.Sum256([]byte(password)))
	if got, err := os.ReadFile(marker); err == nil && string(got) == want {
		return nil
	}
	if err := setPassword(name, password); err != nil {
		return err
	}
	return os.WriteFile(marker, []byte(want), 0o600)
}

func setPassword(name, password string) error {
	cmd := exec.Command("chpasswd")
	cmd.Stdin = strings.NewReader(name + ":" + password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("chpasswd %s: %v: %s", name, err, out)
	}
	return nil
}

func ensureSudoers() error {
	if current, err := os.ReadFile(sudoersFile); err == nil && string(current) == sudoRules {
		return nil
	}
	staged := sudoersFile + ".tmp"
	if err := os.WriteFile(staged, []byte(sudoRules), 0o440); err != nil {
		return err
	}
	if out, err := exec.Command("visudo", "-cf", staged).CombinedOutput(); err != nil {
		os.Remove(staged)
		return fmt.Errorf("visudo rejected the test rule: %v: %s", err, out)
	}
	return os.Rename(staged, sudoersFile)
}
