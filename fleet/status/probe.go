package status

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/api"
)

// hostProbe is what one refresh of one host found. Its checks (the vLLM
// probe, /metrics) run at once, each within its own timeout, beside the
// last host-side snapshot, which has its own cadence (hostprobe.go).
type hostProbe struct {
	started, finished time.Time

	vllm api.ProbeResult

	metrics    api.Metrics
	metricsErr error
	metricsAt  time.Time

	hostProbed bool // a host-side snapshot has ended: host, hostErr, hostAt
	host       remote.HostSnapshot
	unit       *remote.SystemdUnit // nil: not asked, or not reported
	unitErr    string
	hostErr    error
	hostAt     time.Time
}

// hostJob is what a probe needs of its entry, taken under the monitor lock.
type hostJob struct {
	gen       int
	container string
	unit      string
	vllm      *api.VLLM
	server    serverProbe // nil: probe as vLLM
	link      *transportLink
	// healthFirst: a vLLM server's /health alone decides whether the rest
	// is asked (Config.HealthFirst); dialFirst: connecting before it asks.
	healthFirst, dialFirst bool
}

func probeHost(ctx context.Context, job hostJob, timeout time.Duration) hostProbe {
	p := hostProbe{started: time.Now()}
	if job.healthFirst && job.server == nil && job.link == nil && unanswered(ctx, &p, job, timeout) {
		p.finished = time.Now()
		return p
	}
	checks := serverChecks(&p, job)
	if job.link != nil { // on its own cadence and deadline (hostprobe.go)
		checks = append(checks, func(ctx context.Context) {
			var side hostSide
			side, p.hostProbed = job.link.latest(ctx, remote.StatusQuery{Container: job.container, Unit: job.unit})
			p.host, p.hostErr, p.hostAt = side.snap.HostSnapshot, side.err, side.at
			p.unit, p.unitErr = side.snap.Unit, side.snap.UnitErr
		})
	}
	runChecks(ctx, timeout, checks)
	p.finished = time.Now()
	return p
}

// unanswered asks /health alone and, when it got no HTTP answer, records
// what Probe would have said (and the same failure for /metrics, which a
// server that is not up never shows).
func unanswered(ctx context.Context, p *hostProbe, job hostJob, timeout time.Duration) bool {
	var healthErr error
	withTimeout(ctx, timeout, func(ctx context.Context) {
		if job.dialFirst {
			healthErr = job.vllm.HealthDialFirst(ctx)
		} else {
			healthErr = job.vllm.Health(ctx)
		}
	})
	failed := api.TransportFailure(healthErr)
	if failed == nil {
		return false
	}
	p.vllm, p.metricsErr, p.metricsAt = *failed, healthErr, time.Now()
	return true
}

// serverChecks are the HTTP checks of the server: vLLM's probe and
// /metrics, or the kind's own client.
func serverChecks(p *hostProbe, job hostJob) []func(context.Context) {
	if job.server != nil {
		return []func(context.Context){func(ctx context.Context) {
			load, err := job.server.Probe(ctx)
			fromLoad(p, load, err)
			p.metricsAt = time.Now()
		}}
	}
	return []func(context.Context){
		func(ctx context.Context) { p.vllm = job.vllm.Probe(ctx, "") },
		func(ctx context.Context) {
			p.metrics, p.metricsErr = job.vllm.Metrics(ctx)
			p.metricsAt = time.Now()
		},
	}
}

// runChecks runs the checks at once, each within its own timeout.
func runChecks(ctx context.Context, timeout time.Duration, checks []func(context.Context)) {
	var wg sync.WaitGroup
	for _, check := range checks {
		wg.Go(func() { withTimeout(ctx, timeout, check) })
	}
	wg.Wait()
}

func withTimeout(ctx context.Context, timeout time.Duration, check func(context.Context)) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	check(ctx)
}

// hostSnapshot asks the transport, and stops waiting at ctx's end even if the
// transport does not: a transport that ignores its deadline must not hold up
// the refresh. Its late answer is dropped.
// hostAnswer is what one host snapshot came back with.
type hostAnswer struct {
	snap remote.HostStatus
	err  error
}

