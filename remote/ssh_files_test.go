package remote

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/shquote"
	"github.com/straylight-fleet/straylight/internal/sshdtest"
)

func TestSSHBecomeWithoutPassword(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.KeyUser, map[string]any{"ansible_become": true})
	if got := runOK(t, conn, "id -u"); got != "0" {
		t.Fatalf("id -u = %q", got)
	}
}

func TestSSHBecomeWithPasswordOnStdin(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.SudoUser, map[string]any{
		"ansible_become": "yes", "ansible_become_password": sshdtest.SudoUserPassword})
	half := len(sshdtest.SudoUserPassword) / 2
	// ps finishes before grep starts (a pipeline ran them side by side, and
	// ps sometimes listed grep before it had its arguments), and neither
	// the script nor grep's pattern holds the password whole.
	probe := "id -u; p=" + shquote.Always(sshdtest.SudoUserPassword[:half]) + "; out=$(ps -eo args); printf '%s\\n' \"$out\" | grep -c \"$p\"" +
		shquote.Always(sshdtest.SudoUserPassword[half:]) + " || true"
	if got := runOK(t, conn, probe); got != "0\n0" {
		t.Fatalf("got %q (want root, and the password on no command line)", got)
	}
	res, err := conn.Run(testContext(t), Command{Script: "id -un; cat", Stdin: []byte("payload after the password\n")})
	if err != nil || res.Stdout != "root\npayload after the password\n" {
		t.Fatalf("got %+v, %v", res, err)
	}
	view, err := conn.WithBecome(Become{Enabled: true, User: sshdtest.KeyUser, Password: sshdtest.SudoUserPassword})
	if err != nil {
		t.Fatal(err)
	}
	if got := runOK(t, view, "id -un"); got != sshdtest.KeyUser {
		t.Fatalf("become_user: got %q", got)
	}
}

func TestSSHBecomeWrongOrMissingPasswordIsAClearError(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.SudoUser, map[string]any{
		"ansible_become": true, "ansible_become_password": "not-the-password"})
	_, err := conn.Run(testContext(t), Command{Script: "id -u", Stdin: []byte("must not reach sudo\n")})
	if !errors.Is(err, ErrBecome) || !strings.Contains(err.Error(), "refused the become password") ||
		strings.Contains(err.Error(), "not-the-password") {
		t.Fatalf("wrong password: got %v", err)
	}
	none, err := conn.WithBecome(Become{Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = none.Run(testContext(t), Command{Script: "id -u"})
	if !errors.Is(err, ErrBecome) || !strings.Contains(err.Error(), "password") {
		t.Fatalf("no password: got %v", err)
	}
}

// hostileNames are file names a shell would misread unquoted.
var hostileNames = []string{
	"with space.yml", "it's.yml", `$(touch PWNED).yml`, "`touch PWNED`.yml", "semi;colon&amp.yml",
	"-leading-dash.yml", `back\slash "dq".yml`, "star*?[x].yml", "ünïcode.yml", "$HOME.yml",
}

func TestSSHWriteFileWithModeOwnerGroupValidateBackup(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.KeyUser, map[string]any{"ansible_become": true})
	dir := filepath.Join(lab.srv.Work, "conf d")
	opts := WriteOptions{Mode: "0640", Owner: sshdtest.SudoUser, Group: sshdtest.SudoUser, Validate: "grep -q ok %s"}
	for _, name := range hostileNames {
		path := filepath.Join(dir, name)
		writeTwice(t, conn, path, opts)
		if got := runOK(t, conn, "stat -c '%a %U %G' -- "+shquote.Always(path)); got != "640 "+sshdtest.SudoUser+" "+sshdtest.SudoUser {
			t.Errorf("%q: stat %q", name, got)
		}
	}
	for _, pwned := range []string{filepath.Join(dir, "PWNED"), "/home/" + sshdtest.KeyUser + "/PWNED", "/root/PWNED"} {
		if _, err := os.Stat(pwned); err == nil {
			t.Errorf("a file name was executed: %s exists", pwned)
		}
	}
	assertNoTempFiles(t, dir)
}

// writeTwice creates path, replaces it, and checks content and backup.
func writeTwice(t *testing.T, conn *SSH, path string, opts WriteOptions) {
	t.Helper()
	first, err := conn.WriteFileWith(testContext(t), path, []byte("ok 1\n"), opts)
	if err != nil || first.BackupPath != "" {
		t.Fatalf("%q: first write: %+v, %v", path, first, err)
	}
	second, err := conn.WriteFileWith(testContext(t), path, []byte("ok 2\n"), opts)
	if err != nil || second.BackupPath == "" || second.SHA256 != sha256Hex([]byte("ok 2\n")) {
		t.Fatalf("%q: second write: %+v, %v", path, second, err)
	}
	assertFile(t, path, "ok 2\n")
	assertFile(t, second.BackupPath, "ok 1\n")
	state, err := conn.ReadFile(testContext(t), path)
	if err != nil || string(state.Content) != "ok 2\n" || state.SHA256 != second.SHA256 {
		t.Fatalf("%q: read back %+v, %v", path, state, err)
	}
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("%q holds %q (%v), want %q", path, got, err, want)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "straylight-tmp") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

