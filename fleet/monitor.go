package fleet

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/doctor"
	"github.com/straylight-fleet/straylight/fleet/history"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/remote"
)

// StatusTargets describes repo's fleet to the live status monitor: each GPU
// host within hosts (nil: all) and the proxy with its routes.
func (s *Session) StatusTargets(repo *Repo, hosts []string) ([]status.Target, *status.ProxyTarget) {
	f := repo.Fleet()
	label, wanted := f.Labeler(), hostSet(hosts)
	var targets []status.Target
	for g := range f.EachServing() {
		if hosts == nil || wanted[g.Name] {
			t := s.statusTarget(g)
			t.Host = label(g)
			targets = append(targets, t)
		}
	}
	return targets, proxyTarget(f, hosts)
}

// DeployedTargets is StatusTargets (every host) with what p found deployed:
// each server is probed and compared as its deployed files describe it
// (port, served names, container), and its Undeployed note says what the
// repository would change; where what is deployed is not known, the
// repository's values stand in and Basis says why. A nil p: nothing is read
// yet, and Basis says so.
func (s *Session) DeployedTargets(repo *Repo, p *plan.Plan) ([]status.Target, *status.ProxyTarget) {
	f := repo.Fleet()
	label := f.Labeler()
	var targets []status.Target
	for g := range f.EachServing() {
		d, basis := deployedOf(g, p)
		t := s.statusTarget(d.asDeployed(g))
		t.Host, t.Basis, t.Undeployed = label(g), basis, d.undeployed()
		targets = append(targets, t)
	}
	return targets, proxyTarget(f, nil)
}

// BasisNotReadYet is a target's Basis before the first plan.
const BasisNotReadYet = "what is deployed is not read yet: compared with the repository"

// deployed is what a plan says of one server; nil: not known.
type deployed struct{ *plan.DeployedServer }

func deployedOf(g GPUHost, p *plan.Plan) (deployed, string) {
	if p == nil {
		return deployed{}, BasisNotReadYet
	}
	hp := p.Host(g.Name)
	if hp == nil {
		return deployed{}, g.Name + " is outside the plan (--limit): compared with the repository"
	}
	ds := hp.Deployed(g.Port)
	switch {
	case ds == nil:
		return deployed{}, "the plan has no deployed server on port " + strconv.Itoa(g.Port) + ": compared with the repository"
	case !ds.Known:
		return deployed{}, ds.Note
	}
	return deployed{ds}, ""
}

// asDeployed is g with the deployed port, names and container.
func (d deployed) asDeployed(g GPUHost) GPUHost {
	if d.DeployedServer == nil {
		return g
	}
	g.Port, g.Served, g.Model = d.Port, d.Served, d.Model
	if d.Container != "" && g.Unit == "" {
		g.Container = d.Container
	}
	if u, err := url.Parse(g.BaseURL); err == nil && g.BaseURL != "" {
		u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(d.Port)) // straylight.yml's api_base, on the deployed port
		g.BaseURL = u.String()
	}
	return g
}

func (d deployed) undeployed() string {
	if d.DeployedServer == nil || len(d.Differs) == 0 {
		return ""
	}
	return "repository differs: not deployed yet: " + strings.Join(d.Differs, ", ")
}

// Monitor is the live status monitor of repo's whole fleet.
func (s *Session) Monitor(repo *Repo) *status.Monitor {
	hosts, proxy := s.StatusTargets(repo, nil)
	return status.New(status.Config{Hosts: hosts, Proxy: proxy, Timeout: repo.Settings().ProbeTimeout})
}

// hostSet is hosts as a set, for membership tests over a large fleet.
func hostSet(hosts []string) map[string]bool {
	set := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		set[h] = true
	}
	return set
}

func (s *Session) statusTarget(g GPUHost) status.Target {
	conn, transports := g.Conn, s.cfg.Transports
	t := status.Target{
		Host: g.Name, VLLMURL: g.APIURL(), Expected: g.Served,
		Container: g.Container, IdleThreshold: g.IdleThreshold,
		Transport: func() (remote.Transport, error) { return transports(conn) },
		Insecure:  s.insecureReason(conn),
		Kind:      g.Kind, APIKey: g.APIKey,
	}
	if unit := systemdUnit(g); unit != "" {
		t.Unit, t.Container = unit, "" // vLLM runs as a service, not in a container
	}
	return t
}

