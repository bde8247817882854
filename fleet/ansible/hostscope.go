package ansible

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/fleet/vault"
	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/shquote"
	"github.com/straylight-fleet/straylight/render"
)

// HostScope is one host's variables in one play: merged by Ansible's
// precedence, templated lazily when used.
type HostScope struct {
	repo    *Repo
	run     *PlayRun
	host    string
	vars    inventory.Vars
	scope   *render.Scope
	conn    Connection
	facts   render.FactSource // the host's gathered facts; nil: the play sees none
	secrets []string
	// included are the handlers of roles include_role and import_role
	// brought into the play for this host; origins, where each joined it.
	included []*Task
	origins  map[*Task]*handlerOrigin
	// roleBases are the scopes of the play's roles that are not its last,
	// each with its own defaults and vars on top (walker.ownDefaults).
	roleBases map[*Role]*HostScope
	// roleDirs are, in a role's task, its role's folder, then those of the
	// roles it is a dependency of or was included from (frame.roleDirs).
	roleDirs []string
}

func (hs *HostScope) addHandlers(handlers []*Task, origin *handlerOrigin) {
	for _, h := range handlers {
		if containsTask(hs.included, h) {
			continue
		}
		hs.included = append(hs.included, h)
		if hs.origins == nil {
			hs.origins = map[*Task]*handlerOrigin{}
		}
		hs.origins[h] = origin
	}
}

// handlerFrom is where the play's handler h joined it (handlerOrigin).
func (hs *HostScope) handlerFrom(h *Task) handlerOrigin {
	if o := hs.origins[h]; o != nil {
		return *o
	}
	return hs.run.entryOrigin(hs, h)
}

// HandlerKeywords are the keywords the play's handler h runs with: its own
// over those of where it joined the play.
func (hs *HostScope) HandlerKeywords(h *Task) Keywords { return hs.handlerFrom(h).kw.Under(h.Keywords) }

// HandlerCommand templates the play's handler h's command line where it
// joined the play (handlerFrom), without the facts of a flush point
// (HostTasks.HandlerCommand has them).
func (hs *HostScope) HandlerCommand(h *Task) (string, error) {
	o := hs.handlerFrom(h)
	return o.scope(o.base, nil).handlerCommand(h, o.env)
}

// HandlerUnsupported is why straylight does not run the play's handler h
// for its keywords (a template, check_mode true, a role entry keyword it
// does not honour), or "".
func (hs *HostScope) HandlerUnsupported(h *Task) string { return hs.handlerFrom(h).unsupported(h) }

// Handlers are the play's handlers for this host in the order Ansible's
// play lists them, which is the order they run in: its roles', its own,
// then those include_role and import_role brought in (handlerRank).
func (hs *HostScope) Handlers() []*Task {
	included := slices.Clone(hs.included)
	slices.SortStableFunc(included, func(a, b *Task) int { return cmp.Compare(hs.origins[a].rank, hs.origins[b].rank) })
	return append(slices.Clip(hs.run.Handlers()), included...)
}

// HandlersKnown are those of the play's handlers (Handlers) that a
// notification finds once the first seen handlers include_role and
// import_role bring in have joined the play: Ansible looks a notification
// up when the task reports it (both cores), among the handlers loaded
// with the play — its roles', its own, an import_role's — and those an
// include_role that has run brought in; one brought in later is not
// found. handlers is left as it is.
func (hs *HostScope) HandlersKnown(handlers []*Task, seen int) []*Task {
	if seen >= len(hs.included) {
		return handlers
	}
	later := hs.included[seen:]
	notYet := func(h *Task) bool { return containsTask(later, h) && hs.origins[h].rank == loadedWhenRun }
	return slices.DeleteFunc(slices.Clone(handlers), notYet)
}

// ScopeOf merges a host's variables for a play and opens its scope. A Repo
// opens each host's scope for a play once (discovery, the plan and the
// status targets share it); callers must not modify it.
func (r *Repo) ScopeOf(host string, run *PlayRun) (*HostScope, error) {
	key := scopeKey{host, run}
	r.scopes.mu.Lock()
	got, ok := r.scopes.opened[key]
	r.scopes.mu.Unlock()
	if ok {
		return got.hs, got.err
	}
	hs, err := r.openScope(host, run)
	r.scopes.mu.Lock()
	defer r.scopes.mu.Unlock()
	if got, ok := r.scopes.opened[key]; ok { // opened meanwhile: the first one wins
		return got.hs, got.err
	}
	if r.scopes.opened == nil {
		r.scopes.opened = map[scopeKey]openedScope{}
	}
	r.scopes.opened[key] = openedScope{hs, err}
	return hs, err
}

// scopeCache holds the scopes ScopeOf opened, and the scopes a role's
// tasks see, made from them (roleScope).
type scopeCache struct {
	mu     sync.Mutex
	opened map[scopeKey]openedScope
	roles  map[roleScopeID]*render.Scope
}

// roleScopeID names a role's scope: the scope it is made from, the role,
// and its lookup folders.
type roleScopeID struct {
	base         *render.Scope
	role, search string
}

// roleScope is the scope made of base for the role's tasks, made once per
// base, role and search path: the plan's walk of a host and discovery's
// walk share it, and so template each variable once (discovery templated
// every role variable again: 8 % of the allocations of planning 1,000
// hosts).
func (c *scopeCache) roleScope(base *render.Scope, t *Task, search []string) *render.Scope {
	id := roleScopeID{base, t.Role + "\x00" + t.RoleDir, strings.Join(search, "\x00")}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.roles[id]; ok {
		return s
	}
	if c.roles == nil {
		c.roles = map[roleScopeID]*render.Scope{}
	}
	s := base.With(rolePath(t)).WithSearchPath(search)
	c.roles[id] = s
	return s
}

type scopeKey struct {
	host string
	run  *PlayRun
}

type openedScope struct {
	hs  *HostScope
	err error
}

// openScope opens a host's scope for a play: its vars, then its vars_files.
func (r *Repo) openScope(host string, run *PlayRun) (*HostScope, error) {
	roles := r.layers.of(r, run)
	hs, err := r.scopeWithPlayVars(host, run, roles, roles.upper)
	if err != nil || len(run.Play.VarsFiles) == 0 {
		return hs, err
	}
	playVars, origins, err := r.withVarsFiles(hs, run)
	if err != nil {
		return nil, err
	}
	return r.scopeWithPlayVars(host, run, roles, roles.upperOf(r, run, playVars, origins))
}

// withVarsFiles adds the play's vars_files to its vars (they rank above
// them), with the origins of both; file names may be templates.
func (r *Repo) withVarsFiles(hs *HostScope, run *PlayRun) (map[string]any, map[string]inventory.Origin, error) {
	out, origins := mergeMaps(run.Play.Vars), maps.Clone(run.Play.VarOrigins)
	for _, name := range run.Play.VarsFiles {
		v, err := hs.template(name)
		if err != nil {
			return nil, nil, &InputError{At: run.Play.At, Key: "vars_files", Msg: err.Error()}
		}
		path := fmt.Sprint(v)
		if !filepath.IsAbs(path) {
			path = filepath.Join(run.Playbook.Dir, path)
		}
		vars, fileOrigins, err := readVarsFileOrigins(r.Root, path)
		if err != nil {
			return nil, nil, &InputError{At: run.Play.At, Key: "vars_files", Msg: err.Error()}
		}
		maps.Copy(out, vars)
		origins = overrideOrigins(origins, fileOrigins, vars)
	}
	return out, origins, nil
}

func (r *Repo) scopeWithPlayVars(host string, run *PlayRun, roles *runLayers, up upperLayer) (*HostScope, error) {
	vars, err := r.Inventory.HostVars(host, inventory.Layers{
		RoleDefaults: roles.defaults,
		PlayVars:     up.play,
		RoleVars:     roles.vars,
		ExtraVars:    roles.extra,
		PlaybookDir:  run.Playbook.Dir,
	})
	if err != nil {
		return nil, r.relabelInventoryError(err)
	}
	hs := &HostScope{repo: r, run: run, host: host, vars: vars}
	values, magic := r.playScopeValues(host, run, roles, up, vars), r.magic(host, run.Playbook.Dir)
	hs.scope = render.NewLayeredScope(magic, values...).WithSearchPath([]string{run.Playbook.Dir})
	hs.conn = connectionFrom(host, run.Play.Connection, hs.lookup)
	if hs.facts = r.factsFor(hs); hs.facts != nil {
		magic.Facts = hs.facts
		hs.scope = render.NewLayeredScope(magic, values...).WithSearchPath([]string{run.Playbook.Dir})
	}
	hs.secrets = hs.collectSecrets()
	return hs, nil
}

// playScopeValues are the raw variables of a host's scope in a play, the
// highest first: ansible_host where no layer sets it, the play's upper
// layer (play vars, role vars, extra vars, the play's magic variables),
// the host's inventory layer (shared with hostvars[host]), the play's role
// defaults — each layer but the first shared. Where a variable's name has
// a dot the scope is made of the whole merge, vars, as origins are then
// looked up in it.
func (r *Repo) playScopeValues(host string, run *PlayRun, roles *runLayers, up upperLayer, vars inventory.Vars) []map[string]any {
	inv := r.hostvarsOf(run.Playbook.Dir).inventoryLayer(host)
	if inv.err != nil || inv.dotted || roles.dotted || up.dotted {
		return []map[string]any{withPlayMagic(withAnsibleHost(r.withInventorySource(orderedValues(vars), vars, host), host), run, roles.playHosts)}
	}
	layers := []map[string]any{nil, up.values, inv.values, roles.defaultValues}
	layers[0] = ansibleHostLayer(host, layers[1:])
	return layers
}

// ansibleHostLayer is withAnsibleHost for a scope made of layers: nil when
// one of them sets ansible_host.
func ansibleHostLayer(host string, layers []map[string]any) map[string]any {
	if _, ok := layeredValue(layers, "ansible_host"); ok {
		return nil
	}
	if ssh, ok := layeredValue(layers, "ansible_ssh_host"); ok {
		return map[string]any{"ansible_host": ssh}
	}
	return map[string]any{"ansible_host": host}
}

