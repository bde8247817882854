package ansible

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Mapping is one entry of straylight.yml's backends: or proxies: lists: the
// servers and proxies detection cannot see, described by hand. Hosts is an
// Ansible host pattern; each field is text that may hold Jinja, templated in
// each selected host's scope (so "{{ vllm_port }}" or "{{ vault_key }}"
// works as it would in a template).
type Mapping struct {
	Hosts  string
	Fields map[string]string
	At     Located // the entry in straylight.yml
}

// Fields each list accepts besides hosts.
var (
	backendFields = []string{"kind", "api_base", "served_names", "container", "unit", "api_key"}
	proxyFields   = []string{"kind", "api_base", "config", "master_key"}
)

// loadMappings reads backends: and proxies: from straylight.yml's root
// node. An unknown field or a wrong shape is an error naming file, line and
// key.
func (s *Settings) loadMappings(path string, root *yaml.Node) error {
	var err error
	if s.Backends, err = mappingList(path, root, "backends", backendFields); err != nil {
		return err
	}
	s.Proxies, err = mappingList(path, root, "proxies", proxyFields)
	return err
}

func mappingList(path string, root *yaml.Node, key string, fields []string) ([]Mapping, error) {
	list := settingsValue(root, key)
	if list == nil {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, &InputError{At: Located{path, list.Line}, Msg: key + ": expected a list of entries"}
	}
	var out []Mapping
	for i, n := range list.Content {
		m, err := mappingEntry(path, n, fmt.Sprintf("%s[%d]", key, i), fields)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func mappingEntry(path string, n *yaml.Node, key string, fields []string) (Mapping, error) {
	m := Mapping{Fields: map[string]string{}, At: Located{path, n.Line}}
	if n.Kind != yaml.MappingNode {
		return m, &InputError{At: m.At, Msg: key + ": expected a mapping"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := m.set(path, key, k, v, fields); err != nil {
			return m, err
		}
	}
	if m.Hosts == "" {
		return m, &InputError{At: m.At, Msg: key + ".hosts: missing (an Ansible host pattern)"}
	}
	return m, nil
}

func (m *Mapping) set(path, key string, k, v *yaml.Node, fields []string) error {
	at := Located{path, k.Line}
	text, err := mappingText(v)
	if err != nil {
		return &InputError{At: at, Msg: fmt.Sprintf("%s.%s: %v", key, k.Value, err)}
	}
	switch {
	case k.Value == "hosts":
		m.Hosts = text
	case slices.Contains(fields, k.Value):
		m.Fields[k.Value] = text
	default:
		return &InputError{At: at, Msg: fmt.Sprintf("%s.%s: unknown field (known: hosts, %s)", key, k.Value, strings.Join(fields, ", "))}
	}
	return nil
}

// mappingText is a scalar as written, or a list of scalars as a YAML flow
// list (templated later into a list).
func mappingText(v *yaml.Node) (string, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		return v.Value, nil
	case yaml.SequenceNode:
		var items []string
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("expected a list of strings")
			}
			items = append(items, e.Value)
		}
		return "[" + strings.Join(quoteAll(items), ", ") + "]", nil
	}
	return "", fmt.Errorf("expected a string or a list of strings")
}

func quoteAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func settingsValue(root *yaml.Node, key string) *yaml.Node {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			return root.Content[i+1]
		}
	}
	return nil
}
