// Package task carries what background work reports into the Bubble Tea
// program (gh-dash's task pattern): the engine's goroutines call Observe,
// which never blocks; a tea.Cmd waits for what is queued and returns it as
// one message, and the root re-arms that command after each message until
// the task is done.
package task

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet/apply"
)

// ID names a task in messages.
type ID int

// EventsMsg is what a task reported since the last message.
type EventsMsg struct {
	ID     ID
	Events []apply.Event
	Done   bool  // the task finished: no more messages follow
	Err    error // the task's own error, with Done
}

// Pump queues one task's events. The zero value is not usable: use New.
type Pump struct {
	id     ID
	mu     sync.Mutex
	queue  []apply.Event
	done   bool
	err    error
	signal chan struct{} // holds a token while something is queued
}

// New returns a pump for task id.
func New(id ID) *Pump {
	return &Pump{id: id, signal: make(chan struct{}, 1)}
}

// ID is the task's id.
func (p *Pump) ID() ID { return p.id }

// Observe queues an event; it never blocks (apply.Observer).
func (p *Pump) Observe(ev apply.Event) {
	p.mu.Lock()
	p.queue = append(p.queue, ev)
	p.mu.Unlock()
	p.wake()
}

// Finish records the end of the task; later events are still delivered.
func (p *Pump) Finish(err error) {
	p.mu.Lock()
	p.done, p.err = true, err
	p.mu.Unlock()
	p.wake()
}

func (p *Pump) wake() {
	select {
	case p.signal <- struct{}{}:
	default:
	}
}

// Next waits for queued events (or the end) and returns them as one
// EventsMsg. Re-arm it after each message whose Done is false. It gives up,
// returning nil, when ctx ends (the program quits).
func (p *Pump) Next(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-p.signal:
			return p.drain()
		case <-ctx.Done():
			return nil
		}
	}
}

func (p *Pump) drain() EventsMsg {
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := EventsMsg{ID: p.id, Events: p.queue, Done: p.done, Err: p.err}
	p.queue = nil
	return msg
}

// Observer is the pump as the engine takes it.
func (p *Pump) Observer() apply.Observer { return p.Observe }

// Latest holds the most recent value of a stream (the status monitor's
// snapshots): Put replaces what was not read yet and never blocks, so a slow
// frame never holds up the producer and the UI always gets the newest.
type Latest[T any] struct {
	ch chan T
}

// NewLatest returns an empty holder.
func NewLatest[T any]() *Latest[T] { return &Latest[T]{ch: make(chan T, 1)} }

// Put stores v, dropping an unread older value.
func (l *Latest[T]) Put(v T) {
	for {
		select {
		case l.ch <- v:
			return
		default:
		}
		select {
		case <-l.ch:
		default:
		}
	}
}

// Next waits for a value and returns wrap(v) as the message; nil when ctx ends.
func (l *Latest[T]) Next(ctx context.Context, wrap func(T) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		select {
		case v := <-l.ch:
			return wrap(v)
		case <-ctx.Done():
			return nil
		}
	}
}
