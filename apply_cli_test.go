package main

// End-to-end tests of `straylight --apply` on the simulated lab
// (docs/lab.md; the apply engine in docs/architecture.md; the command line in
// README.md): each test starts a lab on its own repository copy, as
// `--serve-lab DIR` does, and runs the command line against it with -C DIR.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/state"
)

const (
	oldServedName = "casperhansen/llama-3-8b-instruct-awq"
	newServedName = "llama31-8b-wintermute"
	wintermuteCfg = `C:\Users\mdt\dev\wintermute\config.yml`
	armitageCfg   = `C:\Users\mdt\dev\armitage\config.yml`
)

// startCLILab starts the lab in the seed's broken state, fast: a short model
// load and a high token rate keep each apply well under a second.
func startCLILab(t *testing.T, faults ...string) *demo.Demo {
	t.Helper()
	d, err := demo.Start(demo.Options{Dir: t.TempDir(), Faults: faults,
		LoadDelay: 250 * time.Millisecond, TokenRate: 2000})
	if err != nil {
		t.Fatalf("demo.Start: %v", err)
	}
	t.Cleanup(d.Close)
	return d
}

// cliResult is one run of the command line.
type cliResult struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	return runCLIWith(t, context.Background(), nil, args...)
}

// runCLIWith runs straylight with ctx; tee, when set, also sees stdout.
func runCLIWith(t *testing.T, ctx context.Context, tee func([]byte), args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	out := &teeWriter{buf: &stdout, tee: tee}
	code := run(ctx, args, strings.NewReader(""), out, &stderr)
	t.Logf("straylight %s → exit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// teeWriter is stdout that a test can watch while the command runs.
type teeWriter struct {
	mu  sync.Mutex
	buf *bytes.Buffer
	tee func([]byte)
}

func (w *teeWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	n, err := w.buf.Write(p)
	w.mu.Unlock()
	if w.tee != nil {
		w.tee(p)
	}
	return n, err
}

func wantExit(t *testing.T, r cliResult, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func wantContains(t *testing.T, what, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s lacks %q:\n%s", what, s, text)
		}
	}
}

// decodeEvents reads --apply --json output: one event per line.
func decodeEvents(t *testing.T, stdout string) []apply.Event {
	t.Helper()
	var out []apply.Event
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev apply.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("not a JSON Lines event: %q: %v", sc.Text(), err)
		}
		out = append(out, ev)
	}
	return out
}

func eventKinds(evs []apply.Event) []apply.EventKind {
	var kinds []apply.EventKind
	for _, ev := range evs {
		if !slices.Contains(kinds, ev.Kind) {
			kinds = append(kinds, ev.Kind)
		}
	}
	return kinds
}

func hasStep(evs []apply.Event, host string, step apply.Step, status apply.StepStatus) bool {
	return slices.ContainsFunc(evs, func(ev apply.Event) bool {
		return ev.Kind == apply.EvStep && ev.Host == host && ev.Step == step && ev.Status == status
	})
}

func hostResult(evs []apply.Event, host string) apply.Event {
	for _, ev := range slices.Backward(evs) {
		if ev.Kind == apply.EvHostResult && ev.Host == host {
			return ev
		}
	}
	return apply.Event{}
}

func lastSummary(t *testing.T, evs []apply.Event) apply.ApplySummary {
	t.Helper()
	for _, ev := range slices.Backward(evs) {
		if ev.Kind == apply.EvSummary && ev.Apply != nil {
			return *ev.Apply
		}
	}
	t.Fatal("no summary event")
	return apply.ApplySummary{}
}

func servedBy(d *demo.Demo, host string) []string { return d.Lab.VLLM(host).ServedModels() }

func wantServed(t *testing.T, d *demo.Demo, host, name string) {
	t.Helper()
	if got := servedBy(d, host); !slices.Equal(got, []string{name}) {
		t.Errorf("%s serves %q, want [%q]", host, got, name)
	}
}

func labFile(t *testing.T, d *demo.Demo, host, path string) string {
	t.Helper()
	b, ok := d.Lab.FS(host).ReadFile(path)
	if !ok {
		t.Fatalf("%s:%s missing on the lab", host, path)
	}
	return string(b)
}