func TestSSHWriteRefusesNewlinesAndFailedValidation(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	dir := lab.srv.Work
	if _, err := conn.WriteFile(testContext(t), dir+"/evil\nname", []byte("x")); err == nil || !strings.Contains(err.Error(), "newline") {
		t.Fatalf("newline in a name: got %v", err)
	}
	path := filepath.Join(dir, "validated.yml")
	if _, err := conn.WriteFile(testContext(t), path, []byte("good\n")); err != nil {
		t.Fatal(err)
	}
	_, err := conn.WriteFileWith(testContext(t), path, []byte("bad\n"), WriteOptions{Validate: "grep -q good %s"})
	if !errors.Is(err, ErrValidate) {
		t.Fatalf("want ErrValidate, got %v", err)
	}
	assertFile(t, path, "good\n")
	assertNoTempFiles(t, dir)
	if state, err := conn.ReadFile(testContext(t), filepath.Join(dir, "missing")); err != nil || state.Exists {
		t.Fatalf("missing file: %+v, %v", state, err)
	}
}

func TestSSHTenMegabyteFile(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	content := make([]byte, 10<<20)
	if _, err := rand.Read(content); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(lab.srv.Work, "big.bin")
	if _, err := conn.WriteFile(testContext(t), path, content); err != nil {
		t.Fatal(err)
	}
	state, err := conn.ReadFile(testContext(t), path)
	if err != nil || !bytes.Equal(state.Content, content) {
		t.Fatalf("read back %d bytes, %v", len(state.Content), err)
	}
}

func TestSSHBecomeWithSu(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.SudoUser, map[string]any{"ansible_become": true, "ansible_become_method": "su",
		"ansible_become_user": sshdtest.KeyUser, "ansible_become_password": sshdtest.KeyUserPassword})
	res, err := conn.Run(testContext(t), Command{Script: "id -un; cat; echo Password: >&2", Stdin: []byte("after su\n")})
	if err != nil || res.Stdout != sshdtest.KeyUser+"\nafter su\n" || res.Stderr != "Password:\n" {
		t.Fatalf("su: %+v, %v", res, err)
	}
	wrong, err := conn.WithBecome(Become{Enabled: true, Method: "su", User: sshdtest.KeyUser, Password: "nope"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrong.Run(testContext(t), Command{Script: "id -un"})
	if !errors.Is(err, ErrBecome) || !strings.Contains(err.Error(), "refused the become password") {
		t.Fatalf("wrong su password: %v", err)
	}
}

// TestSSHReadFileCarriesModeOwnerAndUmask: the read's one round trip
// brings the file's mode and ownership (setuid bits included) and the
// shell's umask, which the planner compares as Ansible does.
func TestSSHReadFileCarriesModeOwnerAndUmask(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.KeyUser, map[string]any{"ansible_become": true})
	path := filepath.Join(lab.srv.Work, "attrs.conf")
	if _, err := conn.WriteFileWith(testContext(t), path, []byte("x\n"), WriteOptions{Mode: "02750", Owner: sshdtest.SudoUser, Group: "root"}); err != nil {
		t.Fatal(err)
	}
	st, err := conn.ReadFile(testContext(t), path)
	if err != nil {
		t.Fatal(err)
	}
	uid := runOK(t, conn, "id -u "+sshdtest.SudoUser)
	m := st.Meta
	if !m.Known || m.Mode != 0o2750 || strconv.Itoa(m.UID) != uid || m.GID != 0 || m.Owner != sshdtest.SudoUser || m.Group != "root" {
		t.Errorf("meta %+v, want mode 02750, owner %s (%s), group root (0)", m, sshdtest.SudoUser, uid)
	}
	umask, _ := strconv.ParseUint(runOK(t, conn, "umask"), 8, 32)
	if m.Umask != uint32(umask) {
		t.Errorf("umask %04o, the shell's is %04o", m.Umask, umask)
	}
	missing, err := conn.ReadFile(testContext(t), path+".missing")
	if err != nil || missing.Exists || missing.Meta.Known || missing.Meta.Umask != uint32(umask) {
		t.Errorf("missing file: %+v, %v", missing, err)
	}
}

// TestSSHWriteGivesNewDirectoriesTheDirectoryMode: copy's directory_mode
// reaches each directory the write creates, not those already there.
func TestSSHWriteGivesNewDirectoriesTheDirectoryMode(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	base := filepath.Join(lab.srv.Work, "dm")
	path := filepath.Join(base, "a b", "c", "f.txt")
	if _, err := conn.WriteFileWith(testContext(t), path, []byte("x\n"), WriteOptions{DirMode: "0750", Mode: "0640"}); err != nil {
		t.Fatal(err)
	}
	got := runOK(t, conn, "stat -c '%a' -- "+shquote.Always(base)+" "+shquote.Always(filepath.Join(base, "a b"))+" "+shquote.Always(filepath.Join(base, "a b", "c"))+" "+shquote.Always(path))
	if got != "750\n750\n750\n640" {
		t.Errorf("modes of dm, dm/a b, dm/a b/c, f.txt: %q", got)
	}
	if _, err := conn.WriteFileWith(testContext(t), path, []byte("x\n"), WriteOptions{DirMode: "u+x"}); err == nil {
		t.Error("a symbolic directory mode was taken")
	}
}
