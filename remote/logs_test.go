package remote_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// lineBox collects the lines a Logs call hands on.
type lineBox struct {
	mu    sync.Mutex
	lines []string
	grew  chan struct{}
}

func newLineBox() *lineBox { return &lineBox{grew: make(chan struct{}, 1)} }

func (b *lineBox) add(line string) {
	b.mu.Lock()
	b.lines = append(b.lines, line)
	b.mu.Unlock()
	select {
	case b.grew <- struct{}{}:
	default:
	}
}

// waitFor waits (up to a generous deadline: this is not a timing test)
// until a line contains part.
func (b *lineBox) waitFor(t *testing.T, part string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		b.mu.Lock()
		for _, l := range b.lines {
			if strings.Contains(l, part) {
				b.mu.Unlock()
				return
			}
		}
		got := strings.Join(b.lines, "\n")
		b.mu.Unlock()
		select {
		case <-b.grew:
		case <-deadline:
			t.Fatalf("no line with %q; got:\n%s", part, got)
		}
	}
}

const labConfig = "vllm:\r\n  enabled: true\r\n  model: \"casperhansen/llama-3-8b-instruct-awq\"\r\n  port: 8000\r\n"

func startLogLab(t *testing.T) (*sim.Lab, remote.LogReader) {
	t.Helper()
	path := `C:\Users\mdt\dev\wintermute\config.yml`
	lab, err := sim.StartLab(sim.LabSpec{GPUHosts: []sim.GPUHostSpec{{Name: "wintermute", WinRMUser: "mdt", WinRMPassword: "pw",
		ConfigPath: path, Files: map[string]string{path: labConfig}, LoadDelay: 100 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	h, _ := lab.Host("wintermute")
	w, err := remote.NewWinRM(remote.WinRMConfig{Host: h.IP, Port: h.WinRMSPort, Scheme: "https",
		Transport: "basic", User: h.User, Password: h.Password, CATrustPEM: lab.CACertPEM()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return lab, w
}

// TestWinRMLogsTailThenFollow: the last lines of the lab's vLLM container
// (its real start-up), then, following, the access line of a request made
// afterwards; the call ends with its context.
func TestWinRMLogsTailThenFollow(t *testing.T) {
	lab, w := startLogLab(t)
	h, _ := lab.Host("wintermute")
	box := newLineBox()
	req := remote.LogRequest{Target: remote.LogTarget{Container: h.ContainerName}, Lines: 10}
	if err := w.Logs(context.Background(), req, box.add); err != nil {
		t.Fatal(err)
	}
	box.waitFor(t, "Available routes are:")
	if n := len(box.lines); n != 10 || !strings.HasSuffix(box.lines[9], "Application startup complete.") {
		t.Errorf("asked for the last 10 lines, got %d:\n%s", n, strings.Join(box.lines, "\n"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	follow := newLineBox()
	req.Follow, req.Lines = true, 3
	go func() { done <- w.Logs(ctx, req, follow.add) }()
	follow.waitFor(t, "Application startup complete.")
	resp, err := http.Get(h.VLLMURL + "/version?from=logs-test")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	follow.waitFor(t, `"GET /version?from=logs-test HTTP/1.1" 200 OK`)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("following ends with its context: %v", err)
	}
	follow.mu.Lock()
	defer follow.mu.Unlock()
	seen := map[string]bool{}
	for _, l := range follow.lines {
		if seen[l] && strings.Contains(l, "startup complete") {
			t.Errorf("line handed on twice: %q", l)
		}
		seen[l] = true
	}
}

func TestWinRMLogsRefusesOtherTargets(t *testing.T) {
	_, w := startLogLab(t)
	for _, target := range []remote.LogTarget{{Unit: "vllm.service"}, {}, {Container: "a b"}, {Container: "x", File: "y"}} {
		if err := w.Logs(context.Background(), remote.LogRequest{Target: target}, func(string) {}); err == nil {
			t.Errorf("%+v: no error", target)
		}
	}
	err := w.Logs(context.Background(), remote.LogRequest{Target: remote.LogTarget{Container: "not-there"}}, func(string) {})
	if err == nil {
		t.Error("a container the host does not have: no error")
	}
}

// TestLocalLogsFollowAFile: tail -F through the local transport: the last
// lines, then a line appended later.
func TestLocalLogsFollowAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vllm.log")
	if err := os.WriteFile(path, []byte("one\ntwo\nthree\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l := remote.NewLocal(remote.LocalConfig{})
	box := newLineBox()
	if err := l.Logs(context.Background(), remote.LogRequest{Target: remote.LogTarget{File: path}, Lines: 2}, box.add); err != nil {
		t.Fatal(err)
	}
	if strings.Join(box.lines, ",") != "two,three" {
		t.Fatalf("last two lines: %q", box.lines)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	follow := newLineBox()
	go func() {
		done <- l.Logs(ctx, remote.LogRequest{Target: remote.LogTarget{File: path}, Lines: 1, Follow: true}, follow.add)
	}()
	follow.waitFor(t, "three")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("INFO:     Application startup complete.\n")
	f.Close()
	follow.waitFor(t, "Application startup complete.")
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("following ends with its context: %v", err)
	}
}

func TestLocalLogsMissingProgramSaysSo(t *testing.T) {
	l := remote.NewLocal(remote.LocalConfig{Docker: "/nonexistent/docker"})
	err := l.Logs(context.Background(), remote.LogRequest{Target: remote.LogTarget{Container: "vllm"}}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Fatalf("err = %v", err)
	}
}
