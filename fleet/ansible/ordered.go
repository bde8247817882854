package ansible

import (
	"sort"
	"strconv"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/render"
	"gopkg.in/yaml.v3"
)

// orderedValues gives the templating scope mappings in their file order:
// Python dicts keep insertion order and templates show it (to_json, loops,
// printing), while inventory values are Go maps. The order is recovered from
// the origins, which record each key's line and column; keys without one (from the
// command line, say) follow in sorted order.
func orderedValues(v inventory.Vars) map[string]any {
	out := make(map[string]any, len(v.Values))
	for name, value := range v.Values {
		out[name] = ordered(name, value, v.LookupOrigin)
	}
	return out
}

// originLookup finds the origin of a dotted path (inventory.Vars.LookupOrigin).
type originLookup func(path string) (inventory.Origin, bool)

func ordered(path string, value any, origins originLookup) any {
	switch t := value.(type) {
	case map[string]any:
		return orderedMap(path, t, origins)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = ordered(path+"."+strconv.Itoa(i), e, origins)
		}
		return out
	}
	return value
}

func orderedMap(path string, m map[string]any, origins originLookup) *render.Map {
	type keyAt struct {
		key string
		at  int // line<<16 + column; keys without an origin after all others
	}
	keys := make([]keyAt, 0, len(m))
	for k := range m {
		at := 1 << 50
		if o, ok := origins(path + "." + k); ok && o.Line > 0 {
			at = o.Line<<16 + o.Column
		}
		keys = append(keys, keyAt{k, at})
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].at != keys[j].at {
			return keys[i].at < keys[j].at
		}
		return keys[i].key < keys[j].key
	})
	out := &render.Map{Keys: make([]string, len(keys)), Values: make(map[string]any, len(m))}
	for i, k := range keys {
		out.Keys[i] = k.key
		out.Values[k.key] = ordered(path+"."+k.key, m[k.key], origins)
	}
	return out
}

// nodeOrigins records where each key and item under a vars mapping node is
// written (path "key.sub.0"), the order orderedMap gives its mappings:
// Python's dicts keep a vars file's order, Go's maps keep none. Keys under
// a merge key (<<) have their anchor's place.
func nodeOrigins(file string, n *yaml.Node) map[string]inventory.Origin {
	out := map[string]inventory.Origin{}
	addNodeOrigins(file, "", n, out, 0)
	return out
}

func addNodeOrigins(file, path string, n *yaml.Node, out map[string]inventory.Origin, depth int) {
	if n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || depth > maxVarsNesting {
		return
	}
	for _, kv := range mapPairs(n) {
		if kv[0].Value == "<<" {
			addMergedOrigins(file, path, kv[1], out, depth+1)
			continue
		}
		key := joinPath(path, kv[0].Value)
		out[key] = inventory.Origin{File: file, Line: kv[0].Line, Column: kv[0].Column}
		addNodeOrigins(file, key, kv[1], out, depth+1)
	}
	if n.Kind == yaml.SequenceNode {
		for i, item := range n.Content {
			addNodeOrigins(file, joinPath(path, strconv.Itoa(i)), item, out, depth+1)
		}
	}
}

// addMergedOrigins: the keys a merge key brings (one mapping or a list of
// them) are placed where their anchors are written.
func addMergedOrigins(file, path string, n *yaml.Node, out map[string]inventory.Origin, depth int) {
	if n.Kind != yaml.SequenceNode {
		addNodeOrigins(file, path, n, out, depth)
		return
	}
	for _, m := range n.Content {
		addNodeOrigins(file, path, m, out, depth)
	}
}

// maxVarsNesting bounds nodeOrigins on hostile input, as the inventory's
// decoder bounds its own.
const maxVarsNesting = 5000

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// orderedVars gives the nested mappings of a task's or block's vars their
// file order (*render.Map), as the scope prints them: those vars reach
// only the templating scope, never the inventory's layers.
func orderedVars(vars map[string]any, origins map[string]inventory.Origin) map[string]any {
	lookup := func(path string) (inventory.Origin, bool) {
		o, ok := origins[path]
		return o, ok
	}
	out := make(map[string]any, len(vars))
	for name, value := range vars {
		out[name] = ordered(name, value, lookup)
	}
	return out
}
