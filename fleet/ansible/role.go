package ansible

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"gopkg.in/yaml.v3"
)

// Role is a loaded role.
type Role struct {
	Name     string
	Dir      string // absolute
	Defaults map[string]any
	Vars     map[string]any
	Tasks    []*Task
	Handlers []*Task
	Deps     []RoleRef // meta/main.yml dependencies
	// AllowDuplicates is meta/main.yml's allow_duplicates: the role runs
	// again when the play lists it again with the same params, or another
	// role depends on it after it ran.
	AllowDuplicates bool
	// Origins of defaults and vars keys (top level), for "where does this come from".
	DefaultsFile, VarsFile string
	DefaultsLines          map[string]int
	// origins of every key of defaults and vars (nested too), for file order
	defaultOrigins, varOrigins map[string]inventory.Origin
}

// entryVars are a role entry's vars keyword as only its role's tasks see
// them (ansible-core 2.15 and later, which scoped them to the role:
// Role.get_vars at v2.19.14 combines them after the role's vars/main.yml
// and its params, in the role vars tier); they then rank above the
// role's vars and below block and task vars, as the frame's vars do.
// Before 2.15 they are play-wide, below the role's vars (roleVars), and
// this is nil.
func (r *Repo) entryVars(ref RoleRef) map[string]any {
	if len(ref.Vars) == 0 || !r.entryVarsScoped() {
		return nil
	}
	return ref.Vars
}

// entryVarsScoped: ansible-core 2.15 scoped a role entry's vars keyword
// to its role (ansible/ansible 0b678d5).
func (r *Repo) entryVarsScoped() bool { return versionAtLeast(r.CoreVersion(), 2, 15) }

// exportsEntryVars: run's role entries' vars are play-wide (some entry
// has vars, under an ansible-core before 2.15). The core is asked only
// then.
func (r *Repo) exportsEntryVars(run *PlayRun) bool {
	for _, e := range run.Entries {
		if len(e.Vars) > 0 {
			return !r.entryVarsScoped()
		}
	}
	return false
}

// roleSearchPath is Ansible's order: <playbook dir>/roles, roles_path, then the
// playbook dir itself; then, for a role named by its collection, the
// ansible_collections folders of the playbook's collections/ and of
// collections_path (collectionRoots).
func (r *Repo) roleSearchPath(playbookDir string) []string {
	paths := []string{filepath.Join(playbookDir, "roles")}
	paths = append(paths, r.Config.RolesPath...)
	paths = append(paths, playbookDir)
	return append(paths, collectionRoots(playbookDir, r.Config.CollectionsPath)...)
}

// collectionRoots are the ansible_collections folders Ansible's collection
// loader searches: the playbook's adjacent collections/ first, then
// collections_path (default ~/.ansible/collections and
// /usr/share/ansible/collections); a path already ending in
// ansible_collections is taken as it is.
func collectionRoots(playbookDir string, configured []string) []string {
	paths := configured
	if paths == nil {
		home, _ := os.UserHomeDir()
		paths = []string{filepath.Join(home, ".ansible", "collections"), "/usr/share/ansible/collections"}
	}
	roots := []string{filepath.Join(playbookDir, "collections", "ansible_collections")}
	for _, p := range paths {
		if filepath.Base(p) != "ansible_collections" {
			p = filepath.Join(p, "ansible_collections")
		}
		roots = append(roots, p)
	}
	return roots
}

