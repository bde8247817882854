package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/hvedit"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// memTransport serves files from memory: the hosts' deployed state in the
// seed (wintermute's config without served_model_name). It never dials.
type memTransport struct{ files map[string]string }

func (t memTransport) ReadFile(_ context.Context, path string) (remote.FileState, error) {
	c, ok := t.files[path]
	return remote.FileState{Path: path, Exists: ok, Content: []byte(c), SHA256: sha(c, ok)}, nil
}

func sha(c string, ok bool) string {
	if !ok {
		return ""
	}
	return hvedit.SHA256Hex([]byte(c))
}

func (memTransport) WriteFile(context.Context, string, []byte) (remote.WriteResult, error) {
	return remote.WriteResult{}, errors.New("memTransport is read-only")
}
func (memTransport) Run(context.Context, remote.Command) (remote.CommandResult, error) {
	return remote.CommandResult{}, errors.New("memTransport runs nothing")
}
func (memTransport) Snapshot(context.Context, string) (remote.HostSnapshot, error) {
	return remote.HostSnapshot{}, errors.New("memTransport has no GPUs")
}
func (memTransport) Describe() string { return "memory" }
func (memTransport) Close() error     { return nil }

// seedTransports are the hosts as the seed left them.
func seedTransports(t testing.TB, repo *fleet.Repo) fleetplan.TransportFactory {
	t.Helper()
	deployed := map[string]string{}
	for _, h := range repo.Hosts() {
		files, err := repo.RenderedFiles(h)
		if err != nil {
			t.Fatal(err)
		}
		for path, c := range files {
			if h == "wintermute" && strings.HasSuffix(path, "config.yml") {
				c = dropLine(c, "served_model_name")
			}
			deployed[path] = c
		}
	}
	return func(fleet.Connection) (remote.Transport, error) { return memTransport{deployed}, nil }
}

func dropLine(c, marker string) string {
	var out []string
	for _, l := range strings.SplitAfter(c, "\n") {
		if !strings.Contains(l, marker) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// fakeMonitor publishes one fixed snapshot, as the monitor would.
type fakeMonitor struct {
	snap   status.Snapshot
	closed bool
}

func (f *fakeMonitor) Run(ctx context.Context, _ time.Duration, publish func(status.Snapshot)) <-chan struct{} {
	done := make(chan struct{})
	publish(f.snap)
	close(done)
	return done
}
func (f *fakeMonitor) SetTargets([]status.Target, *status.ProxyTarget) {}
func (f *fakeMonitor) Close() error                                    { f.closed = true; return nil }

// fakeEngine records what the UI asked and reports scripted events.
type fakeEngine struct {
	mu       sync.Mutex
	calls    []string
	events   []fleetapply.Event
	err      error
	routeErr string // a failing route test's decoded error
}

func (e *fakeEngine) record(call string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, call)
}

func (e *fakeEngine) Calls() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.calls...)
}

func (e *fakeEngine) Apply(_ context.Context, plan *fleetplan.Plan, obs fleetapply.Observer) (fleetapply.ApplySummary, error) {
	e.record("apply")
	for _, ev := range e.events {
		obs(ev)
	}
	return fleetapply.ApplySummary{OK: 1}, e.err
}

func (e *fakeEngine) Restart(_ context.Context, host string, obs fleetapply.Observer) (fleetapply.ApplySummary, error) {
	e.record("restart " + host)
	for _, ev := range e.events {
		obs(ev)
	}
	return fleetapply.ApplySummary{OK: 1}, e.err
}

func (e *fakeEngine) TestRoute(_ context.Context, route string, obs fleetapply.Observer) (fleetapply.RouteResult, error) {
	e.record("test " + route)
	res := fleetapply.RouteResult{Route: route, Host: "wintermute", OK: e.routeErr == "", Error: e.routeErr, TTFT: 120 * time.Millisecond, TokensPerSec: 40}
	obs(fleetapply.Event{Kind: fleetapply.EvRouteChunk, Host: "wintermute", Route: route, Chunk: "Hello"})
	obs(fleetapply.Event{Kind: fleetapply.EvRouteResult, Host: "wintermute", Route: route, Result: &res})
	if !res.OK {
		return res, errors.New("route test " + route + ": " + res.Error)
	}
	return res, nil
}

// fixture is a ready model on a copy of the example, with fake services.
type fixture struct {
	t       testing.TB
	dir     string
	repo    *fleet.Repo
	plan    *fleetplan.Plan
	engine  *fakeEngine
	commits []string
	svc     services
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "homelab")
	if err := demo.CopyHomelab(dir); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, dir: dir, engine: &fakeEngine{}}
	f.svc = defaultServices(Config{Repo: dir})
	repo, err := f.svc.open()
	if err != nil {
		t.Fatal(err)
	}
	transports := seedTransports(t, repo)
	f.svc.plan = fleet.NewSession(fleet.Config{Repo: dir, Transports: transports}).Plan
	f.svc.monitor = func(*fleet.Repo) statusSource { return &fakeMonitor{snap: seedSnapshot()} }
	f.svc.targets = nil
	f.svc.engine = func(*fleet.Repo, []string) engine { return f.engine }
	f.svc.gitState = func(string) gitState { return gitState{known: true, isRepo: true} }
	f.svc.commit = func(root string, files []string, msg string) error {
		f.commits = append(f.commits, msg)
		return nil
	}
	f.svc.planEvery = time.Hour
	f.repo = repo
	if f.plan, err = f.svc.plan(context.Background(), repo); err != nil {
		t.Fatal(err)
	}
	return f
}

