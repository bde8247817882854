package ansible

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/render"
)

// walker runs one play's tasks for one host the way Ansible's strategy
// would, without touching the host: blocks, conditions, loops, includes and
// facts are evaluated; file tasks are rendered into HostTasks; what
// straylight cannot run is recorded with the reason.
type walker struct {
	repo    *Repo
	run     *PlayRun
	w       *HostTasks
	play    *HostScope
	hosts   []string          // the play's hosts, for run_once
	facts   map[string]any    // set_fact (templated) and include_vars (raw)
	unknown map[string]string // registered names → the task whose result straylight cannot know
	// registered: names registered by file tasks → their runs, whose
	// changed status the planner learns from the host (ResultCondition).
	registered   map[string][]*FileTask
	registeredBy map[string]*Task
	depth        int
	inRole       map[roleScopeKey]*HostScope
	// failedTask is the last task whose failure ended its block: a
	// rescue sees it as ansible_failed_task.
	failedTask *Task
	// flush counts the handler flushes so far in the play: the end of
	// pre_tasks, of roles and tasks together, and each meta: flush_handlers
	// (Play.compile in Ansible). A file task's notifications run at the next.
	flush int
	// discovery is DiscoveryFiles' walk (discoveryfiles.go): every file task
	// and include is read whatever its conditions and tags, every part of a
	// block is walked, and a task that fails is recorded in problems instead
	// of ending the play.
	discovery bool
	problems  []error
	rendered  map[renderedKey][]byte // discovery: the plan's render of the play, reused
	// gathered are the facts the play's setup tasks so far gave a host
	// whose play gathers none (withGathered); factsBy names a setup task
	// straylight did not run, whose facts only Ansible knows.
	gathered render.FactSource
	runs     []factSelection
	factsBy  string
	// factPrefixes are the names besides ansible_* the facts of the fact
	// modules straylight did not run take (factsOf), with the task.
	factPrefixes []factPrefix
	// includedRoles are the roles include_role brought into the play so
	// far, which join ansible_play_role_names from ansible-core 2.17 on
	// (or with public: true before): roleNamesLayer.
	includedRoles []*Role
	namesLayer    map[string]any // roleNamesLayer for namesFor included roles
	namesFor      int
	// rolesRun are the roles that ran on the host so far, with their
	// params (ranRole, hasRun).
	rolesRun []roleRun
}

// roleScopeKey names a scope whose lookups search a role's directory.
type roleScopeKey struct {
	base *HostScope
	dirs string // the role's folder, then its dependents' (frame.roleDirs)
}

// frame is what a task inherits from the blocks, imports and role around it.
type frame struct {
	base   *HostScope     // the play's scope, or an included role's
	params map[string]any // the role entry's params
	vars   map[string]any // block and include vars
	when   []any          // conditions of enclosing blocks and imports
	tags   []string
	dir    string     // where relative task files are looked for first
	env    []EnvEntry // environment entries of the play, role entry, blocks and includes
	kw     Keywords   // the play's, role entry's, blocks' and imports' keywords, innermost over
	// refused: why every task here is listed, not run (a role entry
	// keyword straylight does not honour).
	refused string
	// chain is Ansible's dep chain of the role whose tasks run
	// (Block._dep_chain): the roles it is a meta dependency of, or was
	// included from, outermost first, then itself; parents are that role's
	// Role._parents (the role that pulled it in), and include the
	// include_role/import_role params ansible_parent_role_names and
	// ansible_parent_role_paths (IncludeRole.get_include_params).
	chain   []*Role
	parents []*Role
	include map[string]any
	// loadedAt is where the handlers of a role imported here join the
	// play's list (handlerRank).
	loadedAt handlerRank
}

// handlerRank orders the handlers include_role and import_role bring into
// a play as Ansible's play lists them, after its roles' and its own (the
// play loads handlers first, then roles, pre_tasks, post_tasks and tasks;
// an import_role loaded with them appends its role's handlers; one
// include_role runs, or an import inside an included file is loaded,
// appends them then): measured on 2.14 and 2.19.
type handlerRank int

const (
	loadedWithRoles handlerRank = iota
	loadedWithPreTasks
	loadedWithPostTasks
	loadedWithTasks
	loadedWhenRun
)

