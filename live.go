package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
)

// startLive probes the planned hosts once, in the background, and delivers
// the snapshot; --check prints, as warnings beside the plan, what the live
// fleet says: hosts not serving, served names that differ from the
// configured ones, routes that fail now (the seed's bug as an operator meets
// it: configured right, served wrong).
func (a *app) startLive(ctx context.Context, repo *fleet.Repo) <-chan status.Snapshot {
	out := make(chan status.Snapshot, 1)
	planned := append([]string{}, repo.PlannedHosts()...) // never nil: nil means every host
	targets, proxy := a.session().StatusTargets(repo, planned)
	targets = fleet.WithoutHostProbes(targets)
	if len(targets) == 0 && proxy == nil {
		out <- status.Snapshot{}
		return out
	}
	go func() {
		m := status.New(status.Config{Hosts: targets, Proxy: proxy, Timeout: repo.Settings().ProbeTimeout})
		defer m.Close()
		out <- m.Refresh(ctx)
	}()
	return out
}

func writeLiveWarnings(w io.Writer, snap status.Snapshot) {
	for _, h := range snap.Hosts {
		switch {
		case h.State != status.StateUp:
			fmt.Fprintf(w, "warning: live: [%s] %s: %s\n", h.Host, h.State, h.Reason)
		case h.Mismatch:
			fmt.Fprintf(w, "warning: live: [%s] serves %s; the repository configures %s\n", h.Host, quoted(h.Served), quoted(h.Expected))
		}
	}
	for _, r := range snap.Routes {
		if r.State != status.RouteOK {
			fmt.Fprintf(w, "warning: live: route %s -> %s on %s: %s: %s\n", r.Route.Alias, r.Route.Upstream, r.Route.Host, r.State, r.Detail)
		}
	}
}

func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, ", ")
}
