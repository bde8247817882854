package apply

import (
	"context"
	"fmt"

	"github.com/straylight-fleet/straylight/fleet/plan"
)

// Restart runs a host's restart handlers as if its config had changed, then
// its health gate and route tests, reporting to obs. It is an apply of the
// host's restart plan (plan.RestartPlan: its handlers, no file to write) and
// runs through Apply's loop: the repository lock, the pending-restart record,
// an audit entry as a restart, the same events and summary (a failed restart
// has nothing to roll back: nothing was written), and Apply's error contract:
// an error means nothing ran; a failed host is in the summary.
func (e *Engine) Restart(ctx context.Context, host string, obs Observer) (ApplySummary, error) {
	e.init()
	if !e.selected(host) {
		return ApplySummary{}, fmt.Errorf("cannot restart %s: this engine applies only %v", host, e.Opts.Hosts)
	}
	p, err := plan.RestartPlan(e.Repo, e.fleet, host)
	if err != nil {
		return ApplySummary{}, err
	}
	return e.run(ctx, p, obs, actionRestart)
}
