package ui

import (
	"fmt"

	"github.com/straylight-fleet/straylight/ui/apply"
)

// busyWith is what straylight is doing to host now ("deploying",
// "restarting"), or "".
func (m Model) busyWith(host string) string {
	for _, p := range m.tasks {
		switch {
		case !p.Running() || p.Target != host:
		case p.Kind == apply.KindRestart:
			return "restarting"
		case p.Kind == apply.KindDeploy:
			return "deploying"
		}
	}
	return ""
}

// refuseTestThroughBusy refuses a route test through a host straylight is
// deploying or restarting: its vLLM is down or loading, so LiteLLM would
// answer 500 and the test would say nothing about the route.
func (m Model) refuseTestThroughBusy(routes []string) (Model, bool) {
	for _, name := range routes {
		host := m.routeHost(name)
		if busy := m.busyWith(host); busy != "" {
			m.errText = fmt.Sprintf("not testing %s: it goes through %s, which is %s (its vLLM is not serving yet; the deploy tests the route itself when it is) — p shows it", name, host, busy)
			return m, true
		}
	}
	return m, false
}

// routeHost is the host a route goes through, as the plan's lint says.
func (m Model) routeHost(route string) string {
	if m.plan == nil {
		return ""
	}
	for _, r := range m.plan.Routes {
		if r.Route == route {
			return r.Host
		}
	}
	return ""
}