// systemdUnit is the host's vllm.systemd_unit. A vllm-mapped host's mapping
// was templated when the fleet was read (its Values, from the same scope as
// its Conn): templating it again for every host took a 1,000-host check
// ~14 ms before its probes could start.
func systemdUnit(g GPUHost) string {
	if g.Values != nil && !g.Discovered {
		return plan.SystemdUnitOf(g.Values)
	}
	return plan.SystemdUnit(g.Conn)
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
	serving, label := discover.NewHostIndex(f.Serving()), f.Labeler()
	for _, r := range routes {
		sr := status.Route{Alias: r.Alias, Upstream: r.Upstream()}
		if h, _ := serving.ForAPIBase(r.APIBase); h != nil {
			sr.Host = label(*h)
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

// DoctorReport is one host's --doctor run (see fleet/doctor).
type DoctorReport = doctor.Report

// PrintDoctor writes the reports as a table or JSON and returns --doctor's
// exit code: 0 when no step failed, else 1.
func PrintDoctor(w io.Writer, reports []DoctorReport, asJSON bool) (int, error) {
	return doctor.Print(w, reports, asJSON)
}

// Doctor runs the conformance checks (fleet/doctor) on the planned hosts
// (within --limit), --forks at a time: each host over the transport the
// engine uses, a GPU host's vLLM with the name it is configured to serve,
// and the proxy with its master key and the routes through the host.
func (s *Session) Doctor(ctx context.Context, repo *Repo) []DoctorReport {
	inputs := s.doctorInputs(repo)
	defer closeTransports(inputs)
	return doctor.RunAll(ctx, inputs, s.forks())
}

func (s *Session) doctorInputs(repo *Repo) []doctor.Input {
	f := repo.Fleet()
	var inputs []doctor.Input
	for _, host := range repo.PlannedHosts() {
		in := doctor.Input{Host: host, StepTimeout: repo.Settings().DoctorStepTimeout}
		if conn, ok := f.Conns[host]; ok {
			in.Transport, in.TransportErr = s.cfg.Transports(conn)
		}
		addBackend(&in, f)
		addProxy(&in, f)
		inputs = append(inputs, in)
	}
	return inputs
}

// addBackend adds a GPU host's server (its vLLM, or one found in what it
// renders): its container, the name it is configured to serve and its
// api_key (vllm.api_key, when set).
func addBackend(in *doctor.Input, f *Fleet) {
	g := f.ServerByName(in.Host)
	if g == nil {
		return
	}
	in.Container = g.Container
	in.Backend = &doctor.Backend{BaseURL: g.APIURL(), APIKey: backendKey(*g), Kind: g.Kind}
	if len(g.Served) > 0 {
		in.Backend.ExpectedModel = g.Served[0]
	}
}

func backendKey(g GPUHost) string {
	key, _ := g.Values["api_key"].(string)
	return key
}

// addProxy adds the proxy: on the proxy host with every route, on a GPU
// host with the routes through it (none: no proxy checks there).
func addProxy(in *doctor.Input, f *Fleet) {
	p := f.Proxy
	if p == nil {
		return
	}
	routes := doctorRoutes(f, in.Host, in.Host == p.Name)
	if len(routes) == 0 && in.Host != p.Name {
		return
	}
	in.Proxy = &doctor.Proxy{BaseURL: p.URL(), Key: p.MasterKey, Routes: routes, UpstreamKeys: map[string]string{}}
	serving := discover.NewHostIndex(f.Serving())
	for _, r := range p.Routes {
		if g, _ := serving.ForAPIBase(r.APIBase); g != nil && backendKey(*g) != "" {
			in.Proxy.UpstreamKeys[r.APIBase] = backendKey(*g)
		}
	}
}

// doctorRoutes are the proxy's routes through host (all of them when all),
// never nil: the doctor then checks the repository's routes, not the
// proxy's own list.
func doctorRoutes(f *Fleet, host string, all bool) []doctor.Route {
	routes, serving := []doctor.Route{}, discover.NewHostIndex(f.Serving())
	for _, r := range f.Proxy.Routes {
		g, _ := serving.ForAPIBase(r.APIBase)
		if all || (g != nil && g.Name == host) {
			routes = append(routes, doctor.Route{Alias: r.Alias, APIBase: r.APIBase, UpstreamModel: r.Upstream()})
		}
	}
	return routes
}

func closeTransports(inputs []doctor.Input) {
	for _, in := range inputs {
		if in.Transport != nil {
			in.Transport.Close()
		}
	}
}

// HostLogs streams a GPU host's backend log — its vLLM container's (or
// its systemd unit's journal, with vllm.systemd_unit), over
// the host's own transport (WinRM, SSH or local) — to sink: the last lines
// lines, then, with follow, every new line until ctx ends.
func (s *Session) HostLogs(ctx context.Context, repo *Repo, host string, lines int, follow bool, sink func(string)) error {
	g, err := gpuHostNamed(repo, host)
	if err != nil {
		return err
	}
	target := plan.BackendLog(g.Conn, &g)
	if target.Container == "" && target.Unit == "" {
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
	req := remote.LogRequest{Target: target, Lines: lines, Follow: follow}
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
