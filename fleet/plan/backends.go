package plan

import (
	"fmt"
	"io"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover"
)

// Backend is one model server of the fleet as the plan reports it: from a
// vllm mapping or discovered in a host's rendered files, with the file and
// line it came from. Its API key appears only as a reference.
type Backend struct {
	Host        string   `json:"host"`
	Kind        string   `json:"kind"`
	APIBase     string   `json:"api_base"`
	ServedNames []string `json:"served_names"`
	Model       string   `json:"model,omitempty"`
	Container   string   `json:"container,omitempty"`
	Unit        string   `json:"unit,omitempty"`
	APIKey      string   `json:"api_key,omitempty"`  // where the key comes from, never the key
	Source      string   `json:"source"`             // file:line
	Template    string   `json:"template,omitempty"` // the repository's template or file rendered into source
	Discovered  bool     `json:"discovered"`         // false: the host's vllm mapping
	Notes       []string `json:"notes,omitempty"`
}

// backendsOf lists every server of the fleet.
func backendsOf(f *discover.Fleet) []Backend {
	out := []Backend{}
	for g := range f.EachServing() {
		out = append(out, Backend{
			Host: g.Name, Kind: g.Kind, APIBase: g.APIURL() + "/v1", ServedNames: g.Served, Model: g.Model,
			Container: g.Container, Unit: g.Unit, APIKey: g.APIKeyRef, Source: g.Source, Template: g.Template,
			Discovered: g.Discovered, Notes: g.Notes,
		})
	}
	return out
}

// ProxyFound is a router found in a host's rendered files (a LiteLLM or
// llama-swap config), with the file and line it came from and how many
// routes it holds (each is in Plan.Routes for LiteLLM).
type ProxyFound struct {
	Host     string `json:"host"`
	Kind     string `json:"kind"`
	URL      string `json:"url,omitempty"`
	Source   string `json:"source"`
	Template string `json:"template,omitempty"`
	Routes   int    `json:"routes"`
}

// proxiesOf lists the routers discovery found.
func proxiesOf(f *discover.Fleet) []ProxyFound {
	out := []ProxyFound{}
	for _, p := range f.Proxies {
		out = append(out, ProxyFound{Host: p.Host, Kind: p.Kind, URL: p.URL, Source: p.Source, Template: p.Template, Routes: len(p.Routes)})
	}
	return out
}

// lintDiscoveredProxies lints the routes of the LiteLLM configs found in
// rendered files that no litellm mapping reads already.
func lintDiscoveredProxies(plan *Plan, hosts *discover.HostIndex) {
	mapped := plan.Fleet.MappedProxyConfig()
	for i, p := range plan.Fleet.Proxies {
		if p.Kind != "litellm" || (mapped != nil && &plan.Fleet.Proxies[i] == mapped) {
			continue
		}
		for _, r := range p.Routes {
			rc := LintRoute(r, hosts)
			rc.Proxy = p.Host
			plan.Routes = append(plan.Routes, rc)
		}
	}
}

// problemFindings are the rendered files discovery could not read.
func problemFindings(f *discover.Fleet) []Finding {
	var out []Finding
	for _, p := range f.Problems {
		out = append(out, Finding{Severity: ansible.SevWarning, Host: p.Host, Message: "discovery: " + p.Message})
	}
	return out
}

func writeBackends(w io.Writer, backends []Backend) {
	if len(backends) == 0 {
		return
	}
	fmt.Fprintln(w, "BACKENDS "+strings.Repeat("*", 20))
	for _, b := range backends {
		fmt.Fprintf(w, "%-10s [%s] %s serves %s (%s)\n", b.Kind, b.Host, b.APIBase, quoteList(b.ServedNames), sourceWords(b))
	}
	fmt.Fprintln(w)
}

func sourceWords(b Backend) string {
	words := "from " + cmpOr(b.Source, "unknown source")
	if b.Template != "" {
		words += " rendered from " + b.Template
	}
	if !b.Discovered {
		words = "vllm mapping, " + words
	}
	if b.APIKey != "" {
		words += "; api key " + b.APIKey
	}
	return words
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
