package ansible

import (
	"fmt"
	"strings"

	"github.com/straylight-fleet/straylight/render"
	"gopkg.in/yaml.v3"
)

// Module is a task module straylight runs itself.
type Module string

const (
	ModTemplate     Module = "template"
	ModWinTemplate  Module = "win_template"
	ModCopy         Module = "copy"
	ModWinCopy      Module = "win_copy"
	ModShell        Module = "shell"
	ModCommand      Module = "command"
	ModWinShell     Module = "win_shell"
	ModWinCommand   Module = "win_command"
	ModSetFact      Module = "set_fact"
	ModIncludeVars  Module = "include_vars"
	ModIncludeTasks Module = "include_tasks"
	ModImportTasks  Module = "import_tasks"
	ModIncludeRole  Module = "include_role"
	ModImportRole   Module = "import_role"
	ModDebug        Module = "debug"
	ModAssert       Module = "assert"
	ModFail         Module = "fail"
	ModMeta         Module = "meta"
	// ModSetup gathers the host's facts at that point of the play (setup,
	// and the gather_facts action that runs it).
	ModSetup Module = "setup"
	// Modules that edit a path on the host, planned from its current state
	// (fleet/filemod).
	ModFile        Module = "file"
	ModLineInFile  Module = "lineinfile"
	ModBlockInFile Module = "blockinfile"
	// Their Windows twins: win_lineinfile is community.windows' (it left
	// ansible.windows in 1.0.0), win_file ansible.windows'.
	ModWinLineInFile Module = "win_lineinfile"
	ModWinFile       Module = "win_file"
	// Service modules, run as handlers (restart a vLLM or a proxy).
	ModSystemd         Module = "systemd"
	ModService         Module = "service"
	ModDockerContainer Module = "docker_container"
	ModPodmanContainer Module = "podman_container"
	ModDockerCompose   Module = "docker_compose_v2"
	ModWinService      Module = "win_service"
	// ModStat reads what is at a path on the host, for later tasks'
	// conditions (ResultCondition).
	ModStat Module = "stat"
	// ModUser and ModGroup add, modify or remove an account, planned from
	// the host's account databases (fleet/filemod's accounts.go).
	ModUser  Module = "user"
	ModGroup Module = "group"
	// ModApt installs, upgrades or removes Debian packages, planned from
	// the host's dpkg database and apt policy (fleet/filemod's apt.go).
	ModApt Module = "apt"
	// ModPackage is ansible.builtin.package, planned as apt on a Debian
	// host (its action plugin runs the module the pkg_mgr fact names).
	ModPackage Module = "package"
)

// moduleNames maps short and FQCN names to the modules straylight runs.
var moduleNames = func() map[string]Module {
	m := map[string]Module{
		"win_template": ModWinTemplate, "ansible.windows.win_template": ModWinTemplate,
		"win_copy": ModWinCopy, "ansible.windows.win_copy": ModWinCopy,
		"win_shell": ModWinShell, "ansible.windows.win_shell": ModWinShell,
		"win_command": ModWinCommand, "ansible.windows.win_command": ModWinCommand,
		"systemd_service": ModSystemd, "ansible.builtin.systemd_service": ModSystemd,
		"docker_container": ModDockerContainer, "community.docker.docker_container": ModDockerContainer,
		"podman_container": ModPodmanContainer, "containers.podman.podman_container": ModPodmanContainer,
		"docker_compose_v2": ModDockerCompose, "community.docker.docker_compose_v2": ModDockerCompose,
		"win_service": ModWinService, "ansible.windows.win_service": ModWinService,
		"win_lineinfile": ModWinLineInFile, "community.windows.win_lineinfile": ModWinLineInFile,
		"win_file": ModWinFile, "ansible.windows.win_file": ModWinFile,
		"gather_facts": ModSetup, "ansible.builtin.gather_facts": ModSetup, "ansible.legacy.gather_facts": ModSetup,
	}
	for _, mod := range []Module{ModTemplate, ModCopy, ModShell, ModCommand, ModSetFact, ModIncludeVars,
		ModIncludeTasks, ModImportTasks, ModIncludeRole, ModImportRole, ModDebug, ModAssert, ModFail, ModMeta,
		ModSystemd, ModService, ModFile, ModLineInFile, ModBlockInFile, ModSetup, ModStat, ModUser, ModGroup, ModApt, ModPackage} {
		s := string(mod)
		m[s], m["ansible.builtin."+s], m["ansible.legacy."+s] = mod, mod, mod
	}
	return m
}()

