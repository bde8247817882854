package ansible

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/render"
)

// HostTasks is what Ansible would run on one host, rendered: every file task
// of every play that targets it, in run order, with its destination and
// content; the tasks straylight cannot run; and the variables (one scope per
// play) the play's handlers are rendered with.
type HostTasks struct {
	Host        string
	Conn        Connection // from the first play that targets the host
	Scopes      []*HostScope
	Files       []*FileTask
	Unsupported []UnsupportedTask
	Secrets     []string // the host's secret values, longest first
	// Modules: DiscoveryTasks only, the tasks straylight does not run that
	// may start a server (see ModuleTask).
	Modules []*ModuleTask
	// handlerFacts: what each play's handlers see of facts its setup
	// tasks gathered, at each flush point (HandlerCommand).
	handlerFacts map[flushPoint]handlerFacts
	// flushes: each flush point the host reached, in order, with how
	// many handlers include_role and import_role had brought into its
	// play there (LastFlush, HandlersSeenAt). A slice, not a map: a host
	// reaches three or four.
	flushes []flushReached
	// setup is what the setup tasks of the plays so far gave the host,
	// which the next play starts from.
	setup setupState
	// labels: each task whose name is a template, as this host's plan
	// shows it (walker.nameTask).
	labels map[*Task]string
}

// LabelOf is the task's label as this host's plan shows it: its name
// templated for the host, or as written (Task.Label).
func (w *HostTasks) LabelOf(t *Task) string {
	if label, ok := w.labels[t]; ok {
		return label
	}
	return t.Label()
}

// setupState is a walker's account of the plays run so far: the facts
// their setup tasks gave, what each selected, and the one straylight
// left to Ansible; the set_fact, include_vars and registered values the
// host holds, and the names whose values only Ansible knows. Ansible
// keeps all of them for the host until the run ends (at c9ac477e,
// lib/ansible/plugins/strategy/__init__.py:719-724 puts include_vars'
// values in the variable manager's host vars, :737 set_fact's and :776 a
// registered result in its nonpersistent facts, neither tied to a play).
type setupState struct {
	gathered render.FactSource
	runs     []factSelection
	by       string
	facts    map[string]any
	unknown  map[string]string
}

// flushPoint is where a play's notified handlers run: its flush number
// (FileTask.Flush), or EndOfPlay.
type flushPoint struct {
	play  *HostScope
	flush int
}

// EndOfPlay is the flush point after the play's last task, whatever
// notified the handler (a restart an earlier apply left owed).
const EndOfPlay = -1

// handlerFacts are the facts the play's setup tasks had given the host
// at a flush point (nil: none, or the play gathers them itself), the
// setup task straylight left to Ansible, if any, the set_fact,
// include_vars and registered values in force there (vars), and the
// names only Ansible knows the values of (unknown: name → the task).
type handlerFacts struct {
	gathered render.FactSource
	by       string
	vars     map[string]any
	unknown  map[string]string
}

func (hf handlerFacts) empty() bool {
	return hf.gathered == nil && hf.by == "" && len(hf.vars) == 0 && len(hf.unknown) == 0
}

func (w *HostTasks) noteHandlerFacts(play *HostScope, flush int, hf handlerFacts) {
	if hf.empty() {
		return
	}
	if w.handlerFacts == nil {
		w.handlerFacts = map[flushPoint]handlerFacts{}
	}
	w.handlerFacts[flushPoint{play, flush}] = hf
}

// flushReached is a flush point the host reached and how many handlers
// include_role and import_role had brought into its play there.
type flushReached struct {
	flushPoint
	seen int
}

// noteFlush records the flush point reached.
func (w *HostTasks) noteFlush(play *HostScope, flush int) {
	w.flushes = append(w.flushes, flushReached{flushPoint{play, flush}, len(play.included)})
}

// HandlersSeenAt is how many handlers include_role and import_role had
// brought into the play at the flush point: what a handler run there
// may notify (HostScope.HandlersKnown).
func (w *HostTasks) HandlersSeenAt(play *HostScope, flush int) int {
	for _, f := range w.flushes {
		if f.flushPoint == (flushPoint{play, flush}) {
			return f.seen
		}
	}
	return len(play.included)
}

