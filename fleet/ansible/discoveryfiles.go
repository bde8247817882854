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
	done := r.renderedTasks(host)
	for _, run := range r.Runs {
		if !containsString(run.AllHosts, host) {
			continue
		}
		hs, err := done.scope(r, host, run)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		for _, t := range run.Tasks() {
			f, err := done.file(run, t)
			if f == nil {
				f, err = discoveryFile(hs, run, t)
			}
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

// renderedTasks is what the host's whole render (RenderHost, shared with the
// plan) already holds: its scopes and the file tasks it rendered, which
// discovery reads instead of rendering them again.
type renderedTasks struct {
	scopes map[*PlayRun]*HostScope
	files  map[runTask]*FileTask
}

type runTask struct {
	run  *PlayRun
	task *Task
}

func (r *Repo) renderedTasks(host string) renderedTasks {
	done := renderedTasks{scopes: map[*PlayRun]*HostScope{}, files: map[runTask]*FileTask{}}
	w, _ := r.RenderHost(host, false) // a task it did not reach is rendered here and its error reported
	if w == nil {
		return done
	}
	for _, hs := range w.Scopes {
		done.scopes[hs.run] = hs
	}
	seen := map[runTask]int{}
	for _, f := range w.Files {
		k := runTask{f.Run, f.Task}
		if seen[k]++; seen[k] == 1 {
			done.files[k] = f
		} else {
			delete(done.files, k) // one task twice in a play (a role listed twice): render each again
		}
	}
	return done
}

func (d renderedTasks) scope(r *Repo, host string, run *PlayRun) (*HostScope, error) {
	if hs, ok := d.scopes[run]; ok {
		return hs, nil
	}
	return r.ScopeOf(host, run)
}

// file is the rendered task as discovery returns it (with its source), or
// nil when the render did not produce it.
func (d renderedTasks) file(run *PlayRun, t *Task) (*FileTask, error) {
	f, ok := d.files[runTask{run, t}]
	if !ok || !t.Module.IsFileModule() {
		return nil, nil
	}
	args, err := f.Scope.template(contentArgs(t.Args))
	if err != nil {
		return nil, nil
	}
	out := *f
	out.Src = sourceOf(f.Scope, run, t, args.(map[string]any))
	return &out, nil
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
