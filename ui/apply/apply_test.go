package apply

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/ui/theme"
)

const cfg = `C:\Users\mdt\dev\wintermute\config.yml`

// deployEvents is a deploy of wintermute as the engine reports it, up to
// the route test streaming in.
func deployEvents() []fleetapply.Event {
	step := func(s fleetapply.Step, st fleetapply.StepStatus, dest, msg string) fleetapply.Event {
		return fleetapply.Event{Kind: fleetapply.EvStep, Host: "wintermute", Step: s, Status: st, Dest: dest, Message: msg}
	}
	return []fleetapply.Event{
		{Kind: fleetapply.EvPlan, Plan: &fleetapply.PlanSummary{Order: []string{"wintermute"}}},
		step(fleetapply.StepBackup, fleetapply.StatusStart, cfg, ""),
		step(fleetapply.StepBackup, fleetapply.StatusOK, cfg, ""),
		step(fleetapply.StepWrite, fleetapply.StatusStart, cfg, ""),
		step(fleetapply.StepWrite, fleetapply.StatusOK, cfg, "sha256 ebfa1215c864"),
		step(fleetapply.StepHandler, fleetapply.StatusStart, "", "Restart vLLM container"),
		step(fleetapply.StepHandler, fleetapply.StatusOK, "", "Restart vLLM container"),
		step(fleetapply.StepHealth, fleetapply.StatusStart, "", ""),
		{Kind: fleetapply.EvHealth, Host: "wintermute", Health: &fleetapply.HealthProgress{State: "loading", Expected: "llama31-8b-wintermute", Elapsed: 30 * time.Second, Timeout: 300 * time.Second}},
	}
}

func streamEvents() []fleetapply.Event {
	step := func(s fleetapply.Step, st fleetapply.StepStatus, msg string) fleetapply.Event {
		return fleetapply.Event{Kind: fleetapply.EvStep, Host: "wintermute", Step: s, Status: st, Message: msg}
	}
	res := &fleetapply.RouteResult{Route: "local/reasoner", OK: true, TTFT: 182 * time.Millisecond, TokensPerSec: 41.3, CompletionToks: 12, FinishReason: "length"}
	return []fleetapply.Event{
		step(fleetapply.StepHealth, fleetapply.StatusOK, `wintermute serves "llama31-8b-wintermute"`),
		step(fleetapply.StepRouteTest, fleetapply.StatusStart, "local/reasoner"),
		{Kind: fleetapply.EvRouteChunk, Host: "wintermute", Route: "local/reasoner", Chunk: "Hello! This is "},
		{Kind: fleetapply.EvRouteChunk, Host: "wintermute", Route: "local/reasoner", Chunk: "llama31-8b-wintermute"},
		{Kind: fleetapply.EvRouteResult, Host: "wintermute", Route: "local/reasoner", Result: res},
		step(fleetapply.StepRouteTest, fleetapply.StatusOK, "local/reasoner"),
		{Kind: fleetapply.EvHostResult, Host: "wintermute", Status: fleetapply.StepStatus(fleetapply.OutcomeOK)},
		{Kind: fleetapply.EvSummary, Apply: &fleetapply.ApplySummary{OK: 1}, Message: "Apply: 1 ok, 0 failed"},
	}
}

func fold(p *Progress, evs []fleetapply.Event) {
	for _, ev := range evs {
		p.Fold(ev)
	}
}

func text(p *Progress) string {
	return ansi.Strip(strings.Join(Lines(p, 100, "*", theme.New(true)), "\n"))
}

func TestDeployInProgressShowsSpinnersAndHealthGate(t *testing.T) {
	p := New(KindDeploy, "wintermute")
	fold(p, deployEvents())
	got := text(p)
	for _, want := range []string{
		"* Deploy wintermute", "* wintermute", "✓ backup        " + cfg, "✓ write         " + cfg + "  sha256 ebfa1215c864",
		"✓ restart       Restart vLLM container", "* health", "█░░░░░░░░░ loading 30s/5m0s  expecting llama31-8b-wintermute",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("progress misses %q:\n%s", want, got)
		}
	}
	if len(p.Hosts) != 1 || len(p.Hosts[0].Steps) != 4 {
		t.Errorf("a step's start and end fold into one line: %+v", p.Hosts[0].Steps)
	}
}

