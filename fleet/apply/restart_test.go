package apply_test

import (
	"context"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/state"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// TestRestartRunsTheHandlerAndGates: r in the UI restarts a host on its
// current config, waits for health and tests its routes.
func TestRestartRunsTheHandlerAndGates(t *testing.T) {
	d := startLab(t)
	repo := openRepo(t, d.Dir)
	rec := &recorder{}
	eng := &apply.Engine{Repo: repo, Transports: labTransports(t)}
	sum, err := eng.Restart(context.Background(), "armitage", rec.observe)
	if err != nil {
		t.Fatal(err)
	}
	if sum != (apply.ApplySummary{OK: 1}) {
		t.Errorf("summary %+v, want 1 ok", sum)
	}
	evs := rec.events()
	stepAt(t, evs, "armitage", apply.StepPending, apply.StatusOK)
	stepAt(t, evs, "armitage", apply.StepHandler, apply.StatusOK)
	stepAt(t, evs, "armitage", apply.StepHealth, apply.StatusOK)
	stepAt(t, evs, "armitage", apply.StepRouteTest, apply.StatusOK)
	wantResult(t, evs, "armitage", "ok")
	wantSummaryLine(t, evs, "Restart: 1 ok, 0 failed, 0 skipped, 0 unchanged")
	wantNoPending(t, d.Dir, "armitage")
	wantAudit(t, d.Dir, "armitage", "restart", state.ResultStarted, "ok")
}

// TestRestartFailureIsApplysContract: a host whose restart handler fails
// (Docker is not running for the WinRM user) fails the restart the way it
// fails an apply: no error (the run ran), the host counted failed in the
// summary, its result naming the handler, nothing rolled back (nothing was
// written), no restart left owed, and the audit log's restart entry says
// failed.
func TestRestartFailureIsApplysContract(t *testing.T) {
	d := startLab(t)
	setFault(t, d, "armitage", sim.FaultDockerNotRunning)
	before := snapshotFS(d, "armitage")
	rec := &recorder{}
	eng := &apply.Engine{Repo: openRepo(t, d.Dir), Transports: labTransports(t)}
	sum, err := eng.Restart(context.Background(), "armitage", rec.observe)
	if err != nil {
		t.Fatalf("a failed host is not an error of the run: %v", err)
	}
	if !sum.FailedAny() || sum.Failed != 1 || sum.OK != 0 {
		t.Errorf("summary %+v, want 1 failed", sum)
	}
	evs := rec.events()
	wantNoRollback(t, evs)
	wantResult(t, evs, "armitage", "failed", "handler")
	wantSummaryLine(t, evs, "Restart: 0 ok, 1 failed")
	wantSameFS(t, "armitage", before, snapshotFS(d, "armitage"))
	wantNoPending(t, d.Dir, "armitage")
	wantAudit(t, d.Dir, "armitage", "restart", state.ResultStarted, "failed")
}

// TestRestartGatesOnWhatTheHostServed: a restart runs the host's current
// config, so its health gate waits for the name the host served before, not
// the repository's; the seed's wintermute (its repository renames it, its
// live config does not) comes back healthy, and its route fails with the
// seed's 404, as it did before the restart.
func TestRestartGatesOnWhatTheHostServed(t *testing.T) {
	d := startLab(t)
	rec := &recorder{}
	eng := &apply.Engine{Repo: openRepo(t, d.Dir), Transports: labTransports(t)}
	sum, err := eng.Restart(context.Background(), "wintermute", rec.observe)
	if err != nil || sum.Failed != 1 {
		t.Fatalf("restart: %+v, %v; want 1 failed", sum, err)
	}
	evs := rec.events()
	i, _ := stepAt(t, evs, "wintermute", apply.StepHealth, apply.StatusOK)
	if !strings.Contains(evs[i].Message, `"casperhansen/llama-3-8b-instruct-awq"`) {
		t.Errorf("health gate %q, want the name wintermute served", evs[i].Message)
	}
	stepAt(t, evs, "wintermute", apply.StepRouteTest, apply.StatusFailed)
	wantNoRollback(t, evs)
	wantResult(t, evs, "wintermute", "failed", "local/reasoner", "404")
}

func wantNoRollback(t *testing.T, evs []apply.Event) {
	t.Helper()
	for _, ev := range evs {
		if ev.Step == apply.StepRollback {
			t.Errorf("a restart wrote nothing, yet a rollback ran: %+v", ev)
		}
	}
}

// TestRestartErrorsWhenNothingRuns: an unknown host is an error, as a plan
// that cannot be made is for Apply; nothing is audited.
func TestRestartErrorsWhenNothingRuns(t *testing.T) {
	d := startLab(t)
	eng := &apply.Engine{Repo: openRepo(t, d.Dir), Transports: labTransports(t)}
	rec := &recorder{}
	_, err := eng.Restart(context.Background(), "nosuch", rec.observe)
	if err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Fatalf("err = %v, want one naming nosuch", err)
	}
	if evs := rec.events(); len(evs) != 0 {
		t.Errorf("events for a restart that did not run: %+v", evs)
	}
	wantAudit(t, d.Dir, "nosuch", "restart")
}

func wantSummaryLine(t *testing.T, evs []apply.Event, prefix string) {
	t.Helper()
	last := evs[len(evs)-1]
	if last.Kind != apply.EvSummary || !strings.HasPrefix(last.Message, prefix) {
		t.Errorf("last event %s %q, want the summary %q…", last.Kind, last.Message, prefix)
	}
}

// wantAudit: the audit log's entries for host are action with these results,
// in order.
func wantAudit(t *testing.T, dir, host string, action string, results ...string) {
	t.Helper()
	entries, err := state.Open(dir).ReadAudit()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Host == host {
			got = append(got, e.Action+" "+e.Result)
		}
	}
	var want []string
	for _, r := range results {
		want = append(want, action+" "+r)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audit log for %s: %q, want %q", host, got, want)
	}
}

// TestRestartRunsTheOwedRestart: an apply died after writing wintermute's
// new config, before restarting it (as in TestFaultPendingRestartAfterCrash);
// a restart then runs the owed restart: the host comes back on the
// repository's new name (not the one it served before), its route answers,
// and nothing is owed any more.
func TestRestartRunsTheOwedRestart(t *testing.T) {
	d := startLab(t)
	setHealthTimeout(t, d.Dir, 5) // a gate waiting for the old name fails soon
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	crash := &recorder{hook: func(ev apply.Event) {
		if isStep("wintermute", apply.StepWrite, apply.StatusOK)(ev) {
			cancel()
		}
	}}
	applyDir(t, ctx, d.Dir, apply.Options{NoRollback: true}, crash)
	wantServed(t, d, "wintermute", oldServedName)

	rec := &recorder{}
	eng := &apply.Engine{Repo: openRepo(t, d.Dir), Transports: labTransports(t)}
	sum, err := eng.Restart(context.Background(), "wintermute", rec.observe)
	if err != nil || sum != (apply.ApplySummary{OK: 1}) {
		t.Fatalf("restart: %+v, %v; want 1 ok", sum, err)
	}
	evs := rec.events()
	i, _ := stepAt(t, evs, "wintermute", apply.StepHealth, apply.StatusOK)
	if !strings.Contains(evs[i].Message, `"`+newServedName+`"`) {
		t.Errorf("health gate %q, want the repository's new name", evs[i].Message)
	}
	stepAt(t, evs, "wintermute", apply.StepRouteTest, apply.StatusOK)
	wantServed(t, d, "wintermute", newServedName)
	wantNoPending(t, d.Dir, "wintermute")
}
