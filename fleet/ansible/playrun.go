package ansible

import (
	"slices"

	"github.com/straylight-fleet/straylight/fleet/inventory"
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

// roleDefaults merges every role's defaults: a later role's win, as in Ansible
// (role defaults are play-wide unless private_role_vars is set).
func (r *PlayRun) roleDefaults() map[string]any {
	out := map[string]any{}
	for _, role := range r.Roles {
		for k, v := range role.Defaults {
			out[k] = v
		}
	}
	return out
}

// roleVars merges roles' vars/main.yml (play-wide, as Ansible exposes them).
func (r *PlayRun) roleVars() map[string]any {
	out := map[string]any{}
	for _, role := range r.Roles {
		for k, v := range role.Vars {
			out[k] = v
		}
	}
	return out
}

// roleOrigins merges the origins of every role's defaults (or vars), a later
// role's winning as its values do.
func (r *PlayRun) roleOrigins(defaults bool) map[string]inventory.Origin {
	out := map[string]inventory.Origin{}
	for _, role := range r.Roles {
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
			return r.Entries[i].Params
		}
	}
	return nil
}

// HandlerEnvironment is the environment a handler runs with: the play's,
// its role entry's (a role's handler), then its own.
func (r *PlayRun) HandlerEnvironment(h *Task) []EnvEntry {
	env := slices.Clone(r.Play.Environment)
	for i, role := range r.Roles {
		if containsTask(role.Handlers, h) {
			env = append(env, r.Entries[i].Environment...)
		}
	}
	return append(env, h.Environment...)
}

func containsTask(list []*Task, t *Task) bool {
	for _, e := range list {
		if e == t {
			return true
		}
	}
	return false
}