func TestRouteTestStreamsAndFinishes(t *testing.T) {
	p := New(KindDeploy, "wintermute")
	fold(p, deployEvents()[:8])
	fold(p, streamEvents()[:3])
	if got := text(p); !strings.Contains(got, "│ Hello! This is") || strings.Contains(got, "TTFT") {
		t.Errorf("the first chunk shows before the result:\n%s", got)
	}
	fold(p, streamEvents()[3:])
	p.Finish(nil)
	got := text(p)
	for _, want := range []string{"✓ Deploy wintermute", "✓ wintermute  ok", "│ Hello! This is llama31-8b-wintermute",
		"TTFT 182ms · 41.3 tok/s · 12 tokens · length", "Apply: 1 ok, 0 failed"} {
		if !strings.Contains(got, want) {
			t.Errorf("finished deploy misses %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "*") || strings.Contains(got, "expecting") {
		t.Errorf("no spinner and no health bar once done:\n%s", got)
	}
}

func TestRollbackAndFailureAreShown(t *testing.T) {
	p := New(KindDeploy, "wintermute")
	fold(p, deployEvents())
	fold(p, []fleetapply.Event{
		{Kind: fleetapply.EvStep, Host: "wintermute", Step: fleetapply.StepHealth, Status: fleetapply.StatusFailed, Message: "not healthy within 5m0s"},
		{Kind: fleetapply.EvStep, Host: "wintermute", Step: fleetapply.StepRollback, Status: fleetapply.StatusStart, Dest: cfg},
		{Kind: fleetapply.EvStep, Host: "wintermute", Step: fleetapply.StepRollback, Status: fleetapply.StatusOK, Dest: cfg, Message: "restored the backup"},
		{Kind: fleetapply.EvHostResult, Host: "wintermute", Status: fleetapply.StepStatus(fleetapply.OutcomeFailed), Message: "health gate: not healthy within 5m0s"},
		{Kind: fleetapply.EvSummary, Apply: &fleetapply.ApplySummary{Failed: 1}},
	})
	p.Finish(nil)
	got := text(p)
	for _, want := range []string{"✗ Deploy wintermute", "✗ health", "✓ ↺ rollback    " + cfg + "  restored the backup",
		"✗ wintermute  failed: health gate: not healthy within 5m0s", "0 ok, 1 failed"} {
		if !strings.Contains(got, want) {
			t.Errorf("failed deploy misses %q:\n%s", want, got)
		}
	}
}

func TestRouteTestTaskAndEngineError(t *testing.T) {
	p := New(KindRouteTest, "local/reasoner")
	p.Fold(fleetapply.Event{Kind: fleetapply.EvRouteResult, Host: "wintermute", Route: "local/reasoner",
		Result: &fleetapply.RouteResult{Error: "LiteLLM asked wintermute for `llama31-8b-wintermute`, which it does not serve (404)"}})
	p.Finish(nil)
	if len(p.Routes) != 1 || len(p.Hosts) != 0 {
		t.Errorf("a route test's streams are not under a host: %+v", p)
	}
	got := text(p)
	if !strings.Contains(got, "✗ Route test local/reasoner") || !strings.Contains(got, "which it does not serve (404)") || !p.Failed() {
		t.Errorf("the decoded error shows:\n%s", got)
	}
	q := New(KindRestart, "armitage")
	q.Finish(errors.New("restart: the engine has no Restart yet"))
	if got := text(q); !strings.Contains(got, "✗ restart: the engine has no Restart yet") {
		t.Errorf("the engine's own error shows:\n%s", got)
	}
}

func TestModelFollowsTheStream(t *testing.T) {
	m := NewModel(theme.New(true))
	m.SetSize(60, 5)
	p := New(KindDeploy, "wintermute")
	m.Show(p)
	fold(p, deployEvents())
	fold(p, streamEvents())
	m.Refresh("*")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Apply: 1 ok") {
		t.Errorf("the view sticks to the end of a growing stream:\n%s", v)
	}
}

// TestHealthGateTimeMovesBetweenReports: the bar counts on from the last
// report on this machine's clock, up to the timeout.
func TestHealthGateTimeMovesBetweenReports(t *testing.T) {
	p := New(KindDeploy, "wintermute")
	fold(p, deployEvents())
	at := p.Hosts[0].HealthAt
	render := func(now time.Time) string {
		return ansi.Strip(strings.Join(LinesAt(p, 100, "*", now, theme.New(true)), "\n"))
	}
	if got := render(at.Add(45 * time.Second)); !strings.Contains(got, "loading 1m15s/5m0s") {
		t.Errorf("45 s after a 30 s report:\n%s", got)
	}
	if got := render(at.Add(time.Hour)); !strings.Contains(got, "loading 5m0s/5m0s") {
		t.Errorf("never past the timeout:\n%s", got)
	}
}

// TestRouteTestTTFTShownOnce: the step line names the route; the TTFT and
// the rate are on the result line only, with the engine's exact figures.
func TestRouteTestTTFTShownOnce(t *testing.T) {
	p := New(KindDeploy, "wintermute")
	fold(p, deployEvents())
	evs := streamEvents()
	evs[5].Message = "local/reasoner: first token after 180ms, 41.3 tokens/s"
	fold(p, evs)
	got := text(p)
	if strings.Count(got, "TTFT") != 1 || strings.Contains(got, "first token after") || !strings.Contains(got, "TTFT 182ms") {
		t.Errorf("TTFT once:\n%s", got)
	}
}

// TestRollbackStepsInTheOrderTheyRan: the rollback's restart and health
// lines come before its end, which names what the host serves again.
func TestRollbackStepsInTheOrderTheyRan(t *testing.T) {
	step := func(s fleetapply.Step, st fleetapply.StepStatus, msg string) fleetapply.Event {
		return fleetapply.Event{Kind: fleetapply.EvStep, Host: "wintermute", Step: s, Status: st, Message: msg}
	}
	p := New(KindDeploy, "wintermute")
	fold(p, deployEvents())
	fold(p, []fleetapply.Event{
		step(fleetapply.StepHealth, fleetapply.StatusFailed, "health gate: wintermute did not serve"),
		step(fleetapply.StepRollback, fleetapply.StatusStart, "health gate: wintermute did not serve"),
		step(fleetapply.StepHandler, fleetapply.StatusStart, "Restart vLLM container"),
		step(fleetapply.StepHandler, fleetapply.StatusOK, "Restart vLLM container"),
		step(fleetapply.StepHealth, fleetapply.StatusStart, "waiting for wintermute to serve its restored model"),
		step(fleetapply.StepHealth, fleetapply.StatusOK, `wintermute serves "casperhansen/llama-3-8b-instruct-awq" after 1.5s`),
		step(fleetapply.StepRollback, fleetapply.StatusOK, `previous config restored and serving "casperhansen/llama-3-8b-instruct-awq"`),
	})
	got := text(p)
	restart := strings.LastIndex(got, "✓ restart")
	health := strings.LastIndex(got, `serves "casperhansen/llama-3-8b-instruct-awq" after`)
	end := strings.Index(got, `↺ rollback    previous config restored and serving "casperhansen`)
	if restart < 0 || health < restart || end < health {
		t.Fatalf("rollback lines out of order (restart %d, health %d, end %d):\n%s", restart, health, end, got)
	}
}

// Deployed lists the hosts a deploy finished ok, and none for a restart.
func TestDeployedListsTheHostsDeployedOK(t *testing.T) {
	evs := []fleetapply.Event{
		{Kind: fleetapply.EvHostResult, Host: "wintermute", Status: fleetapply.StepStatus(fleetapply.OutcomeOK)},
		{Kind: fleetapply.EvHostResult, Host: "armitage", Status: fleetapply.StepStatus(fleetapply.OutcomeFailed)},
	}
	deploy, restart := New(KindDeploy, "fleet"), New(KindRestart, "wintermute")
	fold(deploy, evs)
	fold(restart, evs)
	if got := deploy.Deployed(); len(got) != 1 || got[0] != "wintermute" {
		t.Errorf("deploy: %v", got)
	}
	if got := restart.Deployed(); len(got) != 0 {
		t.Errorf("restart: %v", got)
	}
}

// TestViaAnsibleStepsFoldPerTask: the tasks ansible-playbook runs for
// straylight show one line each, marked "via ansible", start folded into
// result.
func TestViaAnsibleStepsFoldPerTask(t *testing.T) {
	step := func(st fleetapply.StepStatus, dest, msg string) fleetapply.Event {
		return fleetapply.Event{Kind: fleetapply.EvStep, Host: "alpha", Step: fleetapply.StepViaAnsible, Status: st, Dest: dest, Message: msg}
	}
	p := New(KindDeploy, "alpha")
	fold(p, []fleetapply.Event{
		{Kind: fleetapply.EvPlan, Plan: &fleetapply.PlanSummary{Order: []string{"alpha"}}},
		step(fleetapply.StatusStart, "playbooks/gpu.yml", "ansible-playbook --limit alpha playbooks/gpu.yml"),
		step(fleetapply.StatusStart, "Fetch the model card", "via ansible: ansible.builtin.get_url"),
		step(fleetapply.StatusOK, "Fetch the model card", "via ansible: changed (ansible.builtin.get_url, playbooks/gpu.yml:10)"),
	})
	got := text(p)
	if want := "✓ via ansible   Fetch the model card  via ansible: changed (ansible.builtin.get_url, playbooks/gpu.yml:10)"; !strings.Contains(got, want) {
		t.Errorf("progress misses %q:\n%s", want, got)
	}
	if len(p.Hosts[0].Steps) != 2 {
		t.Errorf("one line per task and one for the play: %+v", p.Hosts[0].Steps)
	}
}