// collectionRole splits a role named by its collection (ns.coll.role)
// into the path under ansible_collections; false for a plain name.
func collectionRole(name string) (string, bool) {
	parts := strings.Split(name, ".")
	if len(parts) != 3 || slices.Contains(parts, "") || strings.ContainsAny(name, `/\`) {
		return "", false
	}
	return filepath.Join(parts[0], parts[1], "roles", parts[2]), true
}

// findRole returns the role's directory, or an error naming every path tried.
func findRole(ref RoleRef, search []string) (string, error) {
	if filepath.IsAbs(ref.Name) {
		if isDir(ref.Name) {
			return ref.Name, nil
		}
	}
	inCollection, qualified := collectionRole(ref.Name)
	for _, dir := range search {
		candidate := filepath.Join(dir, ref.Name)
		if filepath.Base(dir) == "ansible_collections" {
			if !qualified {
				continue // a plain name is never a collection's
			}
			candidate = filepath.Join(dir, inCollection)
		}
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

// RoleFiles name the files of a role to read instead of main: include_role's
// and import_role's tasks_from, vars_from, defaults_from, handlers_from.
type RoleFiles struct {
	Tasks, Vars, Defaults, Handlers string
}

// roleFilesOf reads include_role's and import_role's tasks_from,
// vars_from, defaults_from and handlers_from.
func roleFilesOf(args map[string]any) RoleFiles {
	return RoleFiles{Tasks: argString(args, "tasks_from"), Vars: argString(args, "vars_from"),
		Defaults: argString(args, "defaults_from"), Handlers: argString(args, "handlers_from")}
}

// importedRoles are the roles import_role brings into run — in its roles'
// tasks, handlers, pre_tasks, post_tasks and tasks, blocks and the
// imported roles' own tasks included —: Ansible adds each to the play as
// it loads the playbook (IncludeRole.get_block_list, statically_loaded,
// lib/ansible/playbook/role_include.py at v2.14.18 and v2.19.14), so
// their defaults and vars are the whole play's, before the import as
// after it. A role named by a template, or not found, is left to the
// walk, which reports it where it runs.
func (r *Repo) importedRoles(run *PlayRun, search []string) []*Role {
	var out []*Role
	for _, role := range run.Roles {
		out = r.appendImported(out, role.Tasks, search, 0)
	}
	for _, list := range [][]*Task{run.Play.Handlers, run.Play.PreTasks, run.Play.PostTasks, run.Play.Tasks} {
		out = r.appendImported(out, list, search, 0)
	}
	return out
}

func (r *Repo) appendImported(out []*Role, list []*Task, search []string, depth int) []*Role {
	for _, t := range list {
		out = r.appendImported(out, slices.Concat(t.Block, t.Rescue, t.Always), search, depth)
		if role := r.importedRole(t, search); role != nil && depth < maxRoleDepth {
			out = r.appendImported(append(out, role), role.Tasks, search, depth+1)
		}
	}
	return out
}

// importedRole is the role an import_role task names, or nil.
func (r *Repo) importedRole(t *Task, search []string) *Role {
	name := argString(t.Args, "name")
	if t.Module != ModImportRole || name == "" || looksTemplated(name) {
		return nil
	}
	role, err := r.roles.load(r, RoleRef{Name: name, At: t.At}, search, roleFilesOf(t.Args))
	if err != nil {
		return nil
	}
	return role
}

func (f RoleFiles) of(sub string) string {
	name := map[string]string{"tasks": f.Tasks, "vars": f.Vars, "defaults": f.Defaults, "handlers": f.Handlers}[sub]
	if name == "" {
		return "main"
	}
	return name
}

// loadRoleFiles reads a role's defaults, vars, tasks and handlers (from
// names the files of each; zero: main). Paths in messages are relative to
// repo.
func loadRoleFiles(repo, name, dir string, from RoleFiles) (*Role, error) {
	r := &Role{Name: name, Dir: dir}
	var err error
	if r.Defaults, r.DefaultsFile, r.DefaultsLines, err = loadRoleVars(repo, dir, "defaults", from.of("defaults")); err != nil {
		return nil, err
	}
	if r.Vars, r.VarsFile, _, err = loadRoleVars(repo, dir, "vars", from.of("vars")); err != nil {
		return nil, err
	}
	r.defaultOrigins = keyOrigins(dir, "defaults", from.of("defaults"), inventory.LayerRoleDefault)
	r.varOrigins = keyOrigins(dir, "vars", from.of("vars"), inventory.LayerRoleVars)
	if r.Tasks, err = loadRoleTasks(repo, dir, "tasks", from.of("tasks"), name); err != nil {
		return nil, err
	}
	if r.Handlers, err = loadRoleTasks(repo, dir, "handlers", from.of("handlers"), name); err != nil {
		return nil, err
	}
	if from.Tasks != "" && r.Tasks == nil && roleFile(dir, "tasks", from.Tasks) == "" {
		return nil, fmt.Errorf("the role %q has no tasks file %q in %s", name, from.Tasks, filepath.Join(dir, "tasks"))
	}
	return r, r.readMeta(repo)
}

// readMeta reads meta/main.yml's dependencies (role entries, run before
// the role) and allow_duplicates.
func (r *Role) readMeta(repo string) error {
	path := mainFile(r.Dir, "meta")
	if path == "" {
		return nil
	}
	rel := RelTo(repo, path)
	root, err := readYAMLFile(path)
	if err != nil || root == nil {
		return relabel(err, path, rel)
	}
	for _, kv := range mapPairs(root) {
		switch {
		case kv[0].Value == "dependencies" && kv[1].Kind == yaml.SequenceNode:
			r.Deps, err = parseRoleRefs(rel, kv[1])
		case kv[0].Value == "allow_duplicates":
			err = r.readAllowDuplicates(rel, kv[1])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// readAllowDuplicates reads allow_duplicates as Ansible's boolean() does.
func (r *Role) readAllowDuplicates(rel string, v *yaml.Node) error {
	b, err := boolKeyword(rel, "allow_duplicates", v)
	if b != nil {
		r.AllowDuplicates = *b
	}
	return err
}

// keyOrigins reads where each key of a role's defaults or vars file is set
// (nested keys too), for the order templates print mappings in. The values
// themselves come from loadRoleVars, which names errors.
func keyOrigins(dir, sub, name, layer string) map[string]inventory.Origin {
	out := map[string]inventory.Origin{}
	for _, path := range roleVarsFiles(dir, sub, name) {
		v, err := inventory.ReadVarsFile(path, layer, nil)
		if err != nil {
			return nil
		}
		maps.Copy(out, v.Origins())
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// mainFile finds <dir>/<sub>/main(.yml|.yaml|) as Ansible does.
func mainFile(dir, sub string) string {
	return roleFile(dir, sub, "main")
}

// roleFile finds <dir>/<sub>/<name>(.yml|.yaml|).
func roleFile(dir, sub, name string) string {
	for _, ext := range []string{".yml", ".yaml", ""} {
		p := filepath.Join(dir, sub, name+ext)
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

func loadRoleVars(repo, dir, sub, name string) (map[string]any, string, map[string]int, error) {
	files := roleVarsFiles(dir, sub, name)
	if len(files) == 0 {
		return nil, "", nil, nil
	}
	out, lines := map[string]any{}, map[string]int{}
	for _, path := range files {
		m, fileLines, err := loadVarsFileWithLines(repo, path)
		if err != nil {
			return nil, RelTo(repo, path), nil, err
		}
		for k, v := range m {
			out[k], lines[k] = v, fileLines[k]
		}
	}
	return out, RelTo(repo, roleVarsPath(dir, sub, name, files)), lines, nil
}

// roleVarsPath is the file read, or the folder when <sub>/<name>/ is one.
func roleVarsPath(dir, sub, name string, files []string) string {
	if len(files) == 1 && roleFile(dir, sub, name) != "" {
		return files[0]
	}
	return filepath.Join(dir, sub, name)
}

func loadVarsFileWithLines(repo, path string) (map[string]any, map[string]int, error) {
	rel := RelTo(repo, path)
	root, err := readYAMLFile(path)
	if err != nil || root == nil {
		return nil, nil, relabel(err, path, rel)
	}
	lines := map[string]int{}
	for _, kv := range mapPairs(root) {
		lines[kv[0].Value] = kv[0].Line
	}
	m, err := decodeMap(rel, root)
	return m, lines, err
}

// roleVarsFiles are the files of a role's defaults or vars: <sub>/<name>
// (.yml, .yaml or none), or, where <sub>/<name>/ is a folder, the YAML and
// JSON files in it in name order, each over the ones before (Ansible's
// find_vars_files: defaults/main/10-net.yml, defaults/main/20-models.yml).
func roleVarsFiles(dir, sub, name string) []string {
	if p := roleFile(dir, sub, name); p != "" {
		return []string{p}
	}
	folder := filepath.Join(dir, sub, name)
	entries, err := os.ReadDir(folder)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		switch filepath.Ext(e.Name()) {
		case ".yml", ".yaml", ".json":
			if !e.IsDir() {
				out = append(out, filepath.Join(folder, e.Name()))
			}
		}
	}
	return out
}

func loadRoleTasks(repo, dir, sub, name, role string) ([]*Task, error) {
	path := roleFile(dir, sub, name)
	if path == "" {
		return nil, nil
	}
	return loadTaskFile(repo, path, role, dir)
}

// loadTaskFile reads a list of tasks; role names the role they belong to.
func loadTaskFile(repo, path, role, roleDir string) ([]*Task, error) {
	rel := RelTo(repo, path)
	root, err := readYAMLFile(path)
	if err != nil || root == nil {
		return nil, relabel(err, path, rel)
	}
	tasks, err := parseTasks(rel, root, false)
	setRole(tasks, role, roleDir)
	return tasks, err
}

func setRole(tasks []*Task, role, dir string) {
	for _, t := range tasks {
		t.Role, t.RoleDir = role, dir
		setRole(t.Block, role, dir)
		setRole(t.Rescue, role, dir)
		setRole(t.Always, role, dir)
	}
}

// relabel rewrites an InputError's absolute file name to the repo-relative one.
func relabel(err error, abs, rel string) error {
	if ie, ok := err.(*InputError); ok && ie.At.File == abs {
		ie.At.File = rel
	}
	return err
}
