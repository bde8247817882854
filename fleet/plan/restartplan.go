package plan

import (
	"fmt"
	"slices"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover"
)

// RestartPlan is a plan with no file to write and every handler the host's
// file tasks notify: what a restart from the UI runs.
func RestartPlan(r *ansible.Repo, f *discover.Fleet, host string) (*Plan, error) {
	if !r.Inventory.HasHost(host) {
		return nil, fmt.Errorf("no host %q in the inventory", host)
	}
	tasks, err := r.RenderHost(host, false)
	if err != nil {
		return nil, err
	}
	w := newHostWork(tasks, recognizers{rendered: f.Recognizer(), deployed: new(discover.Recognizer)}, nil)
	w.collectHandlers() // files not read: every notify counts
	w.plan.Handlers = onceEach(w.plan.Handlers)
	w.redact()
	if len(w.plan.Handlers) == 0 {
		return nil, fmt.Errorf("%s has no restart handler: no file task of its plays notifies one", host)
	}
	plan := &Plan{Repo: r.Root, Hosts: []*HostPlan{w.plan}, Fleet: f, secrets: w.secrets}
	plan.summarize()
	return plan, nil
}

// onceEach keeps each play's handler once, at its first flush: a restart
// runs every handler once.
func onceEach(list []HandlerRun) []HandlerRun {
	var out []HandlerRun
	for _, hr := range list {
		if !slices.ContainsFunc(out, func(o HandlerRun) bool { return o.Play == hr.Play && o.Name == hr.Name }) {
			out = append(out, hr)
		}
	}
	return out
}
