package ui

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/ui/detail"
)

// hostOrigins is a host's variables with the place each was set.
func hostOrigins(repo *fleet.Repo, host string) (inventory.Vars, error) {
	return repo.HostVarOrigins(host)
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

// connectionKeys are the connection variables the detail view lists.
func connectionKeys() []string {
	return []string{
		"ansible_connection", "ansible_host", "ansible_port", "ansible_user", "ansible_password",
		"ansible_winrm_scheme", "ansible_winrm_transport", "ansible_winrm_server_cert_validation",
	}
}

// configuredValues lists a GPU host's vllm values (templated) and its role's
// vllm_* variables and connection variables (as written), each with where
// it was set. Secrets are masked.
func configuredValues(root string, g fleet.GPUHost, vars inventory.Vars) []detail.Value {
	var out []detail.Value
	for _, k := range sortedKeys(g.Values) {
		o, ok := vars.Origins["vllm."+k]
		if !ok {
			o = vars.Origins["vllm"]
		}
		out = append(out, detail.Value{Key: "vllm." + k, Text: shownValue(k, g.Values[k], o), Origin: describeOrigin(root, o)})
	}
	for _, k := range sortedKeys(vars.Values) {
		if strings.HasPrefix(k, "vllm_") {
			out = append(out, detail.Value{Key: k, Text: shownValue(k, vars.Values[k], vars.Origins[k]), Origin: describeOrigin(root, vars.Origins[k])})
		}
	}
	for _, k := range connectionKeys() {
		if v, ok := vars.Values[k]; ok {
			out = append(out, detail.Value{Key: k, Text: shownValue(k, v, vars.Origins[k]), Origin: describeOrigin(root, vars.Origins[k])})
		}
	}
	return out
}

func shownValue(key string, v any, o inventory.Origin) string {
	if o.Secret || plan.IsSecretKey(key) {
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