// layeredValue is name's value in the first of layers that sets it.
func layeredValue(layers []map[string]any, name string) (any, bool) {
	for _, vars := range layers {
		if v, ok := vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// withPlayMagic gives a play's scopes Ansible's magic variables of the
// play (VariableManager._get_magic_variables,
// lib/ansible/vars/manager.py:437-488 at c9ac477e): its name, its role
// names (playRoleNames) and its hosts within --limit (a plan fails none
// of them), one list shared by every host's scope. ansible_play_batch and play_hosts are the serial
// batch: all of them without serial, left undefined with it (straylight
// does not batch a plan).
func withPlayMagic(raw map[string]any, run *PlayRun, hosts []any) map[string]any {
	raw["ansible_play_name"] = run.Play.Name
	raw["ansible_play_hosts"], raw["ansible_play_hosts_all"] = hosts, hosts
	if !run.Play.Serial {
		raw["ansible_play_batch"], raw["play_hosts"] = hosts, hosts
	}
	maps.Copy(raw, run.roleNames.vars)
	return raw
}

// withAnsibleHost gives a task's variables ansible_host when the inventory
// does not: the address Ansible connects to (ansible_ssh_host, else the
// inventory name), as its PlayContext.update_vars does for every task.
// hostvars[host] does not have it (Ansible's neither).
func withAnsibleHost(raw map[string]any, host string) map[string]any {
	if _, ok := raw["ansible_host"]; ok {
		return raw
	}
	raw["ansible_host"] = host
	if ssh, ok := raw["ansible_ssh_host"]; ok {
		raw["ansible_host"] = ssh
	}
	return raw
}

// relabelInventoryError names a vars file relative to the repository, as
// every other message does.
func (r *Repo) relabelInventoryError(err error) error {
	var ie *inventory.Error
	if errors.As(err, &ie) {
		return &InputError{At: Located{RelTo(r.Root, ie.File), ie.Line}, Msg: ie.Msg}
	}
	return err
}

// withParams is the scope a role's tasks see: role params rank just above
// role vars (nothing straylight reads sits between them) and apply to that
// role entry only. Without params it is hs itself.
func (hs *HostScope) withParams(params map[string]any) *HostScope {
	if len(params) == 0 {
		return hs
	}
	c := *hs
	c.scope = hs.scope.With(params)
	return &c
}

// layer wraps plain values as an inventory layer without line information.
func (r *Repo) layer(values map[string]any, name string) inventory.Vars {
	return r.layerWith(values, name, nil)
}

// runLayers are a play run's role defaults, role vars and extra vars as
// inventory layers (inventory.AsLayer): the same for every host of the
// run, so built once per run rather than once per host (a 1,000-host plan
// built them 1,000 times).
type runLayers struct {
	defaults, vars, extra inventory.Vars
	// playHosts are the run's hosts, ansible_play_hosts of every host's
	// scope: one list, not one per host (1,000 hosts made a million
	// entries).
	playHosts []any
	// defaultValues are the role defaults as a scope's layer
	// (orderedValues), shared by every host's scope of the run.
	defaultValues map[string]any
	// upper is the layer above the hosts' inventory layers for the run's
	// own play vars (a play with vars_files has one per host).
	upper upperLayer
	// dotted: a role default's, role var's or extra var's name has a dot
	// (inventoryLayer.dotted).
	dotted bool
}

// upperLayer is what ranks above a host's inventory variables in a play:
// play vars (with vars_files), role vars and extra vars as one scope layer
// with the play's magic variables (withPlayMagic), and the play vars as an
// inventory layer for the host's merge.
type upperLayer struct {
	play   inventory.Vars
	values map[string]any
	dotted bool // a play var's name has a dot
}

// upperOf is the upper layer of a play whose vars (with its vars_files)
// are playVars.
func (l *runLayers) upperOf(r *Repo, run *PlayRun, playVars map[string]any, origins map[string]inventory.Origin) upperLayer {
	play := inventory.AsLayer(r.layerWith(playVars, inventory.LayerPlayVars, origins), inventory.LayerPlayVars)
	values := make(map[string]any, len(play.Values)+len(l.vars.Values)+len(l.extra.Values)+len(run.roleNames.vars)+5)
	for _, v := range []inventory.Vars{play, l.vars, l.extra} {
		for name, value := range v.Values {
			values[name] = ordered(name, value, v.LookupOrigin)
		}
	}
	return upperLayer{play: play, values: withPlayMagic(values, run, l.playHosts), dotted: hasDottedName(play.Values)}
}

// runLayerCache holds the layers of the repository's play runs. A run
// copied for one host's included role (walker.roleScope) is not kept: its
// layers are built for that scope alone.
type runLayerCache struct {
	mu   sync.Mutex
	runs map[*PlayRun]*runLayers
}

func (c *runLayerCache) of(r *Repo, run *PlayRun) *runLayers {
	if !slices.Contains(r.Runs, run) {
		return newRunLayers(r, run)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.runs[run]; ok {
		return l
	}
	if c.runs == nil {
		c.runs = map[*PlayRun]*runLayers{}
	}
	c.runs[run] = newRunLayers(r, run)
	return c.runs[run]
}

func newRunLayers(r *Repo, run *PlayRun) *runLayers {
	l := &runLayers{
		defaults:  inventory.AsLayer(r.layerWith(run.roleDefaults(), inventory.LayerRoleDefault, run.roleOrigins(true)), inventory.LayerRoleDefault),
		vars:      inventory.AsLayer(r.layerWith(run.roleVars(r.exportsEntryVars(run)), inventory.LayerRoleVars, run.roleOrigins(false)), inventory.LayerRoleVars),
		extra:     inventory.AsLayer(r.layer(r.ExtraVars, inventory.LayerExtraVars), inventory.LayerExtraVars),
		playHosts: stringsAsList(run.Hosts),
	}
	l.defaultValues = orderedValues(l.defaults)
	l.dotted = hasDottedName(l.defaults.Values) || hasDottedName(l.vars.Values) || hasDottedName(l.extra.Values)
	l.upper = l.upperOf(r, run, run.Play.Vars, run.Play.VarOrigins)
	return l
}

// layerWith wraps values as an inventory layer with the origins known for
// them (a role's files), naming the layer of the rest.
func (r *Repo) layerWith(values map[string]any, name string, origins map[string]inventory.Origin) inventory.Vars {
	known := make(map[string]inventory.Origin, len(values)+len(origins))
	for k := range values {
		known[k] = inventory.Origin{Layer: name}
	}
	for path, o := range origins {
		if top, _, _ := strings.Cut(path, "."); hasKey(values, top) {
			known[path] = r.originIn(o, name)
		}
	}
	return inventory.NewVars(values, known)
}

// originIn completes an origin read from a playbook's node: its layer, and
// its file as an absolute path, as the inventory's origins have them.
func (r *Repo) originIn(o inventory.Origin, layer string) inventory.Origin {
	if o.Layer == "" {
		o.Layer = layer
	}
	if o.File != "" && !filepath.IsAbs(o.File) {
		o.File = filepath.Join(r.Root, o.File)
	}
	return o
}

// overrideOrigins are base's origins with those of the variables a later
// file sets replaced by that file's.
func overrideOrigins(base, later map[string]inventory.Origin, laterVars map[string]any) map[string]inventory.Origin {
	if base == nil {
		base = map[string]inventory.Origin{}
	}
	for path := range base {
		if top, _, _ := strings.Cut(path, "."); hasKey(laterVars, top) {
			delete(base, path)
		}
	}
	maps.Copy(base, later)
	return base
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// lookup templates one variable; undefined or failing variables are absent.
func (hs *HostScope) lookup(name string) (any, bool) {
	if _, ok := hs.scope.Raw(name); !ok {
		return nil, false
	}
	raw, _ := hs.scope.Raw(name)
	v, err := hs.repo.engine().TemplateValue(hs.scope, raw)
	return v, err == nil
}

// template templates a value (module arguments) against the host's scope.
func (hs *HostScope) template(v any) (any, error) {
	return hs.repo.engine().TemplateValue(hs.scope, v)
}

// moduleArgs templates a task's module arguments and drops those whose
// value is omit ("{{ mode | default(omit) }}"), nested ones too, as
// Ansible does before it runs the module (remove_omit,
// lib/ansible/executor/task_executor.py:53-70, :605-607 at v2.14.18;
// 2.19 drops omit while templating).
func (hs *HostScope) moduleArgs(args any) (any, error) {
	v, err := hs.template(args)
	if err != nil {
		return nil, err
	}
	return render.RemoveOmitted(v), nil
}

// renderedTask is a file task's destination and content for one host.
type renderedTask struct {
	dest        string
	content     []byte
	attrs       FileAttrs
	unsupported string
	vaulted     bool              // content decrypted from a vault-encrypted source
	file        *filemod.FileArgs // a file task's arguments
	edit        filemod.Edit      // a lineinfile or blockinfile task's arguments
	service     *filemod.ServiceArgs
	command     *filemod.CommandArgs
	winService  *filemod.WinServiceArgs
	winCommand  *filemod.WinCommandArgs
	container   *filemod.ContainerTask // a plain container module's task
	stat        *filemod.StatArgs
	account     *filemod.AccountArgs
	apt         *filemod.AptArgs
	changedWhen *bool
}

// FileAttrs are what a file task sets besides the content: mode, owner,
// group, the validate command, whether to keep a backup and whether to
// replace an existing file at all (force).
type FileAttrs struct {
	Mode     string `json:"mode,omitempty"` // octal ("0644") or symbolic, as the task gives it
	Owner    string `json:"owner,omitempty"`
	Group    string `json:"group,omitempty"`
	Validate string `json:"validate,omitempty"` // "%s" is the staged file
	Backup   bool   `json:"backup,omitempty"`
	// NoForce: force: no — an existing file is left as it is, content and
	// attributes (template and copy).
	NoForce bool `json:"force_no,omitempty"`
	// DirectoryMode is copy's directory_mode: the mode of directories the
	// copy creates (Ansible creates them only for a dest ending in "/").
	DirectoryMode string `json:"directory_mode,omitempty"`
	// ValidateExports exports the task's environment keyword, which only
	// the validate command sees (the module runs it with the
	// environment): sh lines. Its values may be secrets, so it is never
	// serialized.
	ValidateExports string `json:"-"`
}

// fileArgs are the module arguments straylight honours for file tasks.
var fileArgs = map[string]bool{
	"src": true, "dest": true, "content": true, "newline_sequence": true,
	"trim_blocks": true, "lstrip_blocks": true, "backup": true,
	"mode": true, "owner": true, "group": true, "validate": true,
	"force": true, "directory_mode": true,
	// the template modules' markers (templateMarkers); another module
	// given one is not run
	"variable_start_string": true, "variable_end_string": true, "block_start_string": true,
	"block_end_string": true, "comment_start_string": true, "comment_end_string": true,
}

// markerString is a marker argument's text: a string, or an integer as
// Ansible's ensure_type(value, 'string') writes it; not empty, which
// would leave Jinja2 no marker to find.
func markerString(name string, v any) (string, error) {
	switch marker := v.(type) {
	case string:
		if marker == "" {
			return "", fmt.Errorf("%s must not be empty", name)
		}
		return marker, nil
	case int:
		return strconv.Itoa(marker), nil
	}
	return "", fmt.Errorf("%s is expected to be a string, but got %v instead", name, v)
}

// templateMarkers are a template task's variable, block and comment
// markers (render.TemplateOptions.Markers), each a non-empty string
// (plugins/action/template.py:39-44 and :60-65 at v2.14.18, :48-53 and
// :69-74 at v2.19.14).
func templateMarkers(t *Task, args map[string]any) (map[string]string, error) {
	markers := map[string]string{}
	for _, name := range []string{"variable_start_string", "variable_end_string", "block_start_string", "block_end_string", "comment_start_string", "comment_end_string"} {
		v, ok := args[name]
		if !ok || v == nil {
			continue
		}
		marker, err := markerString(name, v)
		if err != nil {
			return nil, &InputError{At: t.At, Key: name, Msg: fmt.Sprintf("task %q: %v", t.Label(), err)}
		}
		markers[name] = marker
	}
	return markers, nil
}

// fileAttrs reads the templated attribute arguments. A mode written as a
// YAML integer (mode: 0644 is the number 420) is formatted back in octal,
// as Ansible reads it; a force or backup that is not a boolean is an error.
func fileAttrs(args map[string]any) (FileAttrs, error) {
	force, err1 := filemod.BoolArg(args, "force", true)
	backup, err2 := filemod.BoolArg(args, "backup", false)
	a := FileAttrs{Owner: argString(args, "owner"), Group: argString(args, "group"),
		Validate: argString(args, "validate"), Backup: backup, NoForce: !force,
		Mode: filemod.ModeString(args["mode"]), DirectoryMode: filemod.ModeString(args["directory_mode"])}
	var err3 error
	if a.DirectoryMode != "" && !octalMode().MatchString(a.DirectoryMode) {
		err3 = fmt.Errorf("directory_mode %q: straylight applies octal directory modes only", a.DirectoryMode)
	}
	return a, errors.Join(err1, err2, err3)
}

var octalMode = lazyre.New(`^0?[0-7]{3,4}$`)

func (hs *HostScope) renderFileTask(run *PlayRun, t *Task) (renderedTask, error) {
	if t.Module.IsEditModule() {
		return hs.renderEditTask(t)
	}
	if t.Module.IsUnitModule() {
		return hs.renderUnitTask(t)
	}
	if t.Module.IsPOSIXCommand() {
		return hs.renderCommandTask(t)
	}
	if t.Module.IsWindowsTask() {
		return hs.renderWindowsTask(t)
	}
	if t.Module == ModDockerCompose {
		return hs.renderComposeTask(t)
	}
	if t.Module == ModDockerContainer || t.Module == ModPodmanContainer {
		return hs.renderContainerTask(t)
	}
	if t.Module == ModStat {
		return hs.renderStatTask(t)
	}
	if t.Module.IsAccountModule() {
		return hs.renderAccountTask(t)
	}
	if t.Module.IsPackageModule() {
		return hs.renderAptTask(t)
	}
	for k := range t.Args {
		if !fileArgs[k] || (strings.HasSuffix(k, "_string") && t.Module != ModTemplate && t.Module != ModWinTemplate) {
			return renderedTask{unsupported: fmt.Sprintf("argument %q of %s is not supported", k, t.Module)}, nil
		}
	}
	if t.FreeForm != "" {
		return renderedTask{unsupported: "free-form k=v arguments are not supported; write them as a mapping"}, nil
	}
	args, err := hs.moduleArgs(t.Args)
	if err != nil {
		return renderedTask{}, atTask(t, err)
	}
	return hs.renderWithArgs(run, t, args.(map[string]any))
}

// mappingArgs templates a task's arguments written as a mapping; free-form
// k=v arguments are refused (the task stays unsupported, with the reason).
func (hs *HostScope) mappingArgs(t *Task) (map[string]any, *renderedTask, error) {
	if t.FreeForm != "" {
		return nil, &renderedTask{unsupported: "free-form k=v arguments are not supported; write them as a mapping"}, nil
	}
	v, err := hs.moduleArgs(t.Args)
	if err != nil {
		return nil, nil, atTask(t, err)
	}
	args, _ := v.(map[string]any)
	return args, nil, nil
}

// orRendered is the refusal, or the zero task when there is none.
func orRendered(refused *renderedTask) renderedTask {
	if refused == nil {
		return renderedTask{}
	}
	return *refused
}

// renderStatTask templates a stat task's arguments; what is at its path
// is read from the host by the planner (fleet/filemod/stat.go).
func (hs *HostScope) renderStatTask(t *Task) (renderedTask, error) {
	args, refused, err := hs.mappingArgs(t)
	if refused != nil || err != nil {
		return orRendered(refused), err
	}
	sa, err := filemod.ParseStatArgs(args)
	rt := renderedTask{stat: &sa, dest: sa.Path}
	return rt.orUnsupported(t, err)
}

// renderAccountTask templates a user or group task's arguments; what it
// does is planned against the host's account databases (fleet/filemod).
func (hs *HostScope) renderAccountTask(t *Task) (renderedTask, error) {
	args, refused, err := hs.mappingArgs(t)
	if refused != nil || err != nil {
		return orRendered(refused), err
	}
	parse := filemod.ParseGroupArgs
	if t.Module == ModUser {
		parse = filemod.ParseUserArgs
	}
	aa, err := parse(args)
	return renderedTask{account: &aa, dest: aa.Name}.orUnsupported(t, err)
}

// renderAptTask templates an apt or package task's arguments; what it
// does is planned against the host's dpkg database and apt policy
// (fleet/filemod).
func (hs *HostScope) renderAptTask(t *Task) (renderedTask, error) {
	args, refused, err := hs.mappingArgs(t)
	if refused != nil || err != nil {
		return orRendered(refused), err
	}
	parse := filemod.ParseAptArgs
	if t.Module == ModPackage {
		parse = filemod.ParsePackageArgs
	}
	aa, err := parse(args)
	return renderedTask{apt: &aa, dest: strings.Join(aa.Names, ", ")}.orUnsupported(t, err)
}

// renderEditTask templates a file, lineinfile, blockinfile, win_file or
// win_lineinfile task's arguments; what it does is planned against the
// host's state (fleet/filemod).
func (hs *HostScope) renderEditTask(t *Task) (renderedTask, error) {
	args, refused, err := hs.mappingArgs(t)
	if refused != nil || err != nil {
		return orRendered(refused), err
	}
	attrs, err := fileAttrs(args)
	rt := renderedTask{attrs: attrs}
	if err != nil {
		return rt.orUnsupported(t, err)
	}
	switch t.Module {
	case ModFile:
		fa, err := filemod.ParseFileArgs(args)
		rt.file, rt.dest = &fa, fa.Path
		return rt.orUnsupported(t, err)
	case ModWinFile:
		fa, err := filemod.ParseWinFileArgs(args)
		rt.file, rt.dest = &fa, fa.Path
		return rt.orUnsupported(t, err)
	case ModWinLineInFile:
		wa, err := filemod.ParseWinLineArgs(args)
		rt.edit, rt.dest = wa, wa.Path
		return rt.orUnsupported(t, err)
	}
	if t.Module == ModBlockInFile {
		ba, err := filemod.ParseBlockArgs(args)
		rt.edit, rt.dest = ba, ba.Path
		return rt.orUnsupported(t, err)
	}
	la, err := filemod.ParseLineArgs(args)
	rt.edit, rt.dest = la, la.Path
	return rt.orUnsupported(t, err)
}

// renderUnitTask templates a systemd_service or service task's arguments;
// what it does is planned against the unit's state (fleet/filemod). The
// service module shares systemd_service's meaning: straylight's Linux
// hosts run systemd, where Ansible's service picks that backend.
func (hs *HostScope) renderUnitTask(t *Task) (renderedTask, error) {
	args, refused, err := hs.mappingArgs(t)
	if refused != nil || err != nil {
		return orRendered(refused), err
	}
	sa, err := filemod.ParseServiceArgs(string(t.Module), args)
	return renderedTask{service: &sa, dest: sa.Name}.orUnsupported(t, err)
}

// renderCommandTask templates a command or shell task's line and
// arguments; whether it runs is planned against the host (its creates and
// removes). The line is the free-form text or cmd, split into words as
// the command module splits it.
func (hs *HostScope) renderCommandTask(t *Task) (renderedTask, error) {
	line, args, refused, err := hs.commandLineArgs(t)
	if refused != nil || err != nil {
		return orRendered(refused), err
	}
	var words []string
	if t.Module == ModCommand && line != "" {
		if words, err = inventory.SplitWords(line); err != nil {
			return renderedTask{unsupported: fmt.Sprintf("command: %v", err)}, nil
		}
	}
	ca, err := filemod.ParseCommandArgs(t.Module == ModShell, line, words, args)
	rt := renderedTask{command: &ca, dest: ca.Describe(), changedWhen: t.ConstantChangedWhen(), content: ca.StdinBytes()}
	return rt.orUnsupported(t, err)
}

// commandLineArgs templates a command-like task's free-form line and its
// arguments: the line is the free-form text, else cmd (taken out of the
// arguments). A keyword written into the free-form line is refused.
func (hs *HostScope) commandLineArgs(t *Task) (string, map[string]any, *renderedTask, error) {
	if word := freeFormKeyword(t.FreeForm); word != "" {
		return "", nil, &renderedTask{unsupported: fmt.Sprintf("%s= in the free-form line: write it under args", word)}, nil
	}
	if len(t.Args) == 0 && !looksTemplated(t.FreeForm) && !strings.Contains(t.FreeForm, "{#") { // nothing to template (a handler's `command: /bin/true`)
		return t.FreeForm, map[string]any{}, nil, nil
	}
	v, err := hs.moduleArgs(map[string]any{"line": t.FreeForm, "args": t.Args})
	if err != nil {
		return "", nil, nil, atTask(t, err)
	}
	m := v.(map[string]any)
	args, _ := m["args"].(map[string]any)
	line := orDefaultString(fmt.Sprint(m["line"]), argString(args, "cmd"))
	delete(args, "cmd")
	return line, args, nil, nil
}

// renderWindowsTask templates a win_service, win_command or win_shell
// task's arguments (fleet/filemod's winservice.go and wincommand.go); what
// it does is planned against the host over WinRM.
func (hs *HostScope) renderWindowsTask(t *Task) (renderedTask, error) {
	if t.Module == ModWinService {
		args, refused, err := hs.mappingArgs(t)
		if refused != nil || err != nil {
			return orRendered(refused), err
		}
		sa, err := filemod.ParseWinServiceArgs(args)
		return renderedTask{winService: &sa, dest: sa.Name}.orUnsupported(t, err)
	}
	line, args, refused, err := hs.commandLineArgs(t)
	if refused != nil || err != nil {
		return orRendered(refused), err
	}
	ca, err := filemod.ParseWinCommandArgs(t.Module == ModWinShell, line, args)
	return renderedTask{winCommand: &ca, dest: ca.Line, changedWhen: t.ConstantChangedWhen()}.orUnsupported(t, err)
}

// renderComposeTask: a plain docker_compose_v2 task runs the module's
// action for its state (composeCommand), in task order; the plan decides
// what the module would report from the same action run with --dry-run
// on the host, as the module itself does in check mode
// (docker_compose_v2.py:498-504, :532-564, :578-587, :605-614 with
// self.check_mode; fleet/filemod/compose.go reads the events). The module
// runs its action even when it changes nothing, and so does the apply.
func (hs *HostScope) renderComposeTask(t *Task) (renderedTask, error) {
	args, refused, err := hs.mappingArgs(t)
	if refused != nil || err != nil {
		return orRendered(refused), err
	}
	line, err := composeCommand(args)
	if err != nil {
		return renderedTask{}.orUnsupported(t, err)
	}
	probe, err := composeProbe(args)
	dir := path.Clean(argString(args, "project_src"))
	ct := filemod.ContainerTask{Module: string(ModDockerCompose), Target: dir,
		State: orDefaultString(argString(args, "state"), "present"), Probe: probe, Line: line, Reads: composeReads(args, dir)}
	return renderedTask{container: &ct, dest: ct.Target}.orUnsupported(t, err)
}

// composeReads are the project's directory (its compose files, .env) and
// the compose files named outside it: a file task that changes one makes
// the host's dry run (before the apply) answer for another project.
func composeReads(args map[string]any, dir string) []string {
	reads := []string{dir}
	files, _ := argStringList(args, "files")
	for _, f := range files {
		if strings.HasPrefix(f, "/") {
			reads = append(reads, path.Clean(f))
		}
	}
	return reads
}

// renderContainerTask: a plain docker_container or podman_container task
// naming a container without image runs the handler's line for its state
// (dockerContainerCommand, podmanCommand) when the plan, from the
// container's state on the host (containerProbe), finds the module would
// act (fleet/filemod/container.go decides as the modules do).
func (hs *HostScope) renderContainerTask(t *Task) (renderedTask, error) {
	args, refused, err := hs.mappingArgs(t)
	if refused != nil || err != nil {
		return orRendered(refused), err
	}
	if t.Module == ModDockerContainer && dockerSpecGiven(args) {
		return dockerSpecTask(t, args)
	}
	if _, image := args["image"]; image && t.Module == ModPodmanContainer {
		return podmanSpecTask(t, args)
	}
	if err := containerTaskArgs(t.Module, args); err != nil {
		return renderedTask{}.orUnsupported(t, err)
	}
	if t.Module == ModDockerContainer {
		return dockerOwnImageTask(t, args)
	}
	line, err := podmanCommand(args)
	restart, berr := anyBool(args, "restart", "force_restart")
	name := argString(args, "name")
	ct := filemod.ContainerTask{Module: string(t.Module), Target: name, State: orDefaultString(argString(args, "state"), "started"),
		Restart: restart, Probe: podmanProbe(name), Line: line}
	return renderedTask{container: &ct, dest: name}.orUnsupported(t, errors.Join(berr, err))
}

// dockerOwnImageTask: a docker_container task naming a container without
// image is decided from the container's state and its environment against
// its own image's (fleet/filemod/dockerimage.go ownImage), and runs the
// line a handler with its arguments runs.
func dockerOwnImageTask(t *Task, args map[string]any) (renderedTask, error) {
	line, err := dockerContainerCommand(args)
	dc, berr := dockerOwnImage(args)
	ct := filemod.ContainerTask{Module: string(t.Module), Target: dc.Name, State: dc.State, Restart: dc.Restart, Probe: dc.Probe(), Line: line, Docker: &dc}
	return renderedTask{container: &ct, dest: dc.Name}.orUnsupported(t, errors.Join(berr, err))
}

// dockerOwnImage is a docker_container task or handler without image.
func dockerOwnImage(args map[string]any) (filemod.DockerContainer, error) {
	restart, err1 := filemod.BoolArg(args, "restart", false)
	recreate, err2 := filemod.BoolArg(args, "recreate", false)
	return filemod.DockerContainer{Name: argString(args, "name"), State: orDefaultString(argString(args, "state"), "started"), Restart: restart,
		Recreate: recreate}, errors.Join(err1, err2)
}

// dockerSpecTask: a docker_container task with image, or with state
// absent, is decided from the image's and the container's IDs
// (fleet/filemod/dockerimage.go) and runs the module's steps as docker
// CLI lines.
func dockerSpecTask(t *Task, args map[string]any) (renderedTask, error) {
	dc, err := dockerContainerSpec(args)
	ct := filemod.ContainerTask{Module: string(t.Module), Target: dc.Name, State: dc.State, Restart: dc.Restart,
		Probe: dc.Probe(), Line: dc.Line(), Docker: &dc}
	return renderedTask{container: &ct, dest: dc.Name}.orUnsupported(t, err)
}

// podmanSpecTask: a podman_container task with image is decided from the
// image's and the container's inspections (fleet/filemod/podmanimage.go)
// and runs the podman CLI lines the module runs, as the plan decides
// them.
func podmanSpecTask(t *Task, args map[string]any) (renderedTask, error) {
	pc, err := podmanContainerSpec(args)
	ct := filemod.ContainerTask{Module: string(t.Module), Target: pc.Name, State: pc.State, Restart: pc.Restart,
		Probe: pc.Probe(), Podman: &pc}
	return renderedTask{container: &ct, dest: pc.Name}.orUnsupported(t, err)
}

// podmanSpecArgs are the podman_container arguments straylight runs with
// image: any other is an option the module would pass to podman and
// compare with the container's (containers.podman 1.16.2
// podman_container_lib.py:900-1512), which straylight leaves to Ansible.
var podmanSpecArgs = []string{"name", "image", "state", "restart", "force_restart", "recreate", "pull", "env", "command"}

// podmanContainerSpec reads a podman_container task with image; an
// argument straylight does not run is an error naming it, which leaves
// the task to Ansible.
func podmanContainerSpec(args map[string]any) (filemod.PodmanContainer, error) {
	recreate, err1 := filemod.BoolArg(args, "recreate", false)
	restart, err2 := anyBool(args, "restart", "force_restart")
	pc := filemod.PodmanContainer{Name: argString(args, "name"), Image: argString(args, "image"),
		State: orDefaultString(argString(args, "state"), "started"), Recreate: recreate, Restart: restart}
	if err := errors.Join(err1, err2); err != nil {
		return pc, err
	}
	if err := onlyArgs(args, podmanSpecArgs...); err != nil {
		return pc, fmt.Errorf("%w: with image the module compares it with the container's configuration, which straylight does not; Ansible runs the task", err)
	}
	var err error
	if pc.Pull, err = podmanPull(args["pull"]); err != nil {
		return pc, err
	}
	if pc.Env, err = podmanEnv(args["env"]); err != nil {
		return pc, err
	}
	if pc.Command, err = podmanCommandWords(args["command"]); err != nil {
		return pc, err
	}
	return pc, podmanSpecNames(pc)
}

// podmanSpecNames checks the name, the image and the state.
func podmanSpecNames(pc filemod.PodmanContainer) error {
	switch {
	case !serviceName().MatchString(pc.Name):
		return fmt.Errorf("name %q is not a container name", pc.Name)
	case !slices.Contains([]string{"started", "present", "stopped", "absent"}, pc.State):
		return fmt.Errorf("state %q: straylight runs podman_container with image and state started, present, stopped or absent; Ansible runs the others", pc.State)
	case pc.Image == "":
		return fmt.Errorf("image is empty")
	case imageID().MatchString(pc.Image):
		return fmt.Errorf("image %s is an image ID: straylight runs images given by name, Ansible this one", pc.Image)
	case !imageReference().MatchString(pc.Image):
		return fmt.Errorf("image %q is not an image name straylight passes to the podman CLI", pc.Image)
	}
	return nil
}

// podmanPull reads pull: the module passes it to podman run or create as
// --pull= and compares it with the container's (podman_container_lib.py
// :721-722, :1347-1348); it pulls a missing image whatever pull says
// (:1515-1547).
func podmanPull(v any) (string, error) {
	switch v {
	case nil:
		return "", nil
	case "always", "missing", "never", "newer":
		return v.(string), nil
	}
	return "", fmt.Errorf("pull %v is not one of always, missing, never, newer (the module fails)", v)
}

// podmanEnv reads env as the module passes it, --env KEY=VALUE
// (podman_container_lib.py:465-470: to_bytes of each, so a number or a
// boolean as Python prints it), sorted by key (the module compares them
// sorted, common.py:381-433, so only the order of podman's arguments
// differs from a task that lists them otherwise). A name or value a shell
// quote would rewrite, or that is not ASCII (the module lowercases them
// as Python does to compare), is refused.
func podmanEnv(v any) ([]string, error) { return envPairs(v, podmanEnvValue) }

// envPairs reads a container task's env mapping as "KEY=VALUE" sorted by
// key (nil when not given), each value as value reads it.
func envPairs(v any, value func(k string, v any) (string, error)) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("env is not a mapping")
	}
	env := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		text, err := value(k, m[k])
		if err != nil {
			return nil, err
		}
		env = append(env, k+"="+text)
	}
	return env, nil
}

func podmanEnvValue(k string, v any) (string, error) {
	var value string
	switch x := v.(type) {
	case string:
		value = x
	case int, int64, uint64:
		value = fmt.Sprint(x)
	case bool:
		value = pythonBool(x)
	default:
		return "", fmt.Errorf("env %s: straylight passes strings, whole numbers and booleans; Ansible runs the task", k)
	}
	if k == "" || strings.ContainsAny(k, "='\\\"") || !plainASCII(k+value) || strings.ContainsAny(value, "'\\\"") {
		return "", fmt.Errorf("env %s: straylight passes ASCII names and values without quotes, backslashes or control characters (so that the plan masks a vaulted one); Ansible runs the task", k)
	}
	return value, nil
}

// pythonBool is a boolean as Python's str prints it.
func pythonBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// plainASCII: printable ASCII only.
func plainASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e })
}

