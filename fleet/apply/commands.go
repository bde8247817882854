package apply

import (
	"context"
	"fmt"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote"
)

// runCommandTask runs a command or shell task in task order among the
// files, with its become and stdin: the module's creates and removes
// tested again first (a command an earlier one made unnecessary is not
// run), then the command. A non-zero exit fails the host, unless the task
// ignores errors (reported, and the apply goes on). It is not rolled back.
// win_command and win_shell run as PowerShell over WinRM.
func (h *hostApply) runCommandTask(ctx context.Context, f *plan.FileChange) error {
	tr := plan.WithBecome(h.tr, f.Become)
	label := string(f.Module) + " " + f.Dest
	h.step(StepWrite, StatusStart, label, "")
	shell := remote.Sh
	if f.Module.IsWindowsTask() {
		shell = remote.PowerShell
	}
	res, err := tr.Run(ctx, remote.Command{Shell: shell, Script: f.RunScript(), Stdin: f.Content()})
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	if res.ExitCode != 0 {
		err := fmt.Errorf("%s: non-zero return code %d: %s", label, res.ExitCode, shownOutput(f.Secret, res))
		return h.exitedNonZero(StepWrite, label, "", res.ExitCode, tolerance{f.NeverFails, f.IgnoreErrors}, err)
	}
	h.step(StepWrite, StatusOK, label, commandOutcome(res.Stdout))
	return nil
}

// tolerance is what lets a task's or handler's failing command pass: its
// failed_when is the constant false (neverFails), or it ignores errors.
type tolerance struct{ neverFails, ignoreErrors bool }

// exitedNonZero ends a task's or handler's command that exited code: ok
// when its failed_when is the constant false, reported and passed over
// under ignore_errors, else err, the host's failure. dest and name are
// the step's (a task's label, a handler's name).
func (h *hostApply) exitedNonZero(step Step, dest, name string, code int, t tolerance, err error) error {
	switch {
	case t.neverFails:
		h.step(step, StatusOK, dest, strings.TrimSpace(fmt.Sprintf("%s exited %d, ok by failed_when: false", name, code)))
	case t.ignoreErrors:
		h.step(step, StatusFailed, dest, err.Error()+" (ignore_errors)")
	default:
		return err
	}
	return nil
}

// commandOutcome: the run script prints "skipped: creates" or "skipped:
// removes" when the module's test skips the command.
func commandOutcome(stdout string) string {
	if s, ok := strings.CutPrefix(strings.TrimSpace(stdout), "skipped: "); ok && !strings.Contains(s, "\n") {
		return "not run (" + s + ")"
	}
	return "ran"
}
