package apply

import (
	"context"
	"fmt"

	"github.com/straylight-fleet/straylight/fleet/plan"
)

// Restart runs a host's restart handlers as if its config had changed, then
// its health gate and route tests (rolling nothing back: nothing was
// written), reporting to obs. It takes the repository lock like Apply.
func (e *Engine) Restart(ctx context.Context, host string, obs Observer) error {
	e.init()
	p, err := plan.RestartPlan(e.Repo, e.fleet, host)
	if err != nil {
		return err
	}
	lock, err := e.st.AcquireLock()
	if err != nil {
		return err
	}
	defer lock.Release()
	a := e.newApply(p, obs)
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
