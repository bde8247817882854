package ansible

import (
	"maps"
	"slices"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/render"
)

// Tasks are the tasks the play lists, in run order: pre_tasks, its roles'
// tasks, tasks, post_tasks (blocks and includes not expanded).
func (r *PlayRun) Tasks() []*Task {
	out := append([]*Task(nil), r.Play.PreTasks...)
	for _, role := range r.Roles {
		out = append(out, role.Tasks...)
	}
	out = append(out, r.Play.Tasks...)
	return append(out, r.Play.PostTasks...)
}

// Handlers are the play's handlers in definition order: roles' first.
func (r *PlayRun) Handlers() []*Task {
	var out []*Task
	for _, role := range r.Roles {
		out = append(out, role.Handlers...)
	}
	return append(out, r.Play.Handlers...)
}

// Role returns the play's role of that name, or nil.
func (r *PlayRun) Role(name string) *Role {
	for _, role := range r.Roles {
		if role.Name == name {
			return role
		}
	}
	return nil
}

// varRoles are the roles whose defaults and vars the play's tasks see, in
// rising precedence: its roles, the roles import_role brings in anywhere
// in it (Imported), then an included role its tasks run in (the roles
// past Entries: walker.roleScope).
func (r *PlayRun) varRoles() []*Role {
	n := min(len(r.Entries), len(r.Roles))
	return slices.Concat(r.Roles[:n], r.Imported, r.Roles[n:])
}

// roleDefaults merges every role's defaults: a later role's win, as in Ansible
// (role defaults are play-wide unless private_role_vars is set).
func (r *PlayRun) roleDefaults() map[string]any {
	out := map[string]any{}
	for _, role := range r.varRoles() {
		for k, v := range role.Defaults {
			out[k] = v
		}
	}
	return out
}

// roleVars merges roles' vars/main.yml (play-wide, as Ansible exposes
// them), each over its role entry's vars keyword when withEntries (before
// ansible-core 2.15 the entry's vars were exported too, below the role's:
// Role.get_vars at v2.14.18 combines self.vars, then _role_vars).
func (r *PlayRun) roleVars(withEntries bool) map[string]any {
	out := map[string]any{}
	for i, role := range r.varRoles() {
		if withEntries && i < len(r.Entries) { // an imported or included role has no entry
			maps.Copy(out, r.Entries[i].Vars)
		}
		maps.Copy(out, role.Vars)
	}
	return out
}

// roleOrigins merges the origins of every role's defaults (or vars), a later
// role's winning as its values do.
func (r *PlayRun) roleOrigins(defaults bool) map[string]inventory.Origin {
	out := map[string]inventory.Origin{}
	for _, role := range r.varRoles() {
		src := role.varOrigins
		if defaults {
			src = role.defaultOrigins
		}
		for k, o := range src {
			out[k] = o
		}
	}
	return out
}

// paramsFor returns the role params of the role entry a task or handler
// came from: Ansible scopes them to that role's own tasks (a role applied
// twice with different params renders each time with its own).
func (r *PlayRun) paramsFor(t *Task) map[string]any {
	for i, role := range r.Roles {
		if containsTask(role.Tasks, t) || containsTask(role.Handlers, t) {
			return r.EntryAt(i).Params
		}
	}
	return nil
}

// ResolveNotifications is which of the play's handlers (Handlers) the notifications
// of a flush run, each with the causes of the notifications it answers, as
// Ansible's strategy resolves them (search_handler_blocks_by_name at
// 2.14, search_handlers_by_notification at 2.19): a name runs the last
// handler of the play's list whose name — templated with its variables —
// or "role : name" is it; a listen topic runs every handler listening to
// it (since 2.15, of listeners sharing a name only the last). The names
// nothing answers are returned apart, sorted: Ansible fails the run on
// them unless error_on_missing_handler is false.
func (hs *HostScope) ResolveNotifications(handlers []*Task, notified map[string][]string) (map[*Task][]string, []string) {
	if len(notified) == 0 {
		return nil, nil
	}
	answered := map[*Task][]string{}
	var missing []string
	names := make([]string, 0, len(notified))
	for name := range notified {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		found := append(hs.byName(handlers, name), hs.listening(handlers, name)...)
		if len(found) == 0 {
			missing = append(missing, name)
		}
		for _, h := range found {
			answered[h] = AppendUnique(answered[h], notified[name]...)
		}
	}
	return answered, missing
}

