package hvedit

import (
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// flatMap lists every node of a document by its path, with a description
// of the node that changes whenever its value does (tag, text, anchor).
// Aliases are described by name, not expanded, so the cost stays linear.
type flatMap map[string]string

const pathSep = "\x00"

func flatten(root *yaml.Node) flatMap {
	out := flatMap{}
	if root != nil {
		out.add("", root)
	}
	return out
}

func (f flatMap) add(path string, n *yaml.Node) {
	f[path] = describeNode(n)
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			f.add(path+pathSep+keyName(n.Content[i], i/2), n.Content[i+1])
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			f.add(path+pathSep+"#"+strconv.Itoa(i), c)
		}
	}
}

func keyName(k *yaml.Node, index int) string {
	if k.Kind == yaml.ScalarNode {
		return k.Value
	}
	return "?complex key " + strconv.Itoa(index)
}

func describeNode(n *yaml.Node) string {
	prefix := "&" + n.Anchor + " "
	switch n.Kind {
	case yaml.MappingNode:
		return prefix + "{}" + n.Tag
	case yaml.SequenceNode:
		return prefix + "[]" + n.Tag
	case yaml.AliasNode:
		return "*" + n.Value
	}
	return prefix + scalarTag(n) + pathSep + n.Value
}

func scalarTag(n *yaml.Node) string {
	if n.Style&yaml.TaggedStyle != 0 {
		return n.Tag
	}
	return n.ShortTag()
}

func pathOf(keyPath []string) string {
	return pathSep + strings.Join(keyPath, pathSep)
}

// otherChange returns the first path, outside target and its ancestors,
// whose node differs between before and after, as a dotted key path; ok is
// false when none does. (An empty key, an anchored null, names its path
// "": a path returned as "" read as no change, and an edit that changed
// that key's value went through; found by FuzzSetValue.)
func otherChange(before, after flatMap, target string) (path string, ok bool) {
	var changed []string
	for _, m := range []flatMap{before, after} {
		for p := range m {
			if !related(p, target) && before[p] != after[p] {
				changed = append(changed, p)
			}
		}
	}
	if len(changed) == 0 {
		return "", false
	}
	sort.Strings(changed)
	return dottedPath(changed[0]), true
}

// dottedPath is a flatMap path as a reader writes it: keys joined by ".",
// an empty key as "".
func dottedPath(p string) string {
	keys := strings.Split(strings.TrimPrefix(p, pathSep), pathSep)
	for i, k := range keys {
		if k == "" {
			keys[i] = `""`
		}
	}
	return strings.Join(keys, ".")
}

// related: p is target, inside it, or one of its ancestors (which may turn
// from null into the mapping that now holds the target).
func related(p, target string) bool {
	return p == target || strings.HasPrefix(p, target+pathSep) || strings.HasPrefix(target, p+pathSep)
}