// IsFileModule reports whether the module deploys a file.
func (m Module) IsFileModule() bool {
	return m == ModTemplate || m == ModWinTemplate || m == ModCopy || m == ModWinCopy
}

// IsEditModule reports whether the module edits a path in place (file,
// lineinfile, blockinfile, win_file, win_lineinfile): what it does depends
// on the path's current state.
func (m Module) IsEditModule() bool {
	return m == ModFile || m == ModLineInFile || m == ModBlockInFile || m == ModWinFile || m == ModWinLineInFile
}

// IsWindowsEdit reports whether the module is win_file or win_lineinfile,
// which run on Windows hosts only.
func (m Module) IsWindowsEdit() bool { return m == ModWinFile || m == ModWinLineInFile }

// IsUnitModule reports whether the module manages a systemd unit, which
// straylight runs as a plain task too (planned from the unit's state,
// fleet/filemod), not only as a handler.
func (m Module) IsUnitModule() bool { return m == ModSystemd || m == ModService }

// IsPOSIXCommand reports whether the module runs a command on a POSIX
// host, which straylight runs as a plain task too.
func (m Module) IsPOSIXCommand() bool { return m == ModCommand || m == ModShell }

// IsWindowsTask reports whether the module is a Windows command or
// service module straylight runs as a plain task over WinRM (win_command,
// win_shell, win_service), planned from the host's state.
func (m Module) IsWindowsTask() bool {
	return m == ModWinCommand || m == ModWinShell || m == ModWinService
}

// plannedFromHost reports whether straylight plans the module's task from
// the host's state: a file, an edit of a path, a unit's or a Windows
// service's state, a command, POSIX or Windows (its creates and removes),
// or a container's or compose project's state (docker_compose_v2,
// docker_container, podman_container).
func (m Module) plannedFromHost() bool {
	return m.IsFileModule() || m.IsEditModule() || m.IsUnitModule() || m.IsPOSIXCommand() || m.IsWindowsTask() || m.IsContainerModule() || m == ModStat || m.IsAccountModule() || m.IsPackageModule()
}

// IsPackageModule reports whether the module installs or removes
// packages: apt, or package (as apt on a Debian host).
func (m Module) IsPackageModule() bool { return m == ModApt || m == ModPackage }

// IsAccountModule reports whether the module adds, modifies or removes a
// user or a group.
func (m Module) IsAccountModule() bool { return m == ModUser || m == ModGroup }

// IsContainerModule reports whether the module acts on containers.
func (m Module) IsContainerModule() bool {
	return m == ModDockerCompose || m == ModDockerContainer || m == ModPodmanContainer
}

// IsCommandModule reports whether the module runs a command (handlers).
func (m Module) IsCommandModule() bool {
	return m == ModShell || m == ModCommand || m == ModWinShell || m == ModWinCommand
}

// IsServiceModule reports whether the module restarts a service or a
// container (handlers only).
func (m Module) IsServiceModule() bool {
	switch m {
	case ModSystemd, ModService, ModDockerContainer, ModPodmanContainer, ModDockerCompose, ModWinService:
		return true
	}
	return false
}

// IsHandlerModule reports whether straylight runs the module as a handler.
func (m Module) IsHandlerModule() bool { return m.IsCommandModule() || m.IsServiceModule() }

// IsInclude reports whether the module brings in tasks or a role.
func (m Module) IsInclude() bool {
	return m == ModIncludeTasks || m == ModImportTasks || m == ModIncludeRole || m == ModImportRole
}

