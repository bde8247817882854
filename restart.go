package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/straylight-fleet/straylight/fleet"
)

// runRestart restarts a host's backend through the engine, as the TUI's r
// does: its restart handlers, health gate and route tests, printed as
// --apply prints them; exit 0 success, 1 failure.
func (a *app) runRestart(ctx context.Context, host string) int {
	repo, err := a.openRepo()
	if err != nil {
		return a.fail(err)
	}
	if err := knownHost(repo, host); err != nil {
		return a.fail(err)
	}
	what := fmt.Sprintf("Restart %s: its restart handlers run on its current config, then its health gate and route tests.", host)
	if !a.ask("restart", what, "Restart "+host+"?") {
		return a.fail(fmt.Errorf("%s not restarted", host))
	}
	eng := a.session().Engine(repo, nil)
	return a.runExitCode(eng.Restart(ctx, host, a.observer()))
}

// knownHost refuses a host the inventory does not name.
func knownHost(repo *fleet.Repo, host string) error {
	if slices.Contains(repo.Hosts(), host) {
		return nil
	}
	return fmt.Errorf("--restart %s: no host %q in the inventory (hosts: %v)", host, host, repo.Hosts())
}

// runTestRoute streams one chat completion through LiteLLM for a route,
// printed as --apply prints its route tests: exit 0 when the route
// answered, 1 otherwise.
func (a *app) runTestRoute(ctx context.Context, route string) int {
	repo, err := a.openRepo()
	if err != nil {
		return a.fail(err)
	}
	eng := a.session().Engine(repo, nil)
	if _, err := eng.TestRoute(ctx, route, a.observer()); err != nil {
		return a.fail(err)
	}
	return exitOK
}
