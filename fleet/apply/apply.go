package apply

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/ansible/delegate"
	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/state"
	"github.com/straylight-fleet/straylight/remote/api"
)

// Options control an apply (docs/architecture.md; README, "Command line").
type Options struct {
	Hosts           []string // apply only these hosts of the plan; empty: all
	Forks           int      // hosts deployed at once; 0: 10
	SkipUnsupported bool     // apply hosts with unsupported tasks, skipping them
	WhenIdle        bool     // restart a host only once it has been idle long enough
	NoRollback      bool     // leave a failed host as it is
}

// Engine applies plans: the only engine, driven by --apply and by the TUI
// through the same Observer events.
type Engine struct {
	Repo       *ansible.Repo
	Fleet      *discover.Fleet // the repository's fleet; nil: read from Repo once
	Transports plan.TransportFactory
	Opts       Options
	HTTP       *http.Client // for health gates and route tests; nil: api.NewHTTPClient()
	// Ansible runs the plays of a host's tasks planned via ansible
	// (delegated.go); nil: a host with such tasks is refused.
	Ansible *delegate.Runner

	once  sync.Once
	st    *state.Store
	fleet *discover.Fleet
}

// init reads, once, the fleet and opens the repository's state.
func (e *Engine) init() {
	e.once.Do(func() {
		e.st = state.Open(e.Repo.Root)
		e.fleet = e.Fleet
		if e.fleet == nil {
			e.fleet = discover.Read(e.Repo)
		}
	})
}

// HostOutcome is how a host's apply ended.
type HostOutcome string

const (
	OutcomeOK        HostOutcome = "ok"
	OutcomeUnchanged HostOutcome = "unchanged"
	OutcomeFailed    HostOutcome = "failed"
	OutcomeSkipped   HostOutcome = "skipped"
)

// Apply executes the plan: backends first, then the proxy; each host's files
// written atomically, its handlers run once, its health gated and its routes
// tested; a failed host rolled back. It takes the repository lock.
//
// The error contract, shared with Restart: an error means nothing ran (the
// lock is held, the plan could not be made); a host that failed is counted in
// the summary (ApplySummary.FailedAny) and reported by its events.
func (e *Engine) Apply(ctx context.Context, p *plan.Plan, obs Observer) (ApplySummary, error) {
	e.init()
	return e.run(ctx, p, obs, actionApply)
}

// What the audit log and the summary line call a run.
const (
	actionApply   = "apply"
	actionRestart = "restart"
)

// run is the one run loop of Apply and Restart: under the repository lock,
// the plan event, the hosts in waves (each through hostApply: pending-restart
// record, handlers, health gate, route tests, rollback, audit entry as
// action), then the summary.
func (e *Engine) run(ctx context.Context, p *plan.Plan, obs Observer, action string) (ApplySummary, error) {
	lock, err := e.st.AcquireLock()
	if err != nil {
		return ApplySummary{}, err
	}
	defer lock.Release()
	a := e.newApply(p, obs)
	a.action = action
	a.emit(Event{Kind: EvPlan, Plan: a.planSummary()})
	a.runWaves(ctx)
	sum := a.summary()
	a.emit(Event{Kind: EvSummary, Apply: &sum, Message: a.summaryLine(sum)})
	return sum, nil
}

// applyRun is one apply in progress.
type applyRun struct {
	e        *Engine
	plan     *plan.Plan
	fleet    *discover.Fleet
	obs      Observer
	obsMu    sync.Mutex
	hosts    []*hostApply
	deferred []string     // routes to test after the proxy restarted
	waiting  []*hostApply // backends whose routes wait for the proxy
	window   routeWindow
	action   string // what the audit log calls it: apply or restart
}

func (e *Engine) newApply(p *plan.Plan, obs Observer) *applyRun {
	a := &applyRun{e: e, plan: p, fleet: p.Fleet, obs: obs, action: actionApply}
	if a.fleet == nil {
		a.fleet = e.fleet
	}
	for _, hp := range p.Hosts {
		if e.selected(hp.Host) {
			pending, err := plan.ReadPending(e.st, hp.Host)
			a.hosts = append(a.hosts, &hostApply{a: a, hp: hp, pending: pending, pendingErr: err})
		}
	}
	return a
}

func (e *Engine) selected(host string) bool {
	return len(e.Opts.Hosts) == 0 || slices.Contains(e.Opts.Hosts, host)
}

func (e *Engine) httpClient() *http.Client {
	if e.HTTP != nil {
		return e.HTTP
	}
	return api.NewHTTPClient()
}

func (a *applyRun) emit(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	ev.Message = plan.MaskText(ev.Message, a.secrets())
	ev.Chunk = plan.MaskSecrets(ev.Chunk, a.secrets())
	a.obsMu.Lock()
	defer a.obsMu.Unlock()
	if a.obs != nil {
		a.obs(ev)
	}
}

// secrets are every value output must never show: the proxy's master key
// and the secrets of the planned hosts.
func (a *applyRun) secrets() []string {
	var out []string
	if a.fleet.Proxy != nil {
		out = append(out, a.fleet.Proxy.MasterKey)
	}
	out = append(out, a.plan.Secrets()...)
	ansible.SortLongestFirst(out)
	return out
}

