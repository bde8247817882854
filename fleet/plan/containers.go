package plan

import (
	"context"
	"fmt"

	"github.com/straylight-fleet/straylight/remote"
)

// planContainer decides a plain docker_compose_v2, docker_container or
// podman_container task: its probe, run on the host (one command, with the
// task's become and environment), says what the module would find, and
// fleet/filemod decides from the answer what the module would report. A
// task on a container or project an earlier container task of the host
// acts on is not planned: the host's answer is from before that task, and
// compose's dry run cannot be told what the earlier one would leave.
func (hf *hostFiles) planContainer(ctx context.Context, w *hostWork, f *fileWork) error {
	c, ct := f.change, f.container
	if posixOnly(w, f, string(c.Module)+" runs on POSIX hosts") {
		return nil
	}
	if reason := hf.earlierChange(w, f); reason != "" {
		w.wouldFail(f, fmt.Sprintf("%s %s: %s; straylight decides a container task from the host's state before the apply, which would not be what the task meets: Ansible runs it", c.Module, ct.Target, reason))
		return nil
	}
	res, err := WithBecome(hf.tr, c.Become).Run(ctx, remote.Command{Shell: remote.Sh, Script: ct.ProbeScript()})
	if err != nil {
		return err
	}
	decided, err := ct.Decide(res.ExitCode, res.Stdout, res.Stderr)
	if err != nil {
		w.wouldFail(f, MaskSecrets(fmt.Sprintf("%s would fail: %v", c.Module, err), w.secrets))
		return nil
	}
	hf.recordContainer(f, decided.Changed, decided.Runs, decided.Summary)
	return nil
}

// recordContainer puts the decision on the change, as a command the apply
// runs in task order: changed notifies the task's handlers; a task that
// runs though nothing changes (compose's action) reports ok.
func (hf *hostFiles) recordContainer(f *fileWork, changed, runs bool, summary string) {
	c := f.change
	c.Action, c.Script = ActionNone, ""
	if changed {
		c.Action = ActionUpdate
	}
	if runs {
		c.Script = f.container.RunScript()
		hf.containers[string(f.change.Module)+" "+f.container.Target] = true
	}
	c.NewSHA256 = sha256Hex([]byte(c.Script))
	c.Command = &CommandChange{Runs: runs, Summary: summary, Unchanged: runs && !changed}
	c.IgnoreErrors = f.task.IgnoreErrors
}

// earlierChange says why the host's answer is not what the task would
// meet: an earlier container task acts on the same container or project,
// or an earlier task of the plan changes a file compose reads (a compose
// file rendered just before: the dry run would read the old one).
func (hf *hostFiles) earlierChange(w *hostWork, f *fileWork) string {
	if hf.containers[string(f.change.Module)+" "+f.container.Target] {
		return "an earlier task acts on it"
	}
	for _, e := range w.files {
		if e == f {
			break
		}
		if !e.failed && !e.skipped && e.change.Changes() && e.container == nil && f.container.ReadsPath(e.change.Dest) {
			return fmt.Sprintf("an earlier task (%s) changes %s, which compose reads", e.change.Task, e.change.Dest)
		}
	}
	return ""
}
