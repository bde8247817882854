// Package inventory reads an Ansible inventory (YAML or INI), its
// group_vars/host_vars files and merges a host's variables exactly as
// ansible-core 2.14 does, recording where every variable was set. It also
// adds a host to an inventory file like another one (InsertHost: new lines
// only, verified by reading the file back), the one edit it makes.
//
// Values are raw and untemplated: a role default such as
// "{{ vllm.port | default(8000) }}" stays a string here; templating is the
// render package's job.
//
// Each group_vars and host_vars file is parsed once, by whichever host
// needs it first; Preload starts parsing them all on one goroutine, for a
// caller that has other work for the first CPU.
package inventory

import (
	"maps"
	"strings"
)

// Layer names used in Origin.Layer, from lowest to highest precedence. Group
// layers are spelled with the group's name: LayerInventoryGroup+"motoko"
// ("inventory group motoko") for vars set on a group in the inventory file,
// LayerGroupVars+"motoko" ("group_vars/motoko") for a group_vars file.
const (
	LayerRoleDefault    = "role default"
	LayerInventoryGroup = "inventory group "
	LayerGroupVars      = "group_vars/"
	LayerInventoryHost  = "inventory host"
	LayerHostVars       = "host_vars"
	LayerPlayVars       = "play vars"
	LayerRoleVars       = "role vars"
	LayerExtraVars      = "extra vars"
)

// Vars is a set of variables with the place each one was set.
//
// Values holds plain Go values only: map[string]any, []any, string, int,
// float64, bool and nil. Values returned by this package may be shared
// between hosts: treat them as read-only.
//
// Origins is keyed by dotted path: "vllm" for a top-level variable,
// "vllm.port" for a key inside it, "model_list.0.model_name" for a key inside
// the first item of a list.
//
// A merge's origins (HostVars, ParseVars) are found when asked for, in the
// entries the merge kept, rather than copied into a map per host: a
// 1,000-host plan built 2,000 such maps and read a few keys of each.
type Vars struct {
	Values  map[string]any
	origins map[string]Origin  // given by NewVars
	merged  map[string]layered // a merge's entries, whose origins these are
	layer   string             // set by AsLayer: merged are this layer's entries
}

// NewVars is a set of variables with the given origins (keyed by dotted
// path, as LookupOrigin takes them).
func NewVars(values map[string]any, origins map[string]Origin) Vars {
	return Vars{Values: values, origins: origins}
}

// LookupOrigin is where the variable or key at path was set; ok is false
// when no origin is recorded for it.
func (v Vars) LookupOrigin(path string) (Origin, bool) {
	if o, ok := v.origins[path]; ok {
		return o, true
	}
	w, ok := v.merged[longestDefinedPrefix(v.merged, path)]
	if !ok {
		return Origin{}, false
	}
	for _, po := range w.entry.origins {
		if po.path == path {
			return w.stamp(po.origin), true
		}
	}
	return Origin{}, false
}

// Origin is LookupOrigin without the ok: the zero Origin when none is
// recorded.
func (v Vars) Origin(path string) Origin {
	o, _ := v.LookupOrigin(path)
	return o
}

// Origins are all the recorded origins by dotted path; treat the map as
// read-only (for Vars made by NewVars it is the one given).
func (v Vars) Origins() map[string]Origin {
	if len(v.merged) == 0 {
		return v.origins
	}
	out := make(map[string]Origin, len(v.origins)+len(v.merged))
	for _, w := range v.merged {
		for _, po := range w.entry.origins {
			out[po.path] = w.stamp(po.origin)
		}
	}
	maps.Copy(out, v.origins)
	return out
}

// Origin says where a variable (or a key inside one) was set.
type Origin struct {
	File   string // absolute path of the file; empty for values given on the command line
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based, YAML files only; orders keys of a one-line flow mapping
	Layer  string // one of the Layer* names, e.g. "host_vars", "group_vars/motoko"
	Secret bool   // the value is, or contains, a value that came from the vault
}

