package fleet

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Fleet is the repository's view of the serving system: the GPU hosts with
// what they are configured to serve, and the LiteLLM proxy with its routes.
type Fleet struct {
	GPU   []GPUHost
	Proxy *ProxyHost
	Conns map[string]Connection // every planned host's connection
}

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

// Fleet reads every GPU host and the proxy of the repository, ignoring
// --limit: a route's backend matters even when the run is limited to the
// proxy. Each host is seen through the first play that targets it.
func (r *Repo) Fleet() *Fleet {
	r.fleetOnce.Do(func() { r.fleet = r.buildFleet() })
	return r.fleet
}

func (r *Repo) buildFleet() *Fleet {
	f := &Fleet{Conns: map[string]Connection{}}
	for _, host := range r.Inventory.Hosts() {
		run := r.firstRun(host)
		if run == nil {
			continue
		}
		hs, err := r.hostScope(host, run)
		if err != nil {
			continue
		}
		f.Conns[host] = hs.conn
		if g := hs.gpuHost(); g != nil {
			f.GPU = append(f.GPU, *g)
		}
		if _, ok := hs.scope.Raw("litellm"); ok && f.Proxy == nil {
			f.Proxy = r.proxyOf(host, hs)
		}
	}
	return f
}

func (r *Repo) firstRun(host string) *PlayRun {
	for _, run := range r.Runs {
		if contains(run.AllHosts, host) {
			return run
		}
	}
	return nil
}

// proxyOf renders the proxy's tasks to find its LiteLLM config.
func (r *Repo) proxyOf(host string, hs *hostScope) *ProxyHost {
	w, err := r.renderHost(host, false)
	if err != nil {
		return nil
	}
	return hs.proxyHost(w.files)
}

// vllmValues templates the host's vllm mapping, or returns nil when it has none.
func (hs *hostScope) vllmValues() (map[string]any, error) {
	raw, ok := hs.scope.Raw("vllm")
	if !ok {
		return nil, nil
	}
	v, err := hs.template(raw)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}

func (hs *hostScope) gpuHost() *GPUHost {
	vals, err := hs.vllmValues()
	if err != nil || vals == nil {
		return nil
	}
	g := &GPUHost{Name: hs.host, Address: hs.conn.Address, Port: 8000, Conn: hs.conn, Values: vals}
	if p, ok := asInt(vals["port"]); ok {
		g.Port = p
	}
	g.Model, _ = vals["model"].(string)
	g.Served = servedNames(vals)
	g.Container = fmt.Sprint(orDefaultAny(vals["container_name"], "vllm-"+hs.host))
	g.IdleThreshold = 5 * time.Minute
	if m, ok := asFloat(vals["idle_threshold_minutes"]); ok && m > 0 {
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

func orDefaultAny(v any, def string) any {
	if v == nil || v == "" {
		return def
	}
	return v
}

func (hs *hostScope) proxyHost(files []*fileWork) *ProxyHost {
	raw, ok := hs.scope.Raw("litellm")
	if !ok {
		return nil
	}
	v, err := hs.template(raw)
	m, _ := v.(map[string]any)
	if err != nil || m == nil {
		return nil
	}
	p := &ProxyHost{Name: hs.host, Address: hs.conn.Address, Port: 4000, apiAddress: hs.conn.APIAddress()}
	if n, ok := asInt(m["port"]); ok {
		p.Port = n
	}
	if k, ok := m["master_key"]; ok && k != nil {
		p.MasterKey = fmt.Sprint(k)
	}
	p.ConfigDest, p.Routes = routesFrom(files)
	return p
}

// routesFrom finds the proxy's LiteLLM config among its rendered files: the
// one whose YAML has a model_list.
func routesFrom(files []*fileWork) (string, []Route) {
	for _, f := range files {
		routes, err := ParseModelList(f.content)
		if err == nil && len(routes) > 0 {
			return f.change.Dest, routes
		}
	}
	return "", nil
}

// lintFleet validates GPU hosts' values and lints the proxy's routes.
func lintFleet(plan *Plan, works []*hostWork) {
	for _, w := range works {
		plan.Findings = append(plan.Findings, w.validate()...)
	}
	if plan.Fleet.Proxy == nil {
		return
	}
	for _, r := range plan.Fleet.Proxy.Routes {
		plan.Routes = append(plan.Routes, LintRoute(r, plan.Fleet.GPU))
	}
}

// validate checks every vllm value the host's config uses, naming the file,
// line and key where the value was set.
func (w *hostWork) validate() []Finding {
	if len(w.scopes) == 0 {
		return nil
	}
	hs := w.scopes[0]
	vals, err := hs.vllmValues()
	if err != nil {
		return []Finding{errorFinding(w.name, err)}
	}
	var out []Finding
	for _, key := range sortedKeys(vals) {
		if msg := ValidateVLLMValue(key, vals[key]); msg != "" {
			o := hs.vars.Origins["vllm."+key]
			out = append(out, Finding{Severity: SevError, Host: w.name, At: Located{relTo(hs.repo.Root, o.File), o.Line}, Key: "vllm." + key, Message: msg})
		}
	}
	return out
}

// orderHosts puts backends before the proxy (DESIGN §6): a route's new
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

// routeHosts names the routes that go through a host.
func (f *Fleet) routeHosts(host string) []string {
	if f.Proxy == nil {
		return nil
	}
	var out []string
	for _, r := range f.Proxy.Routes {
		if h, _ := hostForAPIBase(r.APIBase, f.GPU); h != nil && strings.EqualFold(h.Name, host) {
			out = append(out, r.Alias)
		}
	}
	return out
}
