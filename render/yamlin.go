package render

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// canonicalNode reads a YAML node the way Ansible's loader (PyYAML, YAML
// 1.1) does: mappings keep their order; plain scalars such as yes, on, 0755
// and 1:30 are typed by YAML 1.1's rules, not yaml.v3's YAML 1.2 ones.
func canonicalNode(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return canonicalNode(n.Content[0])
	case yaml.AliasNode:
		return canonicalNode(n.Alias)
	case yaml.SequenceNode:
		out := make(pyList, len(n.Content))
		for i, item := range n.Content {
			out[i] = canonicalNode(item)
		}
		return out
	case yaml.MappingNode:
		return mappingNode(n)
	}
	return scalarNode(n)
}

func mappingNode(n *yaml.Node) pyDict {
	out := newDict(len(n.Content) / 2)
	for _, merged := range mergeSources(n) {
		for _, key := range merged.keys() {
			out.set(key, merged[key].val)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMergeKey(n.Content[i]) {
			continue
		}
		out.set(dictKey(scalarNode(n.Content[i])), canonicalNode(n.Content[i+1]))
	}
	return out
}

func isMergeKey(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "<<" && n.Style == 0
}

// mergeSources are the mappings named by `<<:` keys; like PyYAML, the
// first of a list wins, and explicit keys win over merged ones.
func mergeSources(n *yaml.Node) []pyDict {
	var sources []pyDict
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !isMergeKey(n.Content[i]) {
			continue
		}
		switch value := canonicalNode(n.Content[i+1]).(type) {
		case pyDict:
			sources = append(sources, value)
		case pyList:
			for j := len(value) - 1; j >= 0; j-- {
				if d, ok := value[j].(pyDict); ok {
					sources = append(sources, d)
				}
			}
		}
	}
	return sources
}

func scalarNode(n *yaml.Node) any {
	if n.Kind == yaml.AliasNode {
		return canonicalNode(n.Alias)
	}
	// Quoted and block scalars are strings, and so are custom tags
	// (!vault, !unsafe); an explicit !!str on a plain scalar is not seen.
	if n.Style != 0 || (n.Tag != "" && !strings.HasPrefix(n.Tag, "!!")) {
		return n.Value
	}
	if value, ok := yaml11Scalar(n.Value); ok {
		return value
	}
	return n.Value
}

// yaml11Scalar types a plain scalar by YAML 1.1 (PyYAML's resolver and
// constructors); ok is false for strings.
func yaml11Scalar(s string) (any, bool) {
	if s == "" || s == "~" || s == "null" || s == "Null" || s == "NULL" {
		return nil, true
	}
	for i, implicit := range yamlImplicit[:3] {
		if strings.IndexByte(implicit.first, s[0]) < 0 || !implicit.pattern().MatchString(s) {
			continue
		}
		switch i {
		case 0:
			return yaml11Bool(s), true
		case 1:
			return yaml11Float(s), true
		case 2:
			return yaml11Int(s), true
		}
	}
	return nil, false
}

func yaml11Bool(s string) bool {
	switch strings.ToLower(s) {
	case "yes", "true", "on":
		return true
	}
	return false
}

// yaml11Int is PyYAML's construct_yaml_int: 0b, 0x, leading-0 octal and
// base 60 (1:30).
func yaml11Int(s string) any {
	s = strings.ReplaceAll(s, "_", "")
	sign := 1
	if s[0] == '-' || s[0] == '+' {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	var n int64
	switch {
	case s == "0":
	case strings.HasPrefix(s, "0b"):
		n, _ = strconv.ParseInt(s[2:], 2, 64)
	case strings.HasPrefix(s, "0x"):
		n, _ = strconv.ParseInt(s[2:], 16, 64)
	case s[0] == '0':
		n, _ = strconv.ParseInt(s, 8, 64)
	case strings.Contains(s, ":"):
		n = int64(sexagesimal(s))
	default:
		n, _ = strconv.ParseInt(s, 10, 64)
	}
	return sign * int(n)
}

func sexagesimal(s string) float64 {
	value := 0.0
	for _, part := range strings.Split(s, ":") {
		digit, _ := strconv.ParseFloat(part, 64)
		value = value*60 + digit
	}
	return value
}

// yaml11Float is PyYAML's construct_yaml_float.
func yaml11Float(s string) float64 {
	s = strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if s[0] == '-' || s[0] == '+' {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	switch {
	case s == ".inf":
		return sign * math.Inf(1)
	case s == ".nan":
		return math.NaN()
	case strings.Contains(s, ":"):
		return sign * sexagesimal(s)
	}
	f, _ := strconv.ParseFloat(s, 64)
	return sign * f
}
