package ansible

import (
	"fmt"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"os"
	"path/filepath"
	"strings"
)

// Role is a loaded role.
type Role struct {
	Name     string
	Dir      string // absolute
	Defaults map[string]any
	Vars     map[string]any
	Tasks    []*Task
	Handlers []*Task
	// Origins of defaults and vars keys (top level), for "where does this come from".
	DefaultsFile, VarsFile string
	DefaultsLines          map[string]int
	// origins of every key of defaults and vars (nested too), for file order
	defaultOrigins, varOrigins map[string]inventory.Origin
}

// roleSearchPath is Ansible's order: <playbook dir>/roles, roles_path, then the
// playbook dir itself.
func roleSearchPath(playbookDir string, rolesPath []string) []string {
	paths := []string{filepath.Join(playbookDir, "roles")}
	paths = append(paths, rolesPath...)
	return append(paths, playbookDir)
}

// findRole returns the role's directory, or an error naming every path tried.
func findRole(ref RoleRef, search []string) (string, error) {
	if filepath.IsAbs(ref.Name) {
		if isDir(ref.Name) {
			return ref.Name, nil
		}
	}
	for _, dir := range search {
		candidate := filepath.Join(dir, ref.Name)
		if isDir(candidate) {
			return candidate, nil
		}
	}
	return "", &InputError{At: ref.At, Key: "roles", Msg: fmt.Sprintf(
		"the role %q was not found in %s", ref.Name, strings.Join(search, ":"))}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// loadRole reads a role's defaults, vars, tasks and handlers. Paths in
// messages are relative to repo.
func loadRole(repo, name, dir string) (*Role, error) {
	r := &Role{Name: name, Dir: dir}
	var err error
	if r.Defaults, r.DefaultsFile, r.DefaultsLines, err = loadRoleVars(repo, dir, "defaults"); err != nil {
		return nil, err
	}
	if r.Vars, r.VarsFile, _, err = loadRoleVars(repo, dir, "vars"); err != nil {
		return nil, err
	}
	r.defaultOrigins = keyOrigins(dir, "defaults", inventory.LayerRoleDefault)
	r.varOrigins = keyOrigins(dir, "vars", inventory.LayerRoleVars)
	if r.Tasks, err = loadRoleTasks(repo, dir, "tasks", name, false); err != nil {
		return nil, err
	}
	r.Handlers, err = loadRoleTasks(repo, dir, "handlers", name, true)
	return r, err
}

// keyOrigins reads where each key of a role's defaults or vars file is set
// (nested keys too), for the order templates print mappings in. The values
// themselves come from loadRoleVars, which names errors.
func keyOrigins(dir, sub, layer string) map[string]inventory.Origin {
	path := mainFile(dir, sub)
	if path == "" {
		return nil
	}
	v, err := inventory.ReadVarsFile(path, layer, nil)
	if err != nil {
		return nil
	}
	return v.Origins
}

// mainFile finds <dir>/<sub>/main(.yml|.yaml|) as Ansible does.
func mainFile(dir, sub string) string {
	for _, name := range []string{"main.yml", "main.yaml", "main"} {
		p := filepath.Join(dir, sub, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

func RelTo(repo, path string) string {
	if rel, err := filepath.Rel(repo, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

func loadRoleVars(repo, dir, sub string) (map[string]any, string, map[string]int, error) {
	path := mainFile(dir, sub)
	if path == "" {
		return nil, "", nil, nil
	}
	rel := RelTo(repo, path)
	root, err := readYAMLFile(path)
	if err != nil || root == nil {
		return nil, rel, nil, relabel(err, path, rel)
	}
	lines := map[string]int{}
	for _, kv := range mapPairs(root) {
		lines[kv[0].Value] = kv[0].Line
	}
	m, err := decodeMap(rel, root)
	return m, rel, lines, err
}

func loadRoleTasks(repo, dir, sub, role string, handlers bool) ([]*Task, error) {
	path := mainFile(dir, sub)
	if path == "" {
		return nil, nil
	}
	rel := RelTo(repo, path)
	root, err := readYAMLFile(path)
	if err != nil || root == nil {
		return nil, relabel(err, path, rel)
	}
	tasks, err := parseTasks(rel, root, handlers)
	for _, t := range tasks {
		t.Role = role
	}
	return tasks, err
}

// relabel rewrites an InputError's absolute file name to the repo-relative one.
func relabel(err error, abs, rel string) error {
	if ie, ok := err.(*InputError); ok && ie.At.File == abs {
		ie.At.File = rel
	}
	return err
}