// taskKeywords are the task keys straylight honours besides the module.
var taskKeywords = map[string]bool{
	"name": true, "notify": true, "tags": true, "listen": true, "no_log": true, "args": true,
	"when": true, "loop": true, "loop_control": true, "vars": true, "block": true, "rescue": true,
	"always": true, "ignore_errors": true, "run_once": true, "delegate_to": true, "register": true,
	"with_items": true, "with_list": true, "with_dict": true, "with_fileglob": true,
	"collections": true, "check_mode": true, "diff": true,
	"become": true, "become_user": true, "become_method": true, "environment": true,
}

// BecomeSpec is a play's or a task's become keywords. Set tells whether
// become was written at all (else the host's ansible_become applies).
type BecomeSpec struct {
	Set    bool   `json:"set,omitempty"`
	Become bool   `json:"become,omitempty"`
	User   string `json:"user,omitempty"`
	Method string `json:"method,omitempty"`
}

// Over is b with the fields o sets taken from o (a task's keywords over its play's).
func (b BecomeSpec) Over(o BecomeSpec) BecomeSpec {
	if o.Set {
		b.Set, b.Become = true, o.Become
	}
	if o.User != "" {
		b.User = o.User
	}
	if o.Method != "" {
		b.Method = o.Method
	}
	return b
}

// setBecomeKey reads become, become_user or become_method into b.
func (b *BecomeSpec) setBecomeKey(file, key string, v *yaml.Node) error {
	switch key {
	case "become":
		on, ok := parseYAMLBool(v.Value)
		if !ok {
			return &InputError{At: Located{file, v.Line}, Key: key, Msg: fmt.Sprintf("%q is not a boolean", v.Value)}
		}
		b.Set, b.Become = true, on
	case "become_user":
		b.User = v.Value
	case "become_method":
		if v.Value != "sudo" && v.Value != "su" {
			return &InputError{At: Located{file, v.Line}, Key: key, Msg: fmt.Sprintf("become_method %q is not supported (sudo, su)", v.Value)}
		}
		b.Method = v.Value
	}
	return nil
}

func parseYAMLBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0":
		return false, true
	}
	return false, false
}

// Task is one task, block or handler.
type Task struct {
	Name       string
	ModuleName string // as written
	Module     Module // empty when unsupported
	Args       map[string]any
	FreeForm   string // shell/command text, or k=v arguments
	Notify     []string
	Listen     []string
	// Keywords are the task's own become, no_log, ignore_errors, run_once
	// and check_mode; what it runs with is them over what encloses it.
	Keywords
	Unsupported string // why straylight cannot run it; empty when it can
	Role        string // the role it came from, if any
	RoleDir     string // that role's directory (templates/, files/, tasks/)
	At          Located

	When        []any          // conditions, all of which must hold
	Loop        any            // loop, with_items, … as written (nil: no loop)
	LoopKind    string         // "loop", "items", "list", "dict", "fileglob"
	LoopControl map[string]any // loop_var, index_var, label
	Vars        map[string]any
	Tags        []string
	Register    string
	DelegateTo  string
	IsBlock     bool
	// Environment is the task's (or block's, or include's) environment
	// keyword: its entries as written, templated where the task runs.
	Environment []EnvEntry
	// ChangedWhen is changed_when as written; straylight honours it on a
	// command or shell task when it is a constant (true or false).
	ChangedWhen    any
	hasChangedWhen bool
	// FailedWhen is failed_when as written; straylight honours it on a
	// command, shell, systemd or service task when it is the constant
	// false (NeverFails).
	FailedWhen    any
	hasFailedWhen bool
	Block         []*Task
	Rescue        []*Task
	Always        []*Task
}

// Label names the task for messages.
func (t *Task) Label() string {
	name := t.Name
	if name == "" {
		name = t.ModuleName
	}
	return t.inRole(name)
}

// inRole is name as a label of the task shows it: after its role's name.
func (t *Task) inRole(name string) string {
	if t.Role != "" {
		return t.Role + " : " + name
	}
	return name
}

