package fleet

import (
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/remote"
)

// StatusTargets describes the fleet to the live status monitor: each GPU host
// within hosts (nil: all) and the proxy with its routes.
func (f *Fleet) StatusTargets(transports TransportFactory, hosts []string) ([]status.Target, *status.ProxyTarget) {
	var targets []status.Target
	for _, g := range f.GPU {
		if hosts == nil || contains(hosts, g.Name) {
			targets = append(targets, g.statusTarget(transports))
		}
	}
	return targets, f.proxyTarget(hosts)
}

func (g GPUHost) statusTarget(transports TransportFactory) status.Target {
	conn := g.Conn
	return status.Target{
		Host: g.Name, VLLMURL: g.APIURL(), Expected: g.Served,
		Container: g.Container, IdleThreshold: g.IdleThreshold,
		Transport: func() (remote.Transport, error) { return transports(conn) },
		Insecure:  InsecureReason(conn),
	}
}

func (f *Fleet) proxyTarget(hosts []string) *status.ProxyTarget {
	p := f.Proxy
	if p == nil || (hosts != nil && !contains(hosts, p.Name)) {
		return nil
	}
	pt := &status.ProxyTarget{Host: p.Name, URL: p.URL(), MasterKey: p.MasterKey}
	for _, r := range p.Routes {
		sr := status.Route{Alias: r.Alias, Upstream: r.Upstream()}
		if h, _ := hostForAPIBase(r.APIBase, f.GPU); h != nil {
			sr.Host = h.Name
		}
		pt.Routes = append(pt.Routes, sr)
	}
	return pt
}

// InsecureReason says why a connection is insecure ("" when it is not):
// WinRM over plain HTTP, or with certificate validation off.
func InsecureReason(c Connection) string {
	if c.Kind != "winrm" {
		return ""
	}
	w, err := remote.NewWinRM(winrmConfig(c))
	if err != nil {
		return ""
	}
	return w.InsecureReason()
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
