package discover

import (
	"cmp"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover/artifact"
)

// llamaSwapListenPort is llama-swap's default --listen address (":8080"):
// its config file does not say where llama-swap itself listens.
const llamaSwapListenPort = 8080

// Proxy is a router found in a host's rendered files (LiteLLM or
// llama-swap), with its routes.
type Proxy struct {
	Host   string
	Kind   string
	Source string // file:line on the host
	Routes []Route
	// URL is where a LiteLLM proxy answers: the host's address on LiteLLM's
	// default port, 4000 (its config does not hold the port). MasterKeyRef
	// says where general_settings.master_key comes from; MasterKey is its
	// value resolved from the host's variables, a secret never printed.
	Template     string // the repository's template or file behind Source
	URL          string
	MasterKeyRef string
	MasterKey    string
	config       string // a hand entry's config: the dest of the rendered config it describes
}

// liteLLMDefaultPort is the litellm CLI's default --port.
const liteLLMDefaultPort = 4000

// Problem is a rendered file discovery could not read (a YAML that does not
// parse, a known key of the wrong shape): it names the host and the error,
// which names the file, line and key.
type Problem struct {
	Host    string
	Message string
}

// hostArtifacts is what one host's rendered files start and configure.
type hostArtifacts struct {
	backends []GPUHost
	proxies  []Proxy
	problems []Problem
}

// discoverArtifacts recognises the servers and proxies in a host's rendered
// file tasks and in the tasks that start servers without a rendered file
// (containers, Kubernetes applies, compose files used in place).
func discoverArtifacts(hs *ansible.HostScope, d ansible.Discovered, rz *artifact.Recognizer) hostArtifacts {
	var out hostArtifacts
	var found artifact.Findings
	files := d.Files
	from := map[string]string{} // dest → the template it was rendered from
	for _, f := range files {
		from[f.Dest] = f.Src
		fs, err := recognizeWith(rz, f)
		if err != nil {
			out.problems = append(out.problems, Problem{Host: hs.Host(), Message: fmt.Sprintf("%v (rendered by the task at %s:%d)", err, ansible.RelTo(hs.Root(), f.Task.At.File), f.Task.At.Line)})
			continue
		}
		found.Backends = append(found.Backends, fs.Backends...)
		found.Proxies = append(found.Proxies, fs.Proxies...)
		for _, p := range fs.Problems {
			out.problems = append(out.problems, Problem{Host: hs.Host(), Message: fmt.Sprintf("%s (rendered by the task at %s:%d)", p, ansible.RelTo(hs.Root(), f.Task.At.File), f.Task.At.Line)})
		}
	}
	started := readModules(hs, d.Modules, files, rz)
	found.Backends = append(found.Backends, started.found.Backends...)
	found.Proxies = append(found.Proxies, started.found.Proxies...)
	out.problems = append(out.problems, started.problems...)
	backends, swaps := splitLlamaSwap(mergeDropIns(mergeConfigFiles(found.Backends)), found.Proxies)
	out.problems = append(out.problems, addPulls(backends, started.pulls, hs.Host())...)
	for _, b := range backends {
		if g, ok := backendHost(hs, b); ok {
			g.Template = from[b.Source.File]
			out.backends = append(out.backends, g)
		}
	}
	for _, p := range found.Proxies {
		px := proxyFrom(hs, p)
		px.Template = from[p.Source.File]
		out.proxies = append(out.proxies, px)
		if p.Kind == artifact.LlamaSwap {
			g := llamaSwapHost(hs, p, swaps.launchOf(p))
			g.Template = px.Template
			out.backends = append(out.backends, g)
		}
	}
	return out
}

// swapLaunches pairs each llama-swap config with the line that starts
// llama-swap on it (a unit, a compose service, a container task): the one
// whose -config names a file of the same name, else the host's only
// launch when the host has only one config.
type swapLaunches struct {
	launches []artifact.Backend
	configs  int
}

// splitLlamaSwap takes the llama-swap launch lines out of the backends:
// llama-swap is the server of its config, on the launch's port. A launch
// whose config is not among the host's files stays a backend of its own.
func splitLlamaSwap(found []artifact.Backend, proxies []artifact.Proxy) ([]artifact.Backend, swapLaunches) {
	sw := swapLaunches{}
	for _, p := range proxies {
		if p.Kind == artifact.LlamaSwap {
			sw.configs++
		}
	}
	var out []artifact.Backend
	for _, b := range found {
		if b.Kind == artifact.LlamaSwap && sw.configs > 0 {
			sw.launches = append(sw.launches, b)
			continue
		}
		if b.Kind == artifact.LlamaSwap {
			b.Notes = append(b.Notes, "llama-swap's config ("+cmpOr(b.ConfigFile, "not named")+") is not among the host's rendered files: what it serves is not known")
		}
		out = append(out, b)
	}
	return out, sw
}

