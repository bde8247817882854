package artifact

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// mapValue returns the value node of key in a mapping node, following
// aliases and merge keys (<<: *anchor, common in compose files).
func mapValue(m *yaml.Node, key string) *yaml.Node {
	_, v := lookup(deref(m), key, 0)
	return v
}

// mapKey returns the key node of key in a mapping node (its line is the
// line a reader looks at).
func mapKey(m *yaml.Node, key string) *yaml.Node {
	k, _ := lookup(deref(m), key, 0)
	return k
}

// lookup finds key in m, then in the mappings merged into m.
func lookup(m *yaml.Node, key string, depth int) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode || depth > 8 {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i].Tag != "!!merge" {
			return m.Content[i], deref(m.Content[i+1])
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag == "!!merge" {
			if k, v := lookupMerged(deref(m.Content[i+1]), key, depth); v != nil {
				return k, v
			}
		}
	}
	return nil, nil
}

// lookupMerged searches a merged mapping or a list of them, first wins.
func lookupMerged(n *yaml.Node, key string, depth int) (*yaml.Node, *yaml.Node) {
	if n != nil && n.Kind == yaml.SequenceNode {
		for _, item := range n.Content {
			if k, v := lookup(deref(item), key, depth+1); v != nil {
				return k, v
			}
		}
		return nil, nil
	}
	return lookup(n, key, depth+1)
}

// deref follows an alias to its anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// mapPairs calls fn for each key/value of a mapping node, in order, with the
// pairs of merged mappings (<<: *anchor) that the node does not override
// first; aliases are followed.
func mapPairs(m *yaml.Node, fn func(key, value *yaml.Node) error) error {
	for _, p := range pairs(deref(m), 0) {
		if err := fn(p[0], p[1]); err != nil {
			return err
		}
	}
	return nil
}

func pairs(m *yaml.Node, depth int) [][2]*yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode || depth > 8 {
		return nil
	}
	var own, merged [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], deref(m.Content[i+1])
		if k.Tag == "!!merge" {
			merged = append(merged, mergedPairs(v, depth)...)
			continue
		}
		own = append(own, [2]*yaml.Node{k, v})
		seen[k.Value] = true
	}
	var out [][2]*yaml.Node
	for _, p := range merged {
		if !seen[p[0].Value] {
			out = append(out, p)
			seen[p[0].Value] = true
		}
	}
	return append(out, own...)
}

func mergedPairs(n *yaml.Node, depth int) [][2]*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		return pairs(n, depth+1)
	}
	var out [][2]*yaml.Node
	for _, item := range n.Content {
		out = append(out, pairs(deref(item), depth+1)...)
	}
	return out
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// keyError names the file, line and key of a value of the wrong shape.
func keyError(file string, n *yaml.Node, key, want string) error {
	return fmt.Errorf("%s:%d: %s: expected %s, found %s", file, n.Line, key, want, nodeKindName(n))
}

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "the scalar " + strconv.Quote(n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

// stringList reads a scalar (one item) or a sequence of scalars.
func stringList(file string, n *yaml.Node, key string) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return nil, keyError(file, item, key, "a string")
			}
			out = append(out, item.Value)
		}
		return out, nil
	}
	return nil, keyError(file, n, key, "a string or a list of strings")
}

// commandWords reads a compose command/entrypoint: a list is taken as it
// is, a string is split into words the way compose splits it (shell quoting,
// no shell).
func commandWords(file string, n *yaml.Node, key string) ([]string, error) {
	if n.Kind == yaml.SequenceNode {
		return stringList(file, n, key)
	}
	if n.Kind != yaml.ScalarNode {
		return nil, keyError(file, n, key, "a string or a list of strings")
	}
	words, err := SplitWords(n.Value)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %s: %w", file, n.Line, key, err)
	}
	return words, nil
}