func parseTasks(file string, v *yaml.Node, handlers bool) ([]*Task, error) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, &InputError{At: Located{file, v.Line}, Msg: "expected a list of tasks"}
	}
	tasks := make([]*Task, 0, len(v.Content))
	for _, n := range v.Content {
		t, err := parseTask(file, n)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	return tasks, nil
}

func parseTask(file string, n *yaml.Node) (*Task, error) {
	t := &Task{At: Located{file, n.Line}}
	if n.Kind != yaml.MappingNode {
		return nil, &InputError{At: t.At, Msg: "a task must be a mapping"}
	}
	var extra []string
	for _, kv := range mapPairs(n) {
		key := kv[0].Value
		if err := t.setKey(file, key, kv[1]); err != nil {
			return nil, err
		}
		if !taskKeywords[key] && t.ModuleName != key && key != "changed_when" && key != "failed_when" {
			extra = append(extra, key)
		}
	}
	t.classify(extra)
	if err := t.checkIncludeKeywords(); err != nil {
		return nil, err
	}
	return t, t.checkImportApply()
}

// checkImportApply refuses a non-empty apply on import_tasks and
// import_role, as Ansible does when it loads the playbook
// (TaskInclude.check_options, IncludeRole.load at v2.14.18 and v2.19.14):
// only an include applies keywords to what it brings in.
func (t *Task) checkImportApply() error {
	mod := moduleNames[t.ModuleName]
	if !render.Truthy(t.Args["apply"]) || (mod != ModImportTasks && mod != ModImportRole) {
		return nil
	}
	return &InputError{At: t.At, Key: "apply", Msg: fmt.Sprintf("Invalid options for %s: apply", t.ModuleName)}
}

// checkIncludeKeywords refuses environment, become, become_user,
// become_method and check_mode on include_tasks and include_role as
// Ansible does: they are not among a TaskInclude's VALID_INCLUDE_KEYWORDS
// (lib/ansible/playbook/task_include.py:42-44, 87-99 at c9ac477e;
// import_tasks and import_role take them).
func (t *Task) checkIncludeKeywords() error {
	mod := moduleNames[t.ModuleName]
	key := t.invalidIncludeKeyword()
	if key == "" || (mod != ModIncludeTasks && mod != ModIncludeRole) {
		return nil
	}
	class := map[Module]string{ModIncludeTasks: "TaskInclude", ModIncludeRole: "IncludeRole"}[mod]
	return &InputError{At: t.At, Key: key, Msg: fmt.Sprintf("'%s' is not a valid attribute for a %s", key, class)}
}

// invalidIncludeKeyword is the first keyword the task sets that an
// include may not have, or "".
func (t *Task) invalidIncludeKeyword() string {
	switch {
	case t.Environment != nil:
		return "environment"
	case t.Become.Set:
		return "become"
	case t.Become.User != "":
		return "become_user"
	case t.Become.Method != "":
		return "become_method"
	case t.CheckMode != nil:
		return "check_mode"
	}
	return ""
}

func (t *Task) setKey(file, key string, v *yaml.Node) error {
	if ok, err := t.setKeyword(file, key, v); ok {
		return err
	}
	switch key {
	case "name":
		t.Name = v.Value
	case "notify":
		t.Notify = stringList(v)
	case "listen":
		t.Listen = stringList(v)
	case "delegate_to":
		t.DelegateTo = v.Value
	case "register":
		t.Register = v.Value
	case "tags":
		t.Tags = tagList(v)
	case "args":
		args, err := decodeMap(file, v)
		t.mergeArgs(args)
		return err
	default:
		return t.setStructure(file, key, v)
	}
	return nil
}

