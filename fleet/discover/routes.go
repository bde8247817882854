package discover

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/straylight-fleet/straylight/fleet/ansible"

	"gopkg.in/yaml.v3"
)

// GPUHost is what the repository says a vLLM host serves and where.
type GPUHost struct {
	Name    string
	Address string // ansible_host, else the inventory name
	Port    int
	Served  []string // served_model_name(s), else the model
	Model   string
	// Container is the vLLM container's name; IdleThreshold is
	// idle_threshold_minutes (fractions of a minute allowed).
	Container     string
	IdleThreshold time.Duration
	Conn          ansible.Connection
	Values        map[string]any // the templated vllm mapping; nil when discovered

	// Kind is the serving stack (vllm, sglang, llama.cpp, ollama, tgi,
	// llama-swap); vllm for the vllm mapping.
	Kind string
	// Source is where it was found: the rendered file and line on the host
	// (dest:line), or the vars file of the vllm mapping; Unit is the systemd
	// unit that starts it; Notes are the recogniser's caveats.
	Source   string
	Template string // the repository's template or file rendered into Source
	Unit     string
	Notes    []string
	// APIKeyRef says where its API key comes from ("$VLLM_API_KEY (not set
	// in the host's variables)"); APIKey is the resolved value, a secret
	// never printed. Discovered is true for a server found in the rendered
	// files or straylight.yml rather than a vllm mapping.
	APIKeyRef  string
	APIKey     string
	Discovered bool
	// BaseURL is a hand entry's api_base root (scheme://host:port); "" means
	// the host's API address on Port.
	BaseURL string
}

// Route is one entry of LiteLLM's model_list.
type Route struct {
	Alias   string // model_name
	Model   string // litellm_params.model
	APIBase string
	Source  string // file:line of its model_name on the proxy host; "" when unknown
}

// Upstream is the name LiteLLM sends to the backend: it strips exactly one
// provider segment ("openai/a/b" sends "a/b").
func (r Route) Upstream() string {
	if _, rest, ok := strings.Cut(r.Model, "/"); ok {
		return rest
	}
	return r.Model
}

// ParseModelList reads the routes of a rendered LiteLLM config.
func ParseModelList(content []byte) ([]Route, error) {
	var cfg struct {
		ModelList []struct {
			ModelName     string `yaml:"model_name"`
			LiteLLMParams struct {
				Model   string `yaml:"model"`
				APIBase string `yaml:"api_base"`
			} `yaml:"litellm_params"`
		} `yaml:"model_list"`
	}
	if err := yaml.Unmarshal(content, &cfg); err != nil {
		return nil, err
	}
	routes := make([]Route, 0, len(cfg.ModelList))
	for _, m := range cfg.ModelList {
		routes = append(routes, Route{Alias: m.ModelName, Model: m.LiteLLMParams.Model, APIBase: m.LiteLLMParams.APIBase})
	}
	return routes, nil
}

// HostForAPIBase finds the GPU host whose address and port match api_base
// (the first, in hosts' order; the address's case does not matter). To look
// up many routes, build a HostIndex once.
func HostForAPIBase(apiBase string, hosts []GPUHost) (*GPUHost, error) {
	addr, port, err := addressOf(apiBase)
	if err != nil {
		return nil, err
	}
	return firstAt(hosts, addr, port), nil
}

func addressOf(apiBase string) (string, int, error) {
	u, err := url.Parse(apiBase)
	if err != nil || u.Host == "" {
		return "", 0, fmt.Errorf("api_base %q is not a URL", apiBase)
	}
	return u.Hostname(), portOf(u), nil
}

func firstAt(hosts []GPUHost, addr string, port int) *GPUHost {
	for i := range hosts {
		if hosts[i].Port == port && strings.EqualFold(hosts[i].Address, addr) {
			return &hosts[i]
		}
	}
	return nil
}

// HostIndex answers HostForAPIBase for many routes over the same hosts
// without searching them all for each: the plan, the monitor and the doctor
// look up every route of the proxy, and a search per route grew as routes ×
// hosts (a million comparisons at 1,000 hosts routed).
type HostIndex struct {
	hosts []GPUHost
	first map[hostAt]int // lower-case ASCII address and port → the first host there
	// folded: some address is not ASCII, where strings.EqualFold's Unicode
	// folding decides; every lookup then searches host by host.
	folded bool
}

type hostAt struct {
	addr string
	port int
}

// NewHostIndex indexes hosts by address and port; lookups return pointers
// into hosts.
func NewHostIndex(hosts []GPUHost) *HostIndex {
	x := &HostIndex{hosts: hosts, first: make(map[hostAt]int, len(hosts))}
	for i := len(hosts) - 1; i >= 0; i-- { // backwards: the first host of a place is written last
		if !isASCII(hosts[i].Address) {
			x.folded = true
		}
		x.first[hostAt{strings.ToLower(hosts[i].Address), hosts[i].Port}] = i
	}
	return x
}

// ForAPIBase is HostForAPIBase(apiBase, hosts).
func (x *HostIndex) ForAPIBase(apiBase string) (*GPUHost, error) {
	addr, port, err := addressOf(apiBase)
	if err != nil {
		return nil, err
	}
	if x.folded || !isASCII(addr) { // "K" (Kelvin) folds to "k": EqualFold decides
		return firstAt(x.hosts, addr, port), nil
	}
	if i, ok := x.first[hostAt{strings.ToLower(addr), port}]; ok {
		return &x.hosts[i], nil
	}
	return nil, nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func portOf(u *url.URL) int {
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if u.Scheme == "https" {
		return 443
	}
	return 80
}

// hostPort joins an address and port for URLs (IPv6-safe).
func hostPort(addr string, port int) string { return net.JoinHostPort(addr, strconv.Itoa(port)) }
