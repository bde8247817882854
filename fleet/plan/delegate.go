package plan

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/ansible/delegate"
)

// DelegatedTask is a task straylight does not run itself, planned "via
// ansible": the operator's ansible-playbook, run with --check --diff,
// reported its status on the host; --apply runs its play through
// ansible-playbook.
type DelegatedTask struct {
	Playbook string          `json:"playbook"`
	Task     string          `json:"task"`
	Module   string          `json:"module"`
	Status   delegate.Status `json:"status"` // changed, ok, skipped, failed, unreachable, unknown
	Diff     string          `json:"diff,omitempty"`
	Message  string          `json:"message,omitempty"`
	Reason   string          `json:"reason"` // why straylight does not run it itself
	NoLog    bool            `json:"no_log,omitempty"`
	At       Located         `json:"at"`
}

// Changes reports whether applying may change something through it: Ansible
// reported a change, a failure under --check, or nothing at all.
func (d DelegatedTask) Changes() bool { return d.Status != delegate.OK && d.Status != delegate.Skipped }

// ViaAnsiblePlaybooks are the playbooks an apply runs through
// ansible-playbook on the host: those with a delegated task that changes.
func (h *HostPlan) ViaAnsiblePlaybooks() []string {
	var out []string
	for _, d := range h.ViaAnsible {
		if d.Changes() && !slices.Contains(out, d.Playbook) {
			out = append(out, d.Playbook)
		}
	}
	return out
}

// checkRun is one playbook's ansible-playbook --check run: each host's
// result per task (file:line).
type checkRun struct {
	root    string
	results map[string]map[Located]*delegate.Event
	stopped map[string]string // host → the failure that ended its play
}

// delegateAll plans the tasks straylight does not run through
// ansible-playbook --check --diff, once per playbook, for the hosts that
// have such tasks in it. Without a Runner they stay unsupported.
func (p *Planner) delegateAll(ctx context.Context, plan *Plan, works []*hostWork) {
	if p.Ansible == nil {
		return
	}
	for _, pb := range unsupportedPlaybooks(works) {
		hosts := hostsWithUnsupported(works, pb)
		cr, err := p.checkPlaybook(ctx, pb, hosts)
		if err != nil {
			plan.Findings = append(plan.Findings, Finding{Severity: SevError, Key: "ansible-playbook",
				Message: MaskSecrets(err.Error(), plan.secrets)})
			continue
		}
		for _, w := range works {
			plan.Findings = append(plan.Findings, w.delegate(pb, cr)...)
		}
	}
}

// unsupportedPlaybooks are the playbooks holding the unsupported tasks, in
// the order met: an imported playbook is run alone (its plays are what
// import_playbook brings in).
func unsupportedPlaybooks(works []*hostWork) []string {
	var out []string
	for _, w := range works {
		for _, u := range w.plan.Unsupported {
			out = ansible.AppendUnique(out, u.Playbook)
		}
	}
	return out
}

func hostsWithUnsupported(works []*hostWork, playbook string) []string {
	var hosts []string
	for _, w := range works {
		if slices.ContainsFunc(w.plan.Unsupported, func(u UnsupportedTask) bool { return u.Playbook == playbook }) {
			hosts = append(hosts, w.name)
		}
	}
	return hosts
}

// checkPlaybook runs ansible-playbook --check --diff on the hosts and
// collects every result. A run that stopped without reporting any (bad
// options, a playbook Ansible cannot parse) is an error with its output.
func (p *Planner) checkPlaybook(ctx context.Context, playbook string, hosts []string) (*checkRun, error) {
	cr := &checkRun{root: p.Repo.Root, results: map[string]map[Located]*delegate.Event{}, stopped: map[string]string{}}
	res, err := p.Ansible.Run(ctx, delegate.Run{Playbook: playbook, Hosts: hosts, Check: true}, cr.add)
	if err != nil {
		return nil, fmt.Errorf("ansible-playbook --check %s: %v", playbook, err)
	}
	if len(cr.results) == 0 && res.ExitCode != 0 {
		return nil, fmt.Errorf("ansible-playbook --check %s exited %d: %s", playbook, res.ExitCode, strings.TrimSpace(lastLines(res.Output, 6)))
	}
	return cr, nil
}

