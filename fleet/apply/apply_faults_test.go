package apply_test

// The apply engine under the lab's faults (docs/architecture.md): a failed
// host is rolled back and serves its old name again, the others are not
// held back, and nothing is written where nothing could be verified.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/state"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// setHealthTimeout makes a host that never loads fail in seconds.
func setHealthTimeout(t testing.TB, dir string, seconds float64) {
	t.Helper()
	body := fmt.Sprintf("health_timeout_seconds: %g\n", seconds)
	if err := os.WriteFile(filepath.Join(dir, "straylight.yml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func setFault(t testing.TB, d *demo.Demo, host string, kind sim.FaultKind) {
	t.Helper()
	if err := d.Lab.SetFault(host, kind); err != nil {
		t.Fatal(err)
	}
}

// snapshotFS copies a lab host's whole filesystem.
func snapshotFS(d *demo.Demo, host string) map[string]string {
	fs := d.Lab.FS(host)
	out := map[string]string{}
	for _, p := range fs.List() {
		b, _ := fs.ReadFile(p)
		out[p] = string(b)
	}
	return out
}

func wantSameFS(t *testing.T, host string, before, after map[string]string) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("%s's filesystem changed: %d files, was %d", host, len(after), len(before))
	}
	for p, c := range before {
		if after[p] != c {
			t.Errorf("%s:%s was written", host, p)
		}
	}
}

func pendingRecord(dir, host string) string {
	return filepath.Join(dir, ".straylight", "pending", host+".json")
}

func wantNoPending(t *testing.T, dir, host string) {
	t.Helper()
	if _, err := os.Stat(pendingRecord(dir, host)); err == nil {
		t.Errorf("a pending restart is still recorded for %s", host)
	}
}

// wantStillPlanned: a fresh plan still shows the host's change.
func wantStillPlanned(t *testing.T, dir, host, dest string) {
	t.Helper()
	_, plan := planRepo(t, dir)
	for _, f := range plan.Host(host).Files {
		if f.Dest == dest && f.Changes() {
			return
		}
	}
	t.Errorf("after the failed apply, the plan no longer changes %s:%s", host, dest)
}

// TestFaultNeverHealthyRollsBack: wintermute never loads the new config;
// the health gate times out, the old config is restored and loads, and the
// change is still to do.
func TestFaultNeverHealthyRollsBack(t *testing.T) {
	d := startLab(t, "wintermute:never-healthy")
	setHealthTimeout(t, d.Dir, 1.5)
	before := labFile(t, d, "wintermute", wintermuteCfg)

	run := applyDir(t, context.Background(), d.Dir, apply.Options{}, nil)
	if !run.sum.FailedAny() || run.sum.Failed != 1 {
		t.Errorf("summary %+v, want wintermute failed", run.sum)
	}
	wantResult(t, run.evs, "wintermute", "failed", "health gate", "did not serve", "rolled back")
	stepAt(t, run.evs, "wintermute", apply.StepRollback, apply.StatusOK)
	wantServed(t, d, "wintermute", oldServedName)
	if labFile(t, d, "wintermute", wintermuteCfg) != before {
		t.Error("wintermute's config.yml was not restored")
	}
	wantNoPending(t, d.Dir, "wintermute")
	wantStillPlanned(t, d.Dir, "wintermute", wintermuteCfg)
}