// byName is the last handler whose name answers the notification.
func (hs *HostScope) byName(handlers []*Task, name string) []*Task {
	for i := len(handlers) - 1; i >= 0; i-- {
		if templated, ok := hs.handlerName(handlers[i]); ok && (name == templated || name == roleQualified(handlers[i], templated)) {
			return handlers[i : i+1 : i+1] // capped: the caller appends the listeners to it
		}
	}
	return nil
}

// listening are the handlers listening to the topic; since 2.15 the last
// of those sharing a name only ("Last handler with same name wins for
// listen too", ansible/ansible#81358, backported to 2.15).
func (hs *HostScope) listening(handlers []*Task, topic string) []*Task {
	var out []*Task
	seen := map[string]bool{}
	dedupe := versionAtLeast(hs.repo.CoreVersion(), 2, 15)
	for i := len(handlers) - 1; i >= 0; i-- {
		h := handlers[i]
		if !slices.Contains(hs.handlerListen(h), topic) {
			continue
		}
		name, _ := hs.handlerName(h)
		if dedupe && name != "" && seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, h)
	}
	return out
}

// ErrorOnMissingHandler: a notification no handler answers fails the run
// (ansible.cfg's error_on_missing_handler, true unless set false).
func (hs *HostScope) ErrorOnMissingHandler() bool {
	on, ok := ansibleBool(hs.repo.Config.ErrorOnMissingHandler)
	return on || !ok
}

func roleQualified(h *Task, name string) string {
	if h.Role == "" {
		return ""
	}
	return h.Role + " : " + name
}

// handlerName is the handler's name templated where it joined the play;
// false when it has none or it does not template (Ansible: "Handler is
// unusable because ... the name could not be templated").
func (hs *HostScope) handlerName(h *Task) (string, bool) {
	if !looksTemplated(h.Name) {
		return h.Name, h.Name != ""
	}
	v, err := hs.handlerScope(h).template(h.Name)
	if err != nil {
		return "", false
	}
	return render.PyStr(v), true
}

// HandlerNotify is what the handler notifies when it changes something,
// templated where it joined the play (as written where an entry does not
// template).
func (hs *HostScope) HandlerNotify(h *Task) []string { return hs.handlerNames(h, h.Notify) }

// handlerListen are the handler's listen topics, templated where it
// joined the play.
func (hs *HostScope) handlerListen(h *Task) []string { return hs.handlerNames(h, h.Listen) }

// handlerNames are the handler's notify entries or listen topics
// templated where it joined the play; names itself, with no scope built,
// when none is a template.
func (hs *HostScope) handlerNames(h *Task, names []string) []string {
	if !slices.ContainsFunc(names, looksTemplated) {
		return names
	}
	return hs.handlerScope(h).templatedNames(names)
}

// templatedNames are notify entries or listen topics templated in the
// scope, each that does not template as written; names itself when none
// is a template.
func (hs *HostScope) templatedNames(names []string) []string {
	out := names
	for i, name := range names {
		if !looksTemplated(name) {
			continue
		}
		if v, err := hs.template(name); err == nil {
			out = slices.Clone(out)
			out[i] = render.PyStr(v)
		}
	}
	return out
}

// handlerScope is the scope a handler runs in where it joined the play,
// without the facts of a flush point.
func (hs *HostScope) handlerScope(h *Task) *HostScope {
	o := hs.handlerFrom(h)
	return o.scope(o.base, nil)
}

