package ansible

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/render"
	"gopkg.in/yaml.v3"
)

// static runs import_tasks and import_role: the file or role is brought in
// where the import stands, its tasks inheriting the import's conditions,
// vars and tags (f already holds them).
func (wk *walker) static(f frame, t *Task) error {
	if t.Loop != nil {
		return &InputError{At: t.At, Key: "loop", Msg: fmt.Sprintf("You cannot use loops on '%s' statements. You should use '%s' instead.", t.Module, strings.Replace(string(t.Module), "import", "include", 1))}
	}
	return wk.include(f, t, wk.scopeFor(f, t, nil))
}

// include brings in a task file or a role, dynamically (per host, its name
// templated) or statically.
func (wk *walker) include(f frame, t *Task, hs *HostScope) error {
	if wk.depth >= maxIncludeDepth {
		return &InputError{At: t.At, Msg: "includes nest more than 40 deep (does a file include itself?)"}
	}
	wk.depth++
	defer func() { wk.depth-- }()
	args, err := wk.includeArgs(t, hs)
	if err != nil {
		return err
	}
	if f, err = applied(f, t, args["apply"]); err != nil {
		return err
	}
	if t.Module == ModIncludeTasks || t.Module == ModIncludeRole {
		f = f.loaded(loadedWhenRun)
	}
	if t.Module == ModIncludeTasks || t.Module == ModImportTasks {
		return wk.taskFile(f, t, args)
	}
	return wk.role(f, t, args)
}

// includeArgs templates an include's arguments; a free-form argument is the
// file (or the role's name).
func (wk *walker) includeArgs(t *Task, hs *HostScope) (map[string]any, error) {
	raw := mergeMaps(t.Args)
	if t.FreeForm != "" {
		key := "file"
		if t.Module == ModIncludeRole || t.Module == ModImportRole {
			key = "name"
		}
		raw[key] = t.FreeForm
	}
	v, err := hs.template(raw)
	if err != nil {
		return nil, atTask(t, err)
	}
	return v.(map[string]any), nil
}

func (wk *walker) taskFile(f frame, t *Task, args map[string]any) error {
	name := argString(args, "file")
	if name == "" {
		name = argString(args, "_raw_params")
	}
	path, err := wk.findTaskFile(f, t, name)
	if err != nil {
		return err
	}
	tasks, err := wk.repo.taskFiles.load(wk.repo.Root, path, t.Role, t.RoleDir)
	if err != nil {
		return err
	}
	inner := f
	inner.dir = filepath.Dir(path)
	return wk.tasks(inner, tasks)
}

// findTaskFile looks for an included task file the way Ansible does: beside
// the including file, in the role's tasks/, then beside the playbook.
func (wk *walker) findTaskFile(f frame, t *Task, name string) (string, error) {
	if name == "" {
		return "", &InputError{At: t.At, Key: string(t.Module), Msg: "no file to include"}
	}
	candidates := []string{name}
	if !filepath.IsAbs(name) {
		candidates = []string{filepath.Join(f.dir, name)}
		if t.RoleDir != "" {
			candidates = append(candidates, filepath.Join(t.RoleDir, "tasks", name))
		}
		candidates = append(candidates, filepath.Join(wk.run.Playbook.Dir, name))
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c, nil
		}
	}
	return "", &InputError{At: t.At, Key: string(t.Module), Msg: fmt.Sprintf("Could not find or access '%s' (looked in %s)", name, strings.Join(relAll(wk.repo.Root, candidates), ", "))}
}

func relAll(root string, paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = RelTo(root, p)
	}
	return out
}

// role runs include_role and import_role: the role's defaults and vars
// join the scope of its tasks, its handlers join the play's.
func (wk *walker) role(f frame, t *Task, args map[string]any) error {
	name := argString(args, "name")
	if name == "" {
		return &InputError{At: t.At, Key: "name", Msg: fmt.Sprintf("%s needs the role's name", t.Module)}
	}
	role, err := wk.repo.roles.load(wk.repo, RoleRef{Name: name, At: t.At}, wk.repo.roleSearchPath(wk.run.Playbook.Dir), roleFilesOf(args))
	if err != nil {
		return err
	}
	base, err := wk.roleScope(role)
	if err != nil {
		return err
	}
	// public is a FieldAttribute isa bool, post-validated strictly
	// (lib/ansible/playbook/base.py:470-471 at 2.19.14, :447-448 at 2.14.18).
	public, err := filemod.BoolArg(args, "public", false)
	if err != nil {
		return atKey(t, "public", err)
	}
	if t.Module == ModIncludeRole && (wk.repo.includedRolesJoinPlay() || public) {
		wk.includedRoles = append(wk.includedRoles, role)
	}
	inner := f.inRole(role, t.RoleDir != "")
	inner.base, inner.dir = base, filepath.Join(role.Dir, "tasks")
	if err := wk.roleDeps(inner, []*Role{role}); err != nil {
		return err
	}
	wk.play.addHandlers(role.Handlers, inner.handlerOrigin(t))
	return wk.tasks(inner, role.Tasks)
}