func (sw swapLaunches) launchOf(p artifact.Proxy) *artifact.Backend {
	for i, l := range sw.launches {
		if l.ConfigFile != "" && path.Base(l.ConfigFile) == path.Base(p.Source.File) {
			return &sw.launches[i]
		}
	}
	if len(sw.launches) == 1 && sw.configs == 1 {
		return &sw.launches[0]
	}
	return nil
}

// recognize reads a rendered file by its destination's name; a destination
// without an extension whose source has one (copy src: config.yml, dest:
// /srv/litellm, a directory) is read again under the name Ansible gives the
// file inside it.
func recognize(f *ansible.FileTask) (artifact.Findings, error) {
	return recognizeWith(new(artifact.Recognizer), f)
}

// recognizeWith is recognize through a Recognizer shared by the fleet's
// files, so a script every host receives is lexed once.
func recognizeWith(rz *artifact.Recognizer, f *ansible.FileTask) (artifact.Findings, error) {
	return recognizeAs(rz, f.Dest, f.Src, f.Content)
}

func recognizeAs(rz *artifact.Recognizer, dest, src string, content []byte) (artifact.Findings, error) {
	fs, err := rz.Recognize(dest, content)
	if err != nil || !fs.Empty() || path.Ext(dest) != "" || path.Ext(src) == "" {
		return fs, err
	}
	return rz.Recognize(path.Join(dest, path.Base(src)), content)
}

// mergeConfigFiles folds a server's --config file (recognised on its own as
// a backend) into the backend whose command line loads it; the command
// line's own flags win.
func mergeConfigFiles(found []artifact.Backend) []artifact.Backend {
	bs := append([]artifact.Backend(nil), found...)
	used := map[int]bool{}
	for i := range bs {
		for j, c := range bs {
			if j != i && loadsConfig(bs[i], c) {
				used[j] = true
				fillFromConfig(&bs[i], c)
			}
		}
	}
	var out []artifact.Backend
	for i, b := range bs {
		if !used[i] {
			out = append(out, b)
		}
	}
	return out
}

// mergeDropIns folds a systemd drop-in (a unit's environment, recognised
// on its own as the server of an installer's unit) into the backend whose
// rendered unit it changes: the drop-in's port wins over the unit's
// default, as systemd applies the drop-in over the unit.
func mergeDropIns(found []artifact.Backend) []artifact.Backend {
	bs := append([]artifact.Backend(nil), found...)
	folded := map[int]bool{}
	for j, b := range bs {
		i := unitBackend(bs, b)
		if !b.DropIn || i < 0 {
			continue
		}
		folded[j] = true
		if bs[i].PortOrigin == "default" && b.PortOrigin != "default" {
			bs[i].Port, bs[i].PortOrigin = b.Port, b.PortOrigin
		}
	}
	var out []artifact.Backend
	for j, b := range bs {
		if !folded[j] {
			out = append(out, b)
		}
	}
	return out
}

// unitBackend is the index of the non-drop-in backend started by b's unit,
// or -1.
func unitBackend(found []artifact.Backend, b artifact.Backend) int {
	for i, u := range found {
		if !u.DropIn && u.Unit != "" && u.Unit == b.Unit && u.Kind == b.Kind {
			return i
		}
	}
	return -1
}

// loadsConfig reports whether b's --config names the file c was read from.
func loadsConfig(b, c artifact.Backend) bool {
	return b.ConfigFile != "" && c.ConfigFile == "" && b.Kind == c.Kind &&
		path.Base(c.Source.File) == path.Base(b.ConfigFile)
}

func fillFromConfig(b *artifact.Backend, c artifact.Backend) {
	if b.PortOrigin == "default" && c.Port != 0 {
		b.Port, b.PortOrigin = c.Port, c.PortOrigin
	}
	if b.Model == "" {
		b.Model = c.Model
	}
	if len(b.ServedNames) == 0 || (len(b.ServedNames) == 1 && b.ServedNames[0] == b.Model && len(c.ServedNames) > 0) {
		b.ServedNames = c.ServedNames
	}
	if !b.APIKey.IsSet() {
		b.APIKey = c.APIKey
	}
}

