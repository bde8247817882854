package plan

import (
	"fmt"
	"slices"
)

// Restrict keeps only what a saved plan recorded, and refuses the apply when
// the plan is stale: a live file's hash or the rendered content changed since
// it was saved. Secrets are never in saved plans: the fresh render supplies
// the content, and its hash must equal the recorded one.
func Restrict(fresh, saved *Plan) (*Plan, error) {
	out := *fresh
	out.Hosts = nil
	for _, sh := range saved.Hosts {
		fh := fresh.Host(sh.Host)
		if fh == nil {
			return nil, fmt.Errorf("plan is stale: host %s is no longer planned", sh.Host)
		}
		h, err := restrictHost(fh, sh)
		if err != nil {
			return nil, err
		}
		out.Hosts = append(out.Hosts, h)
	}
	out.summarize()
	return &out, nil
}

func restrictHost(fresh, saved *HostPlan) (*HostPlan, error) {
	h := *fresh
	h.Files = nil
	for _, sf := range saved.Files {
		f, err := restrictFile(fresh, saved.Host, sf)
		if err != nil {
			return nil, err
		}
		h.Files = append(h.Files, f)
	}
	h.Handlers = recordedHandlers(fresh.Handlers, saved.Handlers)
	h.ViaAnsible = slices.DeleteFunc(slices.Clone(fresh.ViaAnsible), func(d DelegatedTask) bool {
		return !slices.ContainsFunc(saved.ViaAnsible, func(s DelegatedTask) bool { return s.At == d.At && s.Playbook == d.Playbook })
	})
	return &h, nil
}

// restrictFile checks one saved file against the fresh plan. A file the
// saved plan changes must still start from the same live content and render
// the same; a file it leaves alone stays alone (its live content unchanged),
// whatever the repository renders for it now: a later edit is not part of
// the saved plan.
func restrictFile(fresh *HostPlan, host string, sf *FileChange) (*FileChange, error) {
	ff := fresh.file(sf)
	switch {
	case ff == nil:
		return nil, fmt.Errorf("plan is stale: %s:%s is no longer planned", host, sf.Dest)
	case ff.OldSHA256 != sf.OldSHA256:
		return nil, fmt.Errorf("plan is stale: %s:%s changed on the host since the plan was saved", host, sf.Dest)
	case !sf.Runs(): // a unit or command task that runs unchanged runs the fresh plan's script
		kept := *sf
		return &kept, nil
	case ff.NewSHA256 != sf.NewSHA256:
		return nil, fmt.Errorf("plan is stale: the repository now renders %s:%s differently", host, sf.Dest)
	}
	return ff, nil
}

// recordedHandlers keeps the fresh handlers the saved plan would run: a
// handler notified only by a later edit's file must not run.
func recordedHandlers(fresh, saved []HandlerRun) []HandlerRun {
	var out []HandlerRun
	for _, hr := range fresh {
		if slices.ContainsFunc(saved, func(s HandlerRun) bool { return s.Play == hr.Play && s.Name == hr.Name }) {
			out = append(out, hr)
		}
	}
	return out
}

// file is the fresh plan's change of the same task on the same path (a
// path several tasks edit in turn has one change per task).
func (h *HostPlan) file(saved *FileChange) *FileChange {
	for _, f := range h.Files {
		if f.Dest == saved.Dest && f.Task == saved.Task && f.At == saved.At {
			return f
		}
	}
	return nil
}
