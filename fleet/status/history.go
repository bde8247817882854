package status

import (
	"errors"
	"slices"
	"time"

	"github.com/straylight-fleet/straylight/remote/api"
)

// hostEntry is one host's target and the history the monitor keeps for it.
// Every field is guarded by the monitor's lock.
type hostEntry struct {
	target   Target
	gen      int // bumps when the target changes: older probes are dropped
	vllm     *api.VLLM
	server   serverProbe    // nil for vLLM
	link     *transportLink // nil: no host-side probe
	inFlight int

	rate         api.TokenRate
	watchedSince time.Time // first /metrics sample
	hostSeen     time.Time // the host-side snapshot whose errors are logged
	errors       errorLog
	row          HostStatus
}

func newHostEntry(t Target, m *Monitor) *hostEntry {
	e := &hostEntry{}
	e.forgetServer()
	e.retarget(t, m)
	return e
}

// retarget points the entry at t. The history stays unless the URL moved
// (another server: its counters and served names say nothing of this one's);
// the errors stay in any case.
func (e *hostEntry) retarget(t Target, m *Monitor) {
	if e.target.VLLMURL != t.VLLMURL || e.target.Kind != t.Kind {
		e.forgetServer()
	}
	e.link.close()
	e.target, e.gen, e.link = t, e.gen+1, nil
	e.vllm = api.NewVLLM(t.VLLMURL, t.APIKey, m.client)
	e.server = serverFor(t, m.client)
	if t.Transport != nil {
		e.link = newTransportLink(t.Transport, m.hostTiming)
	}
	e.row = withServed(e.rowIdentity(), t.Expected, e.row.Served)
	e.row.Idle.Threshold = e.threshold()
}

// forgetServer starts the row and the rate tracker afresh.
func (e *hostEntry) forgetServer() {
	e.rate, e.watchedSince = api.TokenRate{}, time.Time{}
	e.row = HostStatus{State: StateUnknown, Idle: Idle{Activity: ActivityUnknown}, Errors: e.errors.copy()}
}

// rowIdentity is the current row with the target's own fields refreshed.
func (e *hostEntry) rowIdentity() HostStatus {
	row := e.row
	row.Host, row.URL, row.Insecure, row.HostProbe = e.target.Host, e.target.VLLMURL, e.target.Insecure, e.link != nil
	row.Kind = cmpOr(e.target.Kind, "vllm")
	row.Undeployed, row.Basis = e.target.Undeployed, e.target.Basis
	return row
}

func (e *hostEntry) threshold() time.Duration {
	if e.target.IdleThreshold > 0 {
		return e.target.IdleThreshold
	}
	return DefaultIdleThreshold
}

func (e *hostEntry) job() hostJob {
	return hostJob{gen: e.gen, container: e.target.Container, unit: e.target.Unit, vllm: e.vllm, server: e.server, link: e.link}
}

// apply folds a probe into the history and rebuilds the row. A probe older
// than the row's is dropped (a Refresh and a Run round can overlap).
func (e *hostEntry) apply(p hostProbe) {
	if p.started.Before(e.row.Updated.Add(-e.row.Took)) {
		return
	}
	state, reason := hostState(p, e.target.Container)
	row := e.rowIdentity()
	if state != row.State {
		row.Since = p.finished
	}
	row.State, row.Reason = state, reason
	row = withServed(row, e.target.Expected, servedIDs(p))
	row.Load, row.Idle = e.observeLoad(p, state)
	row.NoMetrics = ""
	if state == StateUp && p.metricsErr != nil {
		row.NoMetrics = noMetricsReason(e.target.Kind, p.metricsErr)
	}
	row = withHostSide(row, p)
	e.recordErrors(p, state, reason)
	row.Errors = e.errors.copy()
	row.Updated, row.Took = p.finished, p.finished.Sub(p.started)
	e.row = row
}

func servedIDs(p hostProbe) []string {
	if p.vllm.State == api.StateServing || p.vllm.State == api.StateEngineDead {
		if p.vllm.Models == nil {
			return []string{}
		}
		return p.vllm.Models
	}
	return nil
}

// observeLoad feeds /metrics to the rate tracker and decides the idle state.
func (e *hostEntry) observeLoad(p hostProbe, state State) (Load, Idle) {
	idle := Idle{Activity: ActivityUnknown, Threshold: e.threshold()}
	if p.metricsErr != nil || state != StateUp {
		return Load{}, idle
	}
	if e.watchedSince.IsZero() {
		e.watchedSince = p.metricsAt
	}
	e.rate.Observe(p.metricsAt, p.metrics)
	rate, known := e.rate.Rate()
	load := Load{Known: true, Running: p.metrics.Running, Waiting: p.metrics.Waiting,
		KVCache: p.metrics.KVCacheUsage, TokensPerSecond: max(rate, 0), RateKnown: known}
	watch := activityWatch{watchedSince: e.watchedSince, lastActive: e.rate.LastActivity(), threshold: e.threshold()}
	return load, watch.idleAt(p.metricsAt)
}

