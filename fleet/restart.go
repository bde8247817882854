package fleet

import (
	"context"
	"fmt"
)

// Restart runs a host's restart handlers as if its config had changed, then
// its health gate and route tests (rolling nothing back: nothing was
// written), reporting to obs. It takes the repository lock like Apply.
func (e *Engine) Restart(ctx context.Context, host string, obs Observer) error {
	plan, err := e.Repo.restartPlan(host)
	if err != nil {
		return err
	}
	lock, err := e.Repo.AcquireLock()
	if err != nil {
		return err
	}
	defer lock.Release()
	a := e.newApply(plan, obs)
	a.action = "restart"
	a.emit(Event{Kind: EvPlan, Plan: a.planSummary()})
	a.runWaves(ctx)
	sum := a.summary()
	a.emit(Event{Kind: EvSummary, Apply: &sum, Message: a.summaryLine(sum)})
	if sum.Failed > 0 {
		return fmt.Errorf("restart of %s failed", host)
	}
	return nil
}

// restartPlan is a plan with no file to write and every handler the host's
// file tasks notify.
func (r *Repo) restartPlan(host string) (*Plan, error) {
	if !r.Inventory.HasHost(host) {
		return nil, fmt.Errorf("no host %q in the inventory", host)
	}
	w, err := r.renderHost(host, false)
	if err != nil {
		return nil, err
	}
	w.collectHandlers() // files not read: every notify counts
	w.redact()
	if len(w.plan.Handlers) == 0 {
		return nil, fmt.Errorf("%s has no restart handler: no file task of its plays notifies one", host)
	}
	plan := &Plan{Repo: r.Root, Hosts: []*HostPlan{w.plan}, Fleet: r.Fleet(), secrets: w.secrets}
	plan.summarize()
	return plan, nil
}
