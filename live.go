package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
)

// liveWarnings probes the planned hosts once and prints, as warnings beside
// the plan, what the live fleet says: hosts not serving, served names that
// differ from the configured ones, routes that fail now (the seed's bug as an
// operator meets it: configured right, served wrong).
func (a *app) liveWarnings(ctx context.Context, repo *fleet.Repo, plan *fleet.Plan) {
	hosts := plannedHosts(plan)
	targets, proxy := plan.Fleet.StatusTargets(fleet.DefaultTransports, hosts)
	targets = fleet.WithoutHostProbes(targets)
	if len(targets) == 0 && proxy == nil {
		return
	}
	m := status.New(status.Config{Hosts: targets, Proxy: proxy, Timeout: repo.Settings.ProbeTimeout})
	defer m.Close()
	snap := m.Refresh(ctx)
	writeLiveWarnings(a.stderr, snap)
}

func plannedHosts(plan *fleet.Plan) []string {
	hosts := []string{}
	for _, h := range plan.Hosts {
		hosts = append(hosts, h.Host)
	}
	return hosts
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