// loaded is f in the part of the play loaded at rank (handlerRank).
func (f frame) loaded(rank handlerRank) frame {
	f.loadedAt = rank
	return f
}

// keywords are what t runs with: its own keywords over the frame's.
func (f frame) keywords(t *Task) Keywords { return f.kw.Under(t.Keywords) }

// maxIncludeDepth stops include loops (a file including itself).
const maxIncludeDepth = 40

func (r *Repo) newWalker(run *PlayRun, w *HostTasks, play *HostScope, hosts []string) *walker {
	return &walker{repo: r, run: run, w: w, play: play, hosts: hosts, facts: map[string]any{}, unknown: map[string]string{},
		registered: map[string][]*FileTask{}, registeredBy: map[string]*Task{}, inRole: map[roleScopeKey]*HostScope{}}
}

// playTasks runs pre_tasks, roles, tasks and post_tasks in Ansible's order,
// flushing handlers where Ansible's Play.compile does: after pre_tasks,
// after roles and tasks (not between them), and at the end of the play.
func (wk *walker) playTasks() error {
	top := frame{base: wk.play, tags: wk.run.Play.Tags, dir: wk.run.Playbook.Dir, env: wk.run.Play.Environment, kw: wk.run.Play.Keywords}
	if err := wk.tasks(top.loaded(loadedWithPreTasks), wk.run.Play.PreTasks); err != nil {
		return err
	}
	wk.endFlush()
	for i, role := range wk.run.Roles {
		if err := wk.playRole(top.loaded(loadedWithRoles), role, wk.run.EntryAt(i), wk.run.parentsAt(i)); err != nil {
			return err
		}
		wk.ranRole(role, wk.run.Entries[i].Params)
	}
	if err := wk.tasks(top.loaded(loadedWithTasks), wk.run.Play.Tasks); err != nil {
		return err
	}
	wk.endFlush()
	if err := wk.tasks(top.loaded(loadedWithPostTasks), wk.run.Play.PostTasks); err != nil {
		return err
	}
	wk.w.noteHandlerFacts(wk.play, wk.flush, wk.handlerFacts())
	wk.w.noteHandlerFacts(wk.play, EndOfPlay, wk.handlerFacts())
	wk.w.noteFlush(wk.play, wk.flush)
	return nil
}

// endFlush ends the tasks whose notifications run at the flush point
// reached: the handlers run there see the facts the play's setup tasks
// have given the host so far and the set_fact and include_vars values
// set so far (Ansible's handlers template their arguments with the
// host's variables as they are when they run, facts included), then the
// next flush's tasks begin.
func (wk *walker) endFlush() {
	wk.w.noteHandlerFacts(wk.play, wk.flush, wk.handlerFacts())
	wk.w.noteFlush(wk.play, wk.flush)
	wk.flush++
}

// handlerFacts is what a handler run now would see of the facts: a copy,
// as the walk goes on changing them.
func (wk *walker) handlerFacts() handlerFacts {
	return handlerFacts{gathered: wk.gathered, by: wk.factsBy, vars: copyOrNil(wk.facts), unknown: copyOrNil(wk.unknown)}
}

