package render

import (
	"os"
	"testing"

	"gopkg.in/yaml.v3"
)

// loadVars reads a YAML vars file into raw variables (value nodes, kept as
// loaded so the engine types them like Ansible's loader).
func loadVars(t testing.TB, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseVars(t, string(data))
}

func parseVars(t testing.TB, text string) map[string]any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{}
	if len(doc.Content) == 0 {
		return vars
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		vars[root.Content[i].Value] = root.Content[i+1]
	}
	return vars
}

// merged overlays variable sets, later ones winning (hash_behaviour=replace).
func merged(sets ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, set := range sets {
		for name, value := range set {
			out[name] = value
		}
	}
	return out
}

func mustRender(t testing.TB, e *Engine, src string, scope *Scope, opts TemplateOptions) string {
	t.Helper()
	out, err := e.RenderTemplate("test.j2", []byte(src), scope, opts)
	if err != nil {
		t.Fatalf("render %q: %v", src, err)
	}
	return string(out)
}
