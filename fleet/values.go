package fleet

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/inventory"
)

// Value is one configured value of a host with the place it was set, as the
// host detail shows it.
type Value struct {
	Key    string // vllm.port, vllm_image, ansible_host, …
	Text   string // YAML flow text; "(secret)" for secrets
	Origin string // "host_vars/wintermute.yml:10 (host_vars)", or the layer
}

// ConfiguredValues lists a GPU host's vllm values (templated), its role's
// vllm_* variables and its connection variables (as written), each with
// where it was set, secrets masked. When the origins cannot be read, the
// values come without them, with the error.
func (r *Repo) ConfiguredValues(g GPUHost) ([]Value, error) {
	vars, err := r.repo.HostVarOrigins(g.Name)
	return configuredValues(r.Root(), g, vars), err
}

// connectionKeys are the connection variables the detail view lists.
func connectionKeys() []string {
	return []string{
		"ansible_connection", "ansible_host", "ansible_port", "ansible_user", "ansible_password",
		"ansible_winrm_scheme", "ansible_winrm_transport", "ansible_winrm_server_cert_validation",
	}
}

func configuredValues(root string, g GPUHost, vars inventory.Vars) []Value {
	var out []Value
	for _, k := range slices.Sorted(maps.Keys(g.Values)) {
		o, ok := vars.LookupOrigin("vllm." + k)
		if !ok {
			o = vars.Origin("vllm")
		}
		out = append(out, Value{Key: "vllm." + k, Text: shownValue(k, g.Values[k], o), Origin: describeOrigin(root, o)})
	}
	for _, k := range slices.Sorted(maps.Keys(vars.Values)) {
		if strings.HasPrefix(k, "vllm_") {
			out = append(out, varValue(root, k, vars))
		}
	}
	for _, k := range connectionKeys() {
		if _, ok := vars.Values[k]; ok {
			out = append(out, varValue(root, k, vars))
		}
	}
	return out
}

func varValue(root, key string, vars inventory.Vars) Value {
	o := vars.Origin(key)
	return Value{Key: key, Text: shownValue(key, vars.Values[key], o), Origin: describeOrigin(root, o)}
}

func shownValue(key string, v any, o inventory.Origin) string {
	if o.Secret || ansible.IsSecretKey(key) {
		return "(secret)"
	}
	return displayValue(v)
}

// displayValue is a value as YAML flow text would show it.
func displayValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = displayValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return "{…}"
	}
	return fmt.Sprint(v)
}

// describeOrigin is "host_vars/wintermute.yml:10 (host_vars)".
func describeOrigin(root string, o inventory.Origin) string {
	if o.File == "" {
		return o.Layer
	}
	where := relPath(root, o.File)
	if o.Line > 0 {
		where += fmt.Sprintf(":%d", o.Line)
	}
	return where + " (" + o.Layer + ")"
}

func relPath(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// Evaluated is a templated value of a host as the detail view shows it.
type Evaluated struct {
	Text string // YAML flow text; "(secret)" for secrets
	Err  string // why it could not be templated ("" when it was)
}

// EvaluatedValues templates the host's variables among keys whose written
// value is a template (role defaults like `{{ vllm.port | default(8000) }}`),
// as the first play targeting the host sees them, secrets masked. Keys that
// are not templates, or not variables (vllm.port is a key inside vllm),
// are left out.
func (r *Repo) EvaluatedValues(host string, values []Value) (map[string]Evaluated, error) {
	var names []string
	for _, v := range values {
		if strings.Contains(v.Text, "{{") || strings.Contains(v.Text, "{%") {
			names = append(names, v.Key)
		}
	}
	got, err := r.repo.EvaluateVars(host, names)
	if err != nil {
		return nil, err
	}
	out := map[string]Evaluated{}
	for name, e := range got {
		switch {
		case e.Err != nil:
			out[name] = Evaluated{Err: e.Err.Error()}
		case e.Secret:
			out[name] = Evaluated{Text: "(secret)"}
		default:
			out[name] = Evaluated{Text: displayValue(e.Value)}
		}
	}
	return out, nil
}
