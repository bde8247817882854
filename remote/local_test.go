//go:build unix

package remote

import (
	"context"
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLocalReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	local := NewLocal(LocalConfig{})
	if got, err := local.ReadFile(testContext(t), path); err != nil || got.Exists {
		t.Errorf("missing file: %+v, %v", got, err)
	}
	os.WriteFile(path, []byte("model_list: []\n"), 0o644)
	got, err := local.ReadFile(testContext(t), path)
	if err != nil || !got.Exists || string(got.Content) != "model_list: []\n" || got.SHA256 != sha256Hex(got.Content) {
		t.Errorf("ReadFile = %+v, %v", got, err)
	}
	if _, err := local.ReadFile(testContext(t), dir); err == nil {
		t.Error("reading a directory succeeded")
	}
}

func TestLocalWriteNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "litellm", "config.yaml")
	res, err := NewLocal(LocalConfig{Clock: fixedClock}).WriteFile(testContext(t), path, []byte("a: 1\n"))
	if err != nil || res.BackupPath != "" || res.SHA256 != sha256Hex([]byte("a: 1\n")) {
		t.Fatalf("WriteFile = %+v, %v", res, err)
	}
	assertLocalFile(t, path, "a: 1\n", 0o644)
	assertOnlyFiles(t, filepath.Dir(path), "config.yaml")
}

func TestLocalWriteKeepsABackupAndTheMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte("old\n"), 0o600)
	res, err := NewLocal(LocalConfig{Clock: fixedClock}).WriteFile(testContext(t), path, []byte("new\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res.BackupPath != path+fixedBackupSuffix {
		t.Errorf("backup = %q, want %q", res.BackupPath, path+fixedBackupSuffix)
	}
	assertLocalFile(t, path, "new\n", 0o600)
	assertLocalFile(t, res.BackupPath, "old\n", 0o600)
	assertOnlyFiles(t, dir, "config.yaml", "config.yaml"+fixedBackupSuffix)
}

func TestLocalWriteRefusesADirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewLocal(LocalConfig{}).WriteFile(testContext(t), dir, []byte("x")); err == nil {
		t.Error("replacing a directory succeeded")
	}
}

func TestLocalWriteHonoursACancelledContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewLocal(LocalConfig{}).WriteFile(ctx, path, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	assertOnlyFiles(t, filepath.Dir(path))
}

func assertLocalFile(t *testing.T, path, want string, mode os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	info, statErr := os.Stat(path)
	if err != nil || statErr != nil || string(got) != want || info.Mode().Perm() != mode {
		t.Errorf("%s = %q (%v, %v), want %q with mode %v", path, got, err, statErr, want, mode)
	}
}

func assertOnlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s holds %v, want %v (temp files left behind?)", dir, got, want)
	}
}

func TestLocalRun(t *testing.T) {
	res, err := NewLocal(LocalConfig{}).Run(testContext(t), Command{Script: "read line; echo \"got $line\"; echo oops >&2; exit 3", Stdin: []byte("hello\n")})
	if err != nil || res.ExitCode != 3 || res.Stdout != "got hello\n" || res.Stderr != "oops\n" {
		t.Errorf("Run = %+v, %v", res, err)
	}
}

func TestLocalRunRefusesWindowsShells(t *testing.T) {
	for _, shell := range []Shell{PowerShell, Cmd} {
		if _, err := NewLocal(LocalConfig{}).Run(testContext(t), Command{Shell: shell, Script: "echo"}); err == nil {
			t.Errorf("shell %s ran locally", shell)
		}
	}
}

// TestLocalRunKillsTheProcessGroupAtTheDeadline: the shell's background child
// holds stdout open; only killing the whole group lets Run return, and the
// child must be gone afterwards.
func TestLocalRunKillsTheProcessGroupAtTheDeadline(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := NewLocal(LocalConfig{}).Run(ctx, Command{Script: "sleep 60 & echo $! > " + pidFile + "; wait"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want the deadline", err)
	}
	raw, readErr := os.ReadFile(pidFile)
	pid, convErr := strconv.Atoi(strings.TrimSpace(string(raw)))
	if readErr != nil || convErr != nil {
		t.Fatalf("no child pid: %v %v", readErr, convErr)
	}
	// SIGKILL lands at once but the kernel may take a moment to record it.
	for limit := time.Now().Add(5 * time.Second); alive(pid); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(limit) {
			t.Fatalf("the shell's child %d outlived the deadline", pid)
		}
	}
}

// alive reports whether pid runs (a zombie waiting to be reaped is dead).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

func TestLocalSnapshotWithoutTheTools(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	snap, err := NewLocal(LocalConfig{}).Snapshot(testContext(t), "litellm")
	if err != nil || snap.GPUError != "nvidia-smi not found" || snap.DockerErr != "docker not found" || snap.GPUs != nil || snap.Container != nil {
		t.Errorf("Snapshot = %+v, %v", snap, err)
	}
}

