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
		out[name] = ordered(name, value, v.Origins)
	}
	return out
}

func ordered(path string, value any, origins map[string]inventory.Origin) any {
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

func orderedMap(path string, m map[string]any, origins map[string]inventory.Origin) *render.Map {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	line := func(k string) int {
		if o, ok := origins[path+"."+k]; ok && o.Line > 0 {
			return o.Line<<16 + o.Column
		}
		return 1 << 50
	}
	sort.SliceStable(keys, func(i, j int) bool {
		li, lj := line(keys[i]), line(keys[j])
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	out := &render.Map{Keys: keys, Values: make(map[string]any, len(m))}
	for _, k := range keys {
		out.Values[k] = ordered(path+"."+k, m[k], origins)
	}
	return out
}
