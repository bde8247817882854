package discover

import (
	"fmt"
	"iter"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover/artifact"
	"github.com/straylight-fleet/straylight/internal/growstack"
)

// Fleet is the repository's view of the serving system: the GPU hosts with
// what they are configured to serve, and the LiteLLM proxy with its routes.
type Fleet struct {
	GPU   []GPUHost
	Proxy *ProxyHost
	Conns map[string]ansible.Connection // every planned host's connection

	// Backends are the servers found in the hosts' rendered files (compose
	// files, systemd units, scripts, server configs, llama-swap configs)
	// that no vllm mapping already describes; Proxies the LiteLLM and
	// llama-swap configs found there (the litellm-mapped proxy's own config
	// included); Problems the rendered files that could not be read.
	Backends []GPUHost
	Proxies  []Proxy
	Problems []Problem

	rz   *artifact.Recognizer                  // what read the rendered files; see Recognizer
	vllm map[*ansible.HostScope]map[string]any // see VLLMValuesIn
}

// VLLMValuesIn is VLLMValues(hs), as discovery templated it when it saw
// hs's host in that scope: the plan's validation of the same scope reads
// it instead of templating the mapping again (3 % of a 1,000-host
// --check's CPU time). The map is shared: read it, never change it.
func (f *Fleet) VLLMValuesIn(hs *ansible.HostScope) (map[string]any, error) {
	if f != nil {
		if vals, ok := f.vllm[hs]; ok {
			return vals, nil
		}
	}
	return VLLMValues(hs)
}

// Recognizer is the one that read the fleet's rendered files: a plan that
// reads the same files again through it finds them already read.
func (f *Fleet) Recognizer() *Recognizer {
	if f == nil || f.rz == nil {
		return new(Recognizer)
	}
	return f.rz
}

// defaultIdleThreshold is how long a server must be quiet to count as idle
// when nothing configures it.
const defaultIdleThreshold = 5 * time.Minute

// ProxyHost is the host whose vars hold a litellm mapping.
type ProxyHost struct {
	Name       string
	Address    string
	Port       int
	MasterKey  string // secret: never printed
	apiAddress string // where its HTTP API answers (see Connection.APIAddress)
	ConfigDest string
	Routes     []Route
}

// GPUHostByName returns the GPU host of that name, or nil.
func (f *Fleet) GPUHostByName(name string) *GPUHost {
	for i := range f.GPU {
		if f.GPU[i].Name == name {
			return &f.GPU[i]
		}
	}
	return nil
}

// ServerByName returns the host's server: its vllm mapping, else the first
// server discovered in what it renders (llama.cpp, SGLang, …); nil if none.
func (f *Fleet) ServerByName(name string) *GPUHost {
	if g := f.GPUHostByName(name); g != nil {
		return g
	}
	for i := range f.Backends {
		if f.Backends[i].Name == name {
			return &f.Backends[i]
		}
	}
	return nil
}

// Read finds every GPU host and the proxy of the repository, ignoring
// --limit: a route's backend matters even when the run is limited to the
// proxy. Each host is seen through the first play that targets it.
func Read(r *ansible.Repo) *Fleet {
	rz := new(artifact.Recognizer)
	f := &Fleet{Conns: map[string]ansible.Connection{}, rz: rz}
	hosts := r.Inventory.Hosts()
	seen := make([]hostSeen, len(hosts))
	order := seeingOrder(r.Inventory.Groups(), hosts)
	forEachParallel(len(hosts), func(k int) { i := order[k]; seen[i] = seeHost(r, hosts[i], rz) })
	var found []hostArtifacts
	for i, s := range seen {
		if !s.planned {
			continue
		}
		f.Conns[hosts[i]] = s.conn
		if s.gpu != nil {
			f.GPU = append(f.GPU, *s.gpu)
			f.rememberVLLM(s.scope, s.gpu.Values)
		}
		if f.Proxy == nil {
			f.Proxy = s.proxy
		}
		found = append(found, s.artifacts)
	}
	for _, a := range found {
		f.addArtifacts(a)
	}
	f.sourceProxyRoutes()
	return f
}

func (f *Fleet) rememberVLLM(hs *ansible.HostScope, vals map[string]any) {
	if f.vllm == nil {
		f.vllm = map[*ansible.HostScope]map[string]any{}
	}
	f.vllm[hs] = vals
}

// seeingOrder is the order Read sees the hosts in, as indexes into hosts:
// a host alone in a group (a proxy, a controller) first, then the others
// in inventory order. Such a host usually templates its peers' variables
// — the proxy's config lists every backend — and, seen last, rendered
// alone while the other CPUs had nothing left to do (33 ms of a 155 ms
// discovery at 1,000 hosts). The fleet lists the hosts in inventory order
// whatever the order they were seen in.
func seeingOrder(groups map[string][]string, hosts []string) []int {
	alone := map[string]bool{}
	for name, members := range groups {
		if len(members) == 1 && name != "all" && name != "ungrouped" {
			alone[members[0]] = true
		}
	}
	order := make([]int, 0, len(hosts))
	for i, h := range hosts {
		if alone[h] {
			order = append(order, i)
		}
	}
	for i, h := range hosts {
		if !alone[h] {
			order = append(order, i)
		}
	}
	return order
}

