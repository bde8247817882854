package apply_test

// End-to-end tests of the apply engine on the simulated lab (docs/lab.md, docs/architecture.md).
// They live outside package fleet because the lab's builder, package demo,
// imports fleet.

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/api"
	"github.com/straylight-fleet/straylight/remote/sim"
)

const (
	oldServedName = "casperhansen/llama-3-8b-instruct-awq"
	newServedName = "llama31-8b-wintermute"
	renamedName   = "llama31-8b-wintermute-v2"
	wintermuteCfg = `C:\Users\mdt\dev\wintermute\config.yml`
	armitageCfg   = `C:\Users\mdt\dev\armitage\config.yml`
	reasoner      = "local/reasoner"
)

// startLab starts the demo lab in the seed's broken state, fast.
func startLab(t testing.TB, faults ...string) *demo.Demo {
	t.Helper()
	return startLabWith(t, demo.Options{Faults: faults, LoadDelay: 250 * time.Millisecond})
}

func startLabWith(t testing.TB, opts demo.Options) *demo.Demo {
	t.Helper()
	opts.Dir, opts.TokenRate = t.TempDir(), 2000
	d, err := demo.Start(opts)
	if err != nil {
		t.Fatalf("demo.Start: %v", err)
	}
	t.Cleanup(d.Close)
	return d
}

// openRepo opens the repository as the command line does, vault included.
func openRepo(t testing.TB, dir string) *ansible.Repo {
	t.Helper()
	dec, _, err := fleet.LoadVault(dir, fleet.VaultOptions{})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := ansible.Open(ansible.Options{Repo: dir, Decrypter: dec})
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

// labTransports opens the lab's hosts as a session does: WinRM, local,
// and SSH (case, riviera) through one pool, closed when the test ends.
func labTransports(t testing.TB) fleetplan.TransportFactory {
	t.Helper()
	env, err := remote.SSHEnvFromProcess(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := fleetplan.NewTransports(env)
	t.Cleanup(func() { tr.Close() })
	return tr.Open
}

// planRepo opens the repository afresh and plans it.
func planRepo(t testing.TB, dir string) (*ansible.Repo, *fleetplan.Plan) {
	t.Helper()
	repo := openRepo(t, dir)
	p := &fleetplan.Planner{Repo: repo, Transports: labTransports(t)}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if plan.HasErrors() {
		t.Fatalf("plan has errors: %+v", plan.Findings)
	}
	return repo, plan
}

// recorder keeps every event the engine reports; hook, when set, sees each
// event first (on the engine's goroutine, like any observer).
type recorder struct {
	mu   sync.Mutex
	evs  []apply.Event
	hook func(apply.Event)
}

func (r *recorder) observe(ev apply.Event) {
	if r.hook != nil {
		r.hook(ev)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, ev)
}

func (r *recorder) events() []apply.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.evs)
}

// applyRun is a finished apply.
type applyRun struct {
	sum apply.ApplySummary
	evs []apply.Event
}

// applyDir plans the repository and applies it with opts.
func applyDir(t testing.TB, ctx context.Context, dir string, opts apply.Options, rec *recorder) applyRun {
	t.Helper()
	repo, plan := planRepo(t, dir)
	return applyPlan(t, ctx, repo, plan, opts, rec)
}

func applyPlan(t testing.TB, ctx context.Context, repo *ansible.Repo, plan *fleetplan.Plan, opts apply.Options, rec *recorder) applyRun {
	t.Helper()
	if rec == nil {
		rec = &recorder{}
	}
	eng := &apply.Engine{Repo: repo, Transports: labTransports(t), Opts: opts}
	sum, err := eng.Apply(ctx, plan, rec.observe)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return applyRun{sum: sum, evs: rec.events()}
}

// index returns the position of the first event matching, or -1.
func index(evs []apply.Event, match func(apply.Event) bool) int {
	return slices.IndexFunc(evs, match)
}

func isStep(host string, step apply.Step, status apply.StepStatus) func(apply.Event) bool {
	return func(ev apply.Event) bool {
		return ev.Kind == apply.EvStep && ev.Host == host && ev.Step == step && ev.Status == status
	}
}

func stepAt(t *testing.T, evs []apply.Event, host string, step apply.Step, status apply.StepStatus) (int, time.Time) {
	t.Helper()
	i := index(evs, isStep(host, step, status))
	if i < 0 {
		t.Fatalf("no %s %s step for %s", step, status, host)
	}
	return i, evs[i].Time
}

// result is the last host_result of host.
func result(evs []apply.Event, host string) apply.Event {
	for _, ev := range slices.Backward(evs) {
		if ev.Kind == apply.EvHostResult && ev.Host == host {
			return ev
		}
	}
	return apply.Event{}
}

