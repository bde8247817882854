package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/straylight-fleet/straylight/fleet"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
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
		m := status.New(status.Config{Hosts: targets, Proxy: proxy, Timeout: repo.Settings().ProbeTimeout, Parallel: checkProbeParallel, HealthFirst: true})
		defer m.Close()
		out <- m.Refresh(ctx)
	}()
	return out
}

// checkProbeParallel bounds the hosts --check starts probing at once
// (status.Config.Parallel): at 1,000 hosts, probing all at once held some
// 5,000 goroutine stacks (24–44 MiB) beside the plan. --check also asks a
// server's /health first (status.Config.HealthFirst): a host that is down
// costs one connection, not three.
const checkProbeParallel = 64

func writeLiveWarnings(w io.Writer, snap status.Snapshot) {
	for _, h := range snap.Hosts {
		switch {
		case h.State != status.StateUp:
			fmt.Fprintf(w, "warning: live: [%s] %s: %s\n", h.Host, h.State, h.Reason)
		case h.Mismatch:
			fmt.Fprintf(w, "warning: live: [%s] serves %s; the repository configures %s\n", h.Host, quoted(h.Served), quoted(h.Expected))
		case h.NoMetrics != "":
			fmt.Fprintf(w, "warning: live: [%s] %s\n", h.Host, h.NoMetrics)
		}
	}
	for _, r := range snap.Routes {
		if r.State != status.RouteOK {
			fmt.Fprintf(w, "warning: live: route %s -> %s on %s: %s: %s\n", r.Route.Alias, r.Route.Upstream, cmp.Or(r.Route.Host, "(no inventory host)"), r.State, r.Detail)
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

// liveView is the snapshot as --check --json carries it beside the plan.
func liveView(snap status.Snapshot) *fleetplan.Live {
	live := &fleetplan.Live{Hosts: []fleetplan.LiveHost{}, Routes: []fleetplan.LiveRoute{}}
	for _, h := range snap.Hosts {
		live.Hosts = append(live.Hosts, fleetplan.LiveHost{Host: h.Host, Kind: h.Kind, URL: h.URL,
			State: string(h.State), Reason: h.Reason, Served: h.Served, Expected: h.Expected,
			Mismatch: h.Mismatch, Metrics: metricsWord(h)})
	}
	for _, r := range snap.Routes {
		live.Routes = append(live.Routes, fleetplan.LiveRoute{Route: r.Route.Alias, Upstream: r.Route.Upstream,
			Host: r.Route.Host, State: string(r.State), Detail: r.Detail})
	}
	return live
}

func metricsWord(h status.HostStatus) string {
	switch {
	case h.Load.Known:
		return "ok"
	case h.NoMetrics != "":
		return h.NoMetrics
	}
	return "unknown: the server is " + string(h.State)
}
