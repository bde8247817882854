package hvedit

import "gopkg.in/yaml.v3"

// spot is where a key path leads in a document.
//
//   - found: depth == len(keyPath); key and value are the last pair.
//   - missing: depth < len(keyPath) and value is nil; keyPath[depth] is to be
//     added to mapping (nil for an empty document).
//   - null parent: depth < len(keyPath) and value is the null value of
//     keyPath[depth-1], to be replaced by a new mapping.
type spot struct {
	mapping    *yaml.Node
	depth      int
	key, value *yaml.Node
	flow       bool // mapping's entries are in flow context
}

func (sp spot) found(keyPath []string) bool { return sp.depth == len(keyPath) }

func (sp spot) nullParent(keyPath []string) bool {
	return sp.value != nil && !sp.found(keyPath)
}

// lookup follows keyPath through nested mappings of root.
func lookup(root *yaml.Node, keyPath []string) (spot, error) {
	sp := spot{mapping: root, flow: root != nil && isFlow(root)}
	for sp.mapping != nil {
		k, v := lastPair(sp.mapping, keyPath[sp.depth])
		if k == nil {
			return sp, nil
		}
		sp.depth++
		if err := checkStringKey(k); err != nil {
			return sp, &Error{Line: k.Line, Key: dotted(keyPath[:sp.depth]), Err: err}
		}
		if sp.found(keyPath) || isNull(v) {
			sp.key, sp.value = k, v
			return sp, nil
		}
		if err := checkDescend(root, v); err != nil {
			return sp, &Error{Line: v.Line, Key: dotted(keyPath[:sp.depth]), Err: err}
		}
		sp.mapping, sp.flow = v, sp.flow || isFlow(v)
	}
	return sp, nil
}

// lastPair finds key name in a mapping; like Ansible, the last of duplicate
// keys wins.
func lastPair(m *yaml.Node, name string) (key, value *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == name {
			key, value = k, m.Content[i+1]
		}
	}
	return key, value
}

// checkStringKey refuses a key whose text matches but whose type does not:
// `0:` is the integer 0 to YAML, `<<:` a merge.
func checkStringKey(k *yaml.Node) error {
	if tag := k.ShortTag(); tag != "!!str" {
		return failf(ErrUnsupported, "the key is %s, not a string", scalarKindName(tag))
	}
	return nil
}

// checkDescend refuses to add keys through a value that is not a mapping of
// its own: an alias or an anchored mapping would change every alias of it.
func checkDescend(root, v *yaml.Node) error {
	switch {
	case v.Kind == yaml.AliasNode:
		return failf(ErrUnsupported, "is an alias (*%s); edit the anchored mapping instead", v.Value)
	case v.Kind != yaml.MappingNode:
		return failf(ErrUnsupported, "is %s, not a mapping", kindName(v))
	case isAliased(root, v):
		return failf(ErrUnsupported, "is anchored (&%s) and shared through aliases; edit it by hand", v.Anchor)
	}
	return nil
}

// isAliased reports whether any alias in the tree under root refers to n.
func isAliased(root, n *yaml.Node) bool {
	if n.Anchor == "" || root == nil {
		return false
	}
	if root.Kind == yaml.AliasNode {
		return root.Alias == n
	}
	for _, c := range root.Content {
		if isAliased(c, n) {
			return true
		}
	}
	return false
}
