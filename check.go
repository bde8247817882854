package main

import (
	"context"
	"fmt"
	"os"

	"github.com/straylight-fleet/straylight/fleet"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/ui"
)

// runCheck prints the plan: exit 0 no changes, 2 changes, 1 error or
// nothing planned.
func (a *app) runCheck(ctx context.Context) int {
	repo, err := a.openRepo()
	if err != nil {
		return a.fail(err)
	}
	live := a.startLive(ctx, repo) // probes while the plan renders
	plan, err := a.planRepo(ctx, repo)
	if err != nil {
		return a.fail(err)
	}
	snap := <-live
	defer a.bufferOutput()()
	if a.opts.json {
		plan.Live = liveView(snap)
	}
	if err := a.writePlan(plan); err != nil {
		return a.fail(err)
	}
	writeLiveWarnings(a.stderr, snap)
	if a.opts.planOut != "" {
		if err := fleetplan.SavePlan(a.opts.planOut, plan); err != nil {
			return a.fail(err)
		}
	}
	return checkExitCode(plan)
}

func checkExitCode(plan *fleetplan.Plan) int {
	switch {
	case plan.HasErrors(), plan.NothingPlanned:
		return exitFailure
	case plan.HasChanges():
		return exitChanges
	}
	return exitOK
}

// plan opens the repository and builds its plan.
func (a *app) plan(ctx context.Context) (*fleet.Repo, *fleetplan.Plan, error) {
	repo, err := a.openRepo()
	if err != nil {
		return nil, nil, err
	}
	plan, err := a.planRepo(ctx, repo)
	return repo, plan, err
}

func (a *app) planRepo(ctx context.Context, repo *fleet.Repo) (*fleetplan.Plan, error) {
	return a.session().Plan(ctx, repo)
}

func (a *app) openRepo() (*fleet.Repo, error) {
	if err := a.keyring(); err != nil {
		return nil, err
	}
	return a.session().Open()
}

// writePlan prints the plan on stdout and its findings on stderr.
func (a *app) writePlan(plan *fleetplan.Plan) error {
	if a.opts.json {
		return plan.WriteJSON(a.stdout)
	}
	if a.opts.showSecrets {
		plan.WriteHumanShowingSecrets(a.stdout, a.stderr)
		return nil
	}
	plan.WriteHuman(a.stdout, a.stderr)
	return nil
}

// runUI starts the terminal UI; without a terminal it says so instead.
func (a *app) runUI(ctx context.Context) int {
	if !isTerminal(os.Stdout) {
		fmt.Fprintln(a.stderr, "straylight: stdout is not a terminal; use --check or --apply for headless runs")
		return exitFailure
	}
	if err := a.keyring(); err != nil { // before the UI takes the terminal: it may prompt
		return a.fail(err)
	}
	if err := ui.Run(ctx, ui.Config{Session: a.session(), Stderr: a.stderr}); err != nil {
		return a.fail(err)
	}
	return exitOK
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
