package ansible

import "fmt"

// DiscoveryFiles renders what every template and copy task of the host's
// plays would write (ignoring --limit), including the tasks straylight does
// not apply itself because of an argument (owner, group, mode, ...) or a
// keyword (when, become, register, ...): what they write is still what
// starts the host's servers, and discovery reads it. The arguments and
// keywords that only change attributes or whether the task runs are left
// out of the rendering. A task that does not render (a loop variable, a fact
// gathered at run time) is returned as an error naming it, and the others
// are still rendered.
func (r *Repo) DiscoveryFiles(host string) ([]*FileTask, []error) {
	var files []*FileTask
	var problems []error
	for _, run := range r.Runs {
		if !containsString(run.AllHosts, host) {
			continue
		}
		hs, err := r.ScopeOf(host, run)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		for _, t := range run.Tasks() {
			f, err := discoveryFile(hs, run, t)
			if err != nil {
				problems = append(problems, err)
			}
			if f != nil {
				files = append(files, f)
			}
		}
	}
	return files, problems
}

// discoveryFile renders one template or copy task for its content; nil for
// any other task.
func discoveryFile(hs *HostScope, run *PlayRun, t *Task) (*FileTask, error) {
	mod, ok := moduleNames[t.ModuleName]
	if !ok || !mod.IsFileModule() {
		return nil, nil
	}
	tc := *t
	tc.Module = mod
	hs = hs.withParams(run.paramsFor(t))
	args, err := hs.template(contentArgs(t.Args))
	if err != nil {
		return nil, fmt.Errorf("task %q (%s) not read for discovery: %w", t.Label(), t.At, err)
	}
	rt, err := hs.renderWithArgs(run, &tc, args.(map[string]any))
	if err != nil {
		return nil, fmt.Errorf("task %q (%s) not read for discovery: %w", t.Label(), t.At, err)
	}
	return &FileTask{Run: run, Task: t, Scope: hs, Dest: rt.dest, Content: rt.content, Src: sourceOf(hs, run, &tc, args.(map[string]any))}, nil
}

// sourceOf is the template or file a task renders, relative to the
// repository; "" for content:.
func sourceOf(hs *HostScope, run *PlayRun, t *Task, args map[string]any) string {
	sub := "files"
	if t.Module == ModTemplate || t.Module == ModWinTemplate {
		sub = "templates"
	}
	if _, ok := args["content"]; ok && sub == "files" {
		return ""
	}
	src, err := hs.repo.sources.resolve(run, t, sub, argString(args, "src"))
	if err != nil {
		return ""
	}
	return RelTo(hs.repo.Root, src)
}

// contentArgs keeps the arguments that decide a file's path and content.
func contentArgs(args map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range args {
		if fileArgs[k] {
			out[k] = v
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