// seedSnapshot is the lab in the seed's state.
func seedSnapshot() status.Snapshot {
	gpu := status.GPU{Name: "NVIDIA GeForce RTX 4090", Util: status.Reading{Value: 1, OK: true},
		MemUsedMiB: status.Reading{Value: 22028, OK: true}, MemTotalMiB: status.Reading{Value: 24564, OK: true}}
	idle := status.Idle{Activity: status.ActivityIdle, For: 7 * time.Minute}
	load := status.Load{Known: true, RateKnown: true}
	return status.Snapshot{
		Hosts: []status.HostStatus{
			{Host: "wintermute", State: status.StateUp, Served: []string{"casperhansen/llama-3-8b-instruct-awq"},
				Expected: []string{"llama31-8b-wintermute"}, Mismatch: true, HostProbe: true, GPUs: []status.GPU{gpu}, Load: load, Idle: idle},
			{Host: "armitage", State: status.StateUp, Served: []string{"qwen2.5-7b-armitage"}, Expected: []string{"qwen2.5-7b-armitage"},
				HostProbe: true, GPUs: []status.GPU{gpu}, Load: load, Idle: idle},
		},
		Proxy: &status.ProxyStatus{Host: "motoko", State: status.StateUp},
		Routes: []status.RouteStatus{
			{Route: status.Route{Alias: "local/reasoner", Upstream: "llama31-8b-wintermute", Host: "wintermute"}, State: status.RouteMismatch,
				Detail: "wintermute serves casperhansen/llama-3-8b-instruct-awq"},
			{Route: status.Route{Alias: "local/fast", Upstream: "qwen2.5-7b-armitage", Host: "armitage"}, State: status.RouteOK},
		},
	}
}

// ready is the root after the repository, the plan and a snapshot arrived.
func (f *fixture) ready(w, h int) Model {
	m := newModel(context.Background(), Config{Repo: f.dir}, f.svc, theme.New(true))
	f.t.Cleanup(m.Close)
	m = step(m, tea.WindowSizeMsg{Width: w, Height: h})
	m = step(m, repoMsg{repo: f.repo})
	m = step(m, planMsg{repo: f.repo, plan: f.plan})
	m = step(m, gitMsg{f.svc.gitState(f.dir)})
	return step(m, snapshotMsg{seedSnapshot()})
}

// step runs Update without running the commands it returns.
func step(m Model, msg tea.Msg) Model {
	out, _ := m.Update(msg)
	return out.(Model)
}

// pressKeys presses keys by name and returns the model and the last command.
func pressKeys(m Model, names ...string) (Model, tea.Cmd) {
	var cmd tea.Cmd
	for _, n := range names {
		var out tea.Model
		out, cmd = m.Update(keyPress(n))
		m = out.(Model)
	}
	return m, cmd
}

// settle runs a command and everything it leads to, feeding the messages
// back into the model, until nothing more arrives for a moment. Ticks (the
// spinner, the next plan) are dropped: they only repeat.
func settle(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	msgs := make(chan settled, 64)
	running := map[int]time.Time{} // command number → when it started
	next := 0
	start := func(c tea.Cmd) {
		if c != nil {
			next++
			n := next
			running[n] = time.Now()
			go func() { msgs <- settled{n, c()} }()
		}
	}
	start(cmd)
	for {
		select {
		case s := <-msgs:
			delete(running, s.n)
			m = absorb(m, s.msg, start)
		case <-time.After(300 * time.Millisecond):
			if onlyLongRunning(running) {
				return m
			}
		}
	}
}

// settled is a command's message, with the command's number.
type settled struct {
	n   int
	msg tea.Msg
}

// onlyLongRunning: every command still running has run for a while, so it
// is one that waits for the next event (a snapshot, a task's events) rather
// than work in progress such as a plan, which on a loaded machine under
// -race can outlast a quiet spell.
func onlyLongRunning(running map[int]time.Time) bool {
	for _, started := range running {
		if time.Since(started) < 5*time.Second {
			return false
		}
	}
	return true
}

func absorb(m Model, msg tea.Msg, start func(tea.Cmd)) Model {
	switch msg := msg.(type) {
	case nil, spinMsg, replanMsg:
		return m
	case tea.BatchMsg:
		for _, c := range msg {
			start(c)
		}
		return m
	}
	out, cmd := m.Update(msg)
	start(cmd)
	return out.(Model)
}
