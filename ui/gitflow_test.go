package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/straylight-fleet/straylight/internal/oracle"
)

// seedGit makes the fixture's repository a git repository: the homelab
// without wintermute's served_model_name, then the commit adding it.
func seedGit(t *testing.T, dir string) {
	t.Helper()
	oracle.Tool(t, "git", "apt-get install git")
	path := filepath.Join(dir, "host_vars", "wintermute.yml")
	fixed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var before []string
	for _, l := range strings.SplitAfter(string(fixed), "\n") {
		if !strings.Contains(l, "served_model_name") {
			before = append(before, l)
		}
	}
	runGit(t, dir, "init", "-q")
	os.WriteFile(path, []byte(strings.Join(before, "")), 0o644)
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-q", "-m", "Homelab before the fix")
	os.WriteFile(path, fixed, 0o644)
	runGit(t, dir, "commit", "-q", "-am", "wintermute: serve the model as llama31-8b-wintermute")
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=mdt", "-c", "user.email=mdt@homelab.invalid", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=mdt", "GIT_AUTHOR_EMAIL=mdt@homelab.invalid",
		"GIT_COMMITTER_NAME=mdt", "GIT_COMMITTER_EMAIL=mdt@homelab.invalid")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestHistoryListsAndRevertsTheSeedsCommit: h lists wintermute's commits
// with the fix's diff; R, confirmed, reverts it in a new commit and shows
// the host's plan.
func TestHistoryListsAndRevertsTheSeedsCommit(t *testing.T) {
	f := newFixture(t)
	seedGit(t, f.dir)
	t.Setenv("GIT_AUTHOR_NAME", "mdt")
	t.Setenv("GIT_AUTHOR_EMAIL", "mdt@homelab.invalid")
	t.Setenv("GIT_COMMITTER_NAME", "mdt")
	t.Setenv("GIT_COMMITTER_EMAIL", "mdt@homelab.invalid")
	m := f.ready(120, 30)
	m, cmd := pressKeys(m, "h")
	m = settle(t, m, cmd)
	screen := ansi.Strip(m.Render())
	for _, want := range []string{"History wintermute", "wintermute: serve the model as llama31-8b-wintermute", "Homelab before the fix", `+  served_model_name: "llama31-8b-wintermute"`, "host_vars/wintermute.yml"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("history misses %q:\n%s", want, screen)
		}
	}
	m, cmd = pressKeys(m, "R")
	m = settle(t, m, cmd)
	if m.confirm == nil || !strings.Contains(m.confirm.prompt, "Revert") {
		t.Fatalf("R does not ask: %q %q", m.errText, m.notice)
	}
	m, cmd = pressKeys(m, "y")
	m = settle(t, m, cmd)
	if m.errText != "" || m.current() != viewDiff {
		t.Fatalf("after the revert: view %s, error %q", m.current(), m.errText)
	}
	got, _ := os.ReadFile(filepath.Join(f.dir, "host_vars", "wintermute.yml"))
	if strings.Contains(string(got), "served_model_name") {
		t.Errorf("wintermute.yml after the revert:\n%s", got)
	}
	if log := runGit(t, f.dir, "log", "-1", "--format=%s"); !strings.HasPrefix(log, `Revert "wintermute: serve the model`) {
		t.Errorf("HEAD is %q", log)
	}
}

func TestRevertRefusedOverUncommittedChanges(t *testing.T) {
	f := newFixture(t)
	seedGit(t, f.dir)
	os.WriteFile(filepath.Join(f.dir, "host_vars", "wintermute.yml"), []byte("vllm:\n  enabled: false\n"), 0o644)
	m := f.ready(120, 30)
	m, cmd := pressKeys(m, "h")
	m = settle(t, m, cmd)
	m, cmd = pressKeys(m, "R")
	m = settle(t, m, cmd)
	if m.confirm != nil || !strings.Contains(m.errText, "uncommitted changes to host_vars/wintermute.yml") {
		t.Fatalf("confirm %v, error %q", m.confirm, m.errText)
	}
}
