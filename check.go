package main

import (
	"context"
	"fmt"
	"os"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/ui"
)

// runCheck prints the plan: exit 0 no changes, 2 changes, 1 error.
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
	if err := a.writePlan(plan); err != nil {
		return a.fail(err)
	}
	writeLiveWarnings(a.stderr, <-live)
	if a.opts.planOut != "" {
		if err := fleet.SavePlan(a.opts.planOut, plan); err != nil {
			return a.fail(err)
		}
	}
	return checkExitCode(plan)
}

func checkExitCode(plan *fleet.Plan) int {
	switch {
	case plan.HasErrors():
		return exitFailure
	case plan.HasChanges():
		return exitChanges
	}
	return exitOK
}

// plan opens the repository and builds its plan.
func (a *app) plan(ctx context.Context) (*fleet.Repo, *fleet.Plan, error) {
	repo, err := a.openRepo()
	if err != nil {
		return nil, nil, err
	}
	plan, err := a.planRepo(ctx, repo)
	return repo, plan, err
}

func (a *app) planRepo(ctx context.Context, repo *fleet.Repo) (*fleet.Plan, error) {
	p := &fleet.Planner{Repo: repo, Transports: fleet.DefaultTransports, Parallel: a.opts.forks * 4}
	return p.Plan(ctx)
}

func (a *app) openRepo() (*fleet.Repo, error) {
	dec, err := a.keyring()
	if err != nil {
		return nil, err
	}
	return fleet.Open(fleet.Options{
		Repo: a.opts.repo, Inventory: a.opts.inventory, Limit: a.opts.limit,
		ExtraVars: a.opts.extraVars, Decrypter: dec,
	})
}

// writePlan prints the plan on stdout and its findings on stderr.
func (a *app) writePlan(plan *fleet.Plan) error {
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
	dec, err := a.keyring() // before the UI takes the terminal: it may prompt
	if err != nil {
		return a.fail(err)
	}
	cfg := ui.Config{Repo: a.opts.repo, Inventory: a.opts.inventory, Limit: a.opts.limit,
		ExtraVars: a.opts.extraVars, Decrypter: dec, Apply: a.applyOptions()}
	if err := ui.Run(ctx, cfg); err != nil {
		return a.fail(err)
	}
	return exitOK
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
