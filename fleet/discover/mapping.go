package discover

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
)

// mappedByHand are the backends and proxies straylight.yml describes for a
// host (its backends: and proxies: entries whose pattern selects it), each
// field templated in the host's scope. A field that does not template, or
// an api_base that is not a URL, is a problem naming straylight.yml's line
// and key; the entry is then left out.
func mappedByHand(r *ansible.Repo, hs *ansible.HostScope) hostArtifacts {
	var out hostArtifacts
	for i, m := range r.Settings.Backends {
		if !selects(r, m, hs.Host()) {
			continue
		}
		g, err := handBackend(hs, m)
		if err != nil {
			out.problems = append(out.problems, handProblem(hs, m, "backends", i, err))
			continue
		}
		out.backends = append(out.backends, g)
	}
	for i, m := range r.Settings.Proxies {
		if !selects(r, m, hs.Host()) {
			continue
		}
		p, err := handProxy(hs, m)
		if err != nil {
			out.problems = append(out.problems, handProblem(hs, m, "proxies", i, err))
			continue
		}
		out.proxies = append(out.proxies, p)
	}
	return out
}

func selects(r *ansible.Repo, m ansible.Mapping, host string) bool {
	hosts, err := r.Inventory.Match(m.Hosts)
	return err == nil && containsFold(hosts, host)
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

func handProblem(hs *ansible.HostScope, m ansible.Mapping, list string, i int, err error) Problem {
	return Problem{Host: hs.Host(), Message: fmt.Sprintf("%s: %s[%d]: %v", m.At, list, i, err)}
}

// field templates one field in the host's scope ("" when absent).
func field(hs *ansible.HostScope, m ansible.Mapping, name string) (any, error) {
	text, ok := m.Fields[name]
	if !ok {
		return nil, nil
	}
	v, err := hs.Template(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

func textField(hs *ansible.HostScope, m ansible.Mapping, name string) (string, error) {
	v, err := field(hs, m, name)
	if v == nil || err != nil {
		return "", err
	}
	return strings.TrimSpace(fmt.Sprint(v)), nil
}

func handBackend(hs *ansible.HostScope, m ansible.Mapping) (GPUHost, error) {
	var text [5]string
	for i, name := range []string{"kind", "api_base", "container", "unit", "api_key"} {
		var err error
		if text[i], err = textField(hs, m, name); err != nil {
			return GPUHost{}, err
		}
	}
	served, err := listField(hs, m, "served_names")
	if err != nil {
		return GPUHost{}, err
	}
	g := GPUHost{Name: hs.Host(), Conn: hs.Conn(), Kind: cmpOr(text[0], "vllm"), Served: served,
		Container: text[2], Unit: text[3], Source: m.At.String(), IdleThreshold: defaultIdleThreshold, Discovered: true}
	if err := g.setAPIBase(text[1]); err != nil {
		return GPUHost{}, err
	}
	if text[4] != "" {
		g.APIKeyRef, g.APIKey = "straylight.yml api_key (redacted)", text[4]
	}
	return g, nil
}

// setAPIBase points the server at its api_base (required).
func (g *GPUHost) setAPIBase(apiBase string) error {
	u, err := url.Parse(apiBase)
	if err != nil || u.Host == "" {
		return fmt.Errorf("api_base: %q is not a URL (http://HOST:PORT/v1)", apiBase)
	}
	g.Address, g.Port = u.Hostname(), portOf(u)
	g.BaseURL = u.Scheme + "://" + u.Host
	return nil
}

// listField templates a field into a list of names: a list, or one name.
func listField(hs *ansible.HostScope, m ansible.Mapping, name string) ([]string, error) {
	v, err := field(hs, m, name)
	switch t := v.(type) {
	case nil:
		return nil, err
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			out = append(out, fmt.Sprint(e))
		}
		return out, nil
	}
	return []string{strings.TrimSpace(fmt.Sprint(v))}, nil
}

func handProxy(hs *ansible.HostScope, m ansible.Mapping) (Proxy, error) {
	var text [4]string
	for i, name := range []string{"kind", "api_base", "config", "master_key"} {
		var err error
		if text[i], err = textField(hs, m, name); err != nil {
			return Proxy{}, err
		}
	}
	p := Proxy{Host: hs.Host(), Kind: cmpOr(text[0], "litellm"), Source: m.At.String(), MasterKey: text[3], config: text[2]}
	if text[3] != "" {
		p.MasterKeyRef = "straylight.yml master_key (redacted)"
	}
	if text[1] != "" {
		u, err := url.Parse(text[1])
		if err != nil || u.Host == "" {
			return Proxy{}, fmt.Errorf("api_base: %q is not a URL", text[1])
		}
		p.URL = u.Scheme + "://" + u.Host
	}
	return p, nil
}

// combine lays a host's hand-written entries over what its files showed: a
// hand backend replaces a discovered one at the same port; a hand proxy
// gives its address and master key to the configs it names (config: the
// rendered file's dest; without it every config of its kind on the host),
// and stands alone when there is none.
func combine(hand, found hostArtifacts) hostArtifacts {
	out := hostArtifacts{backends: hand.backends, problems: append(hand.problems, found.problems...)}
	for _, b := range found.backends {
		if !hasPort(hand.backends, b.Port) {
			out.backends = append(out.backends, b)
		}
	}
	out.proxies = found.proxies
	for _, hp := range hand.proxies {
		if n := overlay(out.proxies, hp); n == 0 {
			out.proxies = append(out.proxies, hp)
		}
	}
	return out
}

func hasPort(hosts []GPUHost, port int) bool {
	for _, g := range hosts {
		if g.Port == port {
			return true
		}
	}
	return false
}

// overlay applies a hand proxy to the discovered configs it names and
// counts them.
func overlay(proxies []Proxy, hp Proxy) int {
	n := 0
	for i := range proxies {
		p := &proxies[i]
		if p.Kind != hp.Kind || (hp.config != "" && !strings.HasPrefix(p.Source, hp.config+":")) {
			continue
		}
		p.URL = cmpOr(hp.URL, p.URL)
		if hp.MasterKeyRef != "" {
			p.MasterKey, p.MasterKeyRef = hp.MasterKey, hp.MasterKeyRef
		}
		p.Source += " (address and key: " + hp.Source + ")"
		n++
	}
	return n
}
