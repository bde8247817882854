package artifact

import (
	"fmt"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"gopkg.in/yaml.v3"
)

// llama-swap facts (config.example.yaml of mostlygeek/llama-swap): each model
// has a cmd (required) and a proxy URL (default http://localhost:${PORT});
// ${PORT} is assigned at load time from startPort (default 5800).
const llamaSwapDefaultProxy = "http://localhost:${PORT}"

var macroRef = lazyre.New(`\$\{([a-zA-Z0-9_.-]+)\}`)

// isLlamaSwap reports whether models: is a mapping whose entries have a cmd.
func isLlamaSwap(models *yaml.Node) bool {
	if models == nil || models.Kind != yaml.MappingNode {
		return false
	}
	found := false
	_ = mapPairs(models, func(_, m *yaml.Node) error {
		found = found || mapValue(m, "cmd") != nil
		return nil
	})
	return found
}

func recognizeLlamaSwap(file string, root, models *yaml.Node) (Findings, error) {
	global := macros(mapValue(root, "macros"))
	p := Proxy{Kind: LlamaSwap, Source: Source{File: file, Line: models.Line}}
	var found Findings
	err := mapPairs(models, func(name, m *yaml.Node) error {
		routes, backend, ok, err := llamaSwapModel(file, name, m, global)
		if err != nil {
			return err
		}
		p.Routes = append(p.Routes, routes...)
		if ok {
			found.Backends = append(found.Backends, backend)
		}
		return nil
	})
	found.Proxies = []Proxy{p}
	return found, err
}

func llamaSwapModel(file string, name, m *yaml.Node, global map[string]string) ([]Route, Backend, bool, error) {
	key := "models." + name.Value
	if m.Kind != yaml.MappingNode {
		return nil, Backend{}, false, keyError(file, m, key, "a mapping")
	}
	cmd := mapValue(m, "cmd")
	if cmd == nil || cmd.Kind != yaml.ScalarNode {
		return nil, Backend{}, false, fmt.Errorf("%s:%d: %s.cmd: missing or not a string", file, m.Line, key)
	}
	vars := mergeMacros(global, macros(mapValue(m, "macros")), name.Value)
	routes, err := llamaSwapRoutes(file, name, m, vars)
	if err != nil {
		return nil, Backend{}, false, err
	}
	b, ok, err := llamaSwapBackend(file, key, cmd, m, vars)
	return routes, b, ok, err
}

func llamaSwapRoutes(file string, name, m *yaml.Node, vars map[string]string) ([]Route, error) {
	target := Route{Model: scalar(mapValue(m, "useModelName")), APIBase: llamaSwapDefaultProxy,
		Source: Source{File: file, Line: name.Line}}
	if p := scalar(mapValue(m, "proxy")); p != "" {
		target.APIBase = expandMacros(p, vars)
	}
	aliases := []string{name.Value}
	if n := mapValue(m, "aliases"); n != nil {
		more, err := stringList(file, n, "models."+name.Value+".aliases")
		if err != nil {
			return nil, err
		}
		aliases = append(aliases, more...)
	}
	routes := make([]Route, 0, len(aliases))
	for _, alias := range aliases {
		r := target
		r.Alias = alias
		routes = append(routes, r)
	}
	return routes, nil
}

func llamaSwapBackend(file, key string, cmd, m *yaml.Node, vars map[string]string) (Backend, bool, error) {
	text := joinCmdLines(expandMacros(cmd.Value, vars))
	args, err := SplitWords(text)
	if err != nil {
		return Backend{}, false, fmt.Errorf("%s:%d: %s.cmd: %w", file, cmd.Line, key, err)
	}
	env := map[string]string{}
	if n := mapValue(m, "env"); n != nil {
		items, err := stringList(file, n, key+".env")
		if err != nil {
			return Backend{}, false, err
		}
		for _, item := range items {
			if name, value, ok := assignment(item); ok {
				env[name] = value
			}
		}
	}
	b, ok := recognizeCommand(args, env, Source{File: file, Line: cmd.Line})
	if ok && strings.Contains(text, "${PORT}") {
		b.Notes = append(b.Notes, "${PORT} is assigned by llama-swap when it loads the model (from startPort, default 5800)")
	}
	return b, ok, nil
}

// joinCmdLines drops comment lines and joins the rest: llama-swap runs cmd
// as one command line.
func joinCmdLines(text string) string {
	var kept []string
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		kept = append(kept, strings.TrimSuffix(t, "\\"))
	}
	return strings.Join(kept, " ")
}

func macros(n *yaml.Node) map[string]string {
	out := map[string]string{}
	_ = mapPairs(n, func(k, v *yaml.Node) error {
		out[k.Value] = strings.TrimSpace(scalar(v))
		return nil
	})
	return out
}

func mergeMacros(global, local map[string]string, modelID string) map[string]string {
	out := copyEnv(global)
	for k, v := range local {
		out[k] = v
	}
	out["MODEL_ID"] = modelID
	return out
}

// expandMacros substitutes ${name} for known macros, repeatedly (a macro may
// use macros defined before it); ${PORT}, ${PID} and unknown names stay.
func expandMacros(text string, vars map[string]string) string {
	for range 8 {
		next := macroRef().ReplaceAllStringFunc(text, func(ref string) string {
			if v, ok := vars[ref[2:len(ref)-1]]; ok {
				return v
			}
			return ref
		})
		if next == text {
			break
		}
		text = next
	}
	return text
}
