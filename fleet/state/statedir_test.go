package state_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/state"
	"github.com/straylight-fleet/straylight/internal/oracle"
)

// TestStateDirIgnoredByGit: the audit log creates .straylight/ with its own
// .gitignore, so `git status` in the repository lists nothing untracked.
func TestStateDirIgnoredByGit(t *testing.T) {
	oracle.Tool(t, "git", "apt-get install git")
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	if err := state.Open(dir).Audit(state.AuditEntry{Host: "wintermute", Action: "edit", Result: "ok"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".straylight", "audit.jsonl")); err != nil {
		t.Fatalf("no audit log: %v", err)
	}
	cmd := exec.Command("git", "status", "--porcelain", "--untracked-files=all")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil || len(out) != 0 {
		t.Fatalf("git status: %v, want nothing untracked, got:\n%s", err, out)
	}
}

// TestUnfinishedFromTheAuditLog: a deploy whose start is the host's last
// entry was cut short; one that logged its end was not; edits do not count.
func TestUnfinishedFromTheAuditLog(t *testing.T) {
	st := state.Open(t.TempDir())
	for _, e := range []state.AuditEntry{
		{Host: "armitage", Action: "apply", Result: state.ResultStarted},
		{Host: "armitage", Action: "apply", Result: "ok"},
		{Host: "wintermute", Action: "apply", Result: state.ResultStarted},
		{Host: "wintermute", Action: "edit", Result: "ok"},
	} {
		if err := st.Audit(e); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := st.ReadAudit()
	if err != nil || len(entries) != 4 {
		t.Fatalf("read %d entries: %v", len(entries), err)
	}
	got := state.Unfinished(entries)
	if len(got) != 1 || got[0].Host != "wintermute" || got[0].Action != "apply" {
		t.Fatalf("unfinished: %+v, want wintermute's apply only", got)
	}
}
