package status

import (
	"context"
	"time"

	"github.com/straylight-fleet/straylight/remote"
)

// hostTiming is the host probe's own cadence and deadline, apart from the
// HTTP probes': one Snapshot over WinRM starts Windows PowerShell, then
// runs nvidia-smi and docker, which takes longer than an HTTP probe may and
// need not run as often (remote.HostProbeTimeout, remote.HostProbeInterval).
type hostTiming struct {
	timeout, interval time.Duration
}

func newHostTiming(cfg Config) hostTiming {
	t := hostTiming{timeout: cfg.HostProbeTimeout, interval: cfg.HostProbeInterval}
	if t.timeout <= 0 {
		t.timeout = remote.HostProbeTimeout
	}
	if t.interval <= 0 {
		t.interval = remote.HostProbeInterval
	}
	return t
}

// hostSide is the outcome of one host probe.
type hostSide struct {
	snap remote.HostStatus // GPUs, container, and the unit when asked
	err  error
	at   time.Time // when it ended; zero: no probe has ended yet
}

// hostCadence is a link's host probes: at most one at a time, started when
// the last one is older than the interval, each under the host timeout,
// and the last outcome kept for the probes in between. Guarded by the
// link's mutex.
type hostCadence struct {
	timing  hostTiming
	last    hostSide
	running chan struct{} // closed when the probe in flight ends; nil: none
	stop    context.CancelFunc
	ctx     context.Context // ends when the link closes
}

func newTransportLink(open func() (remote.Transport, error), timing hostTiming) *transportLink {
	ctx, stop := context.WithCancel(context.Background())
	return &transportLink{open: open, cadence: hostCadence{timing: timing, ctx: ctx, stop: stop}}
}

// latest is the host side as an HTTP probe sees it: a host probe is started
// when one is due, and waited for until ctx (the HTTP probe's deadline)
// ends; then the last outcome is returned. ok is false before the first
// host probe has ended.
func (l *transportLink) latest(ctx context.Context, q remote.StatusQuery) (side hostSide, ok bool) {
	if done := l.startHostProbeIfDue(q); done != nil {
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cadence.last, !l.cadence.last.at.IsZero()
}

// startHostProbeIfDue returns the channel of the probe in flight, if any,
// after starting one when the last is older than the interval.
func (l *transportLink) startHostProbeIfDue(q remote.StatusQuery) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := &l.cadence
	if c.running != nil || l.closed {
		return c.running
	}
	if !c.last.at.IsZero() && time.Since(c.last.at) < c.timing.interval {
		return nil
	}
	c.running = make(chan struct{})
	go l.hostProbe(q, c.running)
	return c.running
}

func (l *transportLink) hostProbe(q remote.StatusQuery, done chan struct{}) {
	defer close(done)
	ctx, cancel := context.WithTimeout(l.cadence.ctx, l.cadence.timing.timeout)
	defer cancel()
	snap, err := hostSnapshot(ctx, l, q, l.cadence.timing.timeout)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cadence.last, l.cadence.running = hostSide{snap: snap, err: err, at: time.Now()}, nil
}
