package status

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/straylight-fleet/straylight/remote/api"
)

// Config is what a Monitor watches and how.
type Config struct {
	Hosts []Target
	Proxy *ProxyTarget // nil: no LiteLLM proxy
	// Timeout bounds each HTTP probe of each host (vLLM, /metrics, the
	// proxy); 0 means DefaultTimeout. A dead host costs this much, and
	// only to its own row.
	Timeout time.Duration
	// HTTPClient talks to vLLM and LiteLLM; nil means api.NewHTTPClient().
	HTTPClient *http.Client
	// HostProbeTimeout bounds each host-side probe (a target's Transport:
	// GPUs and container) and HostProbeInterval spaces them; between them a
	// refresh shows the last one. 0: remote.HostProbeTimeout and
	// remote.HostProbeInterval. Timeout does not apply to them.
	HostProbeTimeout, HostProbeInterval time.Duration
	// Parallel bounds how many hosts Refresh starts probing before one of
	// them ends or has taken parallelSlotHold; 0: all at once. A one-shot
	// check of 1,000 hosts sets it: each probe runs eight goroutines, and
	// thousands of their stacks at once cost more memory than the plan.
	// A slow or silent host holds its slot only that long, so it never
	// makes the others wait for its timeout.
	Parallel int
	// HealthFirst asks a vLLM server's /health before anything else and
	// the rest (/health again with /v1/models, and /metrics) only when it
	// answered: a host that refuses or never answers costs one connection
	// instead of three, a live one a round trip more. For one-shot checks
	// of many hosts; the UI's rounds ask everything at once. On the
	// monitor's own client (HTTPClient nil), that /health connects before
	// it asks (api.VLLM.HealthDialFirst): a refused connection is answered
	// without net/http's request machinery, a tenth of a 1,000-host
	// check's CPU time when the hosts are down.
	HealthFirst bool
}

// Monitor probes the hosts and keeps their history across refreshes. It is
// safe for concurrent use.
type Monitor struct {
	timeout     time.Duration
	parallel    int           // 0: no bound
	slotHold    time.Duration // how long a probe counts against parallel
	healthFirst bool
	dialFirst   bool // healthFirst, on the monitor's own client
	hostTiming  hostTiming
	client      *http.Client

	mu     sync.Mutex
	hosts  []*hostEntry
	proxy  *proxyEntry
	round  time.Time
	closed bool
}

// New returns a monitor; nothing is probed until Refresh or Run.
func New(cfg Config) *Monitor {
	m := &Monitor{timeout: cfg.Timeout, parallel: cfg.Parallel, slotHold: parallelSlotHold, healthFirst: cfg.HealthFirst,
		hostTiming: newHostTiming(cfg), client: cfg.HTTPClient}
	if m.timeout <= 0 {
		m.timeout = DefaultTimeout
	}
	if m.client == nil {
		m.client = api.NewHTTPClient()
		m.dialFirst = m.healthFirst
	}
	m.SetTargets(cfg.Hosts, cfg.Proxy)
	return m
}

// SetTargets replaces what the monitor watches (after the repository
// changed). A host keeps its history when its name and vLLM URL stay the
// same; transports are reopened on their next use. Probes already running
// for an old target are dropped.
func (m *Monitor) SetTargets(hosts []Target, proxy *ProxyTarget) {
	m.mu.Lock()
	defer m.mu.Unlock()
	byName := map[string]*hostEntry{}
	for _, e := range m.hosts {
		byName[e.target.Host] = e
	}
	next := make([]*hostEntry, 0, len(hosts))
	for _, t := range hosts {
		next = append(next, m.entryFor(t, byName))
	}
	for _, e := range byName {
		e.link.close() // hosts no longer watched
	}
	m.hosts = next
	m.proxy = m.proxyFor(proxy)
}

func (m *Monitor) entryFor(t Target, byName map[string]*hostEntry) *hostEntry {
	t.Expected = slices.Clone(t.Expected)
	e, ok := byName[t.Host]
	if !ok {
		return newHostEntry(t, m)
	}
	delete(byName, t.Host)
	e.retarget(t, m)
	return e
}

func (m *Monitor) proxyFor(t *ProxyTarget) *proxyEntry {
	if t == nil {
		return nil
	}
	target := *t
	target.Routes = slices.Clone(t.Routes)
	return newProxyEntry(target, m, m.proxy)
}

