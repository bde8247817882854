package fleet

import (
	"slices"

	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/remote"
)

// StatusTargets describes repo's fleet to the live status monitor: each GPU
// host within hosts (nil: all) and the proxy with its routes.
func (s *Session) StatusTargets(repo *Repo, hosts []string) ([]status.Target, *status.ProxyTarget) {
	f := repo.Fleet()
	var targets []status.Target
	for _, g := range f.Serving() {
		if hosts == nil || slices.Contains(hosts, g.Name) {
			t := statusTarget(g, s.cfg.Transports)
			t.Host = f.Label(g)
			targets = append(targets, t)
		}
	}
	return targets, proxyTarget(f, hosts)
}

// Monitor is the live status monitor of repo's whole fleet.
func (s *Session) Monitor(repo *Repo) *status.Monitor {
	hosts, proxy := s.StatusTargets(repo, nil)
	return status.New(status.Config{Hosts: hosts, Proxy: proxy, Timeout: repo.Settings().ProbeTimeout})
}

func statusTarget(g GPUHost, transports plan.TransportFactory) status.Target {
	conn := g.Conn
	return status.Target{
		Host: g.Name, VLLMURL: g.APIURL(), Expected: g.Served,
		Container: g.Container, IdleThreshold: g.IdleThreshold,
		Transport: func() (remote.Transport, error) { return transports(conn) },
		Insecure:  plan.InsecureReason(conn),
		Kind:      g.Kind, APIKey: g.APIKey,
	}
}

func proxyTarget(f *Fleet, hosts []string) *status.ProxyTarget {
	p := f.Proxy
	if p == nil {
		return discoveredProxyTarget(f, hosts)
	}
	if hosts != nil && !slices.Contains(hosts, p.Name) {
		return nil
	}
	pt := &status.ProxyTarget{Host: p.Name, URL: p.URL(), MasterKey: p.MasterKey}
	return withRoutes(pt, f, p.Routes)
}

// discoveredProxyTarget is the first LiteLLM config found in the rendered
// files, when no host has a litellm mapping.
func discoveredProxyTarget(f *Fleet, hosts []string) *status.ProxyTarget {
	for _, p := range f.Proxies {
		if p.Kind == "litellm" && (hosts == nil || slices.Contains(hosts, p.Host)) {
			return withRoutes(&status.ProxyTarget{Host: p.Host, URL: p.URL, MasterKey: p.MasterKey}, f, p.Routes)
		}
	}
	return nil
}

func withRoutes(pt *status.ProxyTarget, f *Fleet, routes []discover.Route) *status.ProxyTarget {
	for _, r := range routes {
		sr := status.Route{Alias: r.Alias, Upstream: r.Upstream()}
		if h, _ := discover.HostForAPIBase(r.APIBase, f.Serving()); h != nil {
			sr.Host = f.Label(*h)
		}
		pt.Routes = append(pt.Routes, sr)
	}
	return pt
}

// WithoutHostProbes drops the host-side probes (GPU and container state over
// the transport): a one-off --check needs only the HTTP checks, and should
// not start docker or nvidia-smi once per local host.
func WithoutHostProbes(targets []status.Target) []status.Target {
	for i := range targets {
		targets[i].Transport = nil
	}
	return targets
}
