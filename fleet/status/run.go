package status

import (
	"context"
	"sync"
	"time"
)

// DefaultInterval is Run's interval when it is given none.
const DefaultInterval = 2 * time.Second

// publishDelay gathers the rows finishing close together into one snapshot,
// so that a round of many hosts is not published once per host.
const publishDelay = 50 * time.Millisecond

// Run refreshes in the background until ctx ends and returns at once; the
// channel it returns is closed when the loop and its probes have stopped.
//
// Every interval (and at the start) a round begins: each host whose previous
// probe has finished is probed again, so a dead host waiting out its timeout
// never delays the others' next probe. publish receives a snapshot shortly
// after rows change (finished rows are not held back by slow ones) and at
// once when no probe is left running. It is called from one goroutine, never
// concurrently; while it runs, further changes are gathered into the next
// call.
func (m *Monitor) Run(ctx context.Context, interval time.Duration, publish func(Snapshot)) <-chan struct{} {
	if interval <= 0 {
		interval = DefaultInterval
	}
	done := make(chan struct{})
	flush := time.NewTimer(time.Hour)
	flush.Stop()
	loop := &runLoop{m: m, ctx: ctx, publish: publish, changed: make(chan struct{}, 1), flush: flush}
	go loop.run(interval, done)
	return done
}

type runLoop struct {
	m       *Monitor
	ctx     context.Context
	publish func(Snapshot)
	changed chan struct{} // a probe finished (coalesced)
	probes  sync.WaitGroup
	flush   *time.Timer // armed while changes wait to be published
	armed   bool
}

func (l *runLoop) run(interval time.Duration, done chan<- struct{}) {
	defer close(done)
	defer l.probes.Wait()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	l.startRound()
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-ticker.C:
			l.startRound()
		case <-l.changed:
			l.onChange()
		case <-l.flush.C:
			l.armed = false
			l.publish(l.m.Snapshot())
		}
	}
}

// onChange publishes at once when no probe is left running, else arms the
// flush timer (unless it is armed already).
func (l *runLoop) onChange() {
	switch {
	case l.m.pending() == 0:
		l.flush.Stop()
		l.armed = false
		l.publish(l.m.Snapshot())
	case !l.armed:
		l.flush.Reset(publishDelay)
		l.armed = true
	}
}

func (l *runLoop) startRound() {
	hosts, proxy := l.m.startRound(true)
	for _, e := range hosts {
		l.probes.Go(func() {
			l.m.refreshHost(l.ctx, e)
			l.notify()
		})
	}
	if proxy != nil {
		l.probes.Go(func() {
			l.m.refreshProxy(l.ctx, proxy)
			l.notify()
		})
	}
}

func (l *runLoop) notify() {
	select {
	case l.changed <- struct{}{}:
	default:
	}
}