// TestFaultHostDownFailsOnlyIt: both GPU hosts change; armitage goes down
// after the plan. armitage fails, wintermute is deployed and tested anyway.
func TestFaultHostDownFailsOnlyIt(t *testing.T) {
	d := startLab(t)
	editRepo(t, d.Dir, "host_vars/armitage.yml", "gpu_memory_utilization: 0.85", "gpu_memory_utilization: 0.8")
	repo, plan := planRepo(t, d.Dir)
	if plan.Summary.Changed != 2 {
		t.Fatalf("plan changes %d files, want wintermute's and armitage's", plan.Summary.Changed)
	}
	setFault(t, d, "armitage", sim.FaultDown)

	run := applyPlan(t, context.Background(), repo, plan, apply.Options{}, nil)
	if run.sum.OK != 1 || run.sum.Failed != 1 {
		t.Errorf("summary %+v, want 1 ok (wintermute), 1 failed (armitage)", run.sum)
	}
	wantResult(t, run.evs, "armitage", "failed", "unreachable")
	wantResult(t, run.evs, "wintermute", "ok")
	wantServed(t, d, "wintermute", newServedName)
	if strings.Contains(labFile(t, d, "armitage", armitageCfg), "gpu_memory_utilization: 0.8\n") {
		t.Error("armitage's config was written while it was down")
	}
	wantNoPending(t, d.Dir, "armitage")
}

// TestFaultWinRMAuthWritesNothing: WinRM rejects the credentials after the
// plan; the apply says authentication failed and leaves the host untouched.
func TestFaultWinRMAuthWritesNothing(t *testing.T) {
	d := startLab(t)
	repo, plan := planRepo(t, d.Dir)
	before := snapshotFS(d, "wintermute")
	setFault(t, d, "wintermute", sim.FaultWinRMAuth)

	run := applyPlan(t, context.Background(), repo, plan, apply.Options{}, nil)
	wantResult(t, run.evs, "wintermute", "failed", "authentication")
	if i := index(run.evs, isStep("wintermute", apply.StepWrite, apply.StatusOK)); i >= 0 {
		t.Errorf("wrote despite the auth failure: %+v", run.evs[i])
	}
	wantSameFS(t, "wintermute", before, snapshotFS(d, "wintermute"))
	wantServed(t, d, "wintermute", oldServedName)
	wantNoPending(t, d.Dir, "wintermute")
}

// TestFaultWinRMAuthAtPlanTime: with the fault on before planning, the plan
// marks the host unreachable and the apply names authentication.
func TestFaultWinRMAuthAtPlanTime(t *testing.T) {
	d := startLab(t, "wintermute:winrm-auth")
	before := snapshotFS(d, "wintermute")
	run := applyDir(t, context.Background(), d.Dir, apply.Options{}, nil)
	wantResult(t, run.evs, "wintermute", "failed", "authentication")
	wantSameFS(t, "wintermute", before, snapshotFS(d, "wintermute"))
}

// TestFaultRouteTestFailuresRollBack: the route test through LiteLLM fails
// (an error event mid-stream, or a stream cut short); the apply reports why
// and rolls wintermute back to its old name.
func TestFaultRouteTestFailuresRollBack(t *testing.T) {
	cases := []struct {
		fault  string
		reason []string
	}{
		{"motoko:litellm-500-midstream", []string{"route test local/reasoner", "broke off the stream", "incomplete chunked read"}},
		{"wintermute:truncated-stream", []string{"route test local/reasoner", "broke off the stream", "incomplete chunked read"}},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			d := startLab(t, tc.fault)
			run := applyDir(t, context.Background(), d.Dir, apply.Options{}, nil)
			wantResult(t, run.evs, "wintermute", "failed", append(tc.reason, "rolled back")...)
			i := index(run.evs, func(ev apply.Event) bool {
				return ev.Kind == apply.EvRouteResult && ev.Result != nil && !ev.Result.OK
			})
			if i < 0 {
				t.Fatal("no failed route_result event")
			}
			t.Logf("route test failure: %s", run.evs[i].Result.Error)
			stepAt(t, run.evs, "wintermute", apply.StepRollback, apply.StatusOK)
			wantServed(t, d, "wintermute", oldServedName)
			wantNoPending(t, d.Dir, "wintermute")
		})
	}
}

