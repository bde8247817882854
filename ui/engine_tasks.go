package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/ui/apply"
	"github.com/straylight-fleet/straylight/ui/task"
)

// engineTask is a deploy or restart the engine runs. Its context is not the
// program's: quitting the UI does not cut it short. Cancelling it (the
// cancel key, quit-and-roll-back, a signal) makes the engine roll the host
// back under the rollback's own deadline.
type engineTask struct {
	kind   apply.Kind
	target string
	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	unsafe    string // why the host may be left broken ("" when it is not)
	cancelled bool
}

// watch notes, from the engine's events, a rollback that failed.
func (t *engineTask) watch(ev fleetapply.Event) {
	if ev.Kind == fleetapply.EvStep && ev.Step == fleetapply.StepRollback && ev.Status == fleetapply.StatusFailed {
		t.mu.Lock()
		t.unsafe = fmt.Sprintf("the rollback of %s failed: %s", ev.Host, ev.Message)
		t.mu.Unlock()
	}
}

func (t *engineTask) stop() {
	t.mu.Lock()
	t.cancelled = true
	t.mu.Unlock()
	t.cancel()
}

func (t *engineTask) problem() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.unsafe
}

// engineTasks are the deploys and restarts running; shared by the model's
// copies and Run, which waits for them before the process exits.
type engineTasks struct {
	mu      sync.Mutex
	tasks   map[task.ID]*engineTask
	closing bool // Run is exiting: a task starting now is cancelled at once
}

func newEngineTasks() *engineTasks { return &engineTasks{tasks: map[task.ID]*engineTask{}} }

// start registers a task and returns the context its work runs under.
func (e *engineTasks) start(id task.ID, kind apply.Kind, target string) (context.Context, *engineTask) {
	ctx, cancel := context.WithCancel(context.Background())
	t := &engineTask{kind: kind, target: target, cancel: cancel, done: make(chan struct{})}
	e.mu.Lock()
	e.tasks[id] = t
	closing := e.closing
	e.mu.Unlock()
	if closing {
		t.stop() // too late to start: nothing is written under a cancelled context
	}
	return ctx, t
}

// end marks a task finished; its record stays until Run has seen it.
func (e *engineTasks) end(id task.ID) {
	e.mu.Lock()
	t := e.tasks[id]
	e.mu.Unlock()
	if t != nil {
		t.cancel()
		close(t.done)
	}
}

// running lists the tasks not finished, by id.
func (e *engineTasks) running() []*engineTask {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids := make([]int, 0, len(e.tasks))
	for id := range e.tasks {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	var out []*engineTask
	for _, id := range ids {
		t := e.tasks[task.ID(id)]
		select {
		case <-t.done:
		default:
			out = append(out, t)
		}
	}
	return out
}

// find is the running task for a host, if any.
func (e *engineTasks) find(target string) *engineTask {
	for _, t := range e.running() {
		if t.target == target {
			return t
		}
	}
	return nil
}

// cancelAll cancels every running task: each rolls its host back.
func (e *engineTasks) cancelAll() {
	for _, t := range e.running() {
		t.stop()
	}
}

// settle is Run's last act: every running task is cancelled (rolled back)
// and waited for, up to limit. It says which hosts may be left broken: a
// task cancelled (now or by quit-and-roll-back) whose rollback failed, or
// one still running at the limit.
func (e *engineTasks) settle(limit time.Duration, say func(string)) error {
	e.mu.Lock()
	e.closing = true
	e.mu.Unlock()
	running := e.running()
	for _, t := range running {
		say(fmt.Sprintf("straylight: %s of %s still running: rolling it back before exiting (up to %s)…", t.kind, t.target, limit))
		t.stop()
	}
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	var problems []string
	for _, t := range running {
		select {
		case <-t.done:
		case <-deadline.C:
			return fmt.Errorf("%s of %s did not finish rolling back within %s: check the host", t.kind, t.target, limit)
		}
	}
	for _, t := range e.stopped() {
		if p := t.problem(); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// stopped lists the tasks that were cancelled.
func (e *engineTasks) stopped() []*engineTask {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*engineTask
	for _, t := range e.tasks {
		t.mu.Lock()
		if t.cancelled {
			out = append(out, t)
		}
		t.mu.Unlock()
	}
	return out
}