// podmanCommandWords reads command as the module creates the container
// with it: a string split on white space (podman_container_lib.py
// :279-282), a list's elements as strings. Its comparison splits a string
// as shlex.split does (:1038-1050): straylight takes a string without
// quotes or backslashes, which both split alike.
func podmanCommandWords(v any) ([]string, error) {
	var words []string
	var err error
	switch c := v.(type) {
	case nil:
		return nil, nil
	case string:
		if strings.ContainsAny(c, "'\\\"") || !plainASCII(strings.Map(spaceToBlank, c)) {
			return nil, fmt.Errorf("command: straylight runs a string command of ASCII words without quotes or backslashes (the module creates the container splitting it on white space but compares it split as shlex.split splits it); give a list, or Ansible runs the task")
		}
		words = strings.Fields(c)
	case []any:
		if words, err = listElementStrings("command", c); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("command is neither a string nor a list")
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("command is empty: the module then runs the image's own command but compares the container's with none; Ansible runs the task")
	}
	return words, checkCommandWords(words)
}

// spaceToBlank maps ASCII white space to a blank.
func spaceToBlank(r rune) rune {
	if r == '\t' || r == '\n' || r == '\r' {
		return ' '
	}
	return r
}

// dockerSpecGiven: the task names an image, or removes the container
// (state absent needs no image: community.docker 3.13.3
// module_container/module.py:420-427).
func dockerSpecGiven(args map[string]any) bool {
	_, image := args["image"]
	return image || argString(args, "state") == "absent"
}

