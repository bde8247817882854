package main

import (
	"context"

	"github.com/straylight-fleet/straylight/fleet"
)

// runDoctor checks, step by step, that each planned host (within --limit)
// does what straylight relies on (docs/windows-verification.md), and prints
// the table, or one JSON report with --json: exit 0 when no step failed, 1
// otherwise.
func (a *app) runDoctor(ctx context.Context) int {
	repo, err := a.openRepo()
	if err != nil {
		return a.fail(err)
	}
	reports := a.session().Doctor(ctx, repo)
	code, err := fleet.PrintDoctor(a.stdout, reports, a.opts.json)
	if err != nil {
		return a.fail(err)
	}
	return code
}