// runWaves deploys backends in parallel (up to --forks), then the proxy, then
// the route tests the proxy's restart deferred.
func (a *applyRun) runWaves(ctx context.Context) {
	for _, wave := range a.waves() {
		a.runWave(ctx, wave)
	}
	a.runDeferredRouteTests(ctx)
}

func (a *applyRun) waves() [][]*hostApply {
	var backends, proxies []*hostApply
	for _, h := range a.hosts {
		if h.hp.Order > 0 {
			proxies = append(proxies, h)
		} else {
			backends = append(backends, h)
		}
	}
	return [][]*hostApply{backends, proxies}
}

func (a *applyRun) runWave(ctx context.Context, wave []*hostApply) {
	a.parallel(wave, func(h *hostApply) { h.run(ctx) })
}

// parallel runs fn for each host, up to --forks at once.
func (a *applyRun) parallel(hosts []*hostApply, fn func(*hostApply)) {
	forks := a.e.Opts.Forks
	if forks < 1 {
		forks = 10
	}
	sem := make(chan struct{}, forks)
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fn(h)
		}()
	}
	wg.Wait()
}

// proxyChanges reports whether this apply deploys the proxy's config.
func (a *applyRun) proxyChanges() bool {
	for _, h := range a.hosts {
		if h.isProxy() && h.hasWork() {
			return true
		}
	}
	return false
}

// deferRoutes leaves a backend's route tests until the proxy restarted on
// its new config; the backend's success depends on them.
func (a *applyRun) deferRoutes(h *hostApply, routes []string) {
	a.obsMu.Lock()
	defer a.obsMu.Unlock()
	a.deferred = ansible.AppendUnique(a.deferred, routes...)
	a.waiting = append(a.waiting, h)
}

func (a *applyRun) planSummary() *PlanSummary {
	ps := &PlanSummary{Summary: a.plan.Summary}
	for _, h := range a.hosts {
		ps.Order = append(ps.Order, h.hp.Host)
	}
	ps.Why = a.orderReason()
	return ps
}

// orderReason explains the order when it matters: backends that change are
// healthy before the proxy's config names what they serve.
func (a *applyRun) orderReason() string {
	if !a.proxyChanges() {
		return ""
	}
	var backends []string
	for _, h := range a.hosts {
		if !h.isProxy() && h.hasWork() {
			backends = append(backends, h.hp.Host)
		}
	}
	if len(backends) == 0 {
		return ""
	}
	return fmt.Sprintf("%s first: deployed, restarted and healthy before %s's LiteLLM config changes, so the proxy never asks for a name whose model is still loading",
		strings.Join(backends, ", "), a.fleet.Proxy.Name)
}

func (a *applyRun) summary() ApplySummary {
	var s ApplySummary
	for _, h := range a.hosts {
		switch h.outcome {
		case OutcomeOK:
			s.OK++
		case OutcomeFailed:
			s.Failed++
		case OutcomeSkipped:
			s.Skipped++
		default:
			s.Unchanged++
		}
	}
	s.RouteFailingFor = a.window.total()
	return s
}

func (a *applyRun) summaryLine(s ApplySummary) string {
	line := fmt.Sprintf("%s: %d ok, %d failed, %d skipped, %d unchanged", summaryWord(a.action), s.OK, s.Failed, s.Skipped, s.Unchanged)
	if w := a.window.describe(); w != "" {
		line += "; " + w
	}
	return line
}

// summaryWord starts the summary line: "Apply" or "Restart".
func summaryWord(action string) string {
	if action == actionRestart {
		return "Restart"
	}
	return "Apply"
}

// FailedAny reports whether any host failed.
func (s ApplySummary) FailedAny() bool { return s.Failed > 0 }

// routeWindow measures how long routes through a renamed backend failed:
// from the backend's restart to the proxy serving its new config.
type routeWindow struct {
	mu             sync.Mutex
	backendRestart time.Time
	backendHealthy time.Time
	proxyRestart   time.Time
	proxyServing   time.Time
}

func (w *routeWindow) mark(field *time.Time, t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if field.IsZero() || t.Before(*field) {
		*field = t
	}
}

func (w *routeWindow) total() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.backendRestart.IsZero() || w.proxyServing.IsZero() {
		return 0
	}
	return w.proxyServing.Sub(w.backendRestart)
}

func (w *routeWindow) describe() string {
	total := w.total()
	if total == 0 {
		return ""
	}
	w.mu.Lock()
	load := w.backendHealthy.Sub(w.backendRestart)
	rename, restart := w.proxyRestart.Sub(w.backendHealthy), w.proxyServing.Sub(w.proxyRestart)
	w.mu.Unlock()
	return fmt.Sprintf("routes through the renamed backend failed for %s: %s while it loaded (upstream down), "+
		"%s asking it for the old name (404) until LiteLLM's restart, %s while LiteLLM restarted on the new name "+
		"(the seed's 404 window, shrunk from a model load to a proxy restart)",
		round(total), round(load), round(rename), round(restart))
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }

// sortedRoutes returns route aliases in a stable order.
func sortedRoutes(routes []string) []string {
	out := append([]string(nil), routes...)
	sort.Strings(out)
	return out
}
