package hvedit

import (
	"bytes"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// CopyFor derives a new host's vars file from a template host's (this
// Doc): every string value that names the template as a whole word
// ("vllm-armitage", "qwen2.5-7b-armitage") names the new host instead, the
// top-level keys of set get those values, and every `!vault` value and a
// vault-encrypted file are encrypted afresh (a new salt, the vault id that
// opened them), so no ciphertext is shared with the template and no secret
// is ever written in plain text. name is how the new file is named in
// results and errors. The Doc itself is left as it was; each change is
// verified as Set verifies it.
func (d *Doc) CopyFor(name, from, to string, set map[string]any) ([]byte, []Result, error) {
	c := d.clone(name)
	e, err := newEditor(c.text)
	if err != nil {
		return nil, nil, c.named(err, nil)
	}
	var results []Result
	for _, l := range leavesOf(e.root, nil) {
		res, err := c.copyLeaf(l, from, to, set)
		if err != nil {
			return nil, nil, err
		}
		results = append(results, res...)
	}
	added, err := c.addMissing(e.root, set)
	if err != nil {
		return nil, nil, err
	}
	return c.sealedCopy(append(results, added...))
}

func (d *Doc) clone(name string) *Doc {
	c := *d
	c.name, c.target = name, ""
	c.disk, c.file, c.text = bytes.Clone(d.disk), bytes.Clone(d.file), bytes.Clone(d.text)
	return &c
}

// leaf is a value to copy: a scalar, or a list, under its key path.
type leaf struct {
	keyPath []string
	node    *yaml.Node
}

// leavesOf lists the scalars and lists under mappings, depth first.
func leavesOf(n *yaml.Node, path []string) []leaf {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []leaf
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := append(slices.Clone(path), k.Value)
		switch v.Kind {
		case yaml.MappingNode:
			out = append(out, leavesOf(v, p)...)
		case yaml.ScalarNode, yaml.SequenceNode:
			out = append(out, leaf{p, v})
		}
	}
	return out
}

// copyLeaf renames the template in one value, or sets it, or re-encrypts
// it; nothing when it stays.
func (c *Doc) copyLeaf(l leaf, from, to string, set map[string]any) ([]Result, error) {
	if l.node.Kind == yaml.SequenceNode {
		return c.copyList(l, from, to)
	}
	st := c.setter()
	var id string
	old, err := st.decodeValue(l.node, &id)
	if err != nil {
		return nil, c.named(&Error{Line: l.node.Line, Err: err}, l.keyPath)
	}
	value, changed := copiedValue(l, old, from, to, set)
	if !changed && !isVaulted(l.node) {
		return nil, nil
	}
	st.reseal = true
	res, err := c.setWith(st, l.keyPath, value)
	return []Result{res}, err
}

func copiedValue(l leaf, old any, from, to string, set map[string]any) (any, bool) {
	if v, ok := set[l.keyPath[0]]; ok && len(l.keyPath) == 1 {
		return v, !sameValue(v, old)
	}
	if s, ok := old.(string); ok {
		r := Renamed(s, from, to)
		return r, r != s
	}
	return old, false
}

// copyList renames the template in a list of strings; a vault value in a
// list is refused (it could not be re-encrypted in place).
func (c *Doc) copyList(l leaf, from, to string) ([]Result, error) {
	var items []any
	changed := false
	for _, n := range l.node.Content {
		if isVaulted(n) || hasVault(n) {
			return nil, c.named(&Error{Line: n.Line, Err: failf(ErrUnsupported, "a vault value inside a list cannot be re-encrypted for the copy; copy it by hand")}, l.keyPath)
		}
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			return nil, nil // not a list of strings: copied as it is
		}
		r := Renamed(n.Value, from, to)
		items, changed = append(items, r), changed || r != n.Value
	}
	if !changed {
		return nil, nil
	}
	res, err := c.Set(l.keyPath, items)
	return []Result{res}, err
}

func hasVault(n *yaml.Node) bool {
	return isVaulted(n) || slices.ContainsFunc(n.Content, hasVault)
}

// addMissing adds the keys of set the file does not have.
func (c *Doc) addMissing(root *yaml.Node, set map[string]any) ([]Result, error) {
	var out []Result
	for _, k := range slices.Sorted(maps.Keys(set)) {
		if root != nil {
			if key, _ := lastPair(root, k); key != nil {
				continue
			}
		}
		res, err := c.Set([]string{k}, set[k])
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// sealedCopy is the copy's bytes; a vault-encrypted file nothing changed
// in is encrypted afresh all the same.
func (c *Doc) sealedCopy(results []Result) ([]byte, []Result, error) {
	if !c.encrypted || len(results) > 0 {
		return c.Bytes(), results, nil
	}
	sealed, err := c.seal(c.text)
	if err != nil {
		return nil, nil, c.named(err, nil)
	}
	return sealed, results, nil
}

// Renamed replaces each whole-word occurrence of from in s with to: one
// not preceded or followed by a letter or digit ("vllm-armitage" →
// "vllm-molly"; "armitages" stays).
func Renamed(s, from, to string) string {
	if from == "" {
		return s
	}
	var b strings.Builder
	done := 0
	for at := 0; ; {
		i := strings.Index(s[at:], from)
		if i < 0 {
			b.WriteString(s[done:])
			return b.String()
		}
		i += at
		at = i + len(from)
		if isWordEdge(s, i-1) && isWordEdge(s, at) {
			b.WriteString(s[done:i] + to)
			done = at
		}
	}
}

// isWordEdge: position i is outside s or not a letter or digit.
func isWordEdge(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	ch := s[i]
	return !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9')
}
