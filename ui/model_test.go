package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/ui/help"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/theme"
)

func screen(m Model) string { return ansi.Strip(m.Render()) }

func mustContain(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("screen misses %q:\n%s", w, s)
		}
	}
}

func TestFleetShowsTheSeedMismatch(t *testing.T) {
	m := newFixture(t).ready(120, 24)
	mustContain(t, screen(m),
		"straylight /", "/homelab ", "git clean", "litellm motoko up", "routes ok 1/2",
		"wintermute", "≠ casperhansen/llama-3-8b-instruct-awq", "1 change",
		"armitage", "qwen2.5-7b-armitage", "in sync", "idle 7m", "21.5/24G")
}

func TestScreenFitsTheTerminalAtEverySize(t *testing.T) {
	m := newFixture(t).ready(80, 24)
	for _, size := range [][2]int{{80, 24}, {120, 40}, {60, 15}, {30, 8}, {200, 60}} {
		m = step(m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, view := range [][]string{nil, {"tab"}, {"tab", "enter"}, {"esc", "d"}, {"esc", "?"}} {
			m, _ = pressKeys(m, view...)
			lines := strings.Split(m.Render(), "\n")
			if len(lines) != size[1] {
				t.Errorf("%v after %v: %d lines", size, view, len(lines))
			}
			for i, l := range lines {
				if w := layout.Width(l); w > size[0] {
					t.Errorf("%v after %v: line %d is %d wide: %q", size, view, i, w, ansi.Strip(l))
				}
			}
		}
		m, _ = pressKeys(m, "esc", "esc", "esc")
	}
}

func TestTabEnterEscNavigate(t *testing.T) {
	m := newFixture(t).ready(100, 30)
	m, _ = pressKeys(m, "tab")
	if m.current() != viewRoutes {
		t.Fatalf("tab opens the routes pane")
	}
	mustContain(t, screen(m), "local/reasoner", "llama31-8b-wintermute", "mismatch", "local/fast")
	m, cmd := pressKeys(m, "enter")
	if m.current() != viewDetail || m.detail.Host() != "wintermute" || cmd == nil {
		t.Fatalf("enter on a route opens its host's detail and reads its values (cmd %v)", cmd != nil)
	}
	m = settle(t, m, cmd)
	mustContain(t, screen(m), "configured values", "vllm.served_model_name", "host_vars/wintermute.yml:5 (host_vars)")
	m, _ = pressKeys(m, "esc")
	if m.current() != viewRoutes {
		t.Errorf("esc goes back to the routes pane")
	}
	m, _ = pressKeys(m, "tab", "j", "enter")
	if m.current() != viewDetail || m.detail.Host() != "armitage" {
		t.Errorf("j then enter on the fleet opens armitage: %v %s", m.current(), m.detail.Host())
	}
	m, _ = pressKeys(m, "esc", "esc")
	if m.current() != viewFleet {
		t.Errorf("esc never leaves the base view")
	}
}

func TestFilter(t *testing.T) {
	m := newFixture(t).ready(100, 24)
	m, _ = pressKeys(m, "/", "a", "r", "m")
	if !m.filtering || !strings.Contains(screen(m), "/arm") {
		t.Fatalf("/ starts a filter shown in the status line:\n%s", screen(m))
	}
	if rows := m.fleet.Shown(); len(rows) != 1 {
		t.Errorf("the filter applies as it is typed: %d rows", len(rows))
	}
	m, _ = pressKeys(m, "q") // typed, not quit
	if m.fleet.Filter() != "armq" {
		t.Errorf("q is text while filtering: %q", m.fleet.Filter())
	}
	m, _ = pressKeys(m, "backspace", "enter")
	if m.filtering || !strings.Contains(screen(m), "filter: arm") {
		t.Errorf("enter keeps the filter:\n%s", screen(m))
	}
	m, _ = pressKeys(m, "esc")
	if m.fleet.Filter() != "" || len(m.fleet.Shown()) != 3 { // two GPU hosts and the proxy
		t.Errorf("esc clears it")
	}
}

func TestHelpIsBuiltFromTheFocusedView(t *testing.T) {
	m := newFixture(t).ready(100, 30)
	fleetKeys := strings.Join(help.Bindings(m.focused()), " ")
	for _, k := range []string{"up/k", "down/j", "/", "tab", "enter", "e", "d", "a", "r", "t", "?", "q/ctrl+c"} {
		if !strings.Contains(" "+fleetKeys+" ", " "+k+" ") {
			t.Errorf("fleet help misses %q: %s", k, fleetKeys)
		}
	}
	m, _ = pressKeys(m, "?")
	mustContain(t, screen(m), "Keys · fleet", "deploy", "restart", "test host's routes", "? or esc closes")
	m, _ = pressKeys(m, "?", "d")
	if m.showHelp || m.current() != viewDiff {
		t.Fatalf("? closes the help, d opens the diff")
	}
	diffKeys := strings.Join(help.Bindings(m.focused()), " ")
	if strings.Contains(diffKeys, " c ") || !strings.Contains(diffKeys, "esc") {
		t.Errorf("diff help (no edit yet: no c): %s", diffKeys)
	}
}

func TestDiffShowsTheHostsRenderedChange(t *testing.T) {
	m := newFixture(t).ready(100, 30)
	m, _ = pressKeys(m, "d")
	mustContain(t, screen(m), "Diff wintermute  1 file to change, 1 unchanged · 1 restart · routes local/reasoner",
		`+  served_model_name: "llama31-8b-wintermute"`, `config.yml  update`)
}

func TestDeployAsksThenRunsThroughTheEngine(t *testing.T) {
	f := newFixture(t)
	f.engine.events = deployScript()
	m := f.ready(100, 30)
	m, _ = pressKeys(m, "a")
	mustContain(t, screen(m), "Deploy wintermute? y/N · 1 file to change, 1 unchanged · 1 restart · routes local/reasoner")
	m, _ = pressKeys(m, "n")
	if m.confirm != nil || len(f.engine.Calls()) != 0 || !strings.Contains(screen(m), "cancelled") {
		t.Fatalf("any key but y cancels")
	}
	m, cmd := pressKeys(m, "a", "y")
	if m.current() != viewApply || cmd == nil {
		t.Fatalf("y opens the progress view and starts the deploy")
	}
	m = settle(t, m, cmd)
	if got := f.engine.Calls(); len(got) != 1 || got[0] != "apply" {
		t.Errorf("engine calls: %v", got)
	}
	mustContain(t, screen(m), "✓ Deploy wintermute", "✓ backup", "✓ write", "│ Hello! This is llama31-8b-wintermute", "TTFT 182ms")
	if _, ok := m.tests["local/reasoner"]; !ok {
		t.Error("the route test's result is kept for the routes pane")
	}
	m, _ = pressKeys(m, "esc", "tab")
	mustContain(t, screen(m), "ok 182ms 41.3 tok/s")
}

func TestRestartAndRouteTestErrors(t *testing.T) {
	f := newFixture(t)
	f.engine.err = errors.New("restart: the engine has no Restart yet")
	f.engine.routeErr = "LiteLLM asked wintermute for `llama31-8b-wintermute`, which it does not serve (404)"
	m := f.ready(100, 30)
	m, cmd := pressKeys(m, "r", "y")
	m = settle(t, m, cmd)
	mustContain(t, screen(m), "✗ Restart wintermute", "✗ restart wintermute failed (p shows it): restart: the engine has no Restart yet")
	m, cmd = pressKeys(m, "esc", "t")
	m = settle(t, m, cmd)
	s := screen(m)
	mustContain(t, s, "✗ Route test wintermute", "which it does not serve (404)")
	if strings.Contains(s, "route test local/reasoner:") {
		t.Errorf("a failure shown in the stream is not repeated in the error bar:\n%s", s)
	}
	if got := f.engine.Calls(); strings.Join(got, ",") != "restart wintermute,test local/reasoner" {
		t.Errorf("engine calls: %v", got)
	}
}

func TestEditValidatesSavesOneLineAndCommits(t *testing.T) {
	f := newFixture(t)
	m := f.ready(100, 30)
	path := filepath.Join(f.dir, "host_vars", "wintermute.yml")
	before, _ := os.ReadFile(path)
	m, cmd := pressKeys(m, "e")
	m = settle(t, m, cmd)
	if m.current() != viewEdit {
		t.Fatalf("e opens the form:\n%s", screen(m))
	}
	mustContain(t, screen(m), "Edit wintermute  host_vars/wintermute.yml", "gpu_memory_utilization  0.88")
	m, _ = pressKeys(m, "down", "down", "down", "down", "down", "down", "down", "ctrl+u", "1", ".", "5")
	mustContain(t, screen(m), "✗ 1.5 is out of range")
	m, _ = pressKeys(m, "enter")
	if m.current() != viewEdit || !strings.Contains(screen(m), "not valid") {
		t.Fatalf("an invalid form is not saved:\n%s", screen(m))
	}
	m, _ = pressKeys(m, "ctrl+u", "0", ".", "9")
	m, cmd = pressKeys(m, "enter")
	m = settle(t, m, cmd)
	after, _ := os.ReadFile(path)
	if want := strings.Replace(string(before), "gpu_memory_utilization: 0.88", "gpu_memory_utilization: 0.9", 1); string(after) != want {
		t.Errorf("only the value's line changes:\n%s", after)
	}
	if m.current() != viewDiff {
		t.Fatalf("saving shows the diff:\n%s", screen(m))
	}
	mustContain(t, screen(m), "edited host_vars/wintermute.yml:10: vllm.gpu_memory_utilization 0.88 → 0.9", "gpu_memory_utilization: 0.9")
	m, cmd = pressKeys(m, "c")
	m = settle(t, m, cmd)
	if len(f.commits) != 1 || f.commits[0] != "wintermute: vllm.gpu_memory_utilization 0.88 → 0.9" {
		t.Errorf("commit message names host, key, old and new value: %q", f.commits)
	}
	mustContain(t, screen(m), "committed: wintermute: vllm.gpu_memory_utilization 0.88 → 0.9")
}

func TestEditRefusesAFileChangedOnDisk(t *testing.T) {
	f := newFixture(t)
	m := f.ready(100, 30)
	m, cmd := pressKeys(m, "e")
	m = settle(t, m, cmd)
	path := filepath.Join(f.dir, "host_vars", "wintermute.yml")
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(data, []byte("# edited elsewhere\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	m, _ = pressKeys(m, "down", "down", "down", "down", "down", "down", "down", "ctrl+u", "0", ".", "9")
	m, cmd = pressKeys(m, "enter")
	m = settle(t, m, cmd)
	if m.current() != viewEdit || !strings.Contains(screen(m), "changed on disk") {
		t.Errorf("the save is refused:\n%s", screen(m))
	}
	if got, _ := os.ReadFile(path); !strings.HasSuffix(string(got), "# edited elsewhere\n") || strings.Contains(string(got), "0.9\n") {
		t.Errorf("the other edit survives and nothing is written:\n%s", got)
	}
}

func TestErrorsGoToTheErrorBar(t *testing.T) {
	f := newFixture(t)
	m := newModel(context.Background(), Config{Repo: "/nonexistent"}, f.svc, theme.New(true))
	m = step(m, repoMsg{err: errors.New("inventory/hosts.yml:3: malformed YAML")})
	mustContain(t, screen(m), "cannot read the repository:", "inventory/hosts.yml:3: malformed YAML", "q quits")
	if _, cmd := pressKeys(m, "q"); cmd == nil {
		t.Error("q quits even when the repository failed")
	}
	m = f.ready(100, 24)
	m = step(m, planMsg{repo: f.repo, err: errors.New("render: undefined variable vllm_port")})
	mustContain(t, screen(m), "✗ plan: render: undefined variable vllm_port")
	m = step(m, safely(func() tea.Msg { panic("boom") })())
	mustContain(t, screen(m), "internal error (please report): boom")
	m, _ = pressKeys(m, "j")
	if strings.Contains(screen(m), "internal error") {
		t.Errorf("the next key clears the error bar")
	}
}

func TestUpdateRecoversFromPanics(t *testing.T) {
	m := newFixture(t).ready(80, 24)
	m.values = nil // a bug: the handler writes into a nil map
	out, _ := m.Update(valuesMsg{host: "wintermute"})
	if got := out.(Model).errText; !strings.Contains(got, "internal error (please report): assignment to entry in nil map") {
		t.Errorf("a panic in Update becomes the error bar: %q", got)
	}
}

func TestNoColorHonoured(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if !theme.FromEnv(false).NoColor {
		t.Fatal("NO_COLOR turns colours off")
	}
	f := newFixture(t)
	m := newModel(context.Background(), Config{Repo: f.dir}, f.svc, theme.FromEnv(false))
	m = step(m, repoMsg{repo: f.repo})
	m = step(m, planMsg{repo: f.repo, plan: f.plan})
	m = step(m, snapshotMsg{seedSnapshot()})
	for _, keys := range [][]string{nil, {"tab"}, {"tab", "d"}} {
		m, _ = pressKeys(m, keys...)
		if s := m.Render(); strings.Contains(s, "[38;") || strings.Contains(s, "[48;") || strings.Contains(s, ";2;") {
			t.Errorf("colour escape after %v: %q", keys, s)
		}
	}
}

func TestQuitKeys(t *testing.T) {
	m := newFixture(t).ready(80, 24)
	for _, k := range []string{"q", "ctrl+c"} {
		_, cmd := pressKeys(m, k)
		if cmd == nil {
			t.Fatalf("%s returns a command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s quits", k)
		}
	}
	m, cmd := pressKeys(m, "e")
	m = settle(t, m, cmd)
	if _, cmd := pressKeys(m, "q"); cmd != nil {
		t.Error("q is text in the edit form")
	}
	if _, cmd := pressKeys(m, "ctrl+c"); cmd == nil {
		t.Error("ctrl+c quits from the edit form")
	}
}

// deployScript is wintermute's deploy as the engine reports it.
func deployScript() []fleetapply.Event {
	const cfg = `C:\Users\mdt\dev\wintermute\config.yml`
	step := func(s fleetapply.Step, st fleetapply.StepStatus, dest, msg string) fleetapply.Event {
		return fleetapply.Event{Kind: fleetapply.EvStep, Host: "wintermute", Step: s, Status: st, Dest: dest, Message: msg}
	}
	res := &fleetapply.RouteResult{Route: "local/reasoner", Upstream: "llama31-8b-wintermute", Host: "wintermute", OK: true,
		TTFT: 182e6, TokensPerSec: 41.3, CompletionToks: 12, FinishReason: "length"}
	return []fleetapply.Event{
		{Kind: fleetapply.EvPlan, Plan: &fleetapply.PlanSummary{Order: []string{"wintermute"}}},
		step(fleetapply.StepPending, fleetapply.StatusOK, "", ""),
		step(fleetapply.StepBackup, fleetapply.StatusStart, cfg, ""), step(fleetapply.StepBackup, fleetapply.StatusOK, cfg, ""),
		step(fleetapply.StepWrite, fleetapply.StatusStart, cfg, ""), step(fleetapply.StepWrite, fleetapply.StatusOK, cfg, "sha256 ebfa1215c864"),
		step(fleetapply.StepHandler, fleetapply.StatusStart, "", "windows-vllm-deploy : Restart vLLM container"),
		step(fleetapply.StepHandler, fleetapply.StatusOK, "", "windows-vllm-deploy : Restart vLLM container"),
		step(fleetapply.StepHealth, fleetapply.StatusStart, "", ""),
		{Kind: fleetapply.EvHealth, Host: "wintermute", Health: &fleetapply.HealthProgress{State: "loading", Expected: "llama31-8b-wintermute", Elapsed: 2e9, Timeout: 300e9}},
		{Kind: fleetapply.EvHealth, Host: "wintermute", Health: &fleetapply.HealthProgress{State: "serving", Expected: "llama31-8b-wintermute", Served: []string{"llama31-8b-wintermute"}, Elapsed: 4e9, Timeout: 300e9}},
		step(fleetapply.StepHealth, fleetapply.StatusOK, "", `wintermute serves "llama31-8b-wintermute" after 4s`),
		step(fleetapply.StepRouteTest, fleetapply.StatusStart, "", "local/reasoner"),
		{Kind: fleetapply.EvRouteChunk, Host: "wintermute", Route: "local/reasoner", Chunk: "Hello! This is "},
		{Kind: fleetapply.EvRouteChunk, Host: "wintermute", Route: "local/reasoner", Chunk: "llama31-8b-wintermute"},
		{Kind: fleetapply.EvRouteResult, Host: "wintermute", Route: "local/reasoner", Result: res},
		step(fleetapply.StepRouteTest, fleetapply.StatusOK, "", "local/reasoner"),
		{Kind: fleetapply.EvHostResult, Host: "wintermute", Status: fleetapply.StepStatus(fleetapply.OutcomeOK)},
		{Kind: fleetapply.EvSummary, Apply: &fleetapply.ApplySummary{OK: 1}, Message: "Apply: 1 ok, 0 failed, 0 skipped, 0 unchanged"},
	}
}

// TestEscThenKeyFoldedIntoAlt: a terminal sends esc quickly followed by a
// as alt+a; the UI reads the two keys.
func TestEscThenKeyFoldedIntoAlt(t *testing.T) {
	m := newFixture(t).ready(100, 24)
	m, _ = pressKeys(m, "d")
	out, _ := m.Update(tea.KeyPressMsg{Code: 'a', Mod: tea.ModAlt})
	m = out.(Model)
	if m.current() != viewFleet || m.confirm == nil {
		t.Errorf("alt+a is esc then a: view %v, confirm %v", m.current(), m.confirm != nil)
	}
}

func TestProgressKeyReopensTheLastTask(t *testing.T) {
	f := newFixture(t)
	f.engine.events = deployScript()
	m := f.ready(100, 30)
	m, _ = pressKeys(m, "p")
	if m.current() != viewFleet || !strings.Contains(screen(m), "no deploy, restart or route test has run yet") {
		t.Fatalf("p before any task says so:\n%s", screen(m))
	}
	m, cmd := pressKeys(m, "a", "y")
	m = settle(t, m, cmd)
	m, _ = pressKeys(m, "esc")
	if m.current() != viewFleet {
		t.Fatalf("esc leaves the progress view")
	}
	m, _ = pressKeys(m, "p")
	if m.current() != viewApply {
		t.Fatalf("p reopens the progress view")
	}
	mustContain(t, screen(m), "✓ Deploy wintermute")
}
