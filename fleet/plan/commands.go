package plan

import (
	"context"
	"errors"
	"fmt"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/remote"
)

// CommandChange is what a command or shell task would do, as Ansible's
// module decides it (fleet/filemod): run, or not because of its creates
// or removes. The plan predicts the real run: a command without creates
// or removes runs, where ansible-playbook --check skips it ("Command
// would have run if not in check mode").
type CommandChange struct {
	Runs    bool   `json:"runs"`
	Summary string `json:"summary"` // "would run" or the module's "Did not run command since ..."
	// Unchanged: it runs, and reports ok (changed_when: false, or a
	// compose action that changes nothing, commands.go).
	Unchanged bool `json:"unchanged,omitempty"`
	// Skipped: the task's check_mode is true and it has no creates or
	// removes, so Ansible skips it (recordCheckedCommand).
	Skipped bool `json:"skipped,omitempty"`
}

// planCommand decides a command task: with creates or removes, from what
// the host's paths hold (one round trip); without, it runs.
func (hf *hostFiles) planCommand(ctx context.Context, w *hostWork, f *fileWork) error {
	c, a := f.change, f.command
	if posixOnly(w, f, string(c.Module)+" runs on POSIX hosts (win_command and win_shell run as handlers)") {
		return nil
	}
	skipped := ""
	if a.Creates != "" || a.Removes != "" {
		answer, failure, err := hf.guard(ctx, c, a)
		if err != nil {
			return err
		}
		if failure != "" {
			w.wouldFail(f, fmt.Sprintf("%s would fail: %s", c.Module, failure))
			return nil
		}
		skipped = a.Skipped(answer)
	}
	if c.CheckOnly {
		recordCheckedCommand(f, skipped, a.Creates != "" || a.Removes != "")
		return nil
	}
	hf.recordCommand(f, skipped)
	return nil
}

// recordCheckedCommand decides a command task whose check_mode is true as
// the module decides in check mode (lib/ansible/modules/command.py at
// v2.14.18, main(): nothing runs): its creates or removes skipping it is
// ok; without them it is skipped; with them, and the command due, it is
// changed (unless changed_when is false).
func recordCheckedCommand(f *fileWork, skipped string, guarded bool) {
	c := f.change
	c.Action, c.Script = ActionNone, ""
	cc := &CommandChange{Summary: skipped, Unchanged: f.changedWhen != nil && !*f.changedWhen}
	switch {
	case skipped != "":
	case !guarded:
		cc.Skipped, cc.Summary = true, "check_mode: Command would have run if not in check mode"
	default:
		cc.Summary = "would run if not in check mode"
		if !cc.Unchanged {
			c.Action = ActionUpdate
		}
	}
	c.NewSHA256 = sha256Hex(nil)
	c.Command = cc
}

// guard runs the module's chdir, creates and removes test on the host.
func (hf *hostFiles) guard(ctx context.Context, c *FileChange, a *filemod.CommandArgs) (answer, failure string, err error) {
	res, err := WithBecome(hf.tr, c.Become).Run(ctx, remote.Command{Shell: remote.Sh, Script: a.GuardScript()})
	switch {
	case err != nil:
		return "", "", err
	case res.ExitCode != 0:
		return "", FirstLine(res.Stderr, res.Stdout), nil
	}
	return res.Stdout, "", nil
}

// recordCommand puts the decision on the change: a command that runs is
// changed unless its changed_when is false; one its creates or removes
// skips is ok and runs nothing.
func (hf *hostFiles) recordCommand(f *fileWork, skipped string) {
	c := f.change
	cc := &CommandChange{Runs: skipped == "", Summary: skipped, Unchanged: f.changedWhen != nil && !*f.changedWhen}
	c.Action, c.Script = ActionNone, ""
	if cc.Runs {
		cc.Summary = "would run"
		c.Script = f.runScript()
		if f.changedWhen == nil || *f.changedWhen {
			c.Action = ActionUpdate
		}
	}
	c.NewSHA256 = sha256Hex([]byte(c.Script))
	c.Command = cc
}

// planWinCommand decides a win_command or win_shell task: with creates
// or removes, from what the host's paths hold (one PowerShell round
// trip); without, it runs.
func (hf *hostFiles) planWinCommand(ctx context.Context, w *hostWork, f *fileWork) error {
	a := f.winCommand
	if windowsOnly(w, f) {
		return nil
	}
	if f.change.CheckOnly {
		w.wouldFail(f, fmt.Sprintf("%s with check_mode true: straylight has no Windows host to check the module's check mode against; Ansible decides it", f.change.Module))
		return nil
	}
	skipped := ""
	if a.Creates != "" || a.Removes != "" {
		res, err := hf.tr.Run(ctx, remote.Command{Shell: remote.PowerShell, Script: a.GuardScript()})
		if err != nil {
			return err
		}
		if res.ExitCode != 0 {
			w.wouldFail(f, fmt.Sprintf("%s would fail: testing creates and removes exited %d: %s", f.change.Module, res.ExitCode, FirstLine(res.Stderr, res.Stdout)))
			return nil
		}
		skipped = a.Skipped(res.Stdout)
	}
	hf.recordCommand(f, skipped)
	return nil
}

// runScript is the script an apply runs for a command task: POSIX sh,
// or PowerShell for win_command and win_shell.
func (f *fileWork) runScript() string {
	if f.winCommand != nil {
		return f.winCommand.RunScript()
	}
	return f.command.RunScript()
}

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
	if errors.Is(err, filemod.ErrUndecidable) {
		w.wouldFail(f, MaskSecrets(fmt.Sprintf("%s %s: %v", c.Module, ct.Target, err), w.secrets))
		return nil
	}
	if err != nil {
		w.wouldFail(f, MaskSecrets(fmt.Sprintf("%s would fail: %v", c.Module, err), w.secrets))
		return nil
	}
	hf.recordContainer(f, decided)
	return nil
}