func withHostSide(row HostStatus, p hostProbe) HostStatus {
	row.HostError, row.GPUs, row.GPUError, row.Container, row.DockerError = "", nil, "", Container{}, ""
	row.Unit, row.UnitError = Unit{}, ""
	switch {
	case !p.hostProbed:
	case p.hostErr != nil:
		row.HostError = p.hostErr.Error()
	default:
		row.GPUs, row.GPUError = gpusFrom(p.host.GPUs), p.host.GPUError
		row.Container, row.DockerError = containerFrom(p.host.Container), p.host.DockerErr
		row.Unit, row.UnitError = unitFrom(p.unit), p.unitErr
	}
	return row
}

// recordErrors logs what went wrong in this probe, once per source.
func (e *hostEntry) recordErrors(p hostProbe, state State, reason string) {
	at := p.finished
	if state != StateUp {
		e.errors.add(at, cmpOr(e.target.Kind, "vllm"), reason)
	} else if p.vllm.State == api.StateNotServing {
		e.errors.add(at, "models", p.vllm.Reason)
	}
	if state == StateUp && p.metricsErr != nil {
		e.errors.add(at, "metrics", p.metricsErr.Error())
	}
	e.recordHostErrors(at, p)
}

// recordHostErrors logs a host-side snapshot's errors once: refreshes
// between two host probes show the same snapshot.
func (e *hostEntry) recordHostErrors(at time.Time, p hostProbe) {
	switch {
	case !p.hostProbed || p.hostAt.Equal(e.hostSeen):
		return
	case errors.Is(p.hostErr, errTransportSetup):
		e.errors.add(at, "transport", p.hostErr.Error())
	case p.hostErr != nil:
		e.errors.add(at, "host", p.hostErr.Error())
	default:
		e.errors.addIf(at, "gpu", p.host.GPUError)
		e.errors.addIf(at, "docker", p.host.DockerErr)
	}
	e.hostSeen = p.hostAt
}

// errorLog keeps the last MaxErrors distinct errors, oldest first. An error
// seen again is folded into its earlier event, which moves to the end: a
// host failing the same two ways every refresh keeps two events, not ten.
type errorLog []ErrorEvent

func (l *errorLog) add(at time.Time, source, message string) {
	event := ErrorEvent{At: at, First: at, Count: 1, Source: source, Message: message}
	if i := slices.IndexFunc(*l, func(e ErrorEvent) bool { return e.Source == source && e.Message == message }); i >= 0 {
		event.First, event.Count = (*l)[i].First, (*l)[i].Count+1
		*l = slices.Delete(*l, i, i+1)
	}
	*l = append(*l, event)
	if len(*l) > MaxErrors {
		*l = slices.Delete(*l, 0, len(*l)-MaxErrors)
	}
}

func (l *errorLog) addIf(at time.Time, source, message string) {
	if message != "" {
		l.add(at, source, message)
	}
}

func (l errorLog) copy() []ErrorEvent { return slices.Clone(l) }

// proxyEntry is the proxy's target and history, guarded by the monitor's lock.
type proxyEntry struct {
	target   ProxyTarget
	gen      int
	client   *api.LiteLLM
	inFlight int
	errors   errorLog
	row      ProxyStatus
}

func newProxyEntry(t ProxyTarget, m *Monitor, previous *proxyEntry) *proxyEntry {
	e := &proxyEntry{target: t, client: api.NewLiteLLM(t.URL, m.client), row: ProxyStatus{State: StateUnknown}}
	if previous != nil && previous.target.URL == t.URL {
		e.gen, e.errors, e.row = previous.gen+1, previous.errors, previous.row
	}
	e.row.Host, e.row.URL = t.Host, t.URL
	return e
}

func (e *proxyEntry) job() proxyJob {
	return proxyJob{gen: e.gen, client: e.client, key: e.target.MasterKey}
}

func (e *proxyEntry) apply(p proxyProbe, timeout time.Duration) {
	if p.started.Before(e.row.Updated.Add(-e.row.Took)) {
		return
	}
	row := e.row
	state, reason := proxyState(p.liveErr, timeout)
	if state != row.State {
		row.Since = p.finished
	}
	row.State, row.Reason, row.Aliases = state, reason, nil
	if state != StateUp {
		e.errors.add(p.finished, "proxy", reason)
	} else if p.askedAliases && p.aliasesErr != nil {
		e.errors.add(p.finished, "proxy", "/v1/models: "+p.aliasesErr.Error())
	} else if p.askedAliases {
		row.Aliases = append([]string{}, p.aliases...) // non-nil: known
	}
	row.Errors = e.errors.copy()
	row.Updated, row.Took = p.finished, p.finished.Sub(p.started)
	e.row = row
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