// Refresh probes every host and the proxy at once, waits for all of them
// (a dead host costs its own timeout, in parallel with the others) and
// returns the snapshot. If ctx ends first, the probes cut short are dropped.
func (m *Monitor) Refresh(ctx context.Context) Snapshot {
	hosts, proxy := m.startRound(false)
	var wg sync.WaitGroup
	if proxy != nil {
		wg.Go(func() { m.refreshProxy(ctx, proxy) })
	}
	m.refreshHosts(ctx, hosts)
	wg.Wait()
	return m.Snapshot()
}

// parallelSlotHold is how long a host's probe counts against
// Config.Parallel: a refused or answering host ends well within it.
const parallelSlotHold = 50 * time.Millisecond

// refreshHosts probes the hosts, at most m.parallel starting at once (0:
// all), and waits for every probe.
func (m *Monitor) refreshHosts(ctx context.Context, hosts []*hostEntry) {
	var wg sync.WaitGroup
	if m.parallel <= 0 {
		for _, e := range hosts {
			wg.Go(func() { m.refreshHost(ctx, e) })
		}
		wg.Wait()
		return
	}
	slots := make(chan struct{}, m.parallel)
	for _, e := range hosts {
		slots <- struct{}{}
		wg.Go(func() {
			release := sync.OnceFunc(func() { <-slots })
			held := time.AfterFunc(m.slotHold, release)
			defer held.Stop()
			defer release()
			m.refreshHost(ctx, e)
		})
	}
	wg.Wait()
}

// startRound marks the hosts to probe as in flight: all of them, or with
// onlyIdle only those whose previous probe has finished.
func (m *Monitor) startRound(onlyIdle bool) ([]*hostEntry, *proxyEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, nil
	}
	m.round = time.Now()
	var hosts []*hostEntry
	for _, e := range m.hosts {
		if !onlyIdle || e.inFlight == 0 {
			e.inFlight++
			hosts = append(hosts, e)
		}
	}
	proxy := m.proxy
	if proxy != nil && (!onlyIdle || proxy.inFlight == 0) {
		proxy.inFlight++
	} else {
		proxy = nil
	}
	return hosts, proxy
}

func (m *Monitor) refreshHost(ctx context.Context, e *hostEntry) {
	m.mu.Lock()
	job := e.job()
	job.healthFirst, job.dialFirst = m.healthFirst, m.dialFirst
	m.mu.Unlock()
	p := probeHost(ctx, job, m.timeout)
	m.mu.Lock()
	defer m.mu.Unlock()
	e.inFlight--
	if ctx.Err() == nil && job.gen == e.gen && !m.closed {
		e.apply(p)
	}
}

func (m *Monitor) refreshProxy(ctx context.Context, e *proxyEntry) {
	m.mu.Lock()
	job := e.job()
	m.mu.Unlock()
	p := probeProxy(ctx, job, m.timeout)
	m.mu.Lock()
	defer m.mu.Unlock()
	e.inFlight--
	if ctx.Err() == nil && job.gen == e.gen && m.proxy == e && !m.closed {
		e.apply(p, m.timeout)
	}
}

// Snapshot returns the current rows without probing.
func (m *Monitor) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Snapshot{Time: time.Now(), Round: m.round, Hosts: make([]HostStatus, len(m.hosts))}
	for i, e := range m.hosts {
		s.Hosts[i] = copyRow(e.row)
		if e.inFlight > 0 {
			s.Pending++
		}
	}
	if m.proxy != nil {
		proxy := m.proxy.row
		proxy.Aliases, proxy.Errors = slices.Clone(proxy.Aliases), slices.Clone(proxy.Errors)
		s.Proxy = &proxy
		s.Routes = lintRoutes(m.proxy.target.Routes, s.Hosts, proxy.Aliases)
	}
	return s
}

// pending counts the hosts and proxy with a probe running.
func (m *Monitor) pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, e := range m.hosts {
		n += min(e.inFlight, 1)
	}
	if m.proxy != nil {
		n += min(m.proxy.inFlight, 1)
	}
	return n
}

// copyRow gives the row slices of its own (rows are rebuilt, never changed
// in place, but a snapshot must stay valid whatever its holder does to it).
func copyRow(row HostStatus) HostStatus {
	row.Served, row.Expected = slices.Clone(row.Served), slices.Clone(row.Expected)
	row.Missing, row.Unexpected = slices.Clone(row.Missing), slices.Clone(row.Unexpected)
	row.GPUs, row.Errors = slices.Clone(row.GPUs), slices.Clone(row.Errors)
	return row
}

// Close closes the hosts' transports and idle HTTP connections. Probes still
// running end with errors that are dropped; Refresh afterwards probes nothing.
func (m *Monitor) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	for _, e := range m.hosts {
		e.link.close()
	}
	m.client.CloseIdleConnections()
	return nil
}
