package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/ansible/delegate"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/state"
)

// A host whose plan has tasks straylight does not run itself (planned "via
// ansible") gets each play that holds them run by ansible-playbook --limit
// HOST, inside the host's apply: after straylight's own writes and its
// --when-idle wait, before its own handlers, the health gate and the route
// tests. Ansible runs the whole play, so it also writes that play's files
// (which straylight backed up and checked first, and reads back after: the
// bytes must be the plan's) and runs the handlers they notify; straylight
// runs neither of those itself. Each task's result is an EvStep of
// StepViaAnsible; a failed task fails the host, which rolls back as after
// a failed native step.

// viaAnsible are the playbooks this host's apply runs through
// ansible-playbook.
func (h *hostApply) viaAnsible() []string { return h.hp.ViaAnsiblePlaybooks() }

// byAnsible reports whether Ansible, running the file's or handler's
// play, does it instead of straylight.
func (h *hostApply) byAnsible(playbook string) bool { return slices.Contains(h.viaAnsible(), playbook) }

// ansibleRefusal: a plan with tasks via ansible and no ansible-playbook to
// run them.
func (h *hostApply) ansibleRefusal() error {
	if len(h.viaAnsible()) == 0 || h.a.e.Ansible != nil {
		return nil
	}
	d := h.hp.ViaAnsible[0]
	return fmt.Errorf("task %q (%s) runs via ansible, and no ansible-playbook was found (install Ansible, or set ansible_playbook in straylight.yml)", d.Task, d.At)
}

// runViaAnsible runs each play with delegated tasks on the host.
func (h *hostApply) runViaAnsible(ctx context.Context) error {
	for _, pb := range h.viaAnsible() {
		files := h.filesOf(pb)
		if err := h.backUpFor(ctx, files); err != nil {
			return err
		}
		runErr := h.runPlaybook(ctx, pb)
		if err := h.checkWritten(ctx, files, runErr == nil); err != nil || runErr != nil {
			return errors.Join(runErr, err)
		}
	}
	return nil
}

// filesOf are the playbook's changed files whose content the plan knows:
// a template, copy or line edit's. A file-module task changes a path's
// kind or mode, a command, unit, Windows or container task runs
// something: no bytes to check (their Dest is a command line, a unit or
// a project, not a file).
func (h *hostApply) filesOf(playbook string) []*plan.FileChange {
	var out []*plan.FileChange
	for _, f := range h.changedFiles() {
		if f.Playbook == playbook && holdsContent(f.Module) {
			out = append(out, f)
		}
	}
	return out
}

func holdsContent(m ansible.Module) bool {
	return m.IsFileModule() || m.IsEditModule() && m != ansible.ModFile && m != ansible.ModWinFile
}

// backUpFor keeps what each file holds before Ansible writes it, checking
// it is what the plan saw.
func (h *hostApply) backUpFor(ctx context.Context, files []*plan.FileChange) error {
	for _, f := range files {
		h.step(StepBackup, StatusStart, f.Dest, "")
		old, err := plan.WithBecome(h.tr, f.Become).ReadFile(ctx, f.Dest)
		if err != nil {
			return fmt.Errorf("read %s: %w", f.Dest, err)
		}
		if old.SHA256 != f.OldSHA256 {
			return fmt.Errorf("%s changed on the host since the plan (sha256 %s, planned %s): plan again", f.Dest, short(old.SHA256), short(f.OldSHA256))
		}
		if _, ok := h.backups[f.Dest]; !ok {
			h.backups[f.Dest] = old
		}
		h.step(StepBackup, StatusOK, f.Dest, "")
	}
	return nil
}

// checkWritten reads back the files of the play Ansible ran: each one it
// changed counts as written (audit log, rollback, even when the play then
// failed), and after a play that finished each must hold what the plan
// rendered.
func (h *hostApply) checkWritten(ctx context.Context, files []*plan.FileChange, finished bool) error {
	for _, f := range files {
		now, err := plan.WithBecome(h.tr, f.Become).ReadFile(ctx, f.Dest)
		if err != nil {
			return fmt.Errorf("read back %s after ansible-playbook: %w", f.Dest, err)
		}
		if now.SHA256 != f.OldSHA256 {
			h.written = append(h.written, f)
		}
		if finished && now.SHA256 != f.NewSHA256 {
			return fmt.Errorf("ansible-playbook left %s with sha256 %s, the plan rendered %s", f.Dest, short(now.SHA256), short(f.NewSHA256))
		}
	}
	return nil
}

// runPlaybook runs ansible-playbook --limit HOST on the playbook, each
// task's result streamed as a step.
func (h *hostApply) runPlaybook(ctx context.Context, playbook string) error {
	host := h.hp.Host
	h.step(StepViaAnsible, StatusStart, playbook, "ansible-playbook --limit "+host+" "+playbook)
	h.ranByAnsible = append(h.ranByAnsible, playbook)
	var failed []string
	res, err := h.a.e.Ansible.Run(ctx, delegate.Run{Playbook: playbook, Hosts: []string{host}}, func(ev delegate.Event) {
		if msg := h.ansibleEvent(ev); msg != "" {
			failed = append(failed, msg)
		}
	})
	switch {
	case err != nil:
		err = fmt.Errorf("via ansible: %w", err)
	case len(failed) > 0:
		err = fmt.Errorf("via ansible: %s", failed[0])
	case res.ExitCode != 0:
		err = fmt.Errorf("via ansible: ansible-playbook %s exited %d: %s", playbook, res.ExitCode, lastLine(res.Output))
	}
	if err != nil {
		h.step(StepViaAnsible, StatusFailed, playbook, err.Error())
		return err
	}
	h.step(StepViaAnsible, StatusOK, playbook, "via ansible: "+playbook+" done")
	return nil
}

// ansibleEvent reports one of the plugin's events as a step; it returns
// why the host fails when the result fails it.
func (h *hostApply) ansibleEvent(ev delegate.Event) string {
	if ev.Host != "" && ev.Host != h.hp.Host {
		return ""
	}
	switch ev.Kind {
	case "task":
		h.step(StepViaAnsible, StatusStart, ev.Task, "via ansible: "+ev.Action)
	case "result":
		return h.ansibleResult(ev)
	}
	return ""
}

func (h *hostApply) ansibleResult(ev delegate.Event) string {
	file, line := ev.Where(h.a.e.Repo.Root)
	where := fmt.Sprintf("%s:%d", file, line)
	detail := ""
	if ev.Msg != "" && !ev.NoLog {
		detail = ": " + plan.FirstLine(ev.Msg)
	}
	msg := fmt.Sprintf("via ansible: %s (%s, %s)%s", ev.Status, ev.Action, where, detail)
	status := StatusOK
	switch {
	case ev.Fails():
		status = StatusFailed
	case ev.Status == delegate.Skipped:
		status = StatusSkipped
	}
	h.step(StepViaAnsible, status, ev.Task, msg)
	if status != StatusFailed {
		return ""
	}
	return fmt.Sprintf("task %q (%s) %s%s", ev.Task, where, ev.Status, detail)
}

// lastLine is the last non-empty line of Ansible's output.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return plan.FirstLine(lines[len(lines)-1])
}

// auditViaAnsible is what the audit log records of the plays Ansible ran.
func (h *hostApply) auditViaAnsible() []state.AuditTask {
	var out []state.AuditTask
	for _, d := range h.hp.ViaAnsible {
		if slices.Contains(h.ranByAnsible, d.Playbook) {
			out = append(out, state.AuditTask{Playbook: d.Playbook, Task: d.Task, Module: d.Module, At: d.At.String()})
		}
	}
	return out
}
