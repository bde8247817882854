package fleet

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/history"
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
			targets = append(targets, statusTarget(g, s.cfg.Transports))
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
	}
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

// HostLogs streams a GPU host's backend log — its vLLM container's, over
// the host's own transport (WinRM, SSH or local) — to sink: the last lines
// lines, then, with follow, every new line until ctx ends.
func (s *Session) HostLogs(ctx context.Context, repo *Repo, host string, lines int, follow bool, sink func(string)) error {
	g, err := gpuHostNamed(repo, host)
	if err != nil {
		return err
	}
	if g.Container == "" {
		return fmt.Errorf("%s: no vLLM container is configured (vllm.container_name), so there is no log to read", host)
	}
	t, err := s.cfg.Transports(g.Conn)
	if err != nil {
		return fmt.Errorf("%s: %w", host, err)
	}
	defer t.Close()
	reader, ok := t.(remote.LogReader)
	if !ok {
		return fmt.Errorf("%s: the %s transport cannot read logs", host, t.Describe())
	}
	req := remote.LogRequest{Target: remote.LogTarget{Container: g.Container}, Lines: lines, Follow: follow}
	return reader.Logs(ctx, req, sink)
}

func gpuHostNamed(repo *Repo, host string) (GPUHost, error) {
	for _, g := range repo.Fleet().GPU {
		if g.Name == host {
			return g, nil
		}
	}
	return GPUHost{}, fmt.Errorf("%s is not a GPU host of this repository", host)
}

// History is the live monitor's recent load per host (fleet/history): the
// faces keep one, feed it every snapshot and draw sparklines and charts
// from it.
type (
	History = history.Store
	Metric  = history.Metric
)

// The recorded metrics.
const (
	GPUUtil = history.GPUUtil
	GPUMem  = history.GPUMem
	KVCache = history.KVCache
	Running = history.Running
	Waiting = history.Waiting
	Tokens  = history.Tokens
)

// HistoryWindow is how far back the UI's history reaches.
const HistoryWindow = history.DefaultWindow

// NewHistory keeps window of history for snapshots arriving every `every`.
func NewHistory(window, every time.Duration) *History { return history.New(window, every) }

// Metrics lists every metric, in the order the host detail charts them.
func Metrics() []Metric { return history.Metrics() }
