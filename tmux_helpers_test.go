package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// tmuxSession drives the real binary in a tmux pane: what an operator at a
// terminal does, keys in and screen out.
type tmuxSession struct {
	t        *testing.T
	name     string
	exitFile string
}

// TestMain builds straylight once for every test of the package that
// drives the binary (parity.Main): 17 of them each linked their own, 2-4 s
// apiece.
func TestMain(m *testing.M) { os.Exit(parity.Main(m)) }

// buildBinary is straylight built for the package's tests
// (parity.SharedStraylight).
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := parity.SharedStraylight(t, t.TempDir())
	if bin == "" {
		t.FailNow()
	}
	return bin
}

// startTmux runs command in a detached width×height session; its exit code
// lands in a file when it ends.
func startTmux(t *testing.T, width, height int, command string) *tmuxSession {
	t.Helper()
	_, err := exec.LookPath("tmux")
	requireTool(t, err == nil, "tmux")
	s := &tmuxSession{t: t, name: fmt.Sprintf("straylight-e2e-%d", time.Now().UnixNano()),
		exitFile: filepath.Join(t.TempDir(), "exit")}
	shell := fmt.Sprintf("%s; echo $? > %s; sleep 60", command, s.exitFile)
	args := []string{"new-session", "-d", "-s", s.name, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), shell}
	if out, err := s.tmux(args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = s.tmux("kill-server").Run() })
	return s
}

// tmux runs a tmux command on the session's own server (-L, a socket
// named after the session): sessions sharing the default server raced, a
// new session reaching a server that the previous test's kill-session was
// shutting down ("server exited unexpectedly").
func (s *tmuxSession) tmux(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-L", s.name}, args...)...)
}

func (s *tmuxSession) screen() string {
	out, err := s.tmux("capture-pane", "-p", "-t", s.name).Output()
	if err != nil {
		s.t.Fatalf("tmux capture-pane: %v", err)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Escape, Tab) or literal text.
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if out, err := s.tmux("send-keys", "-t", s.name, k).CombinedOutput(); err != nil {
			s.t.Fatalf("tmux send-keys %q: %v\n%s", k, err, out)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// literal types text without tmux interpreting key names.
func (s *tmuxSession) literal(text string) {
	s.t.Helper()
	if out, err := s.tmux("send-keys", "-t", s.name, "-l", text).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys -l: %v\n%s", err, out)
	}
	time.Sleep(150 * time.Millisecond)
}

// waitFor polls the screen until ok accepts it; on timeout it fails with the
// last screen. The deadline is generous: it bounds a hang, it is no timing
// assertion.
func (s *tmuxSession) waitFor(what string, ok func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		scr := s.screen()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s; the screen is:\n%s", what, scr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *tmuxSession) waitText(texts ...string) string {
	s.t.Helper()
	return s.waitFor(strings.Join(texts, " and "), func(scr string) bool {
		for _, t := range texts {
			if !strings.Contains(scr, t) {
				return false
			}
		}
		return true
	})
}

// quitAfterRunningTasks quits with q; if a deploy or restart is still
// running (its route test can stream before the apply's last steps), the
// UI asks, and the test answers w: quit once it ends.
func (s *tmuxSession) quitAfterRunningTasks() {
	s.t.Helper()
	s.keys("q")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(s.exitFile); err == nil {
			return
		}
		switch screen := s.screen(); {
		case strings.Contains(screen, "w: wait for it, then quit"):
			s.keys("w")
			return
		case strings.Contains(screen, "· q quits"):
			// The task ended between the q and this look: the question
			// became moot and the program asks for q again (ui/tasks.go).
			s.keys("q")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// exitCode waits for the program to end and returns its exit status.
func (s *tmuxSession) exitCode() string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(s.exitFile); err == nil {
			return strings.TrimSpace(string(data))
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("the program did not exit; the screen is:\n%s", s.screen())
	return ""
}

// lineWith returns the first screen line containing text.
func lineWith(screen, text string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}
