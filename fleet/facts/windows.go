package facts

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/filemod"

	"github.com/straylight-fleet/straylight/render"
)

// windowsScript prints a Windows host's facts as one JSON object
// (windows.ps1).
//
//go:embed windows.ps1
var windowsScript string

// windowsFactsScript is the facts script after env's variables are set
// and named in $straylightExported, which the script adds to the names it
// keeps of ansible_env.
func windowsFactsScript(env []filemod.EnvVar) string {
	names := make([]string, len(env))
	for i, e := range env {
		names[i] = filemod.PSQuoteName(e.Name)
	}
	return filemod.PSEnvLines(env) + "$straylightExported = @(" + strings.Join(names, ", ") + ")\n" + windowsScript
}

// parseWindows reads the script's JSON: numbers that are whole become
// ints, env keeps its names in order.
func parseWindows(out string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(strings.TrimSpace(out)))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("the facts script's output is not the JSON object it prints: %v", err)
	}
	f := map[string]any{}
	for k, v := range raw {
		f[k] = jsonValue(v)
	}
	if env, ok := raw["env"].(map[string]any); ok {
		f["env"] = orderedEnv(env)
	}
	return f, nil
}

func jsonValue(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if i, err := n.Int64(); err == nil {
		return int(i)
	}
	fl, _ := n.Float64()
	return fl
}

// orderedEnv is ansible_env with its names sorted, as the script lists
// them (setup.ps1's hashtable has no order of its own).
func orderedEnv(env map[string]any) *render.Map {
	m := render.NewMap()
	for _, k := range slices.Sorted(maps.Keys(env)) {
		m.Set(k, env[k])
	}
	return m
}
