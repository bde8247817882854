package facts

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/straylight-fleet/straylight/render"
)

// windowsScript prints a Windows host's facts as one JSON object
// (windows.ps1).
//
//go:embed windows.ps1
var windowsScript string

// parseWindows reads the script's JSON: numbers that are whole become
// ints, env keeps its keys' order.
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

// orderedEnv keeps ansible_env to the names straylight gathers, in order.
func orderedEnv(env map[string]any) *render.Map {
	m := render.NewMap()
	for _, k := range envNames {
		if v, ok := env[k]; ok {
			m.Set(k, v)
		}
	}
	return m
}
