package apply

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/api"
)

// pollInterval is how often gates poll; progress is reported on each change
// of state and at least every progressEvery.
const (
	pollInterval  = 250 * time.Millisecond
	progressEvery = 2 * time.Second
	probeTimeout  = 2 * time.Second
)

func (h *hostApply) vllmClient(g *discover.GPUHost) *api.VLLM {
	return api.NewVLLM(g.APIURL(), "", h.a.e.httpClient())
}

// healthGate waits until the host serves expected: connection refused is
// loading, /health 200 is alive, expected among /v1/models is routable. An
// empty expected accepts any served model (used after a rollback).
func (h *hostApply) healthGate(ctx context.Context, g *discover.GPUHost, expected string) error {
	timeout := h.a.e.Repo.Settings.HealthTimeout
	h.step(StepHealth, StatusStart, "", fmt.Sprintf("waiting up to %s for %s to serve %s", timeout, g.Name, wanted(expected)))
	client := h.vllmClient(g)
	start := time.Now()
	var last api.ProbeResult
	var lastReport time.Time
	for {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		res := client.Probe(pctx, expected)
		cancel()
		elapsed := time.Since(start)
		if res.State != last.State || time.Since(lastReport) >= progressEvery {
			h.emit(Event{Kind: EvHealth, Health: &HealthProgress{State: res.State.String(), Expected: expected, Served: res.Models, Elapsed: elapsed, Timeout: timeout, Detail: res.Reason}})
			last, lastReport = res, time.Now()
		}
		if res.State == api.StateServing {
			h.served(g.Name, expected, res.Models, elapsed)
			return nil
		}
		if elapsed >= timeout {
			err := fmt.Errorf("health gate: %s did not serve %q within %s (last: %s: %s)", g.Name, expected, timeout, res.State, res.Reason)
			h.reportLogs(ctx, g)
			h.step(StepHealth, StatusFailed, "", err.Error())
			return err
		}
		if err := sleepCtx(ctx, pollInterval); err != nil {
			return err
		}
	}
}