// setStructure reads the keywords that hold structure: conditions, loops,
// variables and the parts of a block.
func (t *Task) setStructure(file, key string, v *yaml.Node) error {
	var err error
	switch key {
	case "when":
		t.When, err = conditionList(file, v)
	case "vars":
		t.Vars, err = decodeMap(file, v)
		t.Vars = orderedVars(t.Vars, nodeOrigins(file, v))
	case "loop_control":
		t.LoopControl, err = decodeMap(file, v)
	case "loop", "with_items", "with_list", "with_dict", "with_fileglob":
		t.LoopKind = strings.TrimPrefix(key, "with_")
		t.Loop, err = decodeAny(v)
	case "block", "rescue", "always":
		err = t.setBlockPart(file, key, v)
	case "environment":
		t.Environment, err = environmentEntries(file, v)
	case "changed_when":
		t.ChangedWhen, err = decodeAny(v)
		t.hasChangedWhen = true
	case "failed_when":
		t.FailedWhen, err = decodeAny(v)
		t.hasFailedWhen = true
	default:
		return t.maybeModule(file, key, v)
	}
	if err != nil {
		return &InputError{At: Located{file, v.Line}, Key: key, Msg: err.Error()}
	}
	return nil
}

func (t *Task) setBlockPart(file, key string, v *yaml.Node) error {
	tasks, err := parseTasks(file, v, false)
	switch key {
	case "block":
		t.IsBlock, t.Block = true, tasks
	case "rescue":
		t.Rescue = tasks
	default:
		t.Always = tasks
	}
	return err
}

// conditionList reads when: a string, a boolean or a list of them.
func conditionList(file string, v *yaml.Node) ([]any, error) {
	a, err := decodeAny(v)
	if err != nil {
		return nil, err
	}
	if list, ok := a.([]any); ok {
		return list, nil
	}
	return []any{a}, nil
}

// tagList reads tags: a list, or a string of comma-separated tags.
func tagList(v *yaml.Node) []string {
	var out []string
	for _, s := range stringList(v) {
		for _, part := range strings.Split(s, ",") {
			out = AppendUnique(out, strings.TrimSpace(part))
		}
	}
	return out
}

// maybeModule records key as the task's module when it looks like one: the
// first key that is not a task keyword. Every other key is a keyword.
func (t *Task) maybeModule(file, key string, v *yaml.Node) error {
	if t.ModuleName != "" || isTaskKeyword(key) {
		return nil
	}
	t.ModuleName = key
	if v.Kind == yaml.ScalarNode {
		t.FreeForm = v.Value
		return nil
	}
	args, err := decodeMap(file, v)
	t.mergeArgs(args)
	return err
}

func (t *Task) mergeArgs(args map[string]any) {
	if t.Args == nil {
		t.Args = map[string]any{}
	}
	for k, v := range args {
		t.Args[k] = v
	}
}

// ansibleTaskKeywords are Ansible's task keywords (not modules); straylight
// honours only taskKeywords among them.
var ansibleTaskKeywords = map[string]bool{
	"become": true, "become_user": true, "become_method": true, "become_flags": true, "become_exe": true,
	"changed_when": true, "failed_when": true, "environment": true,
	"until": true, "retries": true, "delay": true, "async": true, "poll": true, "throttle": true,
	"connection": true, "any_errors_fatal": true, "local_action": true, "debugger": true,
	"module_defaults": true, "ignore_unreachable": true, "timeout": true, "delegate_facts": true,
	"remote_user": true, "port": true, "action": true,
}

func isTaskKeyword(key string) bool {
	return taskKeywords[key] || ansibleTaskKeywords[key] || strings.HasPrefix(key, "with_")
}

