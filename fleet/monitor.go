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
	for _, g := range f.GPU {
		if hosts == nil || slices.Contains(hosts, g.Name) {
			targets = append(targets, s.statusTarget(g))
		}
	}
	return targets, proxyTarget(f, hosts)
}

// Monitor is the live status monitor of repo's whole fleet.
func (s *Session) Monitor(repo *Repo) *status.Monitor {
	hosts, proxy := s.StatusTargets(repo, nil)
	return status.New(status.Config{Hosts: hosts, Proxy: proxy, Timeout: repo.Settings().ProbeTimeout})
}

func (s *Session) statusTarget(g GPUHost) status.Target {
	conn, transports := g.Conn, s.cfg.Transports
	t := status.Target{
		Host: g.Name, VLLMURL: g.APIURL(), Expected: g.Served,
		Container: g.Container, IdleThreshold: g.IdleThreshold,
		Transport: func() (remote.Transport, error) { return transports(conn) },
		Insecure:  s.insecureReason(conn),
	}
	if unit := plan.SystemdUnit(conn); unit != "" {
		t.Unit, t.Container = unit, "" // vLLM runs as a service, not in a container
	}
	return t
}

func proxyTarget(f *Fleet, hosts []string) *status.ProxyTarget {
	p := f.Proxy
	if p == nil || (hosts != nil && !slices.Contains(hosts, p.Name)) {
		return nil
	}
	pt := &status.ProxyTarget{Host: p.Name, URL: p.URL(), MasterKey: p.MasterKey}
	for _, r := range p.Routes {
		sr := status.Route{Alias: r.Alias, Upstream: r.Upstream()}
		if h, _ := discover.HostForAPIBase(r.APIBase, f.GPU); h != nil {
			sr.Host = h.Name
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
