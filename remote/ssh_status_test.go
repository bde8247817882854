package remote

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/sshdtest"
)

// toolsDir copies testdata/sshtools into a directory the test users can read.
func toolsDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "straylight-sshtools-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"nvidia-smi", "docker", "systemctl", "journalctl"} {
		data, err := os.ReadFile(filepath.Join("testdata", "sshtools", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSSHStatusOneRoundTrip(t *testing.T) {
	tools := toolsDir(t)
	srv := sshdtest.StartWith(t, sshdtest.Options{PathPrefix: tools})
	lab := &sshLab{srv: srv, home: t.TempDir()}
	lab.env = SSHEnv{Home: lab.home}
	lab.writeSSHFile(t, "known_hosts", srv.KnownHostsLine()+"\n")
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	status, err := conn.Status(testContext(t), StatusQuery{Container: "vllm-case", Unit: "vllm.service"})
	if err != nil {
		t.Fatal(err)
	}
	if len(status.GPUs) != 2 || *status.GPUs[0].MemUsedMiB != 20110 || status.GPUs[1].UtilPercent != nil || status.GPUError != "" {
		t.Errorf("gpus %+v (%s)", status.GPUs, status.GPUError)
	}
	if c := status.Container; c == nil || c.State != "running" || c.Name != "vllm-case" || status.Engine != "docker" {
		t.Errorf("container %+v engine %q (%s)", c, status.Engine, status.DockerErr)
	}
	u := status.Unit
	if u == nil || u.ActiveState != "active" || u.SubState != "running" || u.Restarts != 2 || u.MainPID != 4242 ||
		!u.Since.Equal(time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("unit %+v (%s)", u, status.UnitErr)
	}
}

func TestSSHStatusWithoutTheTools(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	snap, err := conn.Snapshot(testContext(t), "vllm-case")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/usr/bin/nvidia-smi"); err != nil && snap.GPUError != "nvidia-smi not found" {
		t.Errorf("GPUError %q", snap.GPUError)
	}
}

func TestSSHLogsTailAndFollow(t *testing.T) {
	tools := toolsDir(t)
	srv := sshdtest.StartWith(t, sshdtest.Options{PathPrefix: tools})
	lab := &sshLab{srv: srv, home: t.TempDir()}
	lab.env = SSHEnv{Home: lab.home}
	lab.writeSSHFile(t, "known_hosts", srv.KnownHostsLine()+"\n")
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	writeLog(t, filepath.Join(tools, "container.log"), "one\ntwo\nthree\n")
	var lines []string
	err := conn.Logs(testContext(t), LogRequest{Target: LogTarget{Container: "vllm-case"}, Lines: 2},
		func(line string) { lines = append(lines, line) })
	if err != nil || strings.Join(lines, ",") != "two,three" {
		t.Fatalf("tail: %q, %v", lines, err)
	}
	followAppended(t, conn, LogTarget{Unit: "vllm.service"}, filepath.Join(tools, "unit.log"))
	followAppended(t, conn, LogTarget{File: filepath.Join(tools, "unit.log")}, filepath.Join(tools, "unit.log"))
}

// followAppended follows target's log while lines are appended to file.
func followAppended(t *testing.T, conn *SSH, target LogTarget, file string) {
	t.Helper()
	writeLog(t, file, "old line\n")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := make(chan string, 16)
	done := make(chan error, 1)
	go func() {
		done <- conn.Logs(ctx, LogRequest{Target: target, Lines: 1, Follow: true}, func(l string) { got <- l })
	}()
	expect(t, got, "old line")
	for _, line := range []string{"appended 1", "appended 2"} {
		appendLog(t, file, line+"\n")
		expect(t, got, line)
	}
	cancel()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("follow ended with %v", err)
	}
}

func expect(t *testing.T, got <-chan string, want string) {
	t.Helper()
	select {
	case line := <-got:
		if line != want {
			t.Fatalf("got line %q, want %q", line, want)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("no line %q", want)
	}
}

func writeLog(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendLog(t *testing.T, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
}

// TestStatusScriptPrefersDockerElsePodman runs the status script in /bin/sh
// here, with only podman (then docker too) among the stand-ins.
func TestStatusScriptPrefersDockerElsePodman(t *testing.T) {
	for _, real := range []string{"/usr/bin/docker", "/bin/docker"} {
		if _, err := os.Stat(real); err == nil {
			t.Skipf("%s is installed: the podman case cannot be set up here", real)
		}
	}
	tools := toolsDir(t)
	data, err := os.ReadFile(filepath.Join("testdata", "sshtools", "podman"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tools, "podman"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	status := localStatus(t, tools, StatusQuery{Container: "vllm-riviera"})
	if status.Engine != "docker" {
		t.Fatalf("with docker installed: engine %q", status.Engine)
	}
	if err := os.Remove(filepath.Join(tools, "docker")); err != nil {
		t.Fatal(err)
	}
	status = localStatus(t, tools, StatusQuery{Container: "vllm-riviera"})
	c := status.Container
	if status.Engine != "podman" || c == nil || c.State != "running" || c.Name != "vllm-riviera" || c.Status != "Up 3 hours" {
		t.Fatalf("podman: %+v %+v (%s)", status, c, status.DockerErr)
	}
}

func localStatus(t *testing.T, tools string, q StatusQuery) HostStatus {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", statusScript(q))
	cmd.Env = []string{"PATH=" + tools + ":/usr/bin:/bin"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	sections, err := parseSections(out)
	if err != nil {
		t.Fatal(err)
	}
	return statusFrom(sections, q)
}