// classify decides whether straylight can run the task and, if not, why.
func (t *Task) classify(extra []string) {
	mod, known := moduleNames[t.ModuleName]
	switch {
	case t.IsBlock && t.ModuleName != "":
		t.Unsupported = fmt.Sprintf("a block cannot also run the module %q", t.ModuleName)
	case t.IsBlock && len(extra) > 0:
		t.Unsupported = fmt.Sprintf("block keyword %q is not supported", extra[0])
	case t.IsBlock && t.hasFailedWhen:
		t.Unsupported = `block keyword "failed_when" is not supported`
	case t.IsBlock:
	case t.ModuleName == "" && len(extra) > 0:
		t.Unsupported = fmt.Sprintf("task keyword %q is not supported", extra[0])
	case t.ModuleName == "":
		t.Unsupported = "task has no module"
	case !known:
		t.Unsupported = fmt.Sprintf("module %q is not supported", t.ModuleName)
	case len(extra) > 0:
		t.Unsupported = fmt.Sprintf("task keyword %q is not supported", extra[0])
	case t.hasChangedWhen && !mod.IsCommandModule():
		t.Unsupported = `task keyword "changed_when" is not supported`
	case t.hasChangedWhen && t.ConstantChangedWhen() == nil:
		t.Unsupported = fmt.Sprintf("changed_when %v reads what straylight cannot know before the run (a result); Ansible decides it", t.ChangedWhen)
	case t.hasFailedWhen && t.failedWhenRefusal(mod) != "":
		t.Unsupported = t.failedWhenRefusal(mod)
	case mod == ModSetup && t.setupArgUnsupported() != "":
		t.Unsupported = t.setupArgUnsupported()
	default:
		t.Module = mod
	}
}

// ConstantChangedWhen is changed_when when it is a constant — a boolean,
// or a string Jinja2 reads as one — else nil.
func (t *Task) ConstantChangedWhen() *bool { return constantCondition(t.ChangedWhen) }

// NeverFails: the task's failed_when is the constant false, so Ansible
// reports it ok whatever its command returns (TaskExecutor._execute
// evaluates failed_when over the module's result).
func (t *Task) NeverFails() bool {
	if !t.hasFailedWhen {
		return false
	}
	b := constantCondition(t.FailedWhen)
	return b != nil && !*b
}

// failedWhenRefusal is why straylight leaves a task with failed_when to
// Ansible, or "" when it honours it: the constant false on a command,
// shell, systemd or service task, whose apply then goes on whatever the
// command or systemctl returns.
func (t *Task) failedWhenRefusal(mod Module) string {
	switch {
	case !mod.IsCommandModule() && !mod.IsUnitModule():
		return `task keyword "failed_when" is not supported`
	case t.NeverFails():
		return ""
	case constantCondition(t.FailedWhen) != nil:
		return "failed_when true fails the task whatever it does; Ansible decides it"
	}
	return fmt.Sprintf("failed_when %v reads what straylight cannot know before the run (a result); Ansible decides it", t.FailedWhen)
}

// constantCondition is a condition that is a constant — a boolean, or a
// string Jinja2 reads as one — else nil.
func constantCondition(cond any) *bool {
	var b bool
	switch v := cond.(type) {
	case bool:
		b = v
	case string:
		switch strings.TrimSpace(v) {
		case "true", "True":
			b = true
		case "false", "False":
		default:
			return nil
		}
	default:
		return nil
	}
	return &b
}

func stringList(v *yaml.Node) []string {
	if v.Kind == yaml.ScalarNode {
		return []string{v.Value}
	}
	var out []string
	for _, n := range v.Content {
		out = append(out, n.Value)
	}
	return out
}

// EnvEntry is one entry of an environment keyword: a mapping, or a
// template that must give one, with where it was written.
type EnvEntry struct {
	Value any
	At    Located
}

// environmentEntries reads an environment keyword: a mapping, a template
// string, or a list of them (Ansible's FieldAttribute isa='list',
// lib/ansible/playbook/base.py:722 at c9ac477e).
func environmentEntries(file string, v *yaml.Node) ([]EnvEntry, error) {
	a, err := decodeAny(v)
	if err != nil {
		return nil, err
	}
	if m, ok := a.(map[string]any); ok { // a value's mappings print in file order
		a = orderedVars(m, nodeOrigins(file, v))
	}
	return entriesAt(Located{file, v.Line}, a), nil
}

// entriesAt is a decoded environment keyword as entries written at at; a
// null or empty entry is skipped, as Ansible skips it.
func entriesAt(at Located, v any) []EnvEntry {
	var out []EnvEntry
	for _, e := range anyList(v) {
		if !emptyEnvEntry(e) {
			out = append(out, EnvEntry{Value: e, At: at})
		}
	}
	return out
}