// editRepo replaces old with new in a repository file, exactly once.
func editRepo(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	path := filepath.Join(dir, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(data), old) != 1 {
		t.Fatalf("%s: %q occurs %d times, want once", rel, old, strings.Count(string(data), old))
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// setHealthTimeout writes straylight.yml so a host that never loads fails fast.
func setHealthTimeout(t *testing.T, dir string, seconds float64) {
	t.Helper()
	body := []byte(fmt.Sprintf("health_timeout_seconds: %g\n", seconds))
	if err := os.WriteFile(filepath.Join(dir, "straylight.yml"), body, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCLIDemoApply is the demo as a user runs it: `straylight --demo --apply
// --yes` deploys wintermute's fixed config, restarts it, gates on the new
// name and streams local/reasoner through LiteLLM; over SSH it writes case's
// config with sudo and restarts its systemd unit (riviera, in a container,
// is unchanged); dixie's llama-server unit is written with sudo, systemd
// reloaded and the unit restarted, and local/dixie streams through LiteLLM
// from the lab's llama.cpp server.
func TestCLIDemoApply(t *testing.T) {
	r := runCLI(t, "--demo", "--apply", "--yes")
	wantExit(t, r, exitOK)
	wantContains(t, "stdout", r.stdout,
		"order: case, riviera, dixie, wintermute, armitage, motoko",
		`[wintermute] write ok `+wintermuteCfg,
		"[wintermute] handler ok windows-vllm-deploy : Restart vLLM container",
		`[wintermute] health ok wintermute serves "`+newServedName+`"`,
		"[wintermute] local/reasoner ▸ ",
		"[wintermute] route local/reasoner ok: first token",
		"[wintermute] OK",
		"[armitage] UNCHANGED",
		"[motoko] UNCHANGED",
		"[case] write ok ",
		"[case] handler ok Restart vLLM",
		`[case] health ok case serves "llama31-8b-case"`,
		"[case] route local/case ok: first token",
		"[case] OK",
		"[riviera] UNCHANGED",
		"[dixie] write ok ",
		"[dixie] handler ok Restart llama-server",
		`[dixie] health ok dixie serves "llama32-3b-dixie"`,
		"[dixie] local/dixie ▸ ",
		"[dixie] route local/dixie ok: first token",
		"[dixie] OK",
		"Apply: 3 ok, 0 failed, 0 skipped, 3 unchanged")
	if got, want := streamedText(r.stdout, "[dixie] local/dixie ▸ "), "Hello! This is llama32-3b-dixie on dixie, a simulated llama.cpp server. "; !strings.HasPrefix(got, want) {
		t.Errorf("dixie's route test streamed %q, want it to start %q:\n%s", got, want, r.stdout)
	}
}

// streamedText is a route test's streamed text as the printer shows it:
// the rest of each line starting with prefix, joined. Another host's event
// arriving mid-stream ends the line, and the stream goes on after it on a
// line of its own with the prefix again — where, depends on the timing.
func streamedText(out, prefix string) string {
	var b strings.Builder
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			b.WriteString(rest)
		}
	}
	return b.String()
}

// TestCLIApplyJSONThenIdempotent: on a served lab, --apply --json fixes the
// seed's mismatch and reports every kind of event; a second --apply changes
// and restarts nothing; --check then says there is nothing to do.
func TestCLIApplyJSONThenIdempotent(t *testing.T) {
	d := startCLILab(t)
	wantServed(t, d, "wintermute", oldServedName)

	first := runCLI(t, "-C", d.Dir, "--apply", "--yes", "--json")
	wantExit(t, first, exitOK)
	evs := decodeEvents(t, first.stdout)
	for _, k := range []apply.EventKind{apply.EvPlan, apply.EvStep, apply.EvHealth, apply.EvRouteChunk,
		apply.EvRouteResult, apply.EvHostResult, apply.EvSummary} {
		if !slices.Contains(eventKinds(evs), k) {
			t.Errorf("no %q event among %v", k, eventKinds(evs))
		}
	}
	checkFirstApplyEvents(t, evs)
	wantServed(t, d, "wintermute", newServedName)

	second := runCLI(t, "-C", d.Dir, "--apply", "--yes", "--json")
	wantExit(t, second, exitOK)
	evs = decodeEvents(t, second.stdout)
	for _, ev := range evs {
		if ev.Kind == apply.EvStep {
			t.Errorf("second apply did something: %+v", ev)
		}
	}
	if s := lastSummary(t, evs); s.OK != 0 || s.Failed != 0 || s.Unchanged != 6 {
		t.Errorf("second apply summary %+v, want 6 unchanged (dixie among them)", s)
	}
	if st := d.Lab.VLLM("wintermute").State(); st != "serving" {
		t.Errorf("wintermute %s after a no-op apply", st)
	}
	wantExit(t, runCLI(t, "-C", d.Dir, "--check"), exitOK)
}

// checkFirstApplyEvents: the route test streamed through LiteLLM to
// wintermute's new name, and the chunks add up to the result's text.
func checkFirstApplyEvents(t *testing.T, evs []apply.Event) {
	t.Helper()
	var streamed strings.Builder
	var result *apply.RouteResult
	for _, ev := range evs {
		switch {
		case ev.Kind == apply.EvRouteChunk && ev.Route == "local/reasoner":
			streamed.WriteString(ev.Chunk)
		case ev.Kind == apply.EvRouteResult && ev.Route == "local/reasoner":
			result = ev.Result
		}
	}
	if result == nil || !result.OK || result.Host != "wintermute" || result.Upstream != newServedName {
		t.Fatalf("route result %+v, want ok through wintermute to %s", result, newServedName)
	}
	if streamed.String() == "" || streamed.String() != result.Text {
		t.Errorf("chunks %q do not add up to the result text %q", streamed.String(), result.Text)
	}
	for _, step := range []apply.Step{apply.StepPending, apply.StepBackup, apply.StepWrite, apply.StepHandler, apply.StepHealth, apply.StepRouteTest} {
		if !hasStep(evs, "wintermute", step, apply.StatusOK) {
			t.Errorf("no %s ok step for wintermute", step)
		}
	}
	if r := hostResult(evs, "wintermute"); r.Status != "ok" {
		t.Errorf("wintermute result %+v", r)
	}
	if s := lastSummary(t, evs); s.OK != 1 || s.Unchanged != 5 || s.Failed != 0 {
		t.Errorf("summary %+v, want 1 ok, 5 unchanged", s)
	}
}

// TestCLINeverHealthyRollsBack: wintermute never loads the new config; the
// apply rolls it back to the old one (serving the old name again), exits 1,
// and --check still shows the change.
func TestCLINeverHealthyRollsBack(t *testing.T) {
	d := startCLILab(t, "wintermute:never-healthy")
	setHealthTimeout(t, d.Dir, 1.5)
	before := labFile(t, d, "wintermute", wintermuteCfg)

	r := runCLI(t, "-C", d.Dir, "--apply", "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stdout", r.stdout,
		"[wintermute] rollback start health gate: wintermute did not serve",
		"[wintermute] rollback ok previous config restored and serving",
		"[wintermute] FAILED", "rolled back",
		"Apply: 0 ok, 1 failed")
	wantServed(t, d, "wintermute", oldServedName)
	if after := labFile(t, d, "wintermute", wintermuteCfg); after != before {
		t.Errorf("config.yml not restored:\n%s\nwant:\n%s", after, before)
	}
	check := runCLI(t, "-C", d.Dir, "--check")
	wantExit(t, check, exitChanges)
	wantContains(t, "--check", check.stdout, `served_model_name: "`+newServedName+`"`)
}

// TestCLIWindowsHandlerFailureExitsOne: Docker Desktop is not running for
// the WinRM user, so Start-VLLM.ps1 exits 1 on wintermute; the apply says
// so with the script's line, rolls the file back and exits 1.
func TestCLIWindowsHandlerFailureExitsOne(t *testing.T) {
	d := startCLILab(t, "wintermute:docker-not-running")
	before := labFile(t, d, "wintermute", wintermuteCfg)
	r := runCLI(t, "-C", d.Dir, "--apply", "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stdout", r.stdout,
		"[wintermute] rollback start handler \"windows-vllm-deploy : Restart vLLM container\" exited 1: "+
			"Start-VLLM.ps1 -Action Restart failed: docker rm -f failed (exit 1)",
		"[wintermute] FAILED", "Apply: 0 ok, 1 failed")
	if after := labFile(t, d, "wintermute", wintermuteCfg); after != before {
		t.Errorf("config.yml not restored:\n%s\nwant:\n%s", after, before)
	}
}

// TestCLISecondApplyRefusedWhileLocked: another apply holds the repository
// lock; this one refuses, naming the holder, and writes nothing.
func TestCLISecondApplyRefusedWhileLocked(t *testing.T) {
	d := startCLILab(t)
	lock, err := state.Open(d.Dir).AcquireLock()
	if err != nil {
		t.Fatal(err)
	}
	before := labFile(t, d, "wintermute", wintermuteCfg)
	r := runCLI(t, "-C", d.Dir, "--apply", "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stderr", r.stderr, "another apply holds the repository lock",
		fmt.Sprintf("pid %d (", os.Getpid()))
	if labFile(t, d, "wintermute", wintermuteCfg) != before {
		t.Error("the refused apply wrote wintermute's config")
	}
	lock.Release()
	wantExit(t, runCLI(t, "-C", d.Dir, "--apply", "--yes"), exitOK)
}

// TestCLIPendingRestartSurvivesKill: the run dies between the file write and
// the restart (interrupted right after the write, with --no-rollback: an
// interrupted apply otherwise rolls the host back, as a kill -9 cannot);
// the next --apply sees no file to change but still runs the recorded
// restart.
func TestCLIPendingRestartSurvivesKill(t *testing.T) {
	d := startCLILab(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen bytes.Buffer
	killAfterWrite := func(p []byte) {
		seen.Write(p)
		if strings.Contains(seen.String(), "[wintermute] write ok") {
			cancel()
		}
	}
	r := runCLIWith(t, ctx, killAfterWrite, "-C", d.Dir, "--apply", "--yes", "--no-rollback")
	wantExit(t, r, exitFailure)
	if strings.Contains(r.stdout, "[wintermute] handler ok") {
		t.Fatal("the interrupted run restarted wintermute")
	}
	wantContains(t, "wintermute's config after the interrupted run", labFile(t, d, "wintermute", wintermuteCfg), newServedName)
	wantServed(t, d, "wintermute", oldServedName)

	next := runCLI(t, "-C", d.Dir, "--apply", "--yes")
	wantExit(t, next, exitOK)
	wantContains(t, "stdout", next.stdout, "Plan: 0 to change",
		"[wintermute] handler ok windows-vllm-deploy : Restart vLLM container",
		"[wintermute] route local/reasoner ok", "[wintermute] OK")
	wantServed(t, d, "wintermute", newServedName)
	again := runCLI(t, "-C", d.Dir, "--apply", "--yes")
	wantExit(t, again, exitOK)
	if strings.Contains(again.stdout, "handler") {
		t.Error("the pending restart ran twice")
	}
}

// TestCLISavedPlanStaleWhenHostChanged: the live file changed after
// --plan-out; applying the saved plan is refused and writes nothing.
func TestCLISavedPlanStaleWhenHostChanged(t *testing.T) {
	d := startCLILab(t)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	wantExit(t, runCLI(t, "-C", d.Dir, "--check", "--plan-out", planFile), exitChanges)
	edited := labFile(t, d, "wintermute", wintermuteCfg) + "# edited by hand on the host\n"
	d.Lab.FS("wintermute").WriteFile(wintermuteCfg, []byte(edited))

	r := runCLI(t, "-C", d.Dir, "--apply", "--plan", planFile, "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stderr", r.stderr, "plan is stale", "wintermute", "changed on the host")
	if labFile(t, d, "wintermute", wintermuteCfg) != edited {
		t.Error("a stale plan was applied")
	}
}

// TestCLISavedPlanStaleWhenRepoChanged: the repository renders a planned
// file differently since --plan-out; the saved plan is refused.
func TestCLISavedPlanStaleWhenRepoChanged(t *testing.T) {
	d := startCLILab(t)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	wantExit(t, runCLI(t, "-C", d.Dir, "--check", "--plan-out", planFile), exitChanges)
	before := labFile(t, d, "wintermute", wintermuteCfg)
	editRepo(t, d.Dir, "host_vars/wintermute.yml", "max_model_len: 9000", "max_model_len: 8192")

	r := runCLI(t, "-C", d.Dir, "--apply", "--plan", planFile, "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stderr", r.stderr, "plan is stale", "renders", "wintermute")
	if labFile(t, d, "wintermute", wintermuteCfg) != before {
		t.Error("a stale plan was applied")
	}
}

// TestCLISavedPlanAppliesExactlyIt: a plan saved before a second repository
// edit (armitage's) applies only the first (wintermute's): armitage's file
// is neither written nor its vLLM restarted, and --check still shows it.
func TestCLISavedPlanAppliesExactlyIt(t *testing.T) {
	d := startCLILab(t)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	wantExit(t, runCLI(t, "-C", d.Dir, "--check", "--plan-out", planFile), exitChanges)
	armitageBefore := labFile(t, d, "armitage", armitageCfg)
	editRepo(t, d.Dir, "host_vars/armitage.yml", "gpu_memory_utilization: 0.85", "gpu_memory_utilization: 0.8")

	r := runCLI(t, "-C", d.Dir, "--apply", "--plan", planFile, "--yes", "--json")
	wantExit(t, r, exitOK)
	evs := decodeEvents(t, r.stdout)
	for _, ev := range evs {
		if ev.Kind == apply.EvStep && ev.Host != "wintermute" {
			t.Errorf("the saved plan did not record this: %+v", ev)
		}
	}
	if !hasStep(evs, "wintermute", apply.StepWrite, apply.StatusOK) {
		t.Error("wintermute's recorded change was not applied")
	}
	wantServed(t, d, "wintermute", newServedName)
	if labFile(t, d, "armitage", armitageCfg) != armitageBefore {
		t.Error("armitage's config was written though the saved plan did not change it")
	}
	check := runCLI(t, "-C", d.Dir, "--check")
	wantExit(t, check, exitChanges)
	wantContains(t, "--check", check.stdout, "gpu_memory_utilization: 0.8")
}

// TestCLIRenameExplainsOrder: renaming wintermute's served name and the
// route's upstream in one edit, the apply prints why wintermute goes first,
// gates it on the new name before motoko's config is written, and says how
// long the route failed.
func TestCLIRenameExplainsOrder(t *testing.T) {
	d := startCLILab(t)
	wantExit(t, runCLI(t, "-C", d.Dir, "--apply", "--yes"), exitOK)
	const renamed = newServedName + "-v2"
	editRepo(t, d.Dir, "host_vars/wintermute.yml", `served_model_name: "`+newServedName+`"`, `served_model_name: "`+renamed+`"`)
	editRepo(t, d.Dir, "group_vars/motoko.yml", "openai/"+newServedName+"\n", "openai/"+renamed+"\n")

	r := runCLI(t, "-C", d.Dir, "--apply", "--yes")
	wantExit(t, r, exitOK)
	wantContains(t, "stdout", r.stdout,
		"  why: wintermute first: deployed, restarted and healthy before motoko's LiteLLM config changes",
		"Apply: 2 ok, 0 failed, 0 skipped, 4 unchanged; routes through the renamed backend failed for ")
	healthy := strings.Index(r.stdout, `[wintermute] health ok wintermute serves "`+renamed+`"`)
	written := strings.Index(r.stdout, "[motoko] write ok")
	tested := strings.Index(r.stdout, "route local/reasoner ok")
	if healthy < 0 || written < healthy || tested < written {
		t.Errorf("want wintermute healthy on %s, then motoko written, then the route tested; got positions %d, %d, %d", renamed, healthy, written, tested)
	}
	wantServed(t, d, "wintermute", renamed)
}

// TestCLIApplyRefusesABrokenRouteUnlessForced: wintermute deployed, then
// served_model_name cleared: the static lint says local/reasoner will 404;
// --apply refuses, naming the route and why, and writes nothing; --force
// deploys anyway (and the route test then fails and rolls it back).
func TestCLIApplyRefusesABrokenRouteUnlessForced(t *testing.T) {
	d := startCLILab(t)
	wantExit(t, runCLI(t, "-C", d.Dir, "--apply", "--yes"), exitOK)
	editRepo(t, d.Dir, "host_vars/wintermute.yml", "  served_model_name: \"llama31-8b-wintermute\"", "  served_model_name:")
	before := labFile(t, d, "wintermute", wintermuteCfg)
	r := runCLI(t, "-C", d.Dir, "--apply", "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stderr", r.stderr, "deploying breaks route local/reasoner (", "--force deploys anyway")
	if after := labFile(t, d, "wintermute", wintermuteCfg); after != before {
		t.Fatalf("a refused apply wrote wintermute's config:\n%s", after)
	}
	forced := runCLI(t, "-C", d.Dir, "--apply", "--yes", "--force")
	wantContains(t, "stderr", forced.stderr, "--force: deploying although it breaks route local/reasoner")
	wantContains(t, "stdout", forced.stdout, "[wintermute] write ok")
}