// dockerSpecArgs are the docker_container arguments straylight runs with
// image: any other is an option the module would set and compare with the
// container's configuration (module.py:565-578), which straylight leaves
// to Ansible.
var dockerSpecArgs = []string{"name", "image", "state", "restart", "recreate", "pull", "force_kill", "forcekill", "stop_timeout", "env", "command", "published_ports", "ports", "volumes", "restart_policy"}

// imageReference is an image name straylight passes to the docker CLI:
// nothing a shell would interpret.
var imageReference = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._/:@-]*$`)

// imageID is an image given by ID (util.py:62-66 is_image_name_id).
var imageID = lazyre.New(`^sha256:[0-9a-fA-F]{64}$`)

// dockerContainerSpec reads a docker_container task or handler with image
// (or state absent); an argument straylight does not run is an error
// naming it, which leaves the task to Ansible.
func dockerContainerSpec(args map[string]any) (filemod.DockerContainer, error) {
	restart, err1 := filemod.BoolArg(args, "restart", false)
	recreate, err2 := filemod.BoolArg(args, "recreate", false)
	forceKill, err3 := anyBool(args, "force_kill", "forcekill")
	dc := filemod.DockerContainer{Name: argString(args, "name"), Image: argString(args, "image"),
		State: orDefaultString(argString(args, "state"), "started"), Restart: restart, Recreate: recreate, ForceKill: forceKill}
	if err := errors.Join(err1, err2, err3); err != nil {
		return dc, err
	}
	if err := onlyArgs(args, dockerSpecArgs...); err != nil {
		return dc, fmt.Errorf("%w: with image the module compares it with the container's configuration, which straylight does not; Ansible runs the task", err)
	}
	var err error
	if dc.Pull, err = dockerPull(args["pull"]); err != nil {
		return dc, err
	}
	if dc.StopTimeout, err = dockerStopTimeout(args["stop_timeout"]); err != nil {
		return dc, err
	}
	if dc.Env, err = dockerEnv(args["env"]); err != nil {
		return dc, err
	}
	if dc.Command, err = dockerCommand(args["command"]); err != nil {
		return dc, err
	}
	if err = dockerPublish(&dc, args); err != nil {
		return dc, err
	}
	if dc.RestartPolicy, err = filemod.ParseRestartPolicy(args["restart_policy"]); err != nil {
		return dc, err
	}
	return dc, dockerSpecNames(dc)
}

// dockerPublish reads published_ports (or its alias ports) and volumes
// (fleet/filemod/dockeroptions.go reads them as the module does).
func dockerPublish(dc *filemod.DockerContainer, args map[string]any) error {
	key := "published_ports"
	if _, both := args[key]; both && args["ports"] != nil {
		return fmt.Errorf("published_ports and its alias ports are both given")
	} else if !both {
		key = "ports"
	}
	ports, err := moduleStringList(key, args[key])
	if err == nil && ports != nil {
		dc.Ports, err = filemod.ParsePublishedPorts(ports)
	}
	if err != nil {
		return err
	}
	volumes, err := moduleStringList("volumes", args["volumes"])
	if err == nil && volumes != nil {
		dc.Binds, err = filemod.ParseVolumes(volumes)
	}
	return err
}

// moduleStringList reads a module's list of strings as Ansible's argument
// spec does (ansible-core v2.14.18
// lib/ansible/module_utils/common/validation.py:391-411 check_type_list):
// a list's elements as strings, a string split at commas, a number as one
// element; nil when not given.
func moduleStringList(key string, v any) ([]string, error) {
	switch l := v.(type) {
	case nil:
		return nil, nil
	case string:
		return strings.Split(l, ","), nil
	case int, int64, uint64:
		return []string{fmt.Sprint(l)}, nil
	case []any:
		return listElementStrings(key, l)
	}
	return nil, fmt.Errorf("%s is not a list", key)
}

// listElementStrings are a list's elements as strings: strings and whole
// numbers (which Ansible's str elements convert alike).
func listElementStrings(key string, list []any) ([]string, error) {
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch e.(type) {
		case string, int, int64, uint64:
			out = append(out, fmt.Sprint(e))
		default:
			return nil, fmt.Errorf("%s: element %v is not a string; Ansible runs the task", key, e)
		}
	}
	return out, nil
}

// dockerCommand reads command as the module does with command_handling
// correct, its default (community.docker 3.13.3 module_container/base.py
// _preprocess_command): a string split as shlex.split splits it, a list's
// elements as strings (nil when not given). An empty one, an element that
// is neither a string nor a number, and a word a shell quote or JSON would
// rewrite (see dockerEnv) are refused.
func dockerCommand(v any) ([]string, error) {
	var words []string
	var err error
	switch c := v.(type) {
	case nil:
		return nil, nil
	case string:
		if words, err = inventory.SplitWords(c); err != nil {
			return nil, fmt.Errorf("command cannot be split as shlex.split splits it (the module fails): %v", err)
		}
	case []any:
		if words, err = listElementStrings("command", c); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("command is neither a string nor a list")
	}
	return words, checkCommandWords(words)
}

// checkCommandWords refuses an empty command and a word quoting would
// rewrite.
func checkCommandWords(words []string) error {
	if len(words) == 0 {
		return fmt.Errorf("command is empty: the module creates the container with an empty Cmd, which the docker CLI cannot; Ansible runs the task")
	}
	for i, w := range words {
		if strings.ContainsAny(w, "'\\\"") || strings.ContainsFunc(w, unicode.IsControl) {
			return fmt.Errorf("command word %d: straylight passes words without quotes, backslashes or control characters (so that the plan masks a vaulted one); Ansible runs the task", i+1)
		}
	}
	return nil
}

// dockerEnv reads env: "KEY=VALUE" sorted by key (nil when not given). A
// value that is not a string fails the module (community.docker 3.13.3
// module_container/base.py _preprocess_env); one a shell quote or JSON
// would rewrite is refused, so that the plan's masking finds every
// vaulted value verbatim in the line.
func dockerEnv(v any) ([]string, error) { return envPairs(v, dockerEnvValue) }

func dockerEnvValue(k string, v any) (string, error) {
	value, ok := v.(string)
	switch {
	case !ok:
		return "", fmt.Errorf("env %s: the module fails: Non-string value found for env option. Ambiguous env options must be wrapped in quotes to avoid them being interpreted. Key: %s", k, k)
	case k == "" || strings.ContainsAny(k, "='\\\"") || strings.ContainsAny(value, "'\\\"") || strings.ContainsFunc(k+value, unicode.IsControl):
		return "", fmt.Errorf("env %s: straylight passes names and values without quotes, backslashes or control characters (so that the plan masks a vaulted one); Ansible runs the task", k)
	}
	return value, nil
}

// dockerSpecNames checks the name, the image and the state.
func dockerSpecNames(dc filemod.DockerContainer) error {
	switch {
	case !serviceName().MatchString(dc.Name):
		return fmt.Errorf("name %q is not a container name", dc.Name)
	case !slices.Contains([]string{"started", "present", "stopped", "absent"}, dc.State):
		return fmt.Errorf("state %q: straylight runs docker_container with state started, present, stopped or absent; Ansible runs the others", dc.State)
	case dc.Image == "" && dc.State != "absent":
		return fmt.Errorf("image is empty")
	case imageID().MatchString(dc.Image):
		return fmt.Errorf("image %s is an image ID: the module inspects it by ID and never pulls (module.py:462-465); straylight runs images given by name, Ansible this one", dc.Image)
	case dc.Image != "" && !imageReference().MatchString(dc.Image):
		return fmt.Errorf("image %q is not an image name straylight passes to the docker CLI", dc.Image)
	}
	return nil
}

// dockerPull reads pull: missing (the default, and false), never; always
// (and true) pulls on every run and reports what the registry then holds
// (module.py:473-483), which a plan made before the run cannot know.
func dockerPull(v any) (string, error) {
	switch v {
	case nil, false, "missing":
		return "missing", nil
	case "never":
		return "never", nil
	case true, "always":
		return "", fmt.Errorf("pull %v: the module pulls the image on every run and reports changed when the registry has a newer one (community.docker 3.13.3 module_container/module.py:473-483), which straylight's plan cannot know beforehand; Ansible runs the task", v)
	}
	return "", fmt.Errorf("pull %v is not one of missing, never, always, true, false", v)
}

// dockerStopTimeout reads stop_timeout, whole seconds ("" when not given).
func dockerStopTimeout(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	s := fmt.Sprint(v)
	if n, err := strconv.Atoi(s); err != nil || n < 0 {
		return "", fmt.Errorf("stop_timeout %q is not a whole number of seconds", s)
	}
	return s, nil
}

// containerTaskArgs refuses what a plain container task without image
// cannot honour. podman_container without image ignores recreate: true
// (containers.podman 1.16.2 podman_container_lib.py:1781-1797), which is
// not a guess straylight makes; recreate: false is the default, and is
// taken out. docker_container recreates the container from its current
// image with only the task's options (community.docker 3.13.3
// plugins/module_utils/module_container/module.py:349-367), which
// straylight runs (fleet/filemod/dockerimage.go ownImage).
func containerTaskArgs(m Module, args map[string]any) error {
	if _, ok := args["recreate"]; ok && m == ModPodmanContainer {
		recreate, err := filemod.BoolArg(args, "recreate", false)
		if err != nil {
			return err
		}
		if recreate {
			return fmt.Errorf("recreate: true without image: podman_container ignores recreate without image and only starts or restarts (containers.podman 1.16.2 podman_container_lib.py:1781-1797); remove it, or give image")
		}
		delete(args, "recreate")
	}
	states := map[Module][]string{ModDockerContainer: {"started", "stopped"}, ModPodmanContainer: {"started", "stopped", "absent"}}[m]
	if state := orDefaultString(argString(args, "state"), "started"); !slices.Contains(states, state) {
		return fmt.Errorf("state %q: straylight runs %s tasks with state %s (without image); Ansible runs the others", state, m, strings.Join(states, ", "))
	}
	return nil
}

// podmanProbe asks podman whether the container runs, as the module reads
// State.Running (podman_container_lib.py:1599-1606), or prints "missing"
// for no container (podman container exists: 1), which its absent state
// reads.
func podmanProbe(name string) string {
	return "podman container exists " + name + "; rc=$?; if [ $rc -eq 1 ]; then echo missing; elif [ $rc -eq 0 ]; then podman container inspect --format '{{.State.Running}}' " + name + "; else exit $rc; fi"
}

// freeFormKeyword is the first module keyword (creates=, chdir=, ...) a
// free-form command line gives, which Ansible takes out of the line.
func freeFormKeyword(line string) string {
	for _, w := range strings.Fields(line) {
		if k, _, ok := strings.Cut(w, "="); ok && slices.Contains([]string{"creates", "removes", "chdir", "executable", "stdin", "stdin_add_newline", "argv", "warn", "strip_empty_ends", "expand_argument_vars"}, k) {
			return k
		}
	}
	return ""
}

// orUnsupported: arguments straylight does not run make the task
// unsupported, with the reason.
func (rt renderedTask) orUnsupported(t *Task, err error) (renderedTask, error) {
	if nb := notBool(t, err); nb != nil {
		return renderedTask{}, nb
	}
	if err != nil {
		return renderedTask{unsupported: fmt.Sprintf("%s: %v", t.Module, err)}, nil
	}
	return rt, nil
}

func (hs *HostScope) renderWithArgs(run *PlayRun, t *Task, args map[string]any) (renderedTask, error) {
	dest := argString(args, "dest")
	if dest == "" {
		return renderedTask{}, &InputError{At: t.At, Key: "dest", Msg: "missing dest"}
	}
	var content []byte
	var err error
	vaulted := false
	switch t.Module {
	case ModTemplate, ModWinTemplate:
		content, err = hs.renderTemplate(run, t, args)
	default:
		content, vaulted, err = hs.copyContent(run, t, args)
	}
	if _, ok := errors.AsType[*vaultSourceError](err); ok {
		return renderedTask{}.orUnsupported(t, err) // the task fails as Ansible's would: Ansible settles it
	}
	if _, ok := errors.AsType[*sourceDirError](err); ok {
		return renderedTask{}.orUnsupported(t, err) // Ansible copies the tree
	}
	attrs, attrErr := fileAttrs(args)
	if attrs.Mode == "preserve" && attrErr == nil {
		attrs.Mode, attrErr = hs.preservedMode(run, t, args)
	}
	if strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, `\`) {
		dest += pathBase(argString(args, "src"))
	} else {
		attrs.DirectoryMode = "" // Ansible creates directories only for a dest ending in "/"
	}
	if attrErr != nil && err == nil {
		return renderedTask{}.orUnsupported(t, attrErr)
	}
	return renderedTask{dest: dest, content: content, attrs: attrs, vaulted: vaulted}, err
}

// preservedMode is mode: preserve — the source file's mode, as the
// template and copy action plugins read it on the controller.
func (hs *HostScope) preservedMode(run *PlayRun, t *Task, args map[string]any) (string, error) {
	sub := "templates"
	if t.Module != ModTemplate && t.Module != ModWinTemplate {
		if _, ok := args["content"]; ok {
			return "", fmt.Errorf("mode: preserve with content (no source file to take the mode from) is not supported")
		}
		sub = "files"
	}
	src, err := hs.repo.sources.resolve(run, t, sub, argString(args, "src"))
	if err != nil {
		return "", err
	}
	info, err := os.Stat(src)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("0%03o", info.Mode().Perm()), nil
}

func (hs *HostScope) renderTemplate(run *PlayRun, t *Task, args map[string]any) ([]byte, error) {
	src, err := hs.repo.sources.resolve(run, t, "templates", argString(args, "src"))
	if err != nil {
		return nil, err
	}
	body, err := hs.repo.sources.read(src)
	if err != nil {
		return nil, err
	}
	markers, err := templateMarkers(t, args)
	if err != nil {
		return nil, err
	}
	opts := render.TemplateOptions{NewlineSequence: newlineFor(t.Module, args), TrimBlocks: filemod.LooseBoolArg(args, "trim_blocks", true), LstripBlocks: filemod.LooseBoolArg(args, "lstrip_blocks", false),
		SearchPath: render.TemplateSearchPath(hs.repo.templateDirs(run, t, hs.roleDirs, src)...), Root: hs.repo.Root, DataTagging: hs.repo.DataTagging(), Markers: markers}
	out, err := hs.repo.engine().RenderTemplate(RelTo(hs.repo.Root, src), body, hs.withTemplateVars(body, args, src), opts)
	return out, err
}

// withTemplateVars is the host's scope with the template module's own
// variables (templateVars) over it, when the template names one of them
// ("template_"): the others keep the host's cache of templated variables.
func (hs *HostScope) withTemplateVars(body []byte, args map[string]any, src string) *render.Scope {
	if !bytes.Contains(body, []byte("template_")) {
		return hs.scope
	}
	return hs.scope.With(templateVars(argString(args, "src"), src, argString(args, "dest"), time.Now()))
}

// templateDirs are the folders whose templates/ and selves the template
// module's Jinja2 loader searches for {% include %} and {% import %}: the
// task's ansible_search_path (its role's folder, the folders of the roles
// it is a meta dependency of or was included from, nearest first, then its
// own file's), the playbook's folder, the playbook's folder again and the
// template's own folder. Sources, the same in ansible-core v2.14.18 and
// v2.19.14:
// lib/ansible/playbook/base.py:768-785 (2.19.14: :819) get_search_path,
// lib/ansible/executor/task_executor.py:210-214 (2.19.14: :184-188) adding
// the playbook's folder when missing, and
// lib/ansible/plugins/action/template.py:108-110 (2.19.14: :105-107).
func (r *Repo) templateDirs(run *PlayRun, t *Task, roleDirs []string, src string) []string {
	dirs := slices.Clone(roleDirs)
	if len(dirs) == 0 && t.RoleDir != "" {
		dirs = append(dirs, t.RoleDir)
	}
	taskDir := filepath.Dir(t.At.File)
	if !filepath.IsAbs(taskDir) {
		taskDir = filepath.Join(r.Root, taskDir)
	}
	for _, dir := range []string{taskDir, run.Playbook.Dir} {
		if !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	return append(dirs, run.Playbook.Dir, filepath.Dir(src))
}

// copyContent is what a copy task writes: its content, or its source
// file's bytes — decrypted when the file is vault-encrypted, as the copy
// action plugin does unless decrypt: false (vaulted reports it).
func (hs *HostScope) copyContent(run *PlayRun, t *Task, args map[string]any) (data []byte, vaulted bool, err error) {
	if c, ok := args["content"]; ok {
		text, err := hs.contentText(t, c)
		return []byte(text), false, err
	}
	src, err := hs.repo.sources.resolve(run, t, "files", argString(args, "src"))
	if err != nil {
		return nil, false, err
	}
	if data, err = hs.repo.sources.read(src); err != nil || !vault.IsEncrypted(data) || !filemod.LooseBoolArg(args, "decrypt", true) {
		return data, false, err
	}
	plain, err := hs.repo.decryptSource(src, data)
	if err != nil {
		return nil, false, &vaultSourceError{err}
	}
	return plain, true, nil
}

// vaultSourceError: a vault-encrypted copy source that cannot be opened —
// the task's own failure in Ansible, not bad input.
type vaultSourceError struct{ err error }

func (e *vaultSourceError) Error() string { return e.err.Error() }
func (e *vaultSourceError) Unwrap() error { return e.err }

// decryptSource opens a vault-encrypted copy source with the keyring; with
// none, Ansible's own message.
func (r *Repo) decryptSource(src string, data []byte) ([]byte, error) {
	if r.decrypter == nil {
		//lint:ignore ST1005 Ansible's own message, byte for byte
		return nil, fmt.Errorf("A vault password or secret must be specified to decrypt %s", src)
	}
	return r.decrypter.Decrypt(data, RelTo(r.Root, src))
}

// handlerCommand templates a handler's command line.
func (hs *HostScope) handlerCommand(h *Task, env []EnvEntry) (string, error) {
	if h.Module.IsServiceModule() {
		cmd, err := hs.serviceCommand(h)
		if err != nil {
			return "", err
		}
		return hs.withHandlerEnvironment(h, env, cmd)
	}
	if h.Module == ModCommand || h.Module == ModShell {
		cmd, err := hs.commandHandlerScript(h)
		if err != nil {
			return "", err
		}
		return hs.withHandlerEnvironment(h, env, cmd)
	}
	cmd := h.FreeForm
	if cmd == "" {
		cmd = argString(h.Args, "cmd")
	}
	if cmd == "" {
		return "", fmt.Errorf("handler has no command")
	}
	v, err := hs.template(cmd)
	if err != nil {
		return "", atTask(h, err)
	}
	return hs.withHandlerEnvironment(h, env, fmt.Sprint(v))
}

// commandHandlerScript is a command or shell handler's script, as a task
// of the module runs (renderCommandTask, CommandArgs.HandlerScript): command's
// words quoted, not read by a shell (a `>` is an argument, as the module
// passes it), argv, chdir, creates and removes honoured. A handler's stdin
// is not passed.
func (hs *HostScope) commandHandlerScript(h *Task) (string, error) {
	rt, err := hs.renderCommandTask(h)
	switch {
	case err != nil:
		return "", err
	case rt.unsupported != "":
		return "", errors.New(rt.unsupported)
	case rt.command.Stdin != nil:
		return "", fmt.Errorf("%s: a handler's stdin is not passed by straylight", h.Module)
	case len(rt.command.Argv) == 0 && strings.TrimSpace(rt.command.Line) == "":
		return "", fmt.Errorf("handler has no command")
	}
	return rt.command.HandlerScript(), nil
}

// withHandlerEnvironment prefixes a handler's command with its
// environment — entries, where it joined the play (the play's, its role
// entry's or its include's), then its own: exports for a
// POSIX handler, SetEnvironmentVariable lines for a win_shell or
// win_service handler's PowerShell (as Ansible's module wrapper sets them,
// filemod.PSEnvLines). A win_command handler's line goes to cmd.exe, which
// straylight passes no environment to: refused.
func (hs *HostScope) withHandlerEnvironment(h *Task, entries []EnvEntry, cmd string) (string, error) {
	env, err := hs.environment(append(slices.Clip(entries), h.Environment...))
	switch {
	case err != nil:
		return "", err
	case len(env) == 0:
		return cmd, nil
	case h.Module == ModWinCommand:
		return "", &InputError{At: h.At, Key: "environment", Msg: fmt.Sprintf("straylight sends a %s handler's line to cmd.exe and passes it no environment (write it as win_shell); Ansible runs it", h.ModuleName)}
	case h.Module == ModWinShell || h.Module == ModWinService:
		if err := filemod.CheckPSEnv(env); err != nil {
			return "", &InputError{At: h.At, Key: "environment", Msg: err.Error()}
		}
		return filemod.PSEnvLines(env) + cmd, nil
	}
	return filemod.ExportLines(env) + cmd, nil
}

// environment templates a task's environment entries — the play's, role
// entry's, blocks' and includes' first, the task's own last — in the
// task's scope and merges them, later keys winning, as Ansible's
// _compute_environment_string does (lib/ansible/plugins/action/__init__.py:332-363
// at c9ac477e). An entry that does not template to a mapping is an error
// here: Ansible's Task._post_validate_environment warns "could not parse
// environment value, skipping" and runs the task without it
// (lib/ansible/playbook/task.py:322-332), which straylight refuses to
// guess at.
func (hs *HostScope) environment(entries []EnvEntry) ([]filemod.EnvVar, error) {
	merged := map[string]filemod.EnvVar{}
	for _, e := range entries {
		m, err := hs.environmentEntry(e)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			merged[k] = envVar(k, v)
		}
	}
	env, err := filemod.EnvVars(slices.Collect(maps.Values(merged)))
	if err != nil {
		return nil, &InputError{At: entries[len(entries)-1].At, Key: "environment", Msg: err.Error()}
	}
	return env, nil
}

// envVar is one variable as the shell exports it: Python's str() of its
// value (env_prefix's text_type(v)).
func envVar(name string, v any) filemod.EnvVar {
	_, isList := v.([]any)
	_, isMap := v.(*render.Map)
	return filemod.EnvVar{Name: name, Value: render.PyStr(v), Null: v == nil, Structured: isList || isMap}
}

// environmentEntry templates one entry, which must give a mapping.
func (hs *HostScope) environmentEntry(e EnvEntry) (map[string]any, error) {
	v, err := hs.repo.engine().TemplateOrdered(hs.scope, e.Value) // a value's mappings print in order
	var ro *resultOnlyAnsibleKnows
	switch {
	case errors.As(err, &ro):
		return nil, err
	case err != nil:
		return nil, &InputError{At: e.At, Key: "environment", Msg: err.Error()}
	}
	m, ok := v.(*render.Map)
	if !ok {
		return nil, &InputError{At: e.At, Key: "environment", Msg: fmt.Sprintf("environment must be a dictionary, received a %s (Ansible warns \"could not parse environment value, skipping\" and runs the task without it; straylight refuses)", typeWord(v))}
	}
	return m.Values, nil
}

// newlineFor: win_template writes CRLF by default, template LF; both honour
// newline_sequence (given as the escape "\r\n" or the characters).
func newlineFor(m Module, args map[string]any) string {
	if s := argString(args, "newline_sequence"); s != "" {
		return strings.NewReplacer(`\r`, "\r", `\n`, "\n").Replace(s)
	}
	if m == ModWinTemplate {
		return "\r\n"
	}
	return "\n"
}

func argString(args map[string]any, key string) string {
	if v, ok := args[key]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// anyBool is true when one of the boolean arguments keys (a module's
// aliases) is, each read as the module's argument spec reads it
// (filemod.BoolArg); a value that is not a boolean is an error naming it.
func anyBool(args map[string]any, keys ...string) (bool, error) {
	var on bool
	for _, k := range keys {
		b, err := filemod.BoolArg(args, k, false)
		if err != nil {
			return false, err
		}
		on = on || b
	}
	return on, nil
}

// contentText is what the copy action writes for a content: a string as
// it is; a dict or a list as json.dumps writes it, in the mapping's order
// (so templated again, keeping it); None fails the task; anything else
// as Python's str() (lib/ansible/plugins/action/copy.py at v2.14.18,
// run(): "src (or content) is required", json.dumps of a dict or list,
// to_bytes of the rest).
func (hs *HostScope) contentText(t *Task, c any) (string, error) {
	switch c := c.(type) {
	case string:
		return c, nil
	case nil:
		return "", &InputError{At: t.At, Key: "content", Msg: fmt.Sprintf("task %q: src (or content) is required", t.Label())}
	case map[string]any, *render.Map, []any:
		ordered, err := hs.repo.engine().TemplateOrdered(hs.scope, t.Args["content"])
		if err != nil {
			return "", atTask(t, err)
		}
		text, err := render.PyJSON(render.RemoveOmitted(ordered))
		if err != nil {
			return "", atKey(t, "content", err)
		}
		return text, nil
	}
	return render.PyStr(c), nil
}

func pathBase(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	return filepath.Base(p)
}

// atTask adds the task's position to an error that has none.
func atTask(t *Task, err error) error {
	if _, ok := err.(*InputError); ok {
		return err
	}
	return &InputError{At: t.At, Msg: fmt.Sprintf("task %q: %v", t.Label(), err)}
}

// Host is the inventory name of the scope's host.
func (hs *HostScope) Host() string { return hs.host }

// Run is the play the scope belongs to.
func (hs *HostScope) Run() *PlayRun { return hs.run }

// Vars are the host's merged variables, untemplated, with their origins.
func (hs *HostScope) Vars() inventory.Vars { return hs.vars }

// Conn is how straylight reaches the host.
func (hs *HostScope) Conn() Connection { return hs.conn }

// Root is the repository's root directory.
func (hs *HostScope) Root() string { return hs.repo.Root }

// Raw is a variable as written, untemplated.
func (hs *HostScope) Raw(name string) (any, bool) { return hs.scope.Raw(name) }

// Template templates a value against the host's variables.
func (hs *HostScope) Template(v any) (any, error) { return hs.template(v) }

// serviceName is what a unit or container name may hold: nothing a shell
// would interpret.
var serviceName = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9_.@:-]*$`)

