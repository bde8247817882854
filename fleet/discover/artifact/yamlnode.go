package artifact

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// mapValue returns the value node of key in a mapping node.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapKey returns the key node of key in a mapping node (its line is the
// line a reader looks at).
func mapKey(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

// mapPairs calls fn for each key/value of a mapping node, in order.
func mapPairs(m *yaml.Node, fn func(key, value *yaml.Node) error) error {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if err := fn(m.Content[i], m.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
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