// LastFlush is the play's last flush point for the host: the one after
// its post_tasks, counting the pre_tasks', the tasks' and each meta:
// flush_handlers the host ran before it; 0 where the walk reached none.
func (w *HostTasks) LastFlush(play *HostScope) int {
	last := 0
	for _, f := range w.flushes {
		if f.play == play {
			last = max(last, f.flush)
		}
	}
	return last
}

// HandlerCommand templates handler h of the play whose scope is play,
// run at flush point flush, as HostScope.HandlerCommand does, with the
// facts the play's setup tasks had given the host by then and the
// set_fact and include_vars values in force there (those set after the
// notifying task included, those set after the flush not): Ansible
// templates a handler with the host's variables as they are when it
// runs, and the facts a setup task gathers are the host's from that task
// on (at c9ac477e: lib/ansible/plugins/strategy/__init__.py:735 puts a
// setup result's facts on the host; the linear strategy queues the
// handlers as tasks at the flush point, linear.py:87-88, and gets each
// one's variables when it runs, :134-135). A fact straylight cannot
// gather, or that only a setup task Ansible runs gives, is named in the
// error with the handler.
func (w *HostTasks) HandlerCommand(play *HostScope, h *Task, flush int) (string, error) {
	hf := w.handlerFacts[flushPoint{play, flush}]
	o := play.handlerFrom(h)
	hs := o.scope(o.base.withFacts(hf.gathered), hf.vars)
	cmd, err := hs.handlerCommand(h, o.env)
	return cmd, hf.explain(hs, h, err)
}

// explain names what a handler's failed rendering needed: the facts of
// a host that could not be gathered, or a fact of the setup task
// straylight left to Ansible.
func (hf handlerFacts) explain(hs *HostScope, h *Task, err error) error {
	if err == nil {
		return nil
	}
	if gerr := hs.repo.gatherFailure(hs.facts, err); gerr != nil {
		return fmt.Errorf("handler %q needs gathered facts: %w", h.Label(), gerr)
	}
	m := undefinedName().FindStringSubmatch(err.Error())
	if task, ok := hf.unknown[matched(m)]; ok {
		return fmt.Errorf("it reads %q, the result of %q, which only Ansible knows", m[1], task)
	}
	if hf.by != "" && m != nil && strings.HasPrefix(m[1], "ansible_") {
		return fmt.Errorf("it reads %q, a fact of %q, which only Ansible runs", m[1], hf.by)
	}
	return err
}

// matched is a submatch's first group, "" when it did not match.
func matched(m []string) string {
	if len(m) < 2 {
		return ""
	}
	return m[1]
}

// withSetFacts is the scope with the host's set_fact, include_vars and
// registered values over the play's variables; role params (added by
// HandlerCommand) and extra vars rank above them, as in Ansible's
// variable precedence.
func (hs *HostScope) withSetFacts(vars map[string]any) *HostScope {
	if len(vars) == 0 {
		return hs
	}
	merged := maps.Clone(vars)
	maps.Copy(merged, hs.repo.ExtraVars)
	c := *hs
	c.scope = hs.scope.With(merged)
	return &c
}

// ModuleTask is a task DiscoveryTasks saw that straylight does not run
// itself — a container, a Kubernetes apply, a command — with the scope it
// would run in (task vars, loop item): fleet/discover templates its
// arguments and reads what it starts.
type ModuleTask struct {
	Run   *PlayRun
	Task  *Task
	Scope *HostScope
}

// Source finds the task's source file as a template or copy would (the
// role's sub/ and folder, then the playbook's) and reads it, both through
// the repository's cache: every host's task reads the same bytes.
func (m *ModuleTask) Source(sub, name string) (path string, data []byte, err error) {
	if path, err = m.Scope.repo.sources.resolve(m.Run, m.Task, sub, name); err != nil {
		return "", nil, err
	}
	data, err = m.Scope.repo.sources.read(path)
	return path, data, err
}