// hostSeen is what one host contributes to the fleet.
type hostSeen struct {
	planned   bool // a play targets it and its scope opened
	conn      ansible.Connection
	scope     *ansible.HostScope // the one gpu's values were templated in
	gpu       *GPUHost
	proxy     *ProxyHost // set when its vars hold a usable litellm mapping
	artifacts hostArtifacts
}

// seeHost renders one host and reads what it serves. Hosts are independent
// (the repository's caches are safe for concurrent use), so Read sees them
// in parallel and then combines them in inventory order.
func seeHost(r *ansible.Repo, host string, rz *artifact.Recognizer) hostSeen {
	run := r.FirstRun(host)
	if run == nil {
		return hostSeen{}
	}
	hs, err := r.ScopeOf(host, run)
	if err != nil {
		return hostSeen{}
	}
	s := hostSeen{planned: true, conn: hs.Conn(), scope: hs, gpu: gpuHost(hs)}
	files, _ := r.RenderHost(host, false) // the plan reports a render error; what rendered is read
	proxy := readProxy(hs, files.Files, rz)
	d := r.DiscoveryTasks(host)
	art := discoverArtifacts(hs, d, rz)
	for _, err := range d.Problems {
		art.problems = append(art.problems, Problem{Host: host, Message: err.Error()})
	}
	s.artifacts = combine(mappedByHand(r, hs), art)
	s.proxy = <-proxy
	return s
}

// readProxy reads the host's litellm mapping and its config's routes
// beside the rest of the host's discovery: the proxy's config lists every
// backend (10,000 lines at 1,000 hosts), so the proxy is the heaviest host
// to see, and one last in the inventory was seen alone while the other
// CPU had nothing left to do (its whole discovery 64 → 50 ms, median of 9,
// at 1,000 hosts). The channel gives nil for a host without a litellm
// mapping.
func readProxy(hs *ansible.HostScope, files []*ansible.FileTask, rz *artifact.Recognizer) <-chan *ProxyHost {
	out := make(chan *ProxyHost, 1)
	if _, ok := hs.Raw("litellm"); !ok {
		out <- nil
		return out
	}
	go func() { out <- proxyHost(hs, files, rz) }()
	return out
}

// forEachParallel calls do(0) … do(n-1), as many at once as there are
// CPUs, and returns when all have returned.
func forEachParallel(n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			growstack.Grow() // each renders hosts: gonja recurses deeply
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				do(i)
			}
		})
	}
	wg.Wait()
}

// addArtifacts adds what a host's rendered files start and configure: a
// server a vllm mapping already describes (same host and port) lends it its
// source instead of appearing twice.
func (f *Fleet) addArtifacts(a hostArtifacts) {
	for _, b := range a.backends {
		if g := f.mappedAt(b.Name, b.Port); g != nil {
			g.Source = cmpOr(g.Source, b.Source)
			continue
		}
		f.Backends = append(f.Backends, b)
	}
	f.Proxies = append(f.Proxies, a.proxies...)
	f.Problems = append(f.Problems, a.problems...)
}

func (f *Fleet) mappedAt(host string, port int) *GPUHost {
	for i := range f.GPU {
		if f.GPU[i].Name == host && f.GPU[i].Port == port {
			return &f.GPU[i]
		}
	}
	return nil
}

// sourceProxyRoutes gives the litellm-mapped proxy's routes the lines their
// config was discovered at.
func (f *Fleet) sourceProxyRoutes() {
	p := f.MappedProxyConfig()
	if p == nil {
		return
	}
	for i, r := range f.Proxy.Routes {
		if i < len(p.Routes) && p.Routes[i].Alias == r.Alias {
			f.Proxy.Routes[i].Source = p.Routes[i].Source
		}
	}
}

// MappedProxyConfig is the discovered LiteLLM config that the litellm-mapped
// proxy already reads, or nil.
func (f *Fleet) MappedProxyConfig() *Proxy {
	if f.Proxy == nil || f.Proxy.ConfigDest == "" {
		return nil
	}
	for i, p := range f.Proxies {
		if p.Host == f.Proxy.Name && strings.HasPrefix(p.Source, f.Proxy.ConfigDest+":") {
			return &f.Proxies[i]
		}
	}
	return nil
}

// Serving is every server routes can point at: the vllm-mapped hosts, then
// the discovered ones.
func (f *Fleet) Serving() []GPUHost {
	return append(append([]GPUHost(nil), f.GPU...), f.Backends...)
}