// roleDeps runs the meta dependencies of the last role of path (an
// included or imported role, then the dependencies below it) before its
// tasks, as Role.compile puts them: each under its own entry inside f,
// its dep chain f's and itself. One that already ran on the host with
// the same params — a role of the play, or the dependency of an earlier
// include — is skipped, as Ansible skips a role that has run (Role.has_run),
// unless its meta/main.yml allows duplicates.
func (wk *walker) roleDeps(f frame, path []*Role) error {
	if len(path) > maxRoleDepth {
		return &InputError{At: path[0].Deps[0].At, Key: "dependencies", Msg: fmt.Sprintf("role dependencies nest too deep at %q", path[0].Name)}
	}
	search := wk.repo.roleSearchPath(wk.run.Playbook.Dir)
	for _, ref := range path[len(path)-1].Deps {
		dep, err := wk.repo.roles.load(wk.repo, ref, search, RoleFiles{})
		if err != nil {
			return err
		}
		if wk.hasRun(dep, ref.Params) {
			continue
		}
		if err := wk.runDep(f, append(slices.Clip(path), dep), ref); err != nil {
			return err
		}
	}
	return nil
}

// runDep runs the dependency last in path, its own dependencies first; its
// tasks see the defaults and vars of the roles of path, its own last.
func (wk *walker) runDep(f frame, path []*Role, ref RoleRef) error {
	dep := path[len(path)-1]
	inner := wk.underEntry(f, ref)
	inner.chain = append(slices.Clip(f.chain), dep)
	inner.parents = path[len(path)-2 : len(path)-1]
	if err := wk.roleDeps(inner, path); err != nil {
		return err
	}
	base, err := wk.roleScope(path...)
	if err != nil {
		return err
	}
	inner.base, inner.dir = base, filepath.Join(dep.Dir, "tasks")
	wk.play.addHandlers(dep.Handlers, inner.handlerOrigin(nil))
	wk.ranRole(dep, ref.Params)
	return wk.tasks(inner, dep.Tasks)
}

// maxRoleDepth stops a role depending on itself through others.
const maxRoleDepth = 20

// roleRun is a role that ran on the host, with its entry's own params.
type roleRun struct {
	role   *Role
	params map[string]any
}

// ranRole notes that role ran on the host with params (hasRun). Only a
// dependency of an included role asks, so the params are compared then.
func (wk *walker) ranRole(role *Role, params map[string]any) {
	wk.rolesRun = append(wk.rolesRun, roleRun{role, params})
}

// hasRun: role ran on the host with the same params, and its
// meta/main.yml does not allow it to run again.
func (wk *walker) hasRun(role *Role, params map[string]any) bool {
	if role.AllowDuplicates {
		return false
	}
	want := fmt.Sprint(params)
	return slices.ContainsFunc(wk.rolesRun, func(r roleRun) bool { return r.role.Dir == role.Dir && fmt.Sprint(r.params) == want })
}

// inRole is the frame of the tasks of a role include_role or import_role
// brings in, fromRole when the task including it is a role's. Such a role's
// dep chain is its parent role's parents, the parent, then itself
// (IncludeRole.get_block_list, lib/ansible/playbook/role_include.py:102-107
// at v2.14.18), and its tasks see the parent role's name and folder first
// in ansible_parent_role_names and ansible_parent_role_paths
// (IncludeRole.get_include_params, role_include.py:179-185 at v2.14.18,
// :168-174 at v2.19.14).
// handlerOrigin is where the handlers of the role whose tasks run in f
// join the play (handlerOrigin): f's role scope, vars (include's the
// vars of include, the include_role or import_role bringing it in, nil
// for a dependency), keywords and environment.
func (f frame) handlerOrigin(include *Task) *handlerOrigin {
	o := &handlerOrigin{base: f.base, vars: f.vars, params: f.params, kw: f.kw, env: f.env, rank: f.loadedAt}
	if include != nil {
		o.vars = mergeMaps(f.vars, include.Vars)
	}
	return o
}