// TestFaultRenameRouteFailureRollsBackBoth: wintermute and the route are
// renamed together and the route test after LiteLLM's restart fails. Rolling
// back LiteLLM alone would point the route at the old name while wintermute
// serves the new one (the seed's 404, for good); both go back.
func TestFaultRenameRouteFailureRollsBackBoth(t *testing.T) {
	d := startLab(t)
	converge(t, d)
	renameWintermute(t, d.Dir)
	setFault(t, d, "motoko", sim.FaultLiteLLM500Midstream)

	run := applyDir(t, context.Background(), d.Dir, apply.Options{}, nil)
	wantResult(t, run.evs, "motoko", "failed", "route test", "rolled back")
	wantResult(t, run.evs, "wintermute", "failed", "rolled back")
	wantServed(t, d, "wintermute", newServedName)
	if err := d.Lab.ClearFault("motoko", sim.FaultLiteLLM500Midstream); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	repo := openRepo(t, d.Dir)
	if _, err := (&apply.Engine{Repo: repo, Transports: labTransports(t)}).TestRoute(context.Background(), reasoner, rec.observe); err != nil {
		t.Errorf("after the rollback, %s fails: %v", reasoner, err)
	}
	wantStillPlanned(t, d.Dir, "wintermute", wintermuteCfg)
}

// TestFaultProxyDownRollsBackRenamedBackend: the rename's backend is healthy
// but LiteLLM is down; its routes cannot be tested, and the backend does not
// stay on a name the proxy's config does not ask for.
func TestFaultProxyDownRollsBackRenamedBackend(t *testing.T) {
	d := startLab(t)
	converge(t, d)
	renameWintermute(t, d.Dir)
	setHealthTimeout(t, d.Dir, 1)
	setFault(t, d, "motoko", sim.FaultDown)

	run := applyDir(t, context.Background(), d.Dir, apply.Options{}, nil)
	wantResult(t, run.evs, "motoko", "failed")
	wantResult(t, run.evs, "wintermute", "failed", "rolled back")
	wantServed(t, d, "wintermute", newServedName)
}

// TestFaultLockHeld: a second apply on the repository refuses, naming the
// holder, before touching any host.
func TestFaultLockHeld(t *testing.T) {
	d := startLab(t)
	repo, plan := planRepo(t, d.Dir)
	lock, err := state.Open(repo.Root).AcquireLock()
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	before := snapshotFS(d, "wintermute")
	eng := &apply.Engine{Repo: repo, Transports: labTransports(t)}
	_, err = eng.Apply(context.Background(), plan, nil)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("second apply: %v, want a refusal naming pid %d", err, os.Getpid())
	}
	wantSameFS(t, "wintermute", before, snapshotFS(d, "wintermute"))
}

