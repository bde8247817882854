package status

import (
	"fmt"
	"slices"
	"strings"
)

// lintRoutes checks every route against what its host serves now and, when
// the proxy's alias list is known (non-nil), against what the proxy loaded.
func lintRoutes(routes []Route, hosts []HostStatus, aliases []string) []RouteStatus {
	if len(routes) == 0 {
		return nil
	}
	// A map, not a search per route (routes × hosts at 1,000 hosts);
	// filled backwards, so the first host of a name is the one kept.
	byName := make(map[string]*HostStatus, len(hosts))
	for i := len(hosts) - 1; i >= 0; i-- {
		byName[hosts[i].Host] = &hosts[i]
	}
	out := make([]RouteStatus, len(routes))
	for i, r := range routes {
		out[i] = lintRoute(r, byName[r.Host], aliases)
	}
	return out
}

func lintRoute(r Route, host *HostStatus, aliases []string) RouteStatus {
	rs := RouteStatus{Route: r}
	switch {
	case host == nil && r.Host == "":
		return rs.with(RouteUnknownHost, fmt.Sprintf("%s's backend is no host of the inventory (its api_base, if any, names none), so what it serves is not watched", r.Alias))
	case host == nil:
		return rs.with(RouteUnknownHost, fmt.Sprintf("%s routes to %s, which is not a watched host", r.Alias, r.Host))
	}
	rs.Served = slices.Clone(host.Served)
	switch {
	case host.State != StateUp && host.State != StateUnknown:
		return rs.with(RouteHostDown, hostDownDetail(r, host))
	case host.Served == nil:
		return rs.with(RouteUnknown, fmt.Sprintf("%s: %s's model list is not known yet", r.Alias, r.Host))
	case !slices.Contains(host.Served, r.Upstream):
		return rs.with(RouteMismatch, fmt.Sprintf("%s asks %s for `%s`; %s", r.Alias, r.Host, r.Upstream,
			servesText(r.Host, host.Served)))
	case aliases != nil && !slices.Contains(aliases, r.Alias):
		return rs.with(RouteNotLoaded, fmt.Sprintf("the running LiteLLM has no `%s`: restart it to load its config", r.Alias))
	}
	return rs.with(RouteOK, fmt.Sprintf("%s serves `%s`", r.Host, r.Upstream))
}

func (rs RouteStatus) with(state RouteState, detail string) RouteStatus {
	rs.State, rs.Detail = state, detail
	return rs
}

func hostDownDetail(r Route, host *HostStatus) string {
	detail := fmt.Sprintf("%s asks %s for `%s`; %s is %s", r.Alias, r.Host, r.Upstream, r.Host, host.State)
	if host.Reason != "" {
		detail += " (" + host.Reason + ")"
	}
	return detail
}

func servesText(host string, served []string) string {
	if len(served) == 0 {
		return host + " serves no model"
	}
	return fmt.Sprintf("%s serves `%s`", host, strings.Join(served, "`, `"))
}