func wantResult(t *testing.T, evs []apply.Event, host, status string, msgParts ...string) {
	t.Helper()
	r := result(evs, host)
	if string(r.Status) != status {
		t.Errorf("%s ended %q (%s), want %q", host, r.Status, r.Message, status)
	}
	for _, p := range msgParts {
		if !strings.Contains(strings.ToLower(r.Message), strings.ToLower(p)) {
			t.Errorf("%s's result %q does not mention %q", host, r.Message, p)
		}
	}
}

func wantServed(t *testing.T, d *demo.Demo, host, name string) {
	t.Helper()
	if got := d.Lab.VLLM(host).ServedModels(); !slices.Equal(got, []string{name}) {
		t.Errorf("%s serves %q, want [%q]", host, got, name)
	}
}

func labFile(t testing.TB, d *demo.Demo, host, path string) string {
	t.Helper()
	b, ok := d.Lab.FS(host).ReadFile(path)
	if !ok {
		t.Fatalf("%s:%s missing on the lab", host, path)
	}
	return string(b)
}

func editRepo(t testing.TB, dir, rel, old, new string) {
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

// renameWintermute renames wintermute's served name and the route's
// upstream together, as one commit would.
func renameWintermute(t testing.TB, dir string) {
	t.Helper()
	editRepo(t, dir, "host_vars/wintermute.yml", `served_model_name: "`+newServedName+`"`, `served_model_name: "`+renamedName+`"`)
	editRepo(t, dir, "group_vars/motoko.yml", "wintermute_model_display: openai/"+newServedName+"\n", "wintermute_model_display: openai/"+renamedName+"\n")
}

// converge applies the seed's fix, so the lab is in sync with the repository.
func converge(t *testing.T, d *demo.Demo) {
	t.Helper()
	run := applyDir(t, context.Background(), d.Dir, apply.Options{}, nil)
	if run.sum.OK != 1 || run.sum.Failed != 0 {
		t.Fatalf("converging the seed's fix: %+v", run.sum)
	}
	wantServed(t, d, "wintermute", newServedName)
}

// routeSample is one request through LiteLLM while an apply runs.
type routeSample struct {
	start, end  time.Time
	class       string // ok, upstream-down, wrong-name-404, proxy-down, other
	detail      string
	stateBefore sim.VLLMState
	stateAfter  sim.VLLMState
	servedAfter []string
}

// routePoller requests a route through the lab's LiteLLM every interval and
// classifies each answer, with what the backend served around it.
type routePoller struct {
	d        *demo.Demo
	route    string
	backend  string
	interval time.Duration

	mu      sync.Mutex
	samples []routeSample
	stop    chan struct{}
	done    chan struct{}
}

func startPoller(d *demo.Demo, route, backend string) *routePoller {
	p := &routePoller{d: d, route: route, backend: backend, interval: 50 * time.Millisecond,
		stop: make(chan struct{}), done: make(chan struct{})}
	go p.loop()
	return p
}

func (p *routePoller) loop() {
	defer close(p.done)
	client := api.NewHTTPClient()
	tick := time.NewTicker(p.interval)
	defer tick.Stop()
	for {
		p.sampleOnce(client)
		select {
		case <-p.stop:
			return
		case <-tick.C:
		}
	}
}

func (p *routePoller) sampleOnce(client *http.Client) {
	vllm := p.d.Lab.VLLM(p.backend)
	s := routeSample{start: time.Now(), stateBefore: vllm.State()}
	proxy := p.d.Lab.Proxy()
	req := api.ChatRequest{Model: p.route, MaxTokens: 4, APIKey: proxy.MasterKey(), IdleTimeout: 2 * time.Second, Upstream: p.backend}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	_, err := api.StreamChat(ctx, client, proxy.URL(), req, nil)
	cancel()
	s.end, s.stateAfter, s.servedAfter = time.Now(), vllm.State(), vllm.ServedModels()
	s.class, s.detail = classifyRouteError(err)
	p.mu.Lock()
	p.samples = append(p.samples, s)
	p.mu.Unlock()
}

// classifyRouteError names what a client of the route saw.
func classifyRouteError(err error) (class, detail string) {
	var netErr *net.OpError
	switch {
	case err == nil:
		return "ok", ""
	case api.KindOf(err) == api.KindWrongModelName:
		return "wrong-name-404", err.Error()
	case api.KindOf(err) == api.KindUpstreamDown:
		return "upstream-down", err.Error()
	case api.KindOf(err) == api.KindMidStream || api.KindOf(err) == api.KindTruncated:
		return "stream-cut", err.Error()
	case droppedByProxy(err):
		return "proxy-dropped", err.Error()
	case errors.As(err, &netErr):
		return "proxy-down", err.Error()
	}
	return "other", err.Error()
}

// droppedByProxy: the proxy closed or reset the connection before it
// answered — what a keep-alive connection meets when LiteLLM restarts.
func droppedByProxy(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || strings.Contains(err.Error(), "server closed idle connection")
}

// waitFor waits until some sample has class, or timeout.
func (p *routePoller) waitFor(class string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if p.count(class) > 0 {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

func (p *routePoller) count(class string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.samples {
		if s.class == class {
			n++
		}
	}
	return n
}

// finish stops polling after a few more samples and returns them all.
func (p *routePoller) finish() []routeSample {
	time.Sleep(3 * p.interval)
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.samples)
}

// TestApplyRenameOrdersBackendBeforeProxy: one edit renames wintermute's
// served name and the route's upstream together. The engine deploys
// wintermute first and waits until it serves the new name before it touches
// LiteLLM's config; a client of local/reasoner sees the upstream down while
// the model loads and a wrong-name 404 only between wintermute's switch and
// LiteLLM's restart, and the apply says why it ordered things so and how
// long the route failed.
func TestApplyRenameOrdersBackendBeforeProxy(t *testing.T) {
	// A longer load than elsewhere: the poller must catch it in the act.
	d := startLabWith(t, demo.Options{LoadDelay: 600 * time.Millisecond})
	converge(t, d)
	renameWintermute(t, d.Dir)
	repo, plan := planRepo(t, d.Dir)
	if plan.Summary.Changed != 2 {
		t.Fatalf("the rename plans %d changed files, want 2 (wintermute's config.yml, motoko's config.yaml)", plan.Summary.Changed)
	}

	poller := startPoller(d, reasoner, "wintermute")
	rec := &recorder{hook: holdWindowsOpen(t, poller)}
	run := applyPlan(t, context.Background(), repo, plan, apply.Options{}, rec)
	samples := poller.finish()

	checkRenameOrder(t, run.evs)
	checkRouteSamples(t, run.evs, samples)
	checkRenameExplained(t, run)
	wantServed(t, d, "wintermute", renamedName)
}

// holdWindowsOpen makes each failure window long enough for the 50 ms poller
// to see it, whatever the machine's speed: while wintermute loads, wait
// until a client saw the upstream down (or the load ended); before LiteLLM
// restarts, wait until a client saw the wrong-name 404. It only delays the
// engine; the order is the engine's own.
func holdWindowsOpen(t *testing.T, p *routePoller) func(apply.Event) {
	return func(ev apply.Event) {
		switch {
		case isStep("wintermute", apply.StepHandler, apply.StatusOK)(ev):
			p.waitFor("upstream-down", time.Second)
		case isStep("motoko", apply.StepHandler, apply.StatusStart)(ev):
			if !p.waitFor("wrong-name-404", 30*time.Second) { // generous: only a loaded machine needs it
				t.Error("no client saw the wrong-name 404 while wintermute served the new name and LiteLLM the old")
			}
		}
	}
}

// checkRenameOrder: wintermute restarted and healthy on the new name before
// motoko's config was written.
func checkRenameOrder(t *testing.T, evs []apply.Event) {
	t.Helper()
	healthy, _ := stepAt(t, evs, "wintermute", apply.StepHealth, apply.StatusOK)
	written, _ := stepAt(t, evs, "motoko", apply.StepWrite, apply.StatusStart)
	if healthy > written {
		t.Errorf("motoko's config written (event %d) before wintermute was healthy (event %d)", written, healthy)
	}
	if h := evs[healthy]; !strings.Contains(h.Message, renamedName) {
		t.Errorf("wintermute's gate passed on %q, want the new name %s", h.Message, renamedName)
	}
	wantResult(t, evs, "wintermute", "ok")
	wantResult(t, evs, "motoko", "ok")
	i := index(evs, func(ev apply.Event) bool {
		return ev.Kind == apply.EvRouteResult && ev.Route == reasoner && ev.Result != nil && ev.Result.OK
	})
	if i < 0 || i < written {
		t.Errorf("no passing route test of %s after LiteLLM's restart", reasoner)
	}
}

// checkRouteSamples classifies what clients saw: the wrong-name 404 only
// after wintermute switched and before LiteLLM's restart, never while the
// model loaded (then the upstream is down).
func checkRouteSamples(t *testing.T, evs []apply.Event, samples []routeSample) {
	t.Helper()
	_, proxyRestarted := stepAt(t, evs, "motoko", apply.StepHandler, apply.StatusOK)
	counts := map[string]int{}
	for _, s := range samples {
		counts[s.class]++
		switch {
		case s.class == "wrong-name-404" && !slices.Equal(s.servedAfter, []string{renamedName}):
			t.Errorf("404 before wintermute switched (it served %q): %s", s.servedAfter, s.detail)
		case s.class == "wrong-name-404" && !s.start.Before(proxyRestarted):
			t.Errorf("404 after LiteLLM restarted on the new name: %s", s.detail)
		case s.stateBefore == sim.VLLMLoading && s.stateAfter == sim.VLLMLoading && s.class != "upstream-down":
			t.Errorf("while wintermute loaded, a client saw %s, want upstream-down: %s", s.class, s.detail)
		case s.class == "stream-cut" && !cutByRestart(s, evs):
			t.Errorf("a stream broke off with no restart under way: %s", s.detail)
		case s.class == "proxy-dropped" && !cutByRestart(s, evs):
			t.Errorf("the proxy dropped a connection with no restart under way: %s", s.detail)
		case s.class == "other":
			t.Errorf("unexpected failure: %s", s.detail)
		}
	}
	if counts["upstream-down"] == 0 && sampledDuringLoad(samples) {
		t.Error("no client saw the upstream down while wintermute loaded")
	}
	if first, last := samples[0], samples[len(samples)-1]; first.class != "ok" || last.class != "ok" {
		t.Errorf("route before the apply %s, after %s: want ok both", first.class, last.class)
	}
	logTimeline(t, samples)
	t.Logf("route samples by class: %v", counts)
}

// sampledDuringLoad: some request began and ended while wintermute loaded
// (on a starved machine the poller may sleep through the whole load).
func sampledDuringLoad(samples []routeSample) bool {
	return slices.ContainsFunc(samples, func(s routeSample) bool {
		return s.stateBefore == sim.VLLMLoading && s.stateAfter == sim.VLLMLoading
	})
}

// cutByRestart: a stream in flight when wintermute or LiteLLM restarted is
// cut off; that is the restart's doing, not a wrong name.
func cutByRestart(s routeSample, evs []apply.Event) bool {
	if s.stateBefore == sim.VLLMServing && s.stateAfter != sim.VLLMServing {
		return true
	}
	i := index(evs, isStep("motoko", apply.StepHandler, apply.StatusStart))
	j := index(evs, isStep("motoko", apply.StepHandler, apply.StatusOK))
	return i >= 0 && j >= 0 && !s.end.Before(evs[i].Time) && !s.start.After(evs[j].Time)
}

// logTimeline prints the route's life during the apply, one line per run of
// one class.
func logTimeline(t *testing.T, samples []routeSample) {
	t0 := samples[0].start
	for i := 0; i < len(samples); {
		j := i
		for j+1 < len(samples) && samples[j+1].class == samples[i].class {
			j++
		}
		t.Logf("%7s – %7s  %-15s ×%d %s", samples[i].start.Sub(t0).Round(time.Millisecond),
			samples[j].end.Sub(t0).Round(time.Millisecond), samples[i].class, j-i+1, firstLine(samples[i].detail))
		i = j + 1
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if len(line) > 140 {
		line = line[:140] + "…"
	}
	return line
}

// checkRenameExplained: the plan event says why wintermute goes first; the
// summary says how long the route failed and why.
func checkRenameExplained(t *testing.T, run applyRun) {
	t.Helper()
	plan := run.evs[0]
	if plan.Kind != apply.EvPlan || !slices.Equal(plan.Plan.Order, []string{"case", "riviera", "dixie", "wintermute", "armitage", "motoko"}) {
		t.Fatalf("first event %+v (order %v), want the plan in order case, riviera, dixie (the Linux hosts), wintermute, armitage, motoko", plan, plan.Plan.Order)
	}
	for _, part := range []string{"wintermute first", "healthy before motoko's LiteLLM config changes"} {
		if !strings.Contains(plan.Plan.Why, part) {
			t.Errorf("plan's why %q lacks %q", plan.Plan.Why, part)
		}
	}
	last := run.evs[len(run.evs)-1]
	if last.Kind != apply.EvSummary || run.sum.RouteFailingFor <= 0 {
		t.Fatalf("summary %+v: want the route's failing time", last)
	}
	for _, part := range []string{"failed for", "while it loaded (upstream down)", "asking it for the old name (404) until LiteLLM's restart", "while LiteLLM restarted on the new name"} {
		if !strings.Contains(last.Message, part) {
			t.Errorf("summary %q lacks %q", last.Message, part)
		}
	}
	t.Logf("plan why: %s\nsummary: %s", plan.Plan.Why, last.Message)
}