// serviceCommand is the shell line a service handler runs: systemctl for
// systemd and service (straylight's Linux hosts run systemd), docker or
// podman for containers. Arguments are templated first.
func (hs *HostScope) serviceCommand(h *Task) (string, error) {
	if h.FreeForm != "" {
		return "", &InputError{At: h.At, Key: h.ModuleName, Msg: "free-form k=v arguments are not supported; write them as a mapping"}
	}
	v, err := hs.moduleArgs(h.Args)
	if err != nil {
		return "", atTask(h, err)
	}
	args, _ := v.(map[string]any)
	var cmd string
	switch h.Module {
	case ModSystemd, ModService:
		if err = onlyArgs(args, "name", "state", "enabled", "daemon_reload", "daemon-reload"); err == nil {
			cmd, err = systemctlCommand(args)
		}
	case ModDockerContainer:
		cmd, err = dockerContainerCommand(args)
	case ModPodmanContainer:
		cmd, err = podmanCommand(args)
	case ModDockerCompose:
		cmd, err = composeCommand(args)
	case ModWinService:
		cmd, err = winServiceCommand(args)
	}
	if nb := notBool(h, err); nb != nil {
		return "", nb
	}
	if err != nil {
		return "", &InputError{At: h.At, Key: h.ModuleName, Msg: err.Error()}
	}
	return cmd, nil
}