// backendHost turns a recognised server into a host the fleet serves from:
// reached at the host's address on the published port (the container's own
// port when unpublished). A server whose port is unknown before it starts
// (llama-swap's ${PORT}) is not reachable from here and is left out.
func backendHost(hs *ansible.HostScope, b artifact.Backend) (GPUHost, bool) {
	port := b.Port
	if b.HostPort != 0 {
		port = b.HostPort
	}
	if port == 0 {
		return GPUHost{}, false
	}
	conn := hs.Conn()
	g := GPUHost{
		Name: hs.Host(), Address: conn.Address, Port: port, Conn: conn,
		Kind: string(b.Kind), Model: b.Model, Served: b.ServedNames,
		Container: b.Container, Unit: b.Unit, Source: b.Source.String(), Notes: b.Notes,
		IdleThreshold: defaultIdleThreshold, Discovered: true,
	}
	g.APIKeyRef, g.APIKey = resolveKey(hs, b.APIKey)
	return g, true
}

// llamaSwapHost is llama-swap itself as a server: it answers to every
// model and alias of its config, on the port its launch line listens on
// (published, for a container), else on its default --listen.
func llamaSwapHost(hs *ansible.HostScope, p artifact.Proxy, launch *artifact.Backend) GPUHost {
	conn := hs.Conn()
	g := GPUHost{Name: hs.Host(), Address: conn.Address, Port: llamaSwapListenPort, Conn: conn,
		Kind: string(artifact.LlamaSwap), Source: p.Source.String(), IdleThreshold: defaultIdleThreshold, Discovered: true,
		Notes: []string{"port " + strconv.Itoa(llamaSwapListenPort) + " is llama-swap's default --listen; its config does not say"}}
	if launch != nil && launch.Port != 0 {
		g.Port, g.Container, g.Unit = cmp.Or(launch.HostPort, launch.Port), launch.Container, launch.Unit
		g.Notes = []string{"port from its launch at " + launch.Source.String() + " (" + launch.PortOrigin + portPublished(*launch) + ")"}
	}
	for _, r := range p.Routes {
		g.Served = append(g.Served, r.Alias)
	}
	return g
}

func portPublished(b artifact.Backend) string {
	if b.HostPort == 0 {
		return ""
	}
	return ", published as " + strconv.Itoa(b.HostPort)
}

func proxyFrom(hs *ansible.HostScope, p artifact.Proxy) Proxy {
	out := Proxy{Host: hs.Host(), Kind: string(p.Kind), Source: p.Source.String()}
	if p.Kind == artifact.LiteLLM {
		out.URL = "http://" + hostPort(hs.Conn().APIAddress(), liteLLMDefaultPort)
		out.MasterKeyRef, out.MasterKey = resolveKey(hs, p.MasterKey)
	}
	for _, r := range p.Routes {
		out.Routes = append(out.Routes, Route{Alias: r.Alias, Model: r.Model, APIBase: r.APIBase, Source: r.Source.String()})
	}
	return out
}

// resolveKey finds the value a key reference names ($NAME, ${NAME},
// os.environ/NAME, env NAME) among the host's variables (NAME, then
// name in lower case), so a backend guarded by a key is probed with it. The
// reference is kept for display; the value never is.
func resolveKey(hs *ansible.HostScope, s artifact.Secret) (ref, value string) {
	name := keyVarName(s.Ref)
	if name == "" {
		return s.Ref, ""
	}
	for _, n := range []string{name, strings.ToLower(name)} {
		if raw, ok := hs.Raw(n); ok {
			if v, err := hs.Template(raw); err == nil && v != nil {
				return s.Ref, fmt.Sprint(v)
			}
		}
	}
	return s.Ref + " (not set in the host's variables)", ""
}

func keyVarName(ref string) string {
	for _, prefix := range []string{"os.environ/", "env ", "$"} {
		if name, ok := strings.CutPrefix(ref, prefix); ok {
			return strings.TrimSuffix(strings.TrimPrefix(name, "{"), "}")
		}
	}
	return ""
}

// Label names a server uniquely in the fleet: its host's name, or
// host:port when the host runs more than one.
func (f *Fleet) Label(g GPUHost) string { return f.Labeler()(g) }

// Labeler is Label for many servers: it counts each host's servers once
// instead of once per call.
func (f *Fleet) Labeler() func(GPUHost) string {
	servers := map[string]int{}
	for _, list := range [][]GPUHost{f.GPU, f.Backends} {
		for i := range list {
			servers[list[i].Name]++
		}
	}
	return func(g GPUHost) string {
		if servers[g.Name] > 1 {
			return g.Name + ":" + strconv.Itoa(g.Port)
		}
		return g.Name
	}
}