// scope is the handler's scope from base (its origin's, with a flush
// point's facts or without): the set_fact values over the origin's vars,
// the role params above both.
func (o handlerOrigin) scope(base *HostScope, setFacts map[string]any) *HostScope {
	return base.withSetFacts(o.vars).withSetFacts(setFacts).withParams(o.params)
}

// handlerOrigin is where a handler joined the play, which it runs with
// (its own keywords, environment and vars over these): for a handler of
// the play or of a role entry, the play and the entry; for one of a role
// include_role or import_role brought in, the place of the include, as
// Ansible makes the include (or the block its apply builds) the parent of
// the role's handler blocks (IncludeRole.get_block_list): the role's
// variables, the include's and enclosing blocks' vars, and the keywords
// and environment of the blocks around it (an import's own too, an
// include_role's own ignore_errors not: measured on 2.14 and 2.19).
type handlerOrigin struct {
	base   *HostScope     // the play's scope, or the included role's
	vars   map[string]any // block and include vars (task-level)
	params map[string]any // a role entry's params
	kw     Keywords
	env    []EnvEntry
	// entry is the role entry of a play role's handler (fromEntry), none
	// for an included role's.
	entry     RoleRef
	fromEntry bool
	rank      handlerRank
}

// entryOrigin is where a handler of the play or of one of its role
// entries joined it: the play, the entry (a role's handler, under the
// entries of the roles it is a dependency of).
func (r *PlayRun) entryOrigin(play *HostScope, h *Task) handlerOrigin {
	entry := r.handlerEntry(h)
	env := r.Play.Environment
	if len(entry.Environment) > 0 {
		env = append(slices.Clip(env), entry.Environment...)
	}
	base := play
	if own := play.roleBases[r.handlerRole(h)]; own != nil {
		base = own
	}
	return handlerOrigin{base: base, params: r.paramsFor(h), kw: r.Play.Keywords.Under(entry.Keywords), env: env, entry: entry, fromEntry: true}
}

// shadowed: a role of the play after role's last entry sets one of its
// defaults or vars, so the play's merged layers hold that role's value.
func (r *PlayRun) shadowed(role *Role) bool {
	last := slices.Index(r.Roles, role)
	for i := last + 1; i < len(r.Roles); i++ {
		if r.Roles[i] == role {
			last = i
		}
	}
	for _, later := range r.Roles[last+1:] {
		if later != role && (sharesKey(role.Defaults, later.Defaults) || sharesKey(role.Vars, later.Vars)) {
			return true
		}
	}
	return false
}

func sharesKey(a, b map[string]any) bool {
	for k := range a {
		if _, ok := b[k]; ok {
			return true
		}
	}
	return false
}

// handlerRole is the play role whose handler h is; nil for the play's.
func (r *PlayRun) handlerRole(h *Task) *Role {
	for _, role := range r.Roles {
		if containsTask(role.Handlers, h) {
			return role
		}
	}
	return nil
}

// unsupported is why straylight does not run the handler for its
// keywords (a template, check_mode true, a role entry keyword it does not
// honour), or "".
func (o handlerOrigin) unsupported(h *Task) string {
	kw := o.kw.Under(h.Keywords)
	switch {
	case kw.Templated != "":
		return kw.templatedReason()
	case kw.ChecksOnly():
		return "its check_mode is true: Ansible runs the handler in check mode, which straylight does not"
	case o.fromEntry:
		return o.entry.refusal()
	}
	return ""
}

// handlerEntry is the role entry of a role's handler (EntryAt); zero, which
// sets nothing, for a play's handler.
func (r *PlayRun) handlerEntry(h *Task) RoleRef {
	for i, role := range r.Roles {
		if containsTask(role.Handlers, h) {
			return r.EntryAt(i)
		}
	}
	return RoleRef{}
}

func containsTask(list []*Task, t *Task) bool {
	for _, e := range list {
		if e == t {
			return true
		}
	}
	return false
}