// notBool is a boolean argument's value that is not a boolean as bad
// input at the task, naming the argument (the module fails on it), or
// nil.
func notBool(t *Task, err error) error {
	var nb *filemod.NotBoolError
	if !errors.As(err, &nb) {
		return nil
	}
	return &InputError{At: t.At, Key: nb.Arg, Msg: fmt.Sprintf("task %q: %v", t.Label(), nb)}
}

// systemctlCommand: daemon_reload first when asked, then the state's verb.
func systemctlCommand(args map[string]any) (string, error) {
	var parts []string
	reload, err := anyBool(args, "daemon_reload", "daemon-reload")
	if err != nil {
		return "", err
	}
	if reload {
		parts = append(parts, "systemctl daemon-reload")
	}
	name, state := argString(args, "name"), argString(args, "state")
	if _, set := args["enabled"]; set {
		enable, err := filemod.BoolArg(args, "enabled", false)
		if err != nil {
			return "", err
		}
		if !serviceName().MatchString(name) {
			return "", fmt.Errorf("name %q is not a unit name", name)
		}
		parts = append(parts, filemod.EnableScript(name, enable))
	}
	if state != "" {
		verb, err := systemctlVerb(state)
		if err != nil {
			return "", err
		}
		if !serviceName().MatchString(name) {
			return "", fmt.Errorf("name %q is not a unit name", name)
		}
		parts = append(parts, systemctlLine(verb, name))
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("neither state, enabled nor daemon_reload is set: nothing to run")
	}
	return strings.Join(parts, " && "), nil
}