// FileTask is one rendered task straylight plans from the host's state:
// a file task (template, copy and their win_ forms; file, lineinfile,
// blockinfile), or a systemd_service or service task on a unit.
type FileTask struct {
	Run  *PlayRun
	Task *Task
	// Label is the task's label as the host's plan shows it: its name
	// templated for the host (walker.nameTask). Notify is its notify,
	// templated in its scope as Ansible templates it before looking the
	// handlers up. Discovery's file tasks, which no plan reads, leave
	// both empty.
	Label   string
	Notify  []string
	Scope   *HostScope // the scope it was rendered in (task vars, facts, loop item, role params)
	Play    *HostScope // the play's scope, whose handlers it notifies
	Dest    string
	Content []byte
	Src     string // DiscoveryFiles: the template or file rendered, relative to the repository
	Attrs   FileAttrs
	// Become is the become keywords the task runs with: its own over its
	// blocks', imports', role entry's and play's (Keywords; the host's
	// ansible_become* variables beat them all).
	Become BecomeSpec
	// NoLog, IgnoreErrors and CheckOnly are the task's no_log,
	// ignore_errors and check_mode as it runs with them (Keywords).
	// CheckOnly: Ansible runs the task in check mode even in a real run,
	// so an apply reports its change and makes none.
	NoLog, IgnoreErrors, CheckOnly bool
	// File and Edit are the arguments of a file task, or of a lineinfile
	// or blockinfile task (Content is then empty: the planner computes it
	// from the host's state).
	File *filemod.FileArgs
	Edit filemod.Edit
	// Service: a systemd_service or service task's arguments (Dest is
	// then the unit's name and Content empty: the planner decides its
	// actions from the unit's state on the host).
	Service *filemod.ServiceArgs
	// Command: a command or shell task's arguments (Dest is then the
	// command line, Content its stdin); ChangedWhen its constant
	// changed_when, if any.
	Command     *filemod.CommandArgs
	ChangedWhen *bool
	// NeverFails: the command or unit task's failed_when is the constant
	// false (Task.NeverFails).
	NeverFails bool
	// WinService: a win_service task's arguments (Dest is then the
	// service's name); WinCommand: a win_command or win_shell task's
	// (Dest is then its line). Both are planned from the host over WinRM.
	WinService *filemod.WinServiceArgs
	WinCommand *filemod.WinCommandArgs
	// Container: a plain docker_compose_v2, docker_container or
	// podman_container task (Dest is then the project's directory or the
	// container's name): the planner runs its probe on the host and
	// decides what the module would report.
	Container *filemod.ContainerTask
	// Stat: a stat task's arguments (Dest is then its path): the planner
	// reads what is at the path, which later tasks' conditions may read
	// (ResultCondition).
	Stat *filemod.StatArgs
	// Account: a user or group task's arguments (Dest is then the
	// account's name), planned from the host's account databases.
	Account *filemod.AccountArgs
	// Apt: an apt task's arguments (Dest is then its packages' names),
	// planned from the host's dpkg database and apt policy.
	Apt *filemod.AptArgs
	// OnlyIf: the task runs only if a registered file task changed (or did
	// not), or only for some kinds of what is at a stat's path; the planner
	// settles it once it has read the host.
	OnlyIf *ResultCondition
	// Vaulted: Content was decrypted from a vault-encrypted source; the
	// plan shows none of it, as for no_log.
	Vaulted bool
	// HandlersSeen is how many handlers include_role and import_role had
	// brought into the play when the task ran: its notifications find none
	// that an include_role brings in later in the play
	// (HostScope.HandlersKnown).
	HandlersSeen int
	// Flush is the play's handler flush its notifications run at (0: the
	// end of pre_tasks; then the end of roles and tasks, each meta:
	// flush_handlers, and the end of the play, in the order met).
	Flush int

	srcKnown bool // discovery set Src from the arguments it had templated
}

// RenderHost renders a host's file tasks for every play that targets it
// (within --limit when limited is true). Nothing is read from the host.
// A Repo renders each host once: discovery, the plan and the lab share the
// render (the repository was read at Open; reopen it to see changes), so
// callers must not modify what it returns.
func (r *Repo) RenderHost(host string, limited bool) (*HostTasks, error) {
	if limited && !r.limitKeepsEveryRun(host) {
		return r.renderHost(host, true)
	}
	return r.renders.get(host, func() (*HostTasks, error) { return r.renderHost(host, false) })
}