// copyOrNil is a copy of m, nil when m is empty.
func copyOrNil[V any](m map[string]V) map[string]V {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// playRole runs a role entry of the play's roles (PlayRun.EntryAt: a
// dependency's under its dependents'): its params, vars, conditions,
// tags, environment and keywords apply to each of its tasks.
func (wk *walker) playRole(top frame, role *Role, ref RoleRef, parents []*Role) error {
	f := wk.underEntry(top, ref)
	base, err := wk.ownDefaults(role)
	if err != nil {
		return err
	}
	f.base = base
	f.dir = filepath.Join(role.Dir, "tasks")
	f.parents = parents[max(0, len(parents)-1):] // Role._parents: the role whose dependency it is
	f.chain = append(slices.Clip(parents), role)
	return wk.tasks(f, role.Tasks)
}

// ownDefaults is the scope a play role's tasks and handlers see: Ansible
// layers the task's role's defaults over every play role's, and its vars
// over theirs (VariableManager.get_vars, lib/ansible/vars/manager.py:218-220
// and 396-398 at v2.14.18), so a default two roles share is each role's
// own in its tasks, as if that role came last. The play's scope is that
// already where no later role of the play sets one of its defaults or
// vars (the last role, roles whose variables are their own).
func (wk *walker) ownDefaults(role *Role) (*HostScope, error) {
	if !wk.run.shadowed(role) {
		return wk.play, nil
	}
	if hs := wk.play.roleBases[role]; hs != nil {
		return hs, nil
	}
	hs, err := wk.roleScope(role)
	if err != nil {
		return nil, err
	}
	if wk.play.roleBases == nil {
		wk.play.roleBases = map[*Role]*HostScope{}
	}
	wk.play.roleBases[role] = hs
	return hs, nil
}

// underEntry is f inside a role entry: the entry's params and (2.15+)
// vars over f's, its conditions, tags and environment after f's, its
// keywords over f's, and its refusal when it has one.
func (wk *walker) underEntry(f frame, ref RoleRef) frame {
	f.params = overOrShared(f.params, ref.Params)
	f.vars = overOrShared(f.vars, wk.repo.entryVars(ref))
	if f.refused == "" {
		f.refused = ref.refusal()
	}
	f.when = append(slices.Clip(f.when), ref.When...)
	f.tags = AppendUnique(slices.Clone(f.tags), ref.Tags...)
	f.env = append(slices.Clip(f.env), ref.Environment...)
	f.kw = f.kw.Under(ref.Keywords)
	return f
}

func (wk *walker) tasks(f frame, list []*Task) error {
	for _, t := range list {
		err := wk.task(f, t)
		switch {
		case err == nil:
		case wk.discovery && readsFiles(t):
			wk.problems = append(wk.problems, fmt.Errorf("task %q (%s) not read for discovery: %w", t.Label(), t.At, err))
		case wk.discovery: // a fact or an assertion discovery could not evaluate: what depends on it says so
		default:
			return err
		}
	}
	return nil
}

// task runs one task: a block and a static import pass their conditions,
// vars and tags down to each task inside; anything else is run (or skipped)
// here, per loop item.
func (wk *walker) task(f frame, t *Task) error {
	tags := AppendUnique(slices.Clone(f.tags), t.Tags...)
	switch {
	case t.Unsupported == "" && (t.IsBlock || t.Module == ModImportTasks || t.Module == ModImportRole):
		inner := f
		inner.vars = mergeMaps(f.vars, t.Vars)
		inner.when = append(slices.Clip(f.when), t.When...)
		inner.tags = tags
		inner.env = append(slices.Clip(f.env), t.Environment...)
		inner.kw = f.kw.Under(t.Keywords)
		if t.IsBlock {
			return wk.block(inner, t)
		}
		return wk.static(inner, t)
	case !wk.readsWhatever(t) && !wk.repo.selected(tags):
		return nil
	}
	wk.nameTask(f, t)
	return wk.looped(f, t)
}

// nameTask templates a task's name for the host's plan, as Ansible
// templates it for the TASK banner (the linear strategy, before the task
// runs, with fail_on_undefined off): with the task's variables, not its
// loop's, and as written when anything in it fails — ansible-core 2.14
// keeps the whole name then, 2.19 writes each failure inline ("<< error 1
// - 'x' is undefined >>"), which straylight does not copy. Ansible
// templates the name with the first host's variables and shows it for
// every host; straylight's plan, a section per host, uses each host's.
// Discovery keeps names as written.
func (wk *walker) nameTask(f frame, t *Task) {
	if wk.discovery || !looksTemplated(t.Name) {
		return
	}
	label := t.Label()
	if v, err := wk.scopeFor(f, t, nil).template(t.Name); err == nil {
		label = t.inRole(render.PyStr(v))
	}
	if wk.w.labels == nil {
		wk.w.labels = map[*Task]string{}
	}
	wk.w.labels[t] = label
}

// readsWhatever: discovery reads a file task, an include or a task that may
// start a server whatever its conditions and tags say, as it is what starts
// a host's servers when they hold; a fact is set unless its conditions are
// known to be false.
func (wk *walker) readsWhatever(t *Task) bool {
	return wk.discovery && (writesFile(t) || t.Module == ModIncludeTasks || t.Module == ModIncludeRole || mayStartServer(t))
}

// mayStartServer: a task straylight does not run whose module may start a
// server (a command, a service or container module, a module it does not
// know): discovery hands it to fleet/discover as a ModuleTask.
func mayStartServer(t *Task) bool {
	if t.IsBlock || t.ModuleName == "" || readsFiles(t) {
		return false
	}
	return t.Module == "" || t.Module.IsCommandModule() || t.Module.IsServiceModule()
}

// readsFiles: the task writes a file or brings in tasks that may.
func readsFiles(t *Task) bool {
	switch t.Module {
	case ModIncludeTasks, ModImportTasks, ModIncludeRole, ModImportRole:
		return true
	}
	return writesFile(t)
}

// writesFile: the task is a template or copy, whether or not straylight
// runs it (a keyword it does not run leaves Module empty).
func writesFile(t *Task) bool {
	m, ok := moduleNames[t.ModuleName]
	return ok && m.IsFileModule() && !t.IsBlock
}

// block runs a block, its rescue when a task of the block failed, and its
// always part in every case.
func (wk *walker) block(f frame, t *Task) error {
	if wk.discovery {
		return errors.Join(wk.tasks(f, t.Block), wk.tasks(f, t.Rescue), wk.tasks(f, t.Always))
	}
	err := wk.tasks(f, t.Block)
	if err != nil && len(t.Rescue) > 0 && wk.gatherFailure(err) == nil {
		rf := f
		rf.vars = mergeMaps(f.vars, map[string]any{"ansible_failed_result": map[string]any{"msg": err.Error(), "failed": true},
			"ansible_failed_task": wk.failedTaskVar()})
		err = wk.tasks(rf, t.Rescue)
	}
	if len(t.Always) > 0 {
		if aerr := wk.tasks(f, t.Always); aerr != nil {
			return aerr
		}
	}
	return err
}

// looped runs a task once, or once per loop item, where its conditions hold.
func (wk *walker) looped(f frame, t *Task) error {
	if t.Loop == nil {
		return wk.once(f, t, nil)
	}
	items, err := wk.loopItems(f, t)
	if err != nil {
		return wk.loopFailed(f, t, err)
	}
	if len(items) == 0 {
		wk.registerNoItems(t)
		return nil
	}
	for i := range items {
		if err := wk.once(f, t, t.loopVars(items, i)); err != nil {
			return err
		}
	}
	return nil
}

// loopFailed: a loop that cannot be evaluated is an error unless the task's
// conditions are false without it, as in Ansible.
func (wk *walker) loopFailed(f frame, t *Task, loopErr error) error {
	if reason := wk.onlyAnsible(loopErr); reason != "" {
		return wk.handOver(t, "its loop: "+reason)
	}
	hs := wk.scopeFor(f, t, nil)
	if ok, err := wk.holds(hs, f, t); err == nil && !ok {
		return nil
	}
	return wk.failed(f, t, atKey(t, "loop", loopErr))
}

// once runs the task for one loop item (or without a loop).
func (wk *walker) once(f frame, t *Task, item map[string]any) error {
	hs := wk.scopeFor(f, t, item)
	if name := wk.unknownNamedUnlessDiscovery(f, t); name != "" {
		return wk.handOver(t, wk.unknownReason("its condition reads", name))
	}
	c, err := wk.holdsOnResults(f, t, item)
	if wk.readsWhatever(t) || (wk.discovery && err != nil) { // discovery: a condition it cannot know holds
		c, err = conditionOutcome{holds: true}, nil
	}
	if reason := wk.onlyAnsible(err); reason != "" {
		return wk.handOver(t, reason)
	}
	if err != nil {
		return wk.failed(f, t, err)
	}
	if !c.holds {
		wk.register(t, nil, true)
		return nil
	}
	if wk.skipRunOnce(f, t) {
		return nil
	}
	if wk.discovery && mayStartServer(t) {
		wk.w.Modules = append(wk.w.Modules, &ModuleTask{Run: wk.run, Task: t, Scope: hs})
	}
	switch {
	case t.Unsupported != "" && !(wk.discovery && writesFile(t)):
		wk.unsupported(t, t.Unsupported)
		return nil
	case f.refused != "" && !(wk.discovery && writesFile(t)):
		wk.unsupported(t, f.refused)
		return nil
	case f.keywords(t).Templated != "":
		wk.unsupported(t, f.keywords(t).templatedReason())
		return nil
	case c.unsupported != "":
		wk.unsupported(t, c.unsupported)
		return nil
	case c.onlyIf != nil && !t.Module.plannedFromHost() && t.Module != ModDebug:
		wk.unsupported(t, fmt.Sprintf("its condition reads %s, which straylight knows only once the host is read; it settles that for file and unit tasks only", c.onlyIf.describe()))
		return nil
	}
	n := len(wk.w.Files)
	err = wk.module(f, t, hs, item)
	if reason := wk.onlyAnsible(err); reason != "" {
		wk.w.Files = wk.w.Files[:n]
		return wk.handOver(t, reason)
	}
	err = wk.failed(f, t, err)
	wk.settle(t, wk.w.Files[n:], c.onlyIf)
	return err
}

// settle attaches the condition on a registered result to the file tasks
// the task planned, and registers them.
func (wk *walker) settle(t *Task, planned []*FileTask, onlyIf *ResultCondition) {
	for _, ft := range planned {
		ft.OnlyIf = onlyIf
	}
	if t.Module.plannedFromHost() {
		wk.register(t, planned, false)
	}
}

// failed applies ignore_errors: a failing task that ignores errors is
// listed, with the error, and the play goes on.
func (wk *walker) failed(f frame, t *Task, err error) error {
	if err == nil {
		return nil
	}
	if gerr := wk.gatherFailure(err); gerr != nil {
		return &InputError{At: t.At, Msg: fmt.Sprintf("task %q needs gathered facts: %v", t.Label(), gerr)}
	}
	if f.keywords(t).IgnoresErrors() {
		wk.unsupported(t, "failed, and ignore_errors is set: "+err.Error())
		return nil
	}
	wk.failedTask = t
	return err
}

// failedTaskVar is ansible_failed_task as straylight knows it: the
// failed task's name and module as written (Ansible's holds the task's
// every attribute; a rescue reading another one fails on it).
func (wk *walker) failedTaskVar() map[string]any {
	if wk.failedTask == nil {
		return map[string]any{"name": "", "action": ""}
	}
	return map[string]any{"name": wk.failedTask.Name, "action": wk.failedTask.ModuleName}
}

func (wk *walker) unsupported(t *Task, reason string) {
	wk.w.AddUnsupported(wk.run, t, reason)
	if t.Register != "" {
		wk.unknown[t.Register] = t.Label()
	}
	if prefixes, ok := factsOf(t); ok {
		wk.factsBy = t.Label()
		for _, p := range prefixes {
			wk.factPrefixes = append(wk.factPrefixes, factPrefix{p, t.Label()})
		}
	}
}

type factPrefix struct{ prefix, by string }

// factsOf: the task's module sets facts (setup, a *_facts module,
// getent), and the names those facts take besides ansible_*: getent's
// getent_<database>, service_facts' services, package_facts' packages,
// injected as variables too.
func factsOf(t *Task) ([]string, bool) {
	name := strings.TrimPrefix(t.ModuleName, "ansible.builtin.")
	switch {
	case moduleNames[t.ModuleName] == ModSetup:
		return nil, true
	case name == "getent":
		return []string{"getent_"}, true
	case name == "service_facts":
		return []string{"services"}, true
	case name == "package_facts":
		return []string{"packages"}, true
	}
	return nil, strings.HasSuffix(name, "_facts")
}

// skipRunOnce: a run_once task runs on the play's first host only.
func (wk *walker) skipRunOnce(f frame, t *Task) bool {
	return f.keywords(t).OnceOnly() && len(wk.hosts) > 0 && wk.hosts[0] != wk.w.Host && !t.Module.isFactModule()
}

func (m Module) isFactModule() bool { return m == ModSetFact || m == ModIncludeVars }

// scopeFor is the scope a task runs in: the role's (or play's) variables,
// then by rising precedence block and task vars, include_vars and set_fact,
// role params, loop variables and extra vars.
func (wk *walker) scopeFor(f frame, t *Task, item map[string]any) *HostScope {
	return wk.withGathered(wk.scopeWithLayers(f, t, item))
}

func (wk *walker) scopeWithLayers(f frame, t *Task, item map[string]any) *HostScope {
	layers := []map[string]any{f.vars, t.Vars, wk.facts, f.params, f.include, item}
	if allEmpty(layers) && len(wk.includedRoles) == 0 {
		return wk.lookupScope(f, t)
	}
	merged := mergeMaps(append([]map[string]any{rolePath(t)}, layers...)...)
	for k, v := range wk.repo.ExtraVars {
		merged[k] = v
	}
	maps.Copy(merged, wk.roleNamesLayer())
	c := *f.base
	c.scope = f.base.scope.With(merged)
	if t.RoleDir != "" {
		c.roleDirs = f.roleDirs(t)
		c.scope = c.scope.WithSearchPath(append(slices.Clone(c.roleDirs), wk.run.Playbook.Dir))
	}
	return &c
}

// roleDirs is the role part of a role's task's ansible_search_path: its
// role's folder, then the folders of the roles it is a dependency of or
// was included from, nearest first (Base.get_search_path,
// lib/ansible/playbook/base.py:768-785 at v2.14.18, :819-836 at v2.19.14).
func (f frame) roleDirs(t *Task) []string {
	dirs := []string{t.RoleDir}
	for i := len(f.chain) - 1; i >= 0; i-- {
		if dir := f.chain[i].Dir; !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

// lookupScope is base with lookups searching the task's role first; one
// per role, so that templated variables are cached across its tasks.
func (wk *walker) lookupScope(f frame, t *Task) *HostScope {
	base := f.base
	if t.RoleDir == "" {
		return base
	}
	dirs := f.roleDirs(t)
	key := roleScopeKey{base, strings.Join(dirs, "\x00")}
	if hs, ok := wk.inRole[key]; ok {
		return hs
	}
	c := *base
	c.roleDirs = dirs
	c.scope = wk.repo.scopes.roleScope(base.scope, t, append(slices.Clone(dirs), wk.run.Playbook.Dir))
	wk.inRole[key] = &c
	return &c
}

// rolePath is Ansible's role_path for a role's task — the role's folder —
// role_name and ansible_role_name, its name (a collection's role's
// role_name is its short name), and ansible_collection_name, the
// collection it came from (None for a role of the repository).
// role_uuid, a fresh identifier per run (Role._uuid), cannot be known:
// reading it hands the task to Ansible. Source:
// VariableManager._get_magic_variables, lib/ansible/vars/manager.py:478-484
// at v2.14.18, :464-470 at v2.19.14.
func rolePath(t *Task) map[string]any {
	if t.RoleDir == "" {
		return nil
	}
	short, collection := t.Role, any(nil)
	if parts := strings.Split(t.Role, "."); len(parts) >= 3 {
		short, collection = parts[len(parts)-1], strings.Join(parts[:len(parts)-1], ".")
	}
	return map[string]any{"role_path": t.RoleDir, "role_name": short, "ansible_role_name": t.Role,
		"ansible_collection_name": collection, "role_uuid": errRoleUUID()}
}

// errRoleUUID is role_uuid's value: Ansible draws it for each run.
func errRoleUUID() error {
	return errors.New("role_uuid (the identifier Ansible draws for a role in each run) is not supported by straylight")
}

func allEmpty(maps []map[string]any) bool {
	for _, m := range maps {
		if len(m) > 0 {
			return false
		}
	}
	return true
}

// overOrShared is inner's values over outer's: one of them, shared, when
// the other is empty (a frame's maps are never changed in place), else a
// merged copy.
func overOrShared(outer, inner map[string]any) map[string]any {
	switch {
	case len(inner) == 0:
		return outer
	case len(outer) == 0:
		return inner
	}
	return mergeMaps(outer, inner)
}

// mergeMaps returns a new map of every map's entries, later ones winning.
func mergeMaps(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// module runs what straylight runs itself.
func (wk *walker) module(f frame, t *Task, hs *HostScope, item map[string]any) error {
	switch {
	case wk.discovery && writesFile(t):
		return wk.discoveryFile(t, hs)
	case (t.Module.IsUnitModule() || t.Module.IsPOSIXCommand() || t.Module.IsWindowsTask() || t.Module.IsContainerModule()) && wk.discovery: // handed to discovery as a ModuleTask
		return nil
	case (t.Module == ModStat || t.Module.IsAccountModule() || t.Module.IsPackageModule()) && wk.discovery: // writes nothing discovery looks for
		return nil
	case t.Module.plannedFromHost():
		return wk.fileTask(f, t, hs)
	case t.Module == ModIncludeTasks || t.Module == ModIncludeRole:
		inner := f
		inner.vars = mergeMaps(f.vars, t.Vars, item)
		return wk.include(inner, t, hs)
	case t.Module == ModSetup:
		return wk.setup(f, t, hs)
	}
	return wk.logicModule(t, hs)
}

func (wk *walker) fileTask(f frame, t *Task, hs *HostScope) error {
	if t.DelegateTo != "" && t.DelegateTo != wk.w.Host {
		wk.unsupported(t, fmt.Sprintf("delegate_to %q: the task would run on another host", t.DelegateTo))
		return nil
	}
	entries := append(slices.Clip(f.env), t.Environment...)
	env, err := hs.environment(entries)
	if err != nil {
		return err
	}
	if reason := environmentUnsupported(t, env); reason != "" {
		wk.unsupported(t, reason)
		return nil
	}
	if err := filemod.CheckPSEnv(env); err != nil && t.Module.IsWindowsTask() {
		return &InputError{At: entries[len(entries)-1].At, Key: "environment", Msg: err.Error()}
	}
	return wk.w.addFileTask(hs, wk.run, t, wk.play, wk.flush, env, f.keywords(t))
}

// environmentUnsupported: straylight passes a task's environment to a
// command or shell task's process, to a unit task's systemctl, to the
// validate command of a template or copy, and to the PowerShell process of
// a win_command, win_shell or win_service task; file, lineinfile and
// blockinfile run nothing it changes. win_template and win_copy run no
// command it reaches.
func environmentUnsupported(t *Task, env []filemod.EnvVar) string {
	switch {
	case len(env) == 0 || t.Module.IsPOSIXCommand() || t.Module.IsWindowsTask() || t.Module.IsEditModule() || t.Module.IsUnitModule() || t.Module.IsContainerModule():
		return ""
	case t.Module == ModTemplate || t.Module == ModCopy:
		return ""
	}
	return fmt.Sprintf("environment on a %s task: straylight passes it to command, shell, win_command, win_shell, win_service, template and copy tasks and to handlers, not to %s; Ansible runs it", t.ModuleName, t.ModuleName)
}

// discoveryFile renders a file task for what it writes only: the arguments
// that change its attributes or how it is written (owner, force, ...) are
// left out, and a keyword straylight does not run does not stop it.
func (wk *walker) discoveryFile(t *Task, hs *HostScope) error {
	dt := wk.repo.discovered.Get(t, func() *discoveredTask { return newDiscoveredTask(t) })
	tc := dt.task
	args, err := hs.moduleArgs(dt.args)
	if err != nil {
		return atTask(t, err)
	}
	src := sourceOf(hs, wk.run, tc, args.(map[string]any)) // with the arguments at hand, not templated again (fileSource)
	if dest := argString(args.(map[string]any), "dest"); wk.rendered[renderedKey{t, dest}] != nil {
		wk.w.Files = append(wk.w.Files, &FileTask{Run: wk.run, Task: tc, Scope: hs, Play: wk.play, Dest: dest, Content: wk.rendered[renderedKey{t, dest}],
			Src: src, srcKnown: true})
		return nil
	}
	rt, err := hs.renderWithArgs(wk.run, tc, args.(map[string]any))
	if err != nil {
		return err
	}
	wk.w.Files = append(wk.w.Files, &FileTask{Run: wk.run, Task: tc, Scope: hs, Play: wk.play, Dest: rt.dest, Content: rt.content, Vaulted: rt.vaulted,
		Src: src, srcKnown: true})
	return nil
}

// gatherFailure is the host's failed fact gathering when err comes from
// it, else nil. Ansible drops a host it cannot gather facts from before
// the play's first task: neither rescue nor ignore_errors applies.
func (wk *walker) gatherFailure(err error) error {
	return wk.repo.gatherFailure(wk.play.facts, err)
}

// gatherFailure is the failed fact gathering err comes from — of facts,
// a scope's own facts, or of another host's read through hostvars — else
// nil.
func (r *Repo) gatherFailure(facts render.FactSource, err error) error {
	if src, ok := facts.(interface{ GatherErr() error }); ok {
		if gerr := src.GatherErr(); gerr != nil && strings.Contains(err.Error(), gerr.Error()) {
			return gerr
		}
	}
	if g, ok := r.facts.(interface{ FailureIn(error) error }); ok {
		return g.FailureIn(err) // another host's, read through hostvars
	}
	return nil
}