// systemctlLine runs the verb on the unit. reload reloads a running unit
// and starts a stopped one, as Ansible's systemd_service does (ansible-core
// lib/ansible/modules/systemd_service.py, "remove 'ed' from
// restarted/reloaded": a unit that is not running gets action 'start');
// systemctl reload alone fails on an inactive unit.
func systemctlLine(verb, name string) string {
	if verb != "reload" {
		return "systemctl " + verb + " " + name
	}
	return "if systemctl is-active --quiet " + name + "; then systemctl reload " + name + "; else systemctl start " + name + "; fi"
}

func systemctlVerb(state string) (string, error) {
	switch state {
	case "restarted":
		return "restart", nil
	case "reloaded":
		return "reload", nil
	case "started":
		return "start", nil
	case "stopped":
		return "stop", nil
	}
	return "", fmt.Errorf("state %q is not supported (restarted, reloaded, started, stopped)", state)
}

// dockerContainerCommand is what community.docker 3.13.3's
// docker_container does to a container named without image, as docker CLI
// lines deciding on the host (fleet/filemod/dockerimage.go ownImage: a
// container holding another value of one of its own image's variables,
// or any with recreate: true, is recreated from that image, module.py:331,
// :349-367; then :377-387:
// started starts a container that is not running, else restarts it with
// restart: true, else does nothing; stopped stops a running one; :861-869
// container_restart passes stop_timeout or 10, :871-882 container_stop no
// timeout). A missing container fails, as the module does without image
// (:318-319). Its states
// are absent, present, healthy, started and stopped (:910): restarted
// fails in Ansible. fleet/plan/serviceparity/dockercontainer_test.go compares it
// with the module's API calls.
func dockerContainerCommand(args map[string]any) (string, error) {
	name := argString(args, "name")
	if !serviceName().MatchString(name) {
		return "", fmt.Errorf("name %q is not a container name", name)
	}
	if dockerSpecGiven(args) {
		dc, err := dockerContainerSpec(args)
		return dc.Line(), err
	}
	if err := onlyArgs(args, "name", "state", "restart", "recreate"); err != nil {
		return "", err
	}
	switch state := orDefaultString(argString(args, "state"), "started"); state {
	case "started", "stopped":
		dc, err := dockerOwnImage(args)
		return dc.Line(), err
	case "restarted":
		return "", fmt.Errorf("docker_container has no state restarted (community.docker 3.13.3: absent, present, healthy, started, stopped): Ansible fails this handler; write state: started with restart: true")
	default:
		return "", fmt.Errorf("state %q is not run by straylight in a handler (started, with or without restart: true; stopped)", state)
	}
}

// dockerModuleDaemon is the docker CLI talking to the daemon the module
// talks to: DOCKER_HOST from its environment, else the default socket,
// never the CLI's current context (community.docker 3.13.3
// plugins/module_utils/util.py:20 DEFAULT_DOCKER_HOST, :27 docker_host's
// env_fallback; docker_compose_v2 the same through
// plugins/module_utils/common_cli.py:34 and :66-70).
const dockerModuleDaemon = filemod.DockerCLI

// ifRunningLine runs whenRunning or whenNot (either may be "") by whether
// the container runs, as State.Running of its inspection by the CLI says; a
// missing container fails the line.
func ifRunningLine(cli, name, whenRunning, whenNot string) string {
	line := "running=$(" + cli + " container inspect --format '{{.State.Running}}' " + name + ") && if [ \"$running\" "
	switch {
	case whenNot == "":
		return line + "= true ]; then " + whenRunning + "; fi"
	case whenRunning == "":
		return line + "!= true ]; then " + whenNot + "; fi"
	}
	return line + "= true ]; then " + whenRunning + "; else " + whenNot + "; fi"
}

// podmanCommand is what containers.podman 1.16.2's podman_container runs
// for a container named without image (name, state, restart or its
// force_restart; with an image the module pulls, compares the
// configuration and recreates, which straylight decides in the plan for a
// task, podmanSpecTask, and leaves to Ansible in a handler): `podman
// container ACTION NAME`
// (plugins/module_utils/podman/podman_container_lib.py:1653-1654
// _perform_action, :310-316 start_stop_delete, :1917-1924 execute's states;
// absent removes an existing container with --force, force_delete's
// default, :76, :306, :1896-1909 make_absent, and leaves a missing one).
// fleet/plan/serviceparity/podman_test.go compares it with the module's commands.
func podmanCommand(args map[string]any) (string, error) {
	name := argString(args, "name")
	if !serviceName().MatchString(name) {
		return "", fmt.Errorf("name %q is not a container name", name)
	}
	if _, image := args["image"]; image {
		return "", fmt.Errorf("image: straylight runs podman_container with image as a task, decided from the plan's probe of the container, and not as a handler; Ansible runs this handler")
	}
	if err := onlyArgs(args, "name", "state", "restart", "force_restart"); err != nil {
		return "", err
	}
	state := orDefaultString(argString(args, "state"), "started")
	switch state {
	case "started":
		restart, err := anyBool(args, "restart", "force_restart")
		return podmanStartLine(name, restart), err
	case "stopped":
		return podmanStopLine(name), nil
	case "absent":
		return "if podman container exists " + name + "; then podman container rm --force " + name + "; fi", nil
	case "restarted":
		return "", fmt.Errorf("podman_container has no state restarted (containers.podman 1.16.2: absent, present, stopped, started, created, quadlet): Ansible fails this handler; write state: started with restart: true")
	}
	return "", fmt.Errorf("state %q is not run by straylight in a handler (started, with or without restart: true; stopped; absent)", state)
}

