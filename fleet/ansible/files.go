package ansible

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"gopkg.in/yaml.v3"
)

// findInventory applies Ansible's default order (docs/ansible-semantics.md) when -i is not given:
// ansible.cfg's inventory (ANSIBLE_CONFIG honoured), else the default names
// fleet/inventory knows.
func findInventory(repo string, cfg AnsibleConfig) (string, error) {
	if len(cfg.Inventory) > 0 {
		return cfg.Inventory[0], nil
	}
	sources, err := inventory.DefaultSources(repo)
	if err != nil {
		return "", err
	}
	return sources[0], nil
}

// findPlaybooks lists the playbooks under playbooks/ (any depth) and at the
// repository root: YAML files whose top level is a list of plays.
func findPlaybooks(repo string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(repo, "playbooks"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return skipMissing(err)
		}
		if !d.IsDir() && isYAMLName(p) && looksLikePlaybook(p) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rootFiles, _ := filepath.Glob(filepath.Join(repo, "*.y*ml"))
	for _, p := range rootFiles {
		if looksLikePlaybook(p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

func skipMissing(err error) error {
	if os.IsNotExist(err) {
		return filepath.SkipDir
	}
	return err
}

func isYAMLName(p string) bool {
	return strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")
}

// looksLikePlaybook reports whether a YAML file is a list of mappings with
// hosts: or import_playbook: keys. A malformed file is reported as a playbook
// so that loading it names the syntax error instead of ignoring the file.
func looksLikePlaybook(p string) bool {
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	var doc []map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		var anyDoc any
		return yaml.Unmarshal(data, &anyDoc) != nil
	}
	for _, play := range doc {
		if _, ok := play["hosts"]; ok {
			return true
		}
		if _, ok := play["import_playbook"]; ok {
			return true
		}
	}
	return false
}

// parseExtraVars reads -e values: K=V pairs (several per flag, as Ansible
// splits them), @FILE (YAML or JSON), or inline YAML/JSON mappings.
func parseExtraVars(args []string) (map[string]any, error) {
	out := map[string]any{}
	for _, a := range args {
		m, err := parseExtraVar(a)
		if err != nil {
			return nil, fmt.Errorf("-e %q: %w", a, err)
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}

func parseExtraVar(a string) (map[string]any, error) {
	if strings.HasPrefix(a, "@") {
		return extraVarsFile(a[1:])
	}
	if strings.HasPrefix(strings.TrimSpace(a), "{") {
		var m map[string]any
		err := yaml.Unmarshal([]byte(a), &m)
		return m, err
	}
	m := map[string]any{}
	for _, kv := range strings.Fields(a) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("expected KEY=VALUE, @FILE or a YAML mapping")
		}
		m[k] = v // Ansible keeps K=V values as strings
	}
	return m, nil
}

func extraVarsFile(path string) (map[string]any, error) {
	root, err := readYAMLFile(path)
	if err != nil || root == nil {
		return nil, err
	}
	return decodeMap(path, root)
}
