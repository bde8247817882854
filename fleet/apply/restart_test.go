package apply_test

import (
	"context"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/apply"
)

// TestRestartRunsTheHandlerAndGates: r in the UI restarts a host on its
// current config, waits for health and tests its routes.
func TestRestartRunsTheHandlerAndGates(t *testing.T) {
	d := startLab(t)
	repo := openRepo(t, d.Dir)
	rec := &recorder{}
	eng := &apply.Engine{Repo: repo, Transports: labTransports(t)}
	if err := eng.Restart(context.Background(), "armitage", rec.observe); err != nil {
		t.Fatal(err)
	}
	evs := rec.events()
	stepAt(t, evs, "armitage", apply.StepHandler, apply.StatusOK)
	stepAt(t, evs, "armitage", apply.StepHealth, apply.StatusOK)
	stepAt(t, evs, "armitage", apply.StepRouteTest, apply.StatusOK)
	wantResult(t, evs, "armitage", "ok")
}