// podmanStartLine: started restarts with force_restart (alias restart),
// otherwise starts, whether the container runs or not
// (podman_container_lib.py:1781-1797 make_started, no image: the module
// fails on a missing container, as both commands do).
func podmanStartLine(name string, restart bool) string {
	if restart {
		return "podman container restart " + name
	}
	return "podman container start " + name
}

// podmanStopLine stops the container when it runs; a missing container
// fails, as the module does (podman_container_lib.py:1877-1894 make_stopped:
// a stopped container is left alone, a running one stopped; a missing one
// without image is an error). State.Running is what the module reads
// (:1599-1602 running).
func podmanStopLine(name string) string {
	return ifRunningLine("podman", name, "podman container stop "+name, "")
}

// onlyArgs refuses the arguments straylight would not honour, naming each
// (filemod.RefusedArgs).
func onlyArgs(args map[string]any, allowed ...string) error {
	switch refused := filemod.RefusedArgs(args, allowed); len(refused) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("argument %s is not supported (straylight runs %s)", refused[0], strings.Join(allowed, ", "))
	default:
		return fmt.Errorf("arguments %s are not supported (straylight runs %s)", strings.Join(refused, ", "), strings.Join(allowed, ", "))
	}
}

// composeArgs are the docker_compose_v2 arguments a handler honours; the
// rest (build, scale, wait, definition, ...) are left to Ansible.
var composeArgs = []string{"project_src", "project_name", "files", "state", "services",
	"recreate", "pull", "dependencies", "remove_orphans", "timeout"}

// composeCommand is what community.docker's docker_compose_v2 runs for the
// state, in the module's own argument order (community.docker 3.13.3
// plugins/module_utils/compose_v2.py:735 get_base_args;
// plugins/modules/docker_compose_v2.py:472 get_up_cmd, :515 get_stop_cmd,
// :566 get_restart_cmd, :589 get_down_cmd), from the project directory, the
// module's working directory for every call (cwd=self.project_src: a
// relative --file is read from there). --progress is left out: it only
// shapes the output the module parses, and follows the compose version.
// fleet/plan/serviceparity/compose_test.go compares it with the module's commands.
func composeCommand(args map[string]any) (string, error) { return composeLineFor(args, "") }

// composeProbe is composeCommand with --dry-run after each action's
// options, as the module passes it in check mode (get_up_cmd's dry_run,
// docker_compose_v2.py:498-499, and the other get_*_cmd): compose reports
// what it would do and changes nothing.
func composeProbe(args map[string]any) (string, error) { return composeLineFor(args, " --dry-run") }

func composeLineFor(args map[string]any, dryRun string) (string, error) {
	if err := onlyArgs(args, composeArgs...); err != nil {
		return "", err
	}
	dir := argString(args, "project_src")
	if dir == "" {
		return "", fmt.Errorf("project_src is required (definition is left to Ansible)")
	}
	if !strings.HasPrefix(dir, "/") || strings.Contains(dir, "$") {
		return "", fmt.Errorf("project_src %q is not an absolute path (the module expands it on the host: left to Ansible)", dir)
	}
	dir = path.Clean(dir) // os.path.abspath normalizes it (compose_v2.py:690)
	c, err := readCompose(args, dir)
	if err != nil {
		return "", err
	}
	c.dryRun = dryRun
	cmd, err := c.stateCommand(args)
	return "cd " + shquote.Quote(dir) + " && " + cmd, err
}

// composeLine holds the parts of the module's command lines: base is the
// docker CLI with the project (get_base_args), tail the services after --,
// dryRun --dry-run or nothing.
type composeLine struct {
	base, tail, timeout, noDeps, dryRun string
}

func readCompose(args map[string]any, dir string) (composeLine, error) {
	base, err := composeBase(args, dir)
	if err != nil {
		return composeLine{}, err
	}
	tail, err := composeServices(args)
	if err != nil {
		return composeLine{}, err
	}
	timeout, err := composeTimeout(args)
	if err != nil {
		return composeLine{}, err
	}
	noDeps, err := composeFlag(args, "dependencies", true, "", " --no-deps")
	return composeLine{base: base, tail: tail, timeout: timeout, noDeps: noDeps}, err
}

// stateCommand: present runs up, restarted restart, absent down; stopped
// creates what is missing without starting it, then stops the services
// only when a container of the project is not stopped already, as the
// module's cmd_stop does (docker_compose_v2.py:532-564, :526
// _are_containers_stopped: created, exited, stopped and killed count as
// stopped).
func (c composeLine) stateCommand(args map[string]any) (string, error) {
	switch state := orDefaultString(argString(args, "state"), "present"); state {
	case "present":
		up, err := c.up(args, "")
		return c.base + up + c.dryRun + c.tail, err
	case "restarted":
		return c.base + " restart" + c.noDeps + c.timeout + c.dryRun + c.tail, nil
	case "stopped":
		up, err := c.up(args, " --no-start")
		return c.base + up + c.dryRun + c.tail + " && if " + c.base + composeAnyRunning + "; then " + c.base + " stop" + c.timeout + c.dryRun + c.tail + "; fi", err
	case "absent":
		orphans, err := composeFlag(args, "remove_orphans", false, " --remove-orphans", "")
		return c.base + " down" + orphans + c.timeout + c.dryRun + c.tail, err
	default:
		return "", fmt.Errorf("state %q is not supported (present, restarted, stopped, absent)", state)
	}
}

// composeAnyRunning succeeds when a container of the project is in a state
// other than those _are_containers_stopped accepts.
const composeAnyRunning = " ps --all --format '{{.State}}' | grep -qvxE 'created|exited|stopped|killed'"

// composeBase: docker compose with the project's directory, name and files.
func composeBase(args map[string]any, dir string) (string, error) {
	base := dockerModuleDaemon + " compose --ansi never --project-directory " + shquote.Quote(dir)
	if name := argString(args, "project_name"); name != "" {
		base += " --project-name " + shquote.Quote(name)
	}
	files, err := argStringList(args, "files")
	for _, f := range files {
		if strings.HasPrefix(f, "~") || strings.Contains(f, "$") {
			return "", fmt.Errorf("files entry %q: the module expands ~ and variables in it on the host (left to Ansible)", f)
		}
		base += " --file " + shquote.Quote(f)
	}
	return base, err
}

// composeServices is the argument list's end: -- then the services.
func composeServices(args map[string]any) (string, error) {
	services, err := argStringList(args, "services")
	tail := " --"
	for _, s := range services {
		tail += " " + shquote.Quote(s)
	}
	return tail, err
}

// up: up --detach with the pull and recreate policies.
func (c composeLine) up(args map[string]any, noStart string) (string, error) {
	up := " up --detach --no-color --quiet-pull"
	switch pull := orDefaultString(argString(args, "pull"), "policy"); pull {
	case "policy":
	case "always", "missing", "never":
		up += " --pull " + pull
	default:
		return "", fmt.Errorf("pull %q is not one of always, missing, never, policy", pull)
	}
	orphans, err := composeFlag(args, "remove_orphans", false, " --remove-orphans", "")
	if err != nil {
		return "", err
	}
	up += orphans
	switch recreate := orDefaultString(argString(args, "recreate"), "auto"); recreate {
	case "auto":
	case "always":
		up += " --force-recreate"
	case "never":
		up += " --no-recreate"
	default:
		return "", fmt.Errorf("recreate %q is not one of always, never, auto", recreate)
	}
	return up + c.noDeps + c.timeout + noStart, nil
}

// composeTimeout is --timeout with the integer the module formats with %d
// (timeout is type int: "05" is 5, ansible-core's check_type_int,
// lib/ansible/module_utils/common/validation.py:506 in 2.19.14).
func composeTimeout(args map[string]any) (string, error) {
	v, ok := args["timeout"]
	if !ok || v == nil {
		return "", nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(v)))
	if err != nil {
		return "", fmt.Errorf("timeout %q is not an integer", fmt.Sprint(v))
	}
	return " --timeout " + strconv.Itoa(n), nil
}

// composeFlag is ifTrue or ifFalse by the boolean argument key (def when
// absent).
func composeFlag(args map[string]any, key string, def bool, ifTrue, ifFalse string) (string, error) {
	on, err := filemod.BoolArg(args, key, def)
	if on {
		return ifTrue, err
	}
	return ifFalse, err
}

func orDefaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// argStringList reads a list argument: a string is split at commas, as
// ansible-core's check_type_list splits it (lib/ansible/module_utils/common/
// validation.py:393-414 in ansible-core 2.19.14).
func argStringList(args map[string]any, key string) ([]string, error) {
	switch v := args[key].(type) {
	case nil:
		return nil, nil
	case string:
		return strings.Split(v, ","), nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s must be a list of strings", key)
}

// psStop makes the cmdlet's error terminating, so the handler exits 1 as
// the module fails: a non-terminating error leaves $LASTEXITCODE, which the
// WinRM client's exit trailer returns, at 0.
const psStop = " -ErrorAction Stop"

// winServiceCommand is the cmdlet ansible.windows.win_service runs for the
// state (plugins/modules/win_service.ps1:829-853 Set-ServiceState, at commit
// a1e2a842): Start-Service, Stop-Service and Restart-Service, the last two
// with -Force when force_dependent_services is true. Start-Service on a
// running service does nothing, as the module skips it.
func winServiceCommand(args map[string]any) (string, error) {
	if err := onlyArgs(args, "name", "state", "force_dependent_services"); err != nil {
		return "", err
	}
	name := argString(args, "name")
	if name == "" || strings.ContainsAny(name, "\r\n\x00") {
		return "", fmt.Errorf("name %q is not a service name", name)
	}
	quoted := "'" + strings.ReplaceAll(name, "'", "''") + "'"
	forced, err := filemod.WinBoolArg(args, "force_dependent_services", false)
	if err != nil {
		return "", err
	}
	force := map[bool]string{true: " -Force"}[forced]
	switch state := argString(args, "state"); state {
	case "started":
		return "Start-Service -Name " + quoted + psStop, nil
	case "stopped":
		return "Stop-Service -Name " + quoted + force + psStop, nil
	case "restarted":
		return "Restart-Service -Name " + quoted + force + psStop, nil
	default:
		return "", fmt.Errorf("state %q is not supported in a handler (started, stopped, restarted)", state)
	}
}

// typeWord names a templated value's kind in a message, without its value
// (which may be a secret).
func typeWord(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case []any:
		return "list"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// stringsAsList is strings as a template's list.
func stringsAsList(strs []string) []any {
	out := make([]any, len(strs))
	for i, s := range strs {
		out[i] = s
	}
	return out
}