// recordContainer puts the decision on the change, as a command the apply
// runs in task order: changed notifies the task's handlers; a task that
// runs though nothing changes (compose's action) reports ok.
func (hf *hostFiles) recordContainer(f *fileWork, decided filemod.ContainerResult) {
	c, changed, runs, summary := f.change, decided.Changed, decided.Runs, decided.Summary
	c.Action, c.Script = ActionNone, ""
	if changed {
		c.Action = ActionUpdate
	}
	if runs {
		c.Script = f.container.ScriptFor(decided)
	}
	if runs && !c.CheckOnly {
		hf.containers[string(f.change.Module)+" "+f.container.Target] = true
	}
	c.NewSHA256 = sha256Hex([]byte(c.Script))
	c.Command = &CommandChange{Runs: runs, Summary: summary, Unchanged: runs && !changed}
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
		if !e.failed && !e.skipped && e.change.Changes() && !e.change.CheckOnly && e.container == nil && f.container.ReadsPath(e.change.Dest) {
			return fmt.Sprintf("an earlier task (%s) changes %s, which compose reads", e.change.Task, e.change.Dest)
		}
	}
	return ""
}

// StatChange is what a stat task found at its path, as the host will
// show it when the task runs (a path an earlier task of the plan makes,
// writes or removes counts as it leaves it): whether it exists, and what
// it is.
type StatChange struct {
	Exists bool   `json:"exists"`
	Kind   string `json:"kind"` // absent, file, directory, link or other (filemod.StatKinds)
	// Follow: the stat follows a link (stat, not lstat); the apply asks
	// again as the plan asked.
	Follow bool `json:"follow,omitempty"`
}

// Summary words the result as the plan shows it.
func (s *StatChange) Summary() string {
	switch {
	case s.Kind == "other":
		return "exists (neither a file, a directory nor a link)"
	case s.Exists:
		return "exists: " + s.Kind
	}
	return "does not exist"
}

// planStat decides a stat task: it changes nothing; what is at its path
// is what an earlier task of the plan leaves there, else what the host
// holds now (one round trip). Where an earlier task runs a command,
// which may create or remove the path first, or where the module would
// fail (a path through a file, a folder it may not search), the task is
// Ansible's.
func (hf *hostFiles) planStat(ctx context.Context, w *hostWork, f *fileWork) error {
	c := f.change
	if posixOnly(w, f, "stat runs on POSIX hosts (win_stat on Windows)") {
		return nil
	}
	kind, known := hf.plannedKind(c.Dest)
	if reason := statUnknown(w, f, kind, known); reason != "" {
		w.wouldFail(f, reason)
		return nil
	}
	if !known {
		found, failure, err := hf.pathKind(ctx, c, f.stat)
		if err != nil {
			return err
		}
		if failure != "" {
			w.wouldFail(f, fmt.Sprintf("stat would fail: %s", failure))
			return nil
		}
		kind = found
		c.OldSHA256 = sha256Hex([]byte(kind)) // read from the host: the apply checks it again
	}
	c.Action = ActionNone
	c.Stat = &StatChange{Exists: kind != "absent", Kind: kind, Follow: f.stat.Follow}
	return nil
}

// statUnknown is why straylight cannot know what the stat will find (""
// when it can): an earlier task may change the path by a command, or
// makes it a link the stat follows.
func statUnknown(w *hostWork, f *fileWork, kind string, known bool) string {
	switch {
	case known && kind == "link" && f.stat.Follow:
		return fmt.Sprintf("stat %s: an earlier task makes it a link, and follow reads its target, which straylight does not follow", f.change.Dest)
	case known:
		return ""
	}
	if by := w.commandBefore(f); by != "" {
		return fmt.Sprintf("stat %s: an earlier task (%s) runs a command or notifies handlers that run first, which may change the path before the stat runs; straylight knows the path only as the host holds it now", f.change.Dest, by)
	}
	return ""
}

// commandBefore names the first task before f in the host's plan that
// runs a command or acts on a container, or whose handlers run before f
// (at an earlier flush point, or in an earlier play): what those do to
// the host's paths straylight does not know ("" when none does). A
// command whose changed_when is the constant false is a probe, as its
// author says, and changes nothing.
func (w *hostWork) commandBefore(f *fileWork) string {
	for _, e := range w.files {
		if e == f {
			break
		}
		if e.failed || e.skipped {
			continue
		}
		runs := (e.command != nil && !e.probe() || e.container != nil) && e.change.Runs()
		flushedFirst := e.hs != f.hs || e.change.Flush < f.change.Flush // an earlier play's handlers, or an earlier flush's
		if runs || e.change.Changes() && len(e.change.Notify) > 0 && flushedFirst {
			return e.change.Task
		}
	}
	return ""
}

// probe: the task's changed_when is the constant false.
func (f *fileWork) probe() bool { return f.changedWhen != nil && !*f.changedWhen }

// pathKind runs the module's lstat (stat with follow) on the host, as
// the task's become user.
func (hf *hostFiles) pathKind(ctx context.Context, c *FileChange, a *filemod.StatArgs) (kind, failure string, err error) {
	res, err := WithBecome(hf.tr, c.Become).Run(ctx, remote.Command{Shell: remote.Sh, Script: a.KindScript()})
	switch {
	case err != nil:
		return "", "", err
	case res.ExitCode != 0:
		return "", FirstLine(res.Stderr, res.Stdout), nil
	}
	kind, err = filemod.ParseKind(res.Stdout)
	return kind, "", err
}