func TestLocalSnapshotRunsTheQueries(t *testing.T) {
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	smi := writeScript(t, dir, "nvidia-smi", `echo "$@" >> `+argsFile+`
echo "0, NVIDIA GeForce RTX 4090, 37, 18234, 24564, 61, 212.45"`)
	docker := writeScript(t, dir, "docker", `echo "$@" >> `+argsFile+`
echo '{"ID":"9b1","Names":"litellm","Image":"ghcr.io/berriai/litellm:main-stable","State":"running","Status":"Up 5 days"}'`)
	snap, err := NewLocal(LocalConfig{NvidiaSMI: smi, Docker: docker}).Snapshot(testContext(t), "litellm")
	if err != nil || len(snap.GPUs) != 1 || snap.Container == nil || snap.Container.Name != "litellm" || snap.GPUError != "" || snap.DockerErr != "" {
		t.Fatalf("Snapshot = %+v, %v", snap, err)
	}
	args, _ := os.ReadFile(argsFile)
	want := strings.Join(nvidiaSMIArgs(), " ") + "\nps -a --filter name=^litellm$ --format {{json .}}\n"
	if string(args) != want {
		t.Errorf("arguments = %q, want %q", args, want)
	}
}

func TestLocalSnapshotReportsAFailingTool(t *testing.T) {
	dir := t.TempDir()
	smi := writeScript(t, dir, "nvidia-smi", `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."; exit 9`)
	snap, err := NewLocal(LocalConfig{NvidiaSMI: smi, Docker: filepath.Join(dir, "absent")}).Snapshot(testContext(t), "")
	if err != nil || !strings.HasPrefix(snap.GPUError, "nvidia-smi exited 9: NVIDIA-SMI has failed") || snap.DockerErr != "docker not found" {
		t.Errorf("Snapshot = %+v, %v", snap, err)
	}
}

func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLocalWriteFileWithModeOwnerValidateNoBackup: the local transport
// applies a task's attributes like the SSH one, and a validate that fails
// leaves the file as it was.
func TestLocalWriteFileWithModeOwnerValidateNoBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.conf")
	os.WriteFile(path, []byte("good\n"), 0o600)
	local := NewLocal(LocalConfig{Clock: fixedClock})
	uid, gid := strconv.Itoa(os.Getuid()), strconv.Itoa(os.Getgid())
	opts := WriteOptions{Mode: "01754", Owner: uid, Group: gid, Validate: "grep -q good %s", NoBackup: true}
	res, err := local.WriteFileWith(testContext(t), path, []byte("good 2\n"), opts)
	if err != nil || res.BackupPath != "" {
		t.Fatalf("WriteFileWith = %+v, %v", res, err)
	}
	st, err := local.ReadFile(testContext(t), path)
	if err != nil || st.Meta.Mode != 0o1754 || strconv.Itoa(st.Meta.UID) != uid || strconv.Itoa(st.Meta.GID) != gid {
		t.Fatalf("after the write: %+v, %v", st.Meta, err)
	}
	_, err = local.WriteFileWith(testContext(t), path, []byte("bad\n"), opts)
	if !errors.Is(err, ErrValidate) {
		t.Fatalf("failing validate: %v, want ErrValidate", err)
	}
	assertLocalFile(t, path, "good 2\n", 0o754)
	assertOnlyFiles(t, dir, "app.conf")
	if _, err := local.WriteFileWith(testContext(t), path, []byte("x"), WriteOptions{Mode: "u+x"}); err == nil {
		t.Error("a symbolic mode reached the local writer unresolved")
	}
	if st, _ := local.ReadFile(testContext(t), path+".missing"); st.Meta.Known || st.Meta.Umask > 0o777 {
		t.Errorf("missing file's meta: %+v", st.Meta)
	}
}

// One local transport reads many files: each read still says the process's
// umask and the owner's and group's names (looked up once per id, then
// remembered), as a fresh lookup gives them.
func TestLocalReadsKeepTheUmaskAndNames(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc: the umask is not read here")
	}
	dir := t.TempDir()
	local := NewLocal(LocalConfig{})
	for i := range 3 {
		path := filepath.Join(dir, strconv.Itoa(i))
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := local.ReadFile(testContext(t), path)
		want := fileOwnerNames(t, path)
		if err != nil || !st.Meta.Known || st.Meta.Owner+":"+st.Meta.Group != want || st.Meta.Umask != localUmask() {
			t.Errorf("read %d: %+v, %v; want owner:group %s, umask %o", i, st.Meta, err, want, localUmask())
		}
		missing, err := local.ReadFile(testContext(t), path+".missing")
		if err != nil || missing.Exists || missing.Meta.Umask != localUmask() {
			t.Errorf("missing %d: %+v, %v; want umask %o", i, missing, err, localUmask())
		}
	}
}

// fileOwnerNames is "owner:group" of path, looked up afresh.
func fileOwnerNames(t *testing.T, path string) string {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	uid, gid, _ := ownerOf(info)
	var owner, group string
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		owner = u.Username
	}
	if g, err := user.LookupGroupId(strconv.Itoa(gid)); err == nil {
		group = g.Name
	}
	return owner + ":" + group
}