// varEntry is one top-level variable as read from one source, with the
// origins of itself (first) and of everything nested inside it.
type varEntry struct {
	value   any
	origins []pathOrigin
}

type pathOrigin struct {
	path   string
	origin Origin
}

// varSet is the variables one source (a file, a host line) defines.
type varSet map[string]*varEntry

// set stores a variable; a later set of the same name replaces it whole, as
// Ansible's hash_behaviour=replace does.
func (vs varSet) set(name string, e *varEntry) { vs[name] = e }

// toVars gives entries the exported form: their values, and their origins
// kept for LookupOrigin.
func toVars(entries map[string]layered) Vars {
	out := Vars{Values: make(map[string]any, len(entries)), merged: entries}
	for name, w := range entries {
		out.Values[name] = w.entry.value
	}
	return out
}

// stamp gives an origin that names no layer of its own the layer the entry
// was merged from.
func (w layered) stamp(o Origin) Origin {
	if o.Layer == "" {
		o.Layer = w.layer
	}
	return o
}

// layered is a variable entry together with the layer it won from.
type layered struct {
	entry *varEntry
	layer string
}

// AsLayer is v made ready to be given to HostVars as the layer named layer
// (Layers.RoleDefaults with LayerRoleDefault, PlayVars with LayerPlayVars,
// RoleVars with LayerRoleVars, ExtraVars with LayerExtraVars): its entries
// are made once, not by every host's merge (a play's role defaults were made
// again for each of its hosts). Its values are v's; its origins are v's
// for the variables it has and what is inside them, with layer where v
// names none.
func AsLayer(v Vars, layer string) Vars {
	return Vars{Values: v.Values, merged: v.entries(layer), layer: layer}
}

// entries are v's variables as the merge entries of the layer named layer.
func (v Vars) entries(layer string) map[string]layered {
	if v.layer == layer {
		return v.merged
	}
	if len(v.Values) == 0 {
		return nil
	}
	vs := varSetFromVars(v, layer)
	out := make(map[string]layered, len(vs))
	for name, e := range vs {
		out[name] = layered{entry: e, layer: layer}
	}
	return out
}

// varSetFromVars turns caller-supplied Vars (role defaults, play vars, extra
// vars) into entries, grouping nested origins under their top-level name.
func varSetFromVars(v Vars, layer string) varSet {
	vs := make(varSet, len(v.Values))
	for name, value := range v.Values {
		vs[name] = &varEntry{value: value, origins: []pathOrigin{{path: name, origin: Origin{Layer: layer}}}}
	}
	for path, o := range v.Origins() {
		addCallerOrigin(vs, path, o)
	}
	return vs
}

func addCallerOrigin(vs varSet, path string, o Origin) {
	top := topLevelName(vs, path)
	e := vs[top]
	if e == nil {
		return
	}
	if path == top {
		e.origins[0].origin = o
		return
	}
	e.origins = append(e.origins, pathOrigin{path: path, origin: o})
}

// topLevelName finds the variable a dotted path belongs to; names may contain
// dots themselves, so the longest defined prefix wins.
func topLevelName(vs varSet, path string) string { return longestDefinedPrefix(vs, path) }

// longestDefinedPrefix is the longest of path and its dotted prefixes that
// m defines, "" when none.
func longestDefinedPrefix[V any](m map[string]V, path string) string {
	if _, ok := m[path]; ok {
		return path
	}
	for i := len(path) - 1; i > 0; i-- {
		if path[i] == '.' {
			if _, ok := m[path[:i]]; ok {
				return path[:i]
			}
		}
	}
	return ""
}

// joinPath appends a key to a dotted origin path.
func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	var b strings.Builder
	b.Grow(len(parent) + 1 + len(key))
	b.WriteString(parent)
	b.WriteByte('.')
	b.WriteString(key)
	return b.String()
}