// limitKeepsEveryRun reports whether --limit leaves the host in every play
// that targets it, so that its limited render is its whole render.
func (r *Repo) limitKeepsEveryRun(host string) bool {
	for _, run := range r.Runs {
		if run.Targets(host) != run.TargetsWithinLimit(host) {
			return false
		}
	}
	return true
}

// renderCache holds each host's whole render (ignoring --limit).
type renderCache struct {
	mu    sync.Mutex
	hosts map[string]cachedRender
}

type cachedRender struct {
	tasks *HostTasks
	err   error
}

// get returns the host's cached render, rendering it on first use; two
// callers racing on one host may both render, and the first stored wins.
func (c *renderCache) get(host string, render func() (*HostTasks, error)) (*HostTasks, error) {
	c.mu.Lock()
	got, ok := c.hosts[host]
	c.mu.Unlock()
	if ok {
		return got.tasks, got.err
	}
	tasks, err := render()
	c.mu.Lock()
	defer c.mu.Unlock()
	if got, ok := c.hosts[host]; ok {
		return got.tasks, got.err
	}
	if c.hosts == nil {
		c.hosts = map[string]cachedRender{}
	}
	c.hosts[host] = cachedRender{tasks, err}
	return tasks, err
}

func (r *Repo) renderHost(host string, limited bool) (*HostTasks, error) {
	w := &HostTasks{Host: host}
	for _, run := range r.Runs {
		hosts := run.AllHosts
		if limited {
			hosts = run.Hosts
		}
		if !slices.Contains(hosts, host) {
			continue
		}
		if err := r.renderRun(w, run, hosts); err != nil {
			return w, err
		}
	}
	return w, nil
}

// renderRun walks the play's tasks for the host (execute.go), starting
// from the facts the setup tasks of its earlier plays gave it: Ansible
// keeps a host's facts for the rest of the run (a play that gathers, or
// follows a setup task that gathered every fact, has them all already:
// factsFor).
func (r *Repo) renderRun(w *HostTasks, run *PlayRun, hosts []string) error {
	hs, err := r.ScopeOf(w.Host, run)
	if err != nil {
		return err
	}
	w.addScope(hs)
	wk := r.newWalker(run, w, hs, hosts)
	wk.gathered, wk.runs, wk.factsBy = w.setup.gathered, slices.Clone(w.setup.runs), w.setup.by
	wk.facts, wk.unknown = orEmpty(maps.Clone(w.setup.facts)), orEmpty(maps.Clone(w.setup.unknown))
	err = wk.playTasks()
	w.setup = setupState{wk.gathered, wk.runs, wk.factsBy, wk.facts, wk.unknown}
	return err
}

// orEmpty is m, or an empty map when m is nil.
func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// RenderedFiles renders a host's file tasks (ignoring --limit) and returns
// dest → content, unmasked. Used to seed the simulated lab.
func (r *Repo) RenderedFiles(host string) (map[string]string, error) {
	w, err := r.RenderHost(host, false)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range w.Files {
		if f.Task.Module.IsFileModule() { // not an edit, a command or a stat, whose Dest is no file it writes
			out[f.Dest] = string(f.Content)
		}
	}
	return out, nil
}

func (w *HostTasks) addScope(hs *HostScope) {
	if len(w.Scopes) == 0 {
		w.Conn = hs.conn
	}
	w.Scopes = append(w.Scopes, hs)
	w.Secrets = AppendUnique(w.Secrets, hs.secrets...)
	SortLongestFirst(w.Secrets)
}

// AllSecrets are the host's secret values and those the repository's
// lookups have read while its tasks were walked (a password lookup's
// passwords), longest first.
func (w *HostTasks) AllSecrets() []string {
	if len(w.Scopes) == 0 {
		return w.Secrets
	}
	out := AppendUnique(slices.Clone(w.Secrets), w.Scopes[0].repo.engine().LookupSecrets()...)
	SortLongestFirst(out)
	return out
}

