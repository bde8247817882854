package ansible

import (
	"maps"
	"slices"
)

// DiscoveryFiles renders what every template and copy task of the host's
// plays would write (ignoring --limit and --tags), including the tasks
// straylight does not apply itself because of an argument (owner, group,
// mode, ...) or a keyword (when, become, register, ...): what they write is
// still what starts the host's servers, and discovery reads it. The plays
// are walked as the plan walks them (execute.go), so tasks inside blocks
// (and their rescue and always parts), in imported and included roles and
// task files, and looped over a list the repository holds are read, once
// per item; conditions and tags do not stop a file task or an include, and
// the arguments that only change attributes are left out of the rendering.
// A task that does not render (a loop over a registered result, a fact
// gathered at run time) is returned as an error naming it, and the walk
// goes on.
func (r *Repo) DiscoveryFiles(host string) ([]*FileTask, []error) {
	d := r.DiscoveryTasks(host)
	return d.Files, d.Problems
}

// Discovered is what discovery's walk of a host's plays saw: the rendered
// file tasks, the tasks straylight does not run that may start a server
// (containers, Kubernetes applies, commands: ModuleTask), and the tasks
// that could not be read.
type Discovered struct {
	Files    []*FileTask
	Modules  []*ModuleTask
	Problems []error
}

// DiscoveryTasks is DiscoveryFiles with the ModuleTasks beside the files:
// a module task is read, like a file task, whatever its conditions and
// tags, in the scope it would run in (once per loop item).
func (r *Repo) DiscoveryTasks(host string) Discovered {
	var d Discovered
	var kept setupState // the set_fact values a play leaves the host's later plays
	for _, run := range r.Runs {
		if !run.Targets(host) {
			continue
		}
		w, errs := r.discoverRun(host, run, &kept)
		d.Files = append(d.Files, w.Files...)
		d.Modules = append(d.Modules, w.Modules...)
		d.Problems = append(d.Problems, errs...)
	}
	return d
}

// discoverRun walks one play for the host in discovery mode, on a copy of
// its scope (an included role's handlers join the copy, not the plan's),
// from the set_fact, include_vars and registered values the host's
// earlier plays left it (kept, which it updates), as renderRun does.
func (r *Repo) discoverRun(host string, run *PlayRun, kept *setupState) (*HostTasks, []error) {
	hs, err := r.ScopeOf(host, run)
	if err != nil {
		return &HostTasks{Host: host}, []error{err}
	}
	play := *hs
	play.included = slices.Clone(hs.included)
	w := &HostTasks{Host: host}
	wk := r.newWalker(run, w, &play, run.AllHosts)
	wk.discovery = true
	wk.rendered = r.renderedByDest(host, run)
	wk.facts, wk.unknown = orEmpty(maps.Clone(kept.facts)), orEmpty(maps.Clone(kept.unknown))
	if err := wk.playTasks(); err != nil {
		wk.problems = append(wk.problems, err)
	}
	kept.facts, kept.unknown = wk.facts, wk.unknown
	for _, f := range w.Files {
		if !f.srcKnown {
			f.Src = fileSource(f)
		}
	}
	return w, wk.problems
}

// renderedKey is a file task of the plan's render, by the file it writes.
type renderedKey struct {
	task *Task
	dest string
}

// renderedByDest is what the plan's render of the host (RenderHost, cached)
// already wrote in this play: discovery reuses that content rather than
// render the template again.
func (r *Repo) renderedByDest(host string, run *PlayRun) map[renderedKey][]byte {
	out := map[renderedKey][]byte{}
	w, _ := r.RenderHost(host, false) // what it could not render, discovery renders and reports
	if w == nil {
		return out
	}
	for _, f := range w.Files {
		if f.Run == run {
			out[renderedKey{f.Task, f.Dest}] = f.Content
		}
	}
	return out
}

// discoveredTask is a file task as discovery runs it: the task with
// Module set from its module's name (a keyword straylight does not run
// leaves it empty), the task itself where it is set already, and the
// arguments that decide the file's path and content (contentArgs). One
// per task, so that the source cache, keyed by task, finds the task's
// source on every host (a copy per host was a miss, and four stats, each
// time).
type discoveredTask struct {
	task *Task
	args map[string]any
}

// newDiscoveredTask is t as discovery runs it; the repository makes one
// per task (Repo.discovered) and every host's walk shares it, read-only.
func newDiscoveredTask(t *Task) *discoveredTask {
	dt := &discoveredTask{task: t, args: contentArgs(t.Args)}
	if m := moduleNames[t.ModuleName]; t.Module != m {
		tc := *t
		tc.Module = m
		dt.task = &tc
	}
	return dt
}

// fileSource is the template or file a rendered task was rendered from.
func fileSource(f *FileTask) string {
	args, err := f.Scope.moduleArgs(contentArgs(f.Task.Args))
	if err != nil {
		return ""
	}
	return sourceOf(f.Scope, f.Run, f.Task, args.(map[string]any))
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