// add records a result, merged with the task's earlier ones on the host.
func (cr *checkRun) add(ev delegate.Event) {
	if ev.Kind != "result" {
		return
	}
	file, line := ev.Where(cr.root)
	at := Located{File: file, Line: line}
	byTask := cr.results[ev.Host]
	if byTask == nil {
		byTask = map[Located]*delegate.Event{}
		cr.results[ev.Host] = byTask
	}
	if ev.Fails() && cr.stopped[ev.Host] == "" {
		cr.stopped[ev.Host] = fmt.Sprintf("%s (%s) %s", ev.Task, at, ev.Status)
	}
	if prev := byTask[at]; prev != nil {
		ev.Status = delegate.Merge(prev.Status, ev.Status)
		ev.Diff = prev.Diff + ev.Diff
		ev.Msg = strings.TrimPrefix(prev.Msg+"; "+ev.Msg, "; ")
		ev.NoLog = ev.NoLog || prev.NoLog
		ev.CheckModeSkip = ev.CheckModeSkip || prev.CheckModeSkip
	}
	byTask[at] = &ev
}

// delegate moves the host's unsupported tasks of playbook to ViaAnsible,
// each with what the check run reported, and returns the findings: a task
// that failed under --check.
func (w *hostWork) delegate(playbook string, cr *checkRun) []Finding {
	var kept []UnsupportedTask
	var findings []Finding
	for _, u := range w.plan.Unsupported {
		if u.Playbook != playbook {
			kept = append(kept, u)
			continue
		}
		if slices.ContainsFunc(w.plan.ViaAnsible, func(d DelegatedTask) bool { return d.At == u.At && d.Playbook == playbook }) {
			continue // a loop's items: one task for Ansible
		}
		d := w.delegated(u, cr)
		if d.Status == delegate.Failed || d.Status == delegate.Unreachable {
			findings = append(findings, Finding{Severity: SevWarning, Host: w.name, At: d.At, Key: "via ansible",
				Message: fmt.Sprintf("task %q %s under ansible-playbook --check: %s (a task can fail in check mode when it needs an earlier task's change; --apply runs it for real)", d.Task, d.Status, orDefault(d.Message, "no message"))})
		}
		w.plan.ViaAnsible = append(w.plan.ViaAnsible, d)
	}
	w.plan.Unsupported = kept
	return findings
}

// delegated is u as the check run reported it, masked of the host's
// secrets; a no_log task's message and diff are never kept.
func (w *hostWork) delegated(u UnsupportedTask, cr *checkRun) DelegatedTask {
	d := DelegatedTask{Playbook: u.Playbook, Task: u.Task, Module: u.Module, Reason: u.Reason, At: u.At, Status: delegate.Unknown}
	ev := cr.results[w.name][u.At]
	if ev == nil {
		d.Message = notReported(cr.stopped[w.name])
		return d
	}
	d.Status, d.NoLog = ev.Status, ev.NoLog
	if ev.Action != "" {
		d.Module = ev.Action
	}
	if !ev.NoLog {
		d.Diff = maskDiff(oneNewline(ev.Diff), w.secrets)
		d.Message = MaskText(ev.Msg, w.secrets)
	}
	if ev.Status == delegate.Skipped && ev.CheckModeSkip {
		d.Status, d.Message = delegate.Unknown, checkModeSkipped
	}
	return d
}

// checkModeSkipped is the message of a task the check run skipped only
// for being in check mode: its outcome is unknown until --apply runs it.
const checkModeSkipped = "ansible-playbook --check skips it in check mode; --apply runs it"

func notReported(stoppedBy string) string {
	if stoppedBy != "" {
		return "ansible-playbook --check stopped on this host before it: " + stoppedBy
	}
	return "ansible-playbook --check did not report it on this host"
}

// oneNewline ends a non-empty text with exactly one newline (Ansible's
// diff text ends with a blank line).
func oneNewline(s string) string {
	if s = strings.TrimRight(s, "\n"); s != "" {
		return s + "\n"
	}
	return ""
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