// SortLongestFirst orders secrets so that one containing another is masked
// whole.
func SortLongestFirst(list []string) {
	sort.SliceStable(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
}

// AddUnsupported records a task of run straylight will not run.
func (w *HostTasks) AddUnsupported(run *PlayRun, t *Task, reason string) {
	u := NewUnsupported(run, t, reason)
	u.Task = w.LabelOf(t)
	w.Unsupported = append(w.Unsupported, u)
}

func (w *HostTasks) addFileTask(hs *HostScope, run *PlayRun, t *Task, play *HostScope, flush int, env []filemod.EnvVar, kw Keywords) error {
	rt, err := hs.renderFileTask(run, t)
	if err != nil {
		return err
	}
	if rt.command != nil {
		rt.command.Env = env
	}
	if rt.service != nil {
		rt.service.Env = env
	}
	if rt.winService != nil {
		rt.winService.Env = env
	}
	if rt.winCommand != nil {
		rt.winCommand.Env = env
	}
	if rt.container != nil {
		rt.container.Env = env
	}
	if rt.attrs.Validate != "" {
		rt.attrs.ValidateExports = filemod.ExportLines(env)
	}
	if rt.unsupported != "" {
		w.AddUnsupported(run, t, rt.unsupported)
		return nil
	}
	w.Files = append(w.Files, &FileTask{Run: run, Task: t, Label: w.LabelOf(t), Notify: hs.templatedNames(t.Notify), Scope: hs, Play: play, Dest: rt.dest, Content: rt.content,
		Attrs: rt.attrs, Become: kw.Become, NoLog: kw.HidesOutput(), IgnoreErrors: kw.IgnoresErrors(), CheckOnly: kw.ChecksOnly(), Flush: flush, File: rt.file, Edit: rt.edit, Service: rt.service, Command: rt.command, ChangedWhen: rt.changedWhen, NeverFails: t.NeverFails(), Vaulted: rt.vaulted,
		WinService: rt.winService, WinCommand: rt.winCommand, Container: rt.container, Stat: rt.stat, Account: rt.account, Apt: rt.apt, HandlersSeen: len(play.included)})
	return nil
}

// resolveSource finds a template or file source the way Ansible does: in the
// role's templates/ or files/, then the playbook's, then as a path.
func resolveSource(run *PlayRun, t *Task, sub, src string) (string, error) {
	if filepath.IsAbs(src) {
		return absoluteSource(t, src)
	}
	var candidates []string
	roleDir := t.RoleDir
	if role := run.Role(t.Role); roleDir == "" && role != nil {
		roleDir = role.Dir
	}
	if roleDir != "" {
		candidates = append(candidates, filepath.Join(roleDir, sub, src), filepath.Join(roleDir, src))
	}
	candidates = append(candidates, filepath.Join(run.Playbook.Dir, sub, src), filepath.Join(run.Playbook.Dir, src))
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil {
			return c, dirSource(c, st)
		}
	}
	return "", &InputError{At: t.At, Key: "src", Msg: fmt.Sprintf("could not find %q (looked in %s)", src, strings.Join(candidates, ", "))}
}

// absoluteSource is an absolute src as the controller has it: missing, it
// fails the task with the copy action's message.
func absoluteSource(t *Task, src string) (string, error) {
	st, err := os.Stat(src)
	if err != nil {
		return "", &InputError{At: t.At, Key: "src", Msg: fmt.Sprintf("Could not find or access '%s' on the Ansible Controller.", src)}
	}
	return src, dirSource(src, st)
}

// dirSource is a sourceDirError when the src found is a directory (the
// first path that exists wins, a folder too, as Ansible's find_needle
// takes it).
func dirSource(path string, st os.FileInfo) error {
	if st.IsDir() {
		return &sourceDirError{path}
	}
	return nil
}

// sourceDirError: the src is a directory, whose tree the copy action
// copies; straylight copies files only, so the task is Ansible's.
type sourceDirError struct{ path string }

func (e *sourceDirError) Error() string {
	return fmt.Sprintf("src %s is a directory: straylight copies single files, not directory trees", e.path)
}