func emptyEnvEntry(e any) bool {
	switch x := e.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// Keywords are the task keywords straylight honours that a task inherits
// from what encloses it — its play, its role entry, its blocks, and the
// import_tasks and import_role that brought it in — when it does not set
// them itself: the innermost value set wins, keyword by keyword
// (lib/ansible/playbook/task.py and block.py, _get_parent_attribute, at
// v2.14.18). An include_tasks or include_role is loaded dynamically, so
// Ansible passes over it: what encloses the include reaches the included
// tasks, the include's own keywords do not (and become, check_mode and
// environment are refused on it: checkIncludeKeywords).
type Keywords struct {
	Become       BecomeSpec
	NoLog        *bool
	IgnoreErrors *bool
	RunOnce      *bool
	// CheckMode true: the task runs in check mode even when the playbook
	// does not. Ansible reports what it would change and changes nothing
	// (an apply writes nothing for it; its handlers are notified).
	CheckMode *bool
	// Templated names a keyword written as a template ("{{ … }}"), which
	// straylight does not evaluate: a task it reaches is listed as
	// unsupported.
	Templated string
}

// Under is k with inner's keywords over it: each keyword inner sets wins.
func (k Keywords) Under(inner Keywords) Keywords {
	k.Become = k.Become.Over(inner.Become)
	k.NoLog = innerOr(inner.NoLog, k.NoLog)
	k.IgnoreErrors = innerOr(inner.IgnoreErrors, k.IgnoreErrors)
	k.RunOnce = innerOr(inner.RunOnce, k.RunOnce)
	k.CheckMode = innerOr(inner.CheckMode, k.CheckMode)
	if inner.Templated != "" {
		k.Templated = inner.Templated
	}
	return k
}

func innerOr(inner, outer *bool) *bool {
	if inner != nil {
		return inner
	}
	return outer
}

// HidesOutput: no_log is true.
func (k Keywords) HidesOutput() bool { return isTrue(k.NoLog) }

// IgnoresErrors: ignore_errors is true.
func (k Keywords) IgnoresErrors() bool { return isTrue(k.IgnoreErrors) }

// OnceOnly: run_once is true.
func (k Keywords) OnceOnly() bool { return isTrue(k.RunOnce) }

// ChecksOnly: check_mode is true.
func (k Keywords) ChecksOnly() bool { return isTrue(k.CheckMode) }

func isTrue(b *bool) bool { return b != nil && *b }

// setKeyword reads key into k when it is one of Keywords; false when it
// is not.
func (k *Keywords) setKeyword(file, key string, v *yaml.Node) (bool, error) {
	var flag **bool
	switch key {
	case "become", "become_user", "become_method":
		return true, k.setBecome(file, key, v)
	case "no_log":
		flag = &k.NoLog
	case "ignore_errors":
		flag = &k.IgnoreErrors
	case "run_once":
		flag = &k.RunOnce
	case "check_mode":
		flag = &k.CheckMode
	default:
		return false, nil
	}
	return true, k.setFlag(file, key, v, flag)
}

func (k *Keywords) setBecome(file, key string, v *yaml.Node) error {
	if key == "become" && isTemplate(v) {
		k.Templated = key
		return nil
	}
	return k.Become.setBecomeKey(file, key, v)
}

// setFlag reads a boolean keyword as Ansible's boolean() does; a template
// is noted (Templated), anything else is an error naming the key.
func (k *Keywords) setFlag(file, key string, v *yaml.Node, flag **bool) error {
	if isTemplate(v) {
		k.Templated = key
		return nil
	}
	b, err := boolKeyword(file, key, v)
	*flag = b
	return err
}

func isTemplate(v *yaml.Node) bool {
	return v.Kind == yaml.ScalarNode && looksTemplated(v.Value)
}

// looksTemplated: s holds a {{ }} or a {% %}.
func looksTemplated(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%")
}

// templatedReason is why a task reaching a templated keyword is listed.
func (k Keywords) templatedReason() string {
	return fmt.Sprintf("its %s keyword (its own or inherited) is a template, which straylight does not evaluate for keywords", k.Templated)
}