func (f frame) inRole(role *Role, fromRole bool) frame {
	inner := f
	if !fromRole || len(f.chain) == 0 {
		inner.chain, inner.parents = []*Role{role}, nil
		return inner
	}
	parent := f.chain[len(f.chain)-1]
	inner.chain = append(append(slices.Clone(f.parents), parent), role)
	inner.parents = []*Role{parent}
	inner.include = maps.Clone(f.include)
	if inner.include == nil {
		inner.include = map[string]any{}
	}
	inner.include["ansible_parent_role_names"] = prepend(parent.Name, f.include["ansible_parent_role_names"])
	inner.include["ansible_parent_role_paths"] = prepend(parent.Dir, f.include["ansible_parent_role_paths"])
	return inner
}

func prepend(first string, rest any) []any {
	list, _ := rest.([]any)
	return append([]any{first}, list...)
}

// roleScope is the play's scope with an included role's defaults and vars
// merged at their precedence (and those of the dependencies on the way to
// one of its dependencies, each over the one before).
func (wk *walker) roleScope(roles ...*Role) (*HostScope, error) {
	sub := *wk.run
	sub.Roles = append(slices.Clone(wk.run.Roles), roles...)
	hs, err := wk.repo.ScopeOf(wk.w.Host, &sub)
	if err != nil {
		return nil, err
	}
	hs.run = wk.run
	return hs, nil
}

// logicModule runs the modules that only change what straylight knows:
// set_fact, include_vars, debug, assert, fail and meta.
func (wk *walker) logicModule(t *Task, hs *HostScope) error {
	switch t.Module {
	case ModSetFact:
		return wk.setFact(t, hs)
	case ModIncludeVars:
		return wk.includeVars(t, hs)
	case ModAssert:
		return wk.assert(t, hs)
	case ModFail:
		return wk.fail(t, hs)
	case ModMeta:
		switch t.FreeForm {
		case "flush_handlers":
			wk.endFlush()
		case "noop":
		default:
			wk.unsupported(t, fmt.Sprintf("meta: %s is not supported", t.FreeForm))
		}
	}
	return nil // the debug module, and the others handled above, change nothing here
}

func (wk *walker) setFact(t *Task, hs *HostScope) error {
	raw := mergeMaps(t.Args, kvArgs(t.FreeForm))
	delete(raw, "cacheable")
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		v, err := wk.repo.engine().TemplateOrdered(hs.scope, raw[k])
		if err != nil {
			return atKey(t, k, err)
		}
		wk.facts[k] = v
	}
	return nil
}

// kvArgs reads free-form k=v arguments (values as strings).
func kvArgs(s string) map[string]any {
	out := map[string]any{}
	for _, field := range strings.Fields(s) {
		if k, v, ok := strings.Cut(field, "="); ok {
			out[k] = strings.Trim(v, `"'`)
		}
	}
	return out
}

func (wk *walker) fail(t *Task, hs *HostScope) error {
	msg := "Failed as requested from task"
	if m, ok := t.Args["msg"]; ok {
		v, err := hs.template(m)
		if err != nil {
			return atTask(t, err)
		}
		msg = render.PyStr(v)
	}
	return &InputError{At: t.At, Key: "fail", Msg: msg}
}

func (wk *walker) assert(t *Task, hs *HostScope) error {
	for _, cond := range anyList(t.Args["that"]) {
		ok, err := wk.repo.condition(hs, cond)
		if err != nil {
			return wk.conditionError(t, cond, err)
		}
		if !ok {
			return &InputError{At: t.At, Key: "assert", Msg: wk.assertMessage(t, hs, cond)}
		}
	}
	return nil
}

func (wk *walker) assertMessage(t *Task, hs *HostScope, cond any) string {
	for _, key := range []string{"fail_msg", "msg"} {
		if m, ok := t.Args[key]; ok {
			if v, err := hs.template(m); err == nil {
				return render.PyStr(v)
			}
		}
	}
	return fmt.Sprintf("Assertion failed: %v", cond)
}