// noteServingBefore records, before a restart (nothing written), the name
// the host serves now: it restarts on the same config, so it should come
// back serving it, whatever the repository says (a host that drifted from
// the repository, as the seed's wintermute, would otherwise fail its gate).
// A host serving nothing now leaves the repository's name expected, and so
// does one owing a restart (an earlier apply wrote the repository's config,
// then died before restarting it: it comes back on the new name).
func (h *hostApply) noteServingBefore(ctx context.Context) {
	g := h.gpu()
	if h.a.action != actionRestart || g == nil || h.inherited {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if res := h.vllmClient(g).Probe(pctx, ""); res.State == api.StateServing && len(res.Models) > 0 {
		h.servingBefore = res.Models[0]
	}
}

// expectedName is what the health gate waits for after the handlers ran:
// what a restarted host served before, else the repository's name.
func (h *hostApply) expectedName(g *discover.GPUHost) string {
	if h.servingBefore != "" {
		return h.servingBefore
	}
	return g.Served[0]
}

// wanted is what a health gate waits for: a name, or (after a rollback)
// whatever the restored config serves.
func wanted(expected string) string {
	if expected == "" {
		return "its restored model"
	}
	return strconv.Quote(expected)
}

// served reports a passed health gate with the name served; after a
// rollback (expected "") the names the restored config serves.
func (h *hostApply) served(host, expected string, models []string, elapsed time.Duration) {
	names := strconv.Quote(expected)
	if expected == "" {
		h.restoredServes = models
		names = strings.Join(quoteAll(models), ", ")
	}
	h.step(StepHealth, StatusOK, "", fmt.Sprintf("%s serves %s after %s", host, names, round(elapsed)))
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}

// proxyGate waits until LiteLLM answers again after its restart.
func (h *hostApply) proxyGate(ctx context.Context) error {
	p := h.a.fleet.Proxy
	timeout := h.a.e.Repo.Settings.HealthTimeout
	h.step(StepHealth, StatusStart, "", fmt.Sprintf("waiting up to %s for LiteLLM on %s", timeout, p.Name))
	client := api.NewLiteLLM(p.URL(), h.a.e.httpClient())
	start := time.Now()
	for {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		err := client.Liveliness(pctx)
		cancel()
		if err == nil {
			h.step(StepHealth, StatusOK, "", fmt.Sprintf("LiteLLM answers after %s", round(time.Since(start))))
			return nil
		}
		if time.Since(start) >= timeout {
			return fmt.Errorf("health gate: LiteLLM on %s did not come back within %s: %v", p.Name, timeout, err)
		}
		if err := sleepCtx(ctx, pollInterval); err != nil {
			return err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// testRoutes streams a chat completion through LiteLLM for each route; the
// first failure fails the host.
func (h *hostApply) testRoutes(ctx context.Context, routes []string) error {
	for _, route := range sortedRoutes(routes) {
		h.step(StepRouteTest, StatusStart, "", route)
		res, err := h.a.e.testRoute(ctx, route, h.a.emit)
		if err != nil {
			h.step(StepRouteTest, StatusFailed, "", err.Error())
			return err
		}
		h.step(StepRouteTest, StatusOK, "", fmt.Sprintf("%s: first token after %s, %.1f tokens/s", route, round(res.TTFT), res.TokensPerSec))
	}
	return nil
}

// runDeferredRouteTests tests, after the proxy's restart, the routes whose
// backends restarted. When the proxy failed or a route fails, the proxy goes
// back to its old config, and so do the backends that waited for it: a
// renamed backend left on its new name behind the proxy's old config would
// fail its routes for good (the seed's 404).
func (a *applyRun) runDeferredRouteTests(ctx context.Context) {
	proxy := a.proxyApply()
	if len(a.deferred) == 0 || proxy == nil {
		return
	}
	if proxy.outcome == OutcomeFailed {
		a.rollBackWaiting(ctx, fmt.Errorf("LiteLLM on %s failed, so %s could not be tested through its new config", proxy.hp.Host, strings.Join(sortedRoutes(a.deferred), ", ")))
		return
	}
	if err := proxy.testRoutes(ctx, a.deferred); err != nil {
		proxy.failLate(ctx, err, "route-test")
		a.rollBackWaiting(ctx, fmt.Errorf("%v (through %s's new config)", err, proxy.hp.Host))
	}
}

// rollBackWaiting rolls back, in parallel, the backends whose routes waited
// for the proxy.
func (a *applyRun) rollBackWaiting(ctx context.Context, cause error) {
	a.parallel(a.waiting, func(h *hostApply) { h.failLate(ctx, cause, "rollback") })
}

// failLate fails a host that had already finished: it rolls the host back
// on a fresh transport and reports its new result.
func (h *hostApply) failLate(ctx context.Context, cause error, action string) {
	tr, err := h.a.e.Transports(connection(h.hp, h.a.fleet))
	if err != nil {
		cause = fmt.Errorf("%v; cannot roll back, not reachable: %w", cause, err)
	} else {
		h.tr = tr
		cause = h.rollback(ctx, cause)
		tr.Close()
	}
	h.outcome, h.reason = OutcomeFailed, cause.Error()
	h.audit(action)
	h.emit(Event{Kind: EvHostResult, Status: StepStatus(OutcomeFailed), Message: h.reason})
}

func (a *applyRun) proxyApply() *hostApply {
	for _, h := range a.hosts {
		if h.isProxy() {
			return h
		}
	}
	return nil
}

// TestRoute streams one chat completion through LiteLLM for a route alias,
// reporting each chunk (EvRouteChunk) and the result (EvRouteResult).
func (e *Engine) TestRoute(ctx context.Context, route string, obs Observer) (RouteResult, error) {
	emit := func(ev Event) {
		if ev.Time.IsZero() {
			ev.Time = time.Now()
		}
		if obs != nil {
			obs(ev)
		}
	}
	return e.testRoute(ctx, route, emit)
}

func (e *Engine) testRoute(ctx context.Context, route string, emit func(Event)) (RouteResult, error) {
	e.init()
	f := e.fleet
	rr := RouteResult{Route: route}
	if f.Proxy == nil {
		return rr, errors.New("no LiteLLM proxy in this repository (no host has a litellm mapping)")
	}
	r, ok := f.Route(route)
	if !ok {
		return rr, fmt.Errorf("no route %q in %s's LiteLLM config", route, f.Proxy.Name)
	}
	rr.Upstream = r.Upstream()
	if h, _ := discover.HostForAPIBase(r.APIBase, f.Serving()); h != nil {
		rr.Host = h.Name
	}
	s := e.Repo.Settings
	req := api.ChatRequest{Model: route, Prompt: s.RouteTestPrompt, MaxTokens: s.RouteTestTokens,
		APIKey: f.Proxy.MasterKey, IdleTimeout: s.RouteIdleTimeout, Upstream: rr.Host}
	onChunk := func(c api.Chunk) {
		emit(Event{Kind: EvRouteChunk, Host: rr.Host, Route: route, Chunk: c.Content})
	}
	res, err := api.StreamChat(ctx, e.httpClient(), f.Proxy.URL(), req, onChunk)
	rr.fill(res, err)
	emit(Event{Kind: EvRouteResult, Host: rr.Host, Route: route, Result: &rr})
	if err != nil {
		return rr, fmt.Errorf("route test %s: %s", route, rr.Error)
	}
	return rr, nil
}

func (rr *RouteResult) fill(res api.StreamResult, err error) {
	rr.OK = err == nil
	rr.TTFT, rr.TokensPerSec, rr.FinishReason = res.TimeToFirstToken, res.TokensPerSecond, res.FinishReason
	rr.CompletionToks, rr.Text = res.Tokens, res.Text
	if err != nil {
		rr.Error = err.Error()
	}
}

// waitIdle holds a GPU host's restart until it has been idle for its
// idle_threshold_minutes (--when-idle): no request running or waiting and no
// token generated.
func (h *hostApply) waitIdle(ctx context.Context) error {
	g := h.gpu()
	if !h.a.e.Opts.WhenIdle || g == nil {
		return nil
	}
	threshold := g.IdleThreshold
	h.step(StepIdleWait, StatusStart, "", fmt.Sprintf("waiting until %s has been idle for %s", g.Name, threshold))
	w := idleWait{client: h.vllmClient(g), since: time.Now(), deadline: noMetricsDeadline(threshold)}
	for {
		idle, err := w.idleFor(ctx)
		if err != nil {
			h.step(StepIdleWait, StatusFailed, "", err.Error())
			return err
		}
		if idle >= threshold {
			h.step(StepIdleWait, StatusOK, "", fmt.Sprintf("idle for %s", round(idle)))
			return nil
		}
		if err := sleepCtx(ctx, time.Second); err != nil {
			return err
		}
	}
}

// noMetricsDeadline is how long --when-idle waits on a server whose
// /metrics says nothing of its load before giving up: its idle threshold
// (a quiet server would have been idle by then).
func noMetricsDeadline(threshold time.Duration) time.Duration { return threshold }

// idleWait follows one server's activity through its /metrics.
type idleWait struct {
	client    *api.VLLM
	rate      api.TokenRate
	since     time.Time
	deadline  time.Duration // how long /metrics may fail in a row
	failingAt time.Time     // first failure of the current run of them
}

// idleFor is how long the server has been idle; an error once /metrics has
// failed for the whole deadline (idle cannot be known: say why, restart
// nothing).
func (w *idleWait) idleFor(ctx context.Context) (time.Duration, error) {
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	m, err := w.client.Metrics(pctx)
	cancel()
	now := time.Now()
	if err != nil {
		return 0, w.failed(now, err)
	}
	w.failingAt = time.Time{}
	w.rate.Observe(now, m)
	last := w.rate.LastActivity()
	if last.Before(w.since) {
		last = w.since
	}
	return now.Sub(last), nil
}

func (w *idleWait) failed(now time.Time, err error) error {
	if w.failingAt.IsZero() {
		w.failingAt = now
	}
	if now.Sub(w.failingAt) < w.deadline {
		return nil
	}
	why := err.Error()
	if errors.Is(err, api.ErrNoVLLMMetrics) {
		why = "no metrics: /metrics has no vllm:* series (vLLM started with --disable-log-stats?)"
	}
	return fmt.Errorf("--when-idle: cannot tell whether the server is idle after %s: %s; not restarting (apply without --when-idle to restart now)", round(w.deadline), why)
}

// rollback restores the backups, restarts on them and waits for health.
func (h *hostApply) rollback(ctx context.Context, cause error) error {
	if len(h.written) == 0 {
		if !h.inherited { // nothing written: no restart is owed
			return h.clearPending(cause)
		}
		return cause
	}
	if h.a.e.Opts.NoRollback {
		return cause
	}
	cause = cancelledCause(ctx, cause)
	ctx, cancel := h.rollbackContext(ctx)
	defer cancel()
	h.step(StepRollback, StatusStart, "", cause.Error())
	if err := h.restoreBackups(ctx); err != nil {
		h.step(StepRollback, StatusFailed, "", err.Error())
		return fmt.Errorf("%v; rollback failed: %v", cause, err)
	}
	if !h.handlerRan && !h.inherited { // still running what it ran before: nothing to restart
		h.step(StepRollback, StatusOK, "", "previous config restored; nothing was restarted")
		h.written = nil
		return h.clearPending(fmt.Errorf("%v; rolled back", cause))
	}
	if err := h.restartOnBackups(ctx); err != nil {
		h.step(StepRollback, StatusFailed, "", err.Error())
		return fmt.Errorf("%v; rolled back the files, but the host did not come back: %s", cause, sameOr(err, cause))
	}
	h.step(StepRollback, StatusOK, "", restoredLine(h.restoredServes))
	h.written = nil
	// the host restarted on its restored files: nothing owed
	return h.clearPending(fmt.Errorf("%v; rolled back", cause))
}

// sameOr words err, or says it is cause again (a handler that fails the
// same way on the restored files: its stderr line is not repeated).
func sameOr(err, cause error) string {
	if err.Error() == cause.Error() {
		return "its restart failed the same way"
	}
	return err.Error()
}

// restoredLine ends a rollback: the previous config is back, serving what.
func restoredLine(served []string) string {
	if len(served) == 0 {
		return "previous config restored and serving"
	}
	return "previous config restored and serving " + strings.Join(quoteAll(served), ", ")
}

// rollbackMargin is what a rollback may take beyond the health timeout:
// restoring the files and running the restart.
const rollbackMargin = 2 * time.Minute

// rollbackContext lets a rollback run when the deploy was cancelled (the
// operator quit or cancelled it, a signal): it keeps ctx's values but not
// its cancellation, and has its own deadline, the health timeout plus
// rollbackMargin, so it ends.
func (h *hostApply) rollbackContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), h.a.e.Repo.Settings.HealthTimeout+rollbackMargin)
}

// cancelledCause names a cancellation for what it is.
func cancelledCause(ctx context.Context, cause error) error {
	if ctx.Err() != nil && errors.Is(cause, context.Canceled) {
		return errors.New("cancelled")
	}
	return cause
}

// clearPending drops the host's pending-restart record, returning cause,
// with the failure to clear it added (and reported as an event). A record
// inherited from a dead run is kept by the callers until a restart has run.
func (h *hostApply) clearPending(cause error) error {
	err := h.a.e.st.ClearPending(h.hp.Host)
	if err == nil {
		return cause
	}
	h.step(StepPending, StatusFailed, "", "could not clear the pending-restart record: "+err.Error())
	return fmt.Errorf("%v; could not clear the pending-restart record: %v", cause, err)
}

func (h *hostApply) restoreBackups(ctx context.Context) error {
	for _, f := range h.written {
		old := h.backups[f.Dest]
		if !old.Exists {
			continue // nothing to restore: the file was new (left in place)
		}
		if _, err := writeWith(ctx, plan.WithBecome(h.tr, f.Become), f.Dest, old.Content, restoreOptions(f, old)); err != nil {
			return fmt.Errorf("restore %s: %w", f.Dest, err)
		}
	}
	return nil
}

func (h *hostApply) restartOnBackups(ctx context.Context) error {
	for _, hr := range h.handlers {
		if err := h.runHandler(ctx, hr); err != nil {
			return err
		}
	}
	if h.isProxy() {
		return h.proxyGate(ctx)
	}
	if g := h.gpu(); g != nil {
		return h.healthGate(ctx, g, "")
	}
	return nil
}

// restoreOptions put the old content back with its old mode, and the old
// owner and group where the task changed them, as read before the write
// (no validate: it is what was there); a transport that reads none keeps
// the task's.
func restoreOptions(f *plan.FileChange, old remote.FileState) remote.WriteOptions {
	opts := writeOptions(f)
	opts.Validate = ""
	m := old.Meta
	if !m.Known {
		return opts
	}
	opts.Mode = filemod.OctalMode(m.Mode)
	if opts.Owner != "" { // else the writer keeps the file's owner as it can
		opts.Owner = strconv.Itoa(m.UID)
	}
	if opts.Group != "" {
		opts.Group = strconv.Itoa(m.GID)
	}
	return opts
}
