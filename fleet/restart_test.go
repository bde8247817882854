package fleet_test

import (
	"context"
	"testing"

	"github.com/straylight-fleet/straylight/fleet"
)

// TestRestartRunsTheHandlerAndGates: r in the UI restarts a host on its
// current config, waits for health and tests its routes.
func TestRestartRunsTheHandlerAndGates(t *testing.T) {
	d := startLab(t)
	repo := openRepo(t, d.Dir)
	rec := &recorder{}
	eng := &fleet.Engine{Repo: repo, Transports: fleet.DefaultTransports}
	if err := eng.Restart(context.Background(), "armitage", rec.observe); err != nil {
		t.Fatal(err)
	}
	evs := rec.events()
	stepAt(t, evs, "armitage", fleet.StepHandler, fleet.StatusOK)
	stepAt(t, evs, "armitage", fleet.StepHealth, fleet.StatusOK)
	stepAt(t, evs, "armitage", fleet.StepRouteTest, fleet.StatusOK)
	wantResult(t, evs, "armitage", "ok")
}