// includeVars runs include_vars: a file, or every file of a directory in
// sorted order, found in the role's vars/ or beside the playbook; name:
// puts them under one variable.
func (wk *walker) includeVars(t *Task, hs *HostScope) error {
	args, err := wk.includeArgs(t, hs)
	if err != nil {
		return err
	}
	vars, err := wk.readVarsArg(t, args)
	if err != nil {
		return err
	}
	if name := argString(args, "name"); name != "" {
		wk.facts[name] = vars
		return nil
	}
	for k, v := range vars {
		wk.facts[k] = v
	}
	return nil
}

func (wk *walker) readVarsArg(t *Task, args map[string]any) (map[string]any, error) {
	if dir := argString(args, "dir"); dir != "" {
		path, err := wk.findVarsPath(t, dir, true)
		if err != nil {
			return nil, err
		}
		return wk.readVarsDir(path)
	}
	path, err := wk.findVarsPath(t, argString(args, "file"), false)
	if err != nil {
		return nil, err
	}
	return readVarsFile(wk.repo.Root, path)
}

func (wk *walker) findVarsPath(t *Task, name string, dir bool) (string, error) {
	candidates := []string{name}
	if !filepath.IsAbs(name) {
		candidates = nil
		for _, d := range wk.searchDirs(t, "vars") {
			candidates = append(candidates, filepath.Join(d, name))
		}
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.IsDir() == dir {
			return c, nil
		}
	}
	return "", &InputError{At: t.At, Key: "include_vars", Msg: fmt.Sprintf("Could not find or access '%s' (looked in %s)", name, strings.Join(relAll(wk.repo.Root, candidates), ", "))}
}

func (wk *walker) readVarsDir(dir string) (map[string]any, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (isYAMLName(p) || strings.HasSuffix(p, ".json")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	out := map[string]any{}
	for _, p := range files {
		m, err := readVarsFile(wk.repo.Root, p)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}

// readVarsFile reads a vars file's mapping, values raw (templated when
// used, as Ansible's variables are).
func readVarsFile(root, path string) (map[string]any, error) {
	vars, origins, err := readVarsFileOrigins(root, path)
	return orderedVars(vars, origins), err
}

// readVarsFileOrigins reads a vars file's values and where each key is
// written (nodeOrigins).
func readVarsFileOrigins(root, path string) (map[string]any, map[string]inventory.Origin, error) {
	node, err := readYAMLFile(path)
	if err != nil || node == nil {
		return nil, nil, relabel(err, path, RelTo(root, path))
	}
	vars, err := decodeMap(RelTo(root, path), node)
	return vars, nodeOrigins(path, node), err
}

// applied is the frame an include_tasks or include_role runs its tasks in
// with its apply argument: Ansible puts a block holding those keywords
// around the included tasks (TaskInclude.build_parent_block,
// lib/ansible/playbook/task_include.py at v2.14.18), so its tags and
// Keywords reach each of them. An apply key straylight does not honour is
// an error naming it, rather than one silently dropped.
func applied(f frame, t *Task, apply any) (frame, error) {
	if apply == nil {
		return f, nil
	}
	m, ok := apply.(map[string]any)
	if !ok {
		return f, &InputError{At: t.At, Key: "apply", Msg: fmt.Sprintf("Expected a dict for apply but got %T", apply)}
	}
	var kw Keywords
	for _, key := range slices.Sorted(maps.Keys(m)) {
		if err := applyKey(&f, &kw, t, key, m[key]); err != nil {
			return f, err
		}
	}
	f.kw = f.kw.Under(kw)
	return f, nil
}

// applyKey lays one apply key on the frame: tags join the included
// tasks' tags, a keyword joins kw.
func applyKey(f *frame, kw *Keywords, t *Task, key string, value any) error {
	if key == "tags" {
		f.tags = AppendUnique(slices.Clone(f.tags), tagStrings(value)...)
		return nil
	}
	var node yaml.Node
	if err := node.Encode(value); err != nil {
		return &InputError{At: t.At, Key: "apply", Msg: err.Error()}
	}
	ok, err := kw.setKeyword(t.At.File, key, &node)
	if !ok && err == nil {
		err = &InputError{At: t.At, Key: "apply", Msg: fmt.Sprintf("apply keyword %q is not supported by straylight (it honours tags, become, become_user, become_method, no_log, ignore_errors, run_once and check_mode there)", key)}
	}
	return err
}
