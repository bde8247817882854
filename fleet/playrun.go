package fleet

// Tasks are the tasks the play runs on each host: its roles' tasks, then its
// own (pre_tasks, tasks, post_tasks).
func (r *PlayRun) Tasks() []*Task {
	var out []*Task
	for _, role := range r.Roles {
		out = append(out, role.Tasks...)
	}
	return append(out, r.Play.Tasks...)
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

// roleVars merges roles' vars/main.yml and then role params, which rank just
// above role vars (nothing straylight reads sits between them).
func (r *PlayRun) roleVars() map[string]any {
	out := map[string]any{}
	for _, role := range r.Roles {
		for k, v := range role.Vars {
			out[k] = v
		}
	}
	for _, ref := range r.Play.Roles {
		for k, v := range ref.Params {
			out[k] = v
		}
	}
	return out
}