// TestFaultPendingRestartAfterCrash: the process died after writing
// wintermute's config and before restarting it, leaving the pending record
// (simulated: the context is cancelled right after the write, with
// --no-rollback: a cancelled apply otherwise rolls back, see
// TestFaultCancelledApplyRollsBack). The next apply plans no file change,
// yet runs the recorded restart.
func TestFaultPendingRestartAfterCrash(t *testing.T) {
	d := startLab(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{hook: func(ev apply.Event) {
		if isStep("wintermute", apply.StepWrite, apply.StatusOK)(ev) {
			cancel()
		}
	}}
	applyDir(t, ctx, d.Dir, apply.Options{NoRollback: true}, rec)
	if _, err := os.Stat(pendingRecord(d.Dir, "wintermute")); err != nil {
		t.Fatalf("no pending restart recorded after the crash: %v", err)
	}
	wantServed(t, d, "wintermute", oldServedName)

	repo, plan := planRepo(t, d.Dir)
	if plan.Summary.Changed != 0 {
		t.Fatalf("the new config is in place, yet the plan changes %d files", plan.Summary.Changed)
	}
	if plan.Summary.Pending != 1 || !plan.HasChanges() {
		t.Fatalf("the owed restart is not in the plan: %+v", plan.Summary)
	}
	run := applyPlan(t, context.Background(), repo, plan, apply.Options{}, nil)
	stepAt(t, run.evs, "wintermute", apply.StepHandler, apply.StatusOK)
	wantResult(t, run.evs, "wintermute", "ok")
	wantServed(t, d, "wintermute", newServedName)
	wantNoPending(t, d.Dir, "wintermute")
}

// TestFaultDockerNotRunningFailsTheWindowsHandler: Docker Desktop is not
// running for the WinRM user, so wintermute's restart handler
// (Start-VLLM.ps1 -Action Restart, run by PowerShell over WinRM) exits 1.
// The host fails with the script's stderr line, its config.yml is rolled
// back to what it was, the change is still to do, and the audit log
// records the failure with that line.
func TestFaultDockerNotRunningFailsTheWindowsHandler(t *testing.T) {
	d := startLab(t)
	before := labFile(t, d, "wintermute", wintermuteCfg)
	setFault(t, d, "wintermute", sim.FaultDockerNotRunning)

	run := applyDir(t, context.Background(), d.Dir, apply.Options{}, nil)
	const stderrLine = "Start-VLLM.ps1 -Action Restart failed: docker rm -f failed (exit 1): error during connect"
	wantResult(t, run.evs, "wintermute", "failed", "handler", "exited 1", stderrLine)
	if !run.sum.FailedAny() || run.sum.Failed != 1 {
		t.Errorf("summary %+v, want wintermute failed (exit code 1)", run.sum)
	}
	if labFile(t, d, "wintermute", wintermuteCfg) != before {
		t.Error("wintermute's config.yml was not rolled back")
	}
	wantStillPlanned(t, d.Dir, "wintermute", wintermuteCfg)
	wantAudited(t, d.Dir, "wintermute", "failed", stderrLine)
	if r := result(run.evs, "wintermute"); strings.Count(r.Message, stderrLine) != 1 ||
		!strings.Contains(r.Message, "rolled back the files, but the host did not come back: its restart failed the same way") {
		t.Errorf("the result should name the handler's line once and the failed restart on the old files: %q", r.Message)
	}
	if _, err := os.Stat(pendingRecord(d.Dir, "wintermute")); err != nil {
		t.Errorf("the restart on the restored files failed: a restart is owed, but no pending record: %v", err)
	}

	// Docker Desktop started again: the next apply deploys the change.
	if err := d.Lab.ClearFault("wintermute", sim.FaultDockerNotRunning); err != nil {
		t.Fatal(err)
	}
	again := applyDir(t, context.Background(), d.Dir, apply.Options{}, nil)
	wantResult(t, again.evs, "wintermute", "ok")
	wantServed(t, d, "wintermute", newServedName)
	wantNoPending(t, d.Dir, "wintermute")
}

// wantAudited: the audit log has an entry for host with that result whose
// message holds want.
func wantAudited(t *testing.T, dir, host, result, want string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, ".straylight", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e state.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		if e.Host == host && e.Result == result && strings.Contains(e.Message, want) {
			return
		}
	}
	t.Errorf("no %s audit entry for %s naming %q in:\n%s", result, host, want, data)
}

// TestFaultCancelledApplyRollsBack: the operator quits (or a signal comes)
// during wintermute's health gate: the cancelled apply still rolls the host
// back, under the rollback's own deadline, to its old config and name, and
// nothing is left owed.
func TestFaultCancelledApplyRollsBack(t *testing.T) {
	d := startLab(t, "wintermute:never-healthy")
	before := labFile(t, d, "wintermute", wintermuteCfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{hook: func(ev apply.Event) {
		if ev.Kind == apply.EvHealth && ev.Host == "wintermute" && ev.Health.Expected != "" {
			cancel()
		}
	}}
	run := applyDir(t, ctx, d.Dir, apply.Options{}, rec)
	wantResult(t, run.evs, "wintermute", "failed", "cancelled", "rolled back")
	stepAt(t, run.evs, "wintermute", apply.StepRollback, apply.StatusOK)
	if after := labFile(t, d, "wintermute", wintermuteCfg); after != before {
		t.Errorf("config.yml not restored:\n%s", after)
	}
	wantServed(t, d, "wintermute", oldServedName)
	wantNoPending(t, d.Dir, "wintermute")
}