// EachServing yields what Serving lists, one copy at a time, for a caller
// that only reads them through: without a copy of the whole list (at 1,000
// hosts a --check made four, 2 MB).
func (f *Fleet) EachServing() iter.Seq[GPUHost] {
	return func(yield func(GPUHost) bool) {
		for _, list := range [][]GPUHost{f.GPU, f.Backends} {
			for _, g := range list {
				if !yield(g) {
					return
				}
			}
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// VLLMValues templates the host's vllm mapping, or returns nil when it has none.
func VLLMValues(hs *ansible.HostScope) (map[string]any, error) {
	raw, ok := hs.Raw("vllm")
	if !ok {
		return nil, nil
	}
	v, err := hs.Template(raw)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}

func gpuHost(hs *ansible.HostScope) *GPUHost {
	vals, err := VLLMValues(hs)
	if err != nil || vals == nil {
		return nil
	}
	conn := hs.Conn()
	g := &GPUHost{Name: hs.Host(), Address: conn.Address, Port: 8000, Conn: conn, Values: vals, Kind: "vllm", Source: mappingSource(hs)}
	if p, ok := ansible.AsInt(vals["port"]); ok {
		g.Port = p
	}
	g.Model, _ = vals["model"].(string)
	g.Served = servedNames(vals)
	g.Container = fmt.Sprint(orDefaultAny(vals["container_name"], "vllm-"+hs.Host()))
	g.IdleThreshold = defaultIdleThreshold
	if m, ok := ansible.AsFloat(vals["idle_threshold_minutes"]); ok && m > 0 {
		g.IdleThreshold = time.Duration(m * float64(time.Minute))
	}
	return g
}

// servedNames is what vLLM answers to: --served-model-name values, else --model.
func servedNames(vals map[string]any) []string {
	switch t := vals["served_model_name"].(type) {
	case string:
		if t != "" {
			return []string{t}
		}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	if m, ok := vals["model"].(string); ok {
		return []string{m}
	}
	return nil
}

// mappingSource is the vars file and line that set the host's vllm mapping.
func mappingSource(hs *ansible.HostScope) string {
	o, ok := hs.Vars().LookupOrigin("vllm")
	if !ok || o.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", ansible.RelTo(hs.Root(), o.File), o.Line)
}

func orDefaultAny(v any, def string) any {
	if v == nil || v == "" {
		return def
	}
	return v
}

func proxyHost(hs *ansible.HostScope, files []*ansible.FileTask, rz *artifact.Recognizer) *ProxyHost {
	raw, ok := hs.Raw("litellm")
	if !ok {
		return nil
	}
	v, err := hs.Template(raw)
	m, _ := v.(map[string]any)
	if err != nil || m == nil {
		return nil
	}
	conn := hs.Conn()
	p := &ProxyHost{Name: hs.Host(), Address: conn.Address, Port: 4000, apiAddress: conn.APIAddress()}
	if n, ok := ansible.AsInt(m["port"]); ok {
		p.Port = n
	}
	if k, ok := m["master_key"]; ok && k != nil {
		p.MasterKey = fmt.Sprint(k)
	}
	p.ConfigDest, p.Routes = routesFrom(files, rz)
	return p
}

// routesFrom finds the proxy's LiteLLM config among its rendered files: the
// one whose YAML has a model_list.
func routesFrom(files []*ansible.FileTask, rz *artifact.Recognizer) (string, []Route) {
	for _, f := range files {
		routes, err := modelList(f, rz)
		if err == nil && len(routes) > 0 {
			return f.Dest, routes
		}
	}
	return "", nil
}

// modelList is ParseModelList of a rendered file, taken from the
// recognizer's reading of it when that found a LiteLLM config: discovery
// recognizes the same file, and the proxy's config lists every backend
// (a second decode of it was 2 % of the allocations of a 1,000-host plan).
func modelList(f *ansible.FileTask, rz *artifact.Recognizer) ([]Route, error) {
	fs, err := recognizeWith(rz, f)
	if err != nil || len(fs.Proxies) != 1 || fs.Proxies[0].Kind != artifact.LiteLLM {
		return ParseModelList(f.Content)
	}
	routes := make([]Route, 0, len(fs.Proxies[0].Routes))
	for _, r := range fs.Proxies[0].Routes {
		routes = append(routes, Route{Alias: r.Alias, Model: r.Model, APIBase: r.APIBase})
	}
	return routes, nil
}

// RouteHosts names the routes that go through a host.
func (f *Fleet) RouteHosts(host string) []string {
	if f.Proxy == nil {
		return nil
	}
	var out []string
	serving := NewHostIndex(f.Serving())
	for _, r := range f.Proxy.Routes {
		if h, _ := serving.ForAPIBase(r.APIBase); h != nil && strings.EqualFold(h.Name, host) {
			out = append(out, r.Alias)
		}
	}
	return out
}

// Route returns the proxy's route of that alias.
func (f *Fleet) Route(alias string) (Route, bool) {
	if f.Proxy == nil {
		return Route{}, false
	}
	for _, r := range f.Proxy.Routes {
		if r.Alias == alias {
			return r, true
		}
	}
	return Route{}, false
}

// URL is the proxy's base URL (no /v1).
func (p *ProxyHost) URL() string { return "http://" + hostPort(p.apiAddress, p.Port) }

// APIURL is the vLLM server's base URL (no /v1).
func (g GPUHost) APIURL() string {
	if g.BaseURL != "" {
		return g.BaseURL
	}
	return "http://" + hostPort(g.Conn.APIAddress(), g.Port)
}
