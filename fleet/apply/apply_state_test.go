package apply_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
)

// TestFaultUnreadablePendingRecordIsReported: a pending-restart record that
// cannot be read may hide an owed restart. The plan reports it as an error
// and the engine refuses the host, naming the record; nothing is written.
func TestFaultUnreadablePendingRecordIsReported(t *testing.T) {
	d := startLab(t)
	path := pendingRecord(d.Dir, "wintermute")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"host": "wintermute", "handl`), 0o600); err != nil {
		t.Fatal(err)
	}
	repo := openRepo(t, d.Dir)
	p, err := (&fleetplan.Planner{Repo: repo, Transports: labTransports(t)}).Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	reported := slices.ContainsFunc(p.Findings, func(f fleetplan.Finding) bool {
		return f.Severity == fleetplan.SevError && f.Host == "wintermute" && strings.Contains(f.Message, "pending-restart record")
	})
	if !p.HasErrors() || !reported {
		t.Fatalf("the plan does not report the unreadable record: %+v", p.Findings)
	}
	before := snapshotFS(d, "wintermute")
	run := applyPlan(t, context.Background(), repo, p, apply.Options{}, nil)
	wantResult(t, run.evs, "wintermute", "failed", "cannot read the pending-restart record", path)
	wantSameFS(t, "wintermute", before, snapshotFS(d, "wintermute"))
	if !run.sum.FailedAny() {
		t.Error("the summary counts no failure")
	}
}

// TestFaultAuditWriteFailureFailsTheHost: the deploy went through but its
// audit entry could not be written; the host's result says so and counts
// as failed (exit code 1), instead of the entry silently missing.
func TestFaultAuditWriteFailureFailsTheHost(t *testing.T) {
	d := startLab(t)
	if err := os.MkdirAll(filepath.Join(d.Dir, ".straylight", "audit.jsonl"), 0o755); err != nil {
		t.Fatal(err) // a directory where the log should be
	}
	run := applyDir(t, context.Background(), d.Dir, apply.Options{}, nil)
	wantResult(t, run.evs, "wintermute", "failed", "audit log not written")
	wantServed(t, d, "wintermute", newServedName)
	if !run.sum.FailedAny() {
		t.Error("the summary counts no failure")
	}
}
