package ansible

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

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

// findPlaybooks lists the playbooks under playbooks/ and under the
// directory ansible.cfg's playbook_dir names (any depth, symbolic links
// followed: a `playbooks -> deploy` link is read), and at the repository
// root: YAML files whose top level is a list of plays.
func findPlaybooks(repo string, cfg AnsibleConfig) ([]string, error) {
	dirs := []string{filepath.Join(repo, "playbooks")}
	if cfg.PlaybookDir != "" && cfg.PlaybookDir != repo {
		dirs = append(dirs, cfg.PlaybookDir)
	}
	var out []string
	seen := map[string]bool{}
	for _, dir := range dirs {
		if err := walkPlaybooks(dir, seen, &out); err != nil {
			return nil, err
		}
	}
	rootFiles, _ := filepath.Glob(filepath.Join(repo, "*.y*ml"))
	for _, p := range rootFiles {
		if looksLikePlaybook(p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

// walkPlaybooks adds the playbooks under dir, following links to
// directories once each (seen holds the real paths walked).
func walkPlaybooks(dir string, seen map[string]bool, out *[]string) error {
	real, err := filepath.EvalSymlinks(dir)
	if os.IsNotExist(err) || seen[real] {
		return nil
	}
	if err != nil {
		return err
	}
	seen[real] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return skipNotDir(err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			if err := walkPlaybooks(p, seen, out); err != nil {
				return err
			}
		} else if err == nil && isYAMLName(p) && looksLikePlaybook(p) {
			*out = append(*out, p)
		}
	}
	return nil
}

// skipNotDir: a playbooks "directory" that is a file holds no playbooks.
func skipNotDir(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) && errors.Is(pe.Err, syscall.ENOTDIR) {
		return nil
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
