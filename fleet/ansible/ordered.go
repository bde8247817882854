package ansible

import (
	"sort"
	"strconv"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/render"
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