func hostSnapshot(ctx context.Context, link *transportLink, q remote.StatusQuery, timeout time.Duration) (remote.HostStatus, error) {
	answers := make(chan hostAnswer, 1)
	go func() {
		snap, err := link.snapshot(ctx, q)
		answers <- hostAnswer{snap, err}
	}()
	select {
	case a := <-answers:
		return a.snap, a.err
	case <-ctx.Done():
		return lateAnswer(answers, fmt.Errorf("host status: no answer within %s: %w", shortDuration(timeout), ctx.Err()))
	}
}

// deadlineGrace is how long, past the deadline, the snapshot is given to
// say it waited for the operator (an SSH key's passphrase asked on
// screen) rather than for the host: well within the deadline + 1 s a
// dropped network may cost.
const deadlineGrace = 100 * time.Millisecond

// lateAnswer is the snapshot's own error when it comes within
// deadlineGrace and blames the wait on the operator, else fallback.
func lateAnswer(answers <-chan hostAnswer, fallback error) (remote.HostStatus, error) {
	timer := time.NewTimer(deadlineGrace)
	defer timer.Stop()
	select {
	case a := <-answers:
		if errors.Is(a.err, remote.ErrAwaitingOperator) {
			return remote.HostStatus{}, a.err
		}
	case <-timer.C:
	}
	return remote.HostStatus{}, fallback
}

// transportLink opens a host's transport on first use and keeps it.
type transportLink struct {
	open func() (remote.Transport, error)

	mu        sync.Mutex
	transport remote.Transport
	closed    bool
	cadence   hostCadence
}

// errTransportSetup marks a failure to build the transport (configuration),
// as opposed to a failure to reach the host.
var errTransportSetup = errors.New("transport setup")

func (l *transportLink) get() (remote.Transport, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, fmt.Errorf("%w: monitor closed", errTransportSetup)
	}
	if l.transport == nil {
		t, err := l.open()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errTransportSetup, err)
		}
		l.transport = t
	}
	return l.transport, nil
}

// snapshot asks for GPUs, the container and, from transports that report
// them (remote.StatusReader), the systemd unit: one round trip either way.
func (l *transportLink) snapshot(ctx context.Context, q remote.StatusQuery) (remote.HostStatus, error) {
	t, err := l.get()
	if err != nil {
		return remote.HostStatus{}, err
	}
	if sr, ok := t.(remote.StatusReader); ok && q.Unit != "" {
		return sr.Status(ctx, q)
	}
	snap, err := t.Snapshot(ctx, q.Container)
	return remote.HostStatus{HostSnapshot: snap}, err
}

// close closes the transport; later probes through the link fail.
func (l *transportLink) close() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	l.cadence.stop()
	if l.transport != nil {
		_ = l.transport.Close()
		l.transport = nil
	}
}

// proxyProbe is what one refresh of the proxy found.
type proxyProbe struct {
	started, finished time.Time
	liveErr           error
	aliases           []string
	aliasesErr        error
	askedAliases      bool
}

type proxyJob struct {
	gen    int
	client *api.LiteLLM
	key    string
}

func probeProxy(ctx context.Context, job proxyJob, timeout time.Duration) proxyProbe {
	p := proxyProbe{started: time.Now(), askedAliases: job.key != ""}
	checks := []func(context.Context){
		func(ctx context.Context) { p.liveErr = job.client.Liveliness(ctx) },
	}
	if p.askedAliases {
		checks = append(checks, func(ctx context.Context) { p.aliases, p.aliasesErr = job.client.Models(ctx, job.key) })
	}
	runChecks(ctx, timeout, checks)
	p.finished = time.Now()
	return p
}

// proxyState words the liveliness check: refused means restarting or
// stopped, an HTTP error answer means down, anything else unreachable.
func proxyState(err error, timeout time.Duration) (State, string) {
	var apiErr *api.APIError
	switch {
	case err == nil:
		return StateUp, ""
	case errors.Is(err, syscall.ECONNREFUSED):
		return StateDown, "connection refused: LiteLLM is restarting or stopped"
	case errors.As(err, &apiErr):
		return StateDown, "/health/liveliness: " + apiErr.Reason
	case errors.Is(err, context.DeadlineExceeded):
		return StateUnreachable, fmt.Sprintf("no answer within %s", shortDuration(timeout))
	}
	return StateUnreachable, err.Error()
}
