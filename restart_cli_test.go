package main

// End-to-end tests of `straylight --restart HOST` and `--test-route ROUTE`
// on the simulated lab (docs/lab.md; README.md, "Command line"): the TUI's r
// and t keys from the command line, printed by --apply's event printer.

import (
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/state"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// TestCLIDemoRestart: `--demo --restart armitage --yes` restarts armitage's
// vLLM, gates on its name and streams its route through LiteLLM.
func TestCLIDemoRestart(t *testing.T) {
	r := runCLI(t, "--demo", "--restart", "armitage", "--yes")
	wantExit(t, r, exitOK)
	wantContains(t, "stdout", r.stdout,
		"order: armitage",
		"[armitage] pending-restart ok",
		"[armitage] handler ok windows-vllm-deploy : Restart vLLM container",
		`[armitage] health ok armitage serves "qwen2.5-7b-armitage"`,
		"[armitage] local/fast ▸ Hello",
		"[armitage] route local/fast ok: first token",
		"[armitage] route-test ok local/fast",
		"[armitage] OK",
		"Restart: 1 ok, 0 failed, 0 skipped, 0 unchanged")
}

// TestCLIRestartAfterApply: once wintermute runs its fixed config, a restart
// comes back on its new name and local/reasoner answers; the audit log
// records the restart as one.
func TestCLIRestartAfterApply(t *testing.T) {
	d := startCLILab(t)
	wantExit(t, runCLI(t, "-C", d.Dir, "--apply", "--yes"), exitOK)
	r := runCLI(t, "-C", d.Dir, "--restart", "wintermute", "--yes")
	wantExit(t, r, exitOK)
	wantContains(t, "stdout", r.stdout,
		`[wintermute] health ok wintermute serves "`+newServedName+`"`,
		"[wintermute] local/reasoner ▸ ",
		"[wintermute] route local/reasoner ok",
		"Restart: 1 ok")
	entries, err := state.Open(d.Dir).ReadAudit()
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Host != "wintermute" || last.Action != "restart" || last.Result != "ok" {
		t.Errorf("last audit entry %+v, want wintermute's restart ok", last)
	}
}

// TestCLIRestartKeepsTheSeedsMismatch: in the seed, wintermute's live config
// still serves the old name; a restart brings it back on that name, and the
// route LiteLLM asks it for the new name still fails with the 404: exit 1,
// nothing rolled back (nothing was written).
func TestCLIRestartKeepsTheSeedsMismatch(t *testing.T) {
	d := startCLILab(t)
	r := runCLI(t, "-C", d.Dir, "--restart", "wintermute", "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stdout", r.stdout,
		`[wintermute] health ok wintermute serves "`+oldServedName+`"`,
		"[wintermute] route local/reasoner FAILED: ", "(404)",
		"[wintermute] FAILED route test local/reasoner",
		"Restart: 0 ok, 1 failed")
	if strings.Contains(r.stdout, "rollback") {
		t.Errorf("a restart rolled back:\n%s", r.stdout)
	}
	wantServed(t, d, "wintermute", oldServedName)
}

// TestCLIRestartJSON: --json prints the restart as JSON Lines with the event
// kinds of --apply.
func TestCLIRestartJSON(t *testing.T) {
	d := startCLILab(t)
	r := runCLI(t, "-C", d.Dir, "--restart", "armitage", "--yes", "--json")
	wantExit(t, r, exitOK)
	evs := decodeEvents(t, r.stdout)
	for _, k := range []apply.EventKind{apply.EvPlan, apply.EvStep, apply.EvHealth, apply.EvRouteChunk,
		apply.EvRouteResult, apply.EvHostResult, apply.EvSummary} {
		if !strings.Contains(kindsText(evs), string(k)) {
			t.Errorf("no %q event among %v", k, eventKinds(evs))
		}
	}
	if s := lastSummary(t, evs); s != (apply.ApplySummary{OK: 1}) {
		t.Errorf("summary %+v, want 1 ok", s)
	}
	if res := hostResult(evs, "armitage"); res.Status != apply.StepStatus(apply.OutcomeOK) {
		t.Errorf("armitage's result %+v, want ok", res)
	}
}

func kindsText(evs []apply.Event) string {
	var b strings.Builder
	for _, k := range eventKinds(evs) {
		b.WriteString(string(k) + " ")
	}
	return b.String()
}

// TestCLIRestartHandlerFails: with Docker not running for the WinRM user
// (a lab fault), armitage's restart handler fails: exit 1, the failure named.
func TestCLIRestartHandlerFails(t *testing.T) {
	d := startCLILab(t, "armitage:docker-not-running")
	r := runCLI(t, "-C", d.Dir, "--restart", "armitage", "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stdout", r.stdout,
		`[armitage] FAILED handler "windows-vllm-deploy : Restart vLLM container" exited`,
		"Restart: 0 ok, 1 failed")
}

// TestCLIRestartUnknownHost names the host and restarts nothing.
func TestCLIRestartUnknownHost(t *testing.T) {
	r := runCLI(t, "--demo", "--restart", "nosuch", "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stderr", r.stderr, `no host "nosuch" in the inventory`, "wintermute")
	if r.stdout != "" {
		t.Errorf("events for a host that does not exist:\n%s", r.stdout)
	}
}

// TestCLIRestartAsksFirst: without --yes and without a terminal to ask on,
// nothing is restarted and the message names --yes.
func TestCLIRestartAsksFirst(t *testing.T) {
	d := startCLILab(t)
	r := runCLI(t, "-C", d.Dir, "--restart", "armitage")
	wantExit(t, r, exitFailure)
	wantContains(t, "stderr", r.stderr, "pass --yes to restart without asking", "armitage not restarted")
	if r.stdout != "" {
		t.Errorf("restarted without confirmation:\n%s", r.stdout)
	}
	if entries, _ := state.Open(d.Dir).ReadAudit(); len(entries) != 0 {
		t.Errorf("audit log has %+v", entries)
	}
}

// TestCLIDemoTestRoute streams local/fast through LiteLLM to armitage.
func TestCLIDemoTestRoute(t *testing.T) {
	r := runCLI(t, "--demo", "--test-route", "local/fast")
	wantExit(t, r, exitOK)
	wantContains(t, "stdout", r.stdout,
		"[armitage] local/fast ▸ Hello! This is qwen2.5-7b-armitage on armitage",
		"[armitage] route local/fast ok: first token")
}

// TestCLITestRouteJSON: chunks as they arrive, then the result.
func TestCLITestRouteJSON(t *testing.T) {
	d := startCLILab(t)
	r := runCLI(t, "-C", d.Dir, "--test-route", "local/fast", "--json")
	wantExit(t, r, exitOK)
	evs := decodeEvents(t, r.stdout)
	var streamed strings.Builder
	for _, ev := range evs[:len(evs)-1] {
		if ev.Kind != apply.EvRouteChunk {
			t.Fatalf("event %+v before the result, want chunks only", ev)
		}
		streamed.WriteString(ev.Chunk)
	}
	res := evs[len(evs)-1]
	if res.Kind != apply.EvRouteResult || !res.Result.OK || res.Result.Text != streamed.String() || len(evs) < 3 {
		t.Errorf("result %+v after %d chunks %q", res.Result, len(evs)-1, streamed.String())
	}
}

// TestCLIDemoTestRouteSeedMismatch: LiteLLM asks wintermute for a name it
// does not serve: exit 1, the 404 named.
func TestCLIDemoTestRouteSeedMismatch(t *testing.T) {
	r := runCLI(t, "--demo", "--test-route", "local/reasoner")
	wantExit(t, r, exitFailure)
	wantContains(t, "stdout", r.stdout, "[wintermute] route local/reasoner FAILED: ", "(404)")
	wantContains(t, "stderr", r.stderr, "route test local/reasoner: ", "(404)")
}

// TestCLITestRouteUnknown names the route.
func TestCLITestRouteUnknown(t *testing.T) {
	d := startCLILab(t)
	r := runCLI(t, "-C", d.Dir, "--test-route", "local/nosuch")
	wantExit(t, r, exitFailure)
	wantContains(t, "stderr", r.stderr, `no route "local/nosuch"`)
}

// TestCLIRestartExcludesOtherModes: one mode per run.
func TestCLIRestartExcludesOtherModes(t *testing.T) {
	for _, args := range [][]string{
		{"--restart", "armitage", "--apply"},
		{"--test-route", "local/fast", "--check"},
		{"--restart", "armitage", "--test-route", "local/fast"},
	} {
		r := runCLI(t, args...)
		wantExit(t, r, exitFailure)
		wantContains(t, "stderr", r.stderr, "exclude each other")
	}
}

// TestCLIRestartNeverHealthy: wintermute runs its fixed config, then (lab
// fault never-healthy) no config but the one it booted with loads any more;
// its restart never passes the health gate: exit 1, the gate named, nothing
// to roll back.
func TestCLIRestartNeverHealthy(t *testing.T) {
	d := startCLILab(t)
	setHealthTimeout(t, d.Dir, 1.5)
	wantExit(t, runCLI(t, "-C", d.Dir, "--apply", "--yes"), exitOK)
	if err := d.Lab.SetFault("wintermute", sim.FaultNeverHealthy); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "-C", d.Dir, "--restart", "wintermute", "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stdout", r.stdout,
		`[wintermute] health failed health gate: wintermute did not serve "`+newServedName+`" within 1.5s`,
		"[wintermute] FAILED health gate",
		"Restart: 0 ok, 1 failed")
	if strings.Contains(r.stdout, "rollback") {
		t.Errorf("a restart rolled back:\n%s", r.stdout)
	}
}
