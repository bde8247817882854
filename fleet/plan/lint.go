package plan

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover"
)

// lintFleet validates GPU hosts' values and lints the proxy's routes.
func lintFleet(plan *Plan, works []*hostWork) {
	for _, w := range works {
		plan.Findings = append(plan.Findings, w.lint...) // validate's, found while the hosts were planned
	}
	plan.Findings = append(plan.Findings, problemFindings(plan.Fleet)...)
	plan.Backends = backendsOf(plan.Fleet)
	plan.Proxies = proxiesOf(plan.Fleet)
	hosts := discover.NewHostIndex(plan.Fleet.Serving())
	if plan.Fleet.Proxy != nil {
		for _, r := range plan.Fleet.Proxy.Routes {
			plan.Routes = append(plan.Routes, LintRoute(r, hosts))
		}
	}
	lintDiscoveredProxies(plan, hosts)
}

// validate checks every vllm value the host's config uses, naming the file,
// line and key where the value was set; the values are those discovery
// templated in the same scope, when it did.
func (w *hostWork) validate(fleet *discover.Fleet) []Finding {
	if len(w.tasks.Scopes) == 0 {
		return nil
	}
	hs := w.tasks.Scopes[0]
	vals, err := fleet.VLLMValuesIn(hs)
	if err != nil {
		return []Finding{ansible.ErrorFinding(w.name, err)}
	}
	var out []Finding
	for _, key := range slices.Sorted(maps.Keys(vals)) {
		if msg := ValidateVLLMValue(key, vals[key]); msg != "" {
			o := hs.Vars().Origin("vllm." + key)
			out = append(out, Finding{Severity: SevError, Host: w.name, At: Located{File: ansible.RelTo(hs.Root(), o.File), Line: o.Line}, Key: "vllm." + key, Message: msg})
		}
	}
	return out
}

// orderHosts puts backends before the proxy (docs/architecture.md): a route's new
// upstream must be served before LiteLLM asks for it.
func orderHosts(plan *Plan) {
	proxy := ""
	if plan.Fleet.Proxy != nil {
		proxy = plan.Fleet.Proxy.Name
	}
	for _, h := range plan.Hosts {
		if h.Host == proxy {
			h.Order = 1
		}
	}
	sort.SliceStable(plan.Hosts, func(i, j int) bool { return plan.Hosts[i].Order < plan.Hosts[j].Order })
}

// LintRoute checks a route against the fleet as the repository configures it.
func LintRoute(r discover.Route, hosts *discover.HostIndex) RouteCheck {
	rc := RouteCheck{Route: r.Alias, Model: r.Model, Upstream: r.Upstream(), APIBase: r.APIBase, Source: r.Source}
	if r.APIBase == "" {
		return rc.with("ok", fmt.Sprintf("no api_base: a provider route (%s), not served by this fleet", r.Model))
	}
	if env, ok := strings.CutPrefix(r.APIBase, "os.environ/"); ok {
		return lintEnvAPIBase(rc, r, env)
	}
	h, err := hosts.ForAPIBase(r.APIBase)
	if err != nil {
		return rc.with("error", err.Error())
	}
	if h == nil {
		return rc.with("warning", fmt.Sprintf("api_base %s is not a host of this repository", r.APIBase))
	}
	rc.Host = h.Name
	if !strings.HasSuffix(strings.TrimRight(r.APIBase, "/"), "/v1") {
		return rc.with("error", fmt.Sprintf("api_base %s does not end in /v1: every request would get {'detail': 'Not Found'}", r.APIBase))
	}
	if len(h.Served) == 0 {
		return rc.with("warning", fmt.Sprintf("%s (%s) does not say in the repository which names it serves", h.Name, h.Kind))
	}
	if !slices.Contains(h.Served, rc.Upstream) {
		return rc.with("error", fmt.Sprintf("route %s asks %s for %q, but %s is configured to serve %s",
			r.Alias, h.Name, rc.Upstream, h.Name, quoteList(h.Served)))
	}
	return rc.with("ok", fmt.Sprintf("%s serves %q", h.Name, rc.Upstream))
}

// lintEnvAPIBase: LiteLLM reads an api_base of os.environ/NAME from the
// proxy's environment when it starts, so straylight cannot tell from the
// repository which server it names. A cloud provider's model (azure/…,
// gemini/…) is a provider route; an OpenAI-compatible one may be a host of
// this fleet, unchecked: a warning, never "not a URL".
func lintEnvAPIBase(rc RouteCheck, r discover.Route, env string) RouteCheck {
	provider, _, _ := strings.Cut(r.Model, "/")
	if provider != "openai" && provider != "hosted_vllm" && provider != "ollama" && provider != "ollama_chat" {
		return rc.with("ok", fmt.Sprintf("api_base from the proxy's environment (%s): a provider route (%s), not served by this fleet", env, r.Model))
	}
	return rc.with("warning", fmt.Sprintf("api_base comes from the proxy's environment (%s) when LiteLLM starts: straylight cannot tell which server it names, so the route is not checked", env))
}

func (rc RouteCheck) with(status, detail string) RouteCheck {
	rc.Status, rc.Detail = status, detail
	return rc
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
