package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/straylight-fleet/straylight/fleet/plan"
)

// A host's deploy follows its plan's handler flush points, as Ansible runs
// a play (docs/ansible-semantics.md §4): the files changed before a flush
// point (the end of pre_tasks, of roles and tasks, a meta: flush_handlers,
// the end of the play) are written, then the handlers that flush runs;
// then the next flush's files, play after play. Restarts owed by an
// earlier apply that died run last.

// flushStage is one flush point's work: the changed files before it and
// the handlers it runs.
type flushStage struct {
	files    []*plan.FileChange
	handlers []plan.HandlerRun
}

// flushKey names a flush point: its play and its index in the play.
type flushKey struct {
	playbook, play string
	flush          int
}

// flushStages splits the changed files (in task order) and the handlers
// (in the plan's order) into flush stages. A handler goes to its flush
// point's stage; one with no file there (owed by a dead run) to the last.
func flushStages(files []*plan.FileChange, handlers []plan.HandlerRun) []flushStage {
	var stages []flushStage
	var keys []flushKey
	for _, f := range files {
		k := flushKey{f.Playbook, f.Play, f.Flush}
		if len(keys) == 0 || keys[len(keys)-1] != k {
			stages, keys = append(stages, flushStage{}), append(keys, k)
		}
		stages[len(stages)-1].files = append(stages[len(stages)-1].files, f)
	}
	var owed []plan.HandlerRun
	from := 0
	for _, hr := range handlers {
		at := indexFrom(keys, from, flushKey{hr.Playbook, hr.Play, hr.Flush})
		if at < 0 || hr.Pending {
			owed = append(owed, hr)
			continue
		}
		stages[at].handlers, from = append(stages[at].handlers, hr), at
	}
	if len(owed) == 0 {
		return stages
	}
	if len(stages) == 0 {
		stages = append(stages, flushStage{})
	}
	stages[len(stages)-1].handlers = append(stages[len(stages)-1].handlers, owed...)
	return stages
}

// indexFrom is the first index at or after from holding k, or -1.
func indexFrom(keys []flushKey, from int, k flushKey) int {
	for i := from; i < len(keys); i++ {
		if keys[i] == k {
			return i
		}
	}
	return -1
}

// runStages writes each stage's files, then runs its handlers; the files
// and handlers of plays Ansible runs (delegated.go) are left to it.
func (h *hostApply) runStages(ctx context.Context) error {
	for _, st := range flushStages(h.nativeFiles(), h.nativeHandlers()) {
		if err := h.writeFiles(ctx, st.files); err != nil {
			return err
		}
		if err := h.runHandlers(ctx, st.handlers); err != nil {
			return err
		}
	}
	return nil
}

// runHandlers runs a flush's handlers; before the first of the deploy, it
// waits for idleness if asked and notes what the host serves.
func (h *hostApply) runHandlers(ctx context.Context, handlers []plan.HandlerRun) error {
	if len(handlers) == 0 {
		return nil
	}
	if !h.handlerRan {
		if err := h.beforeFirstHandler(ctx); err != nil {
			return err
		}
	}
	for _, hr := range handlers {
		if err := h.runHandler(ctx, hr); err != nil {
			return err
		}
	}
	return nil
}

// beforeFirstHandler waits for idleness first if asked, notes the name the
// host serves, and marks the restart: from now on a rollback restarts too.
func (h *hostApply) beforeFirstHandler(ctx context.Context) error {
	if err := h.waitIdle(ctx); err != nil {
		return err
	}
	h.noteServingBefore(ctx)
	if h.isProxy() {
		h.a.window.mark(&h.a.window.proxyRestart, time.Now())
	} else {
		h.a.window.mark(&h.a.window.backendRestart, time.Now())
	}
	h.handlerRan = true
	return nil
}

// handlersDone clears the pending-restart record once every handler ran.
func (h *hostApply) handlersDone() error {
	if err := h.a.e.st.ClearPending(h.hp.Host); err != nil {
		return fmt.Errorf("clear the pending-restart record: %w", err)
	}
	return nil
}

// nativeFiles are the changed files straylight writes itself.
func (h *hostApply) nativeFiles() []*plan.FileChange {
	var out []*plan.FileChange
	for _, f := range h.hp.Files {
		if (f.Runs() || statReadFromHost(f)) && !h.byAnsible(f.Playbook) {
			out = append(out, f)
		}
	}
	return out
}

// statReadFromHost: a stat task whose answer the plan read from the host
// (not one an earlier task of the plan leaves): later tasks' conditions
// were settled on it, so the apply asks again at its place in the run.
func statReadFromHost(f *plan.FileChange) bool {
	return f.Stat != nil && f.OldSHA256 != "" && !f.CheckOnly
}

// nativeHandlers are the handlers straylight runs itself: all but those the
// plan notified in a play Ansible runs (Ansible runs them); a restart owed
// by a dead run is always straylight's.
func (h *hostApply) nativeHandlers() []plan.HandlerRun {
	var out []plan.HandlerRun
	for i, hr := range h.handlers {
		if i < len(h.hp.Handlers) && !hr.Pending && h.byAnsible(hr.Playbook) {
			continue
		}
		out = append(out, hr)
	}
	return out
}

// runDelegated runs the plays with tasks via ansible, after straylight's
// own stages; the idle wait and restart marking come first if no handler
// of straylight's did them.
func (h *hostApply) runDelegated(ctx context.Context) error {
	if len(h.viaAnsible()) == 0 {
		return nil
	}
	if !h.handlerRan {
		if err := h.beforeFirstHandler(ctx); err != nil {
			return err
		}
	}
	return h.runViaAnsible(ctx)
}
