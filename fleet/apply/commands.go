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
	if res.ExitCode != 0 && f.NeverFails {
		h.step(StepWrite, StatusOK, label, fmt.Sprintf("ran, return code %d (failed_when: false)", res.ExitCode))
		return nil
	}
	if res.ExitCode != 0 {
		msg := fmt.Sprintf("%s: non-zero return code %d: %s", label, res.ExitCode, shownOutput(f.Secret, res))
		if f.IgnoreErrors {
			h.step(StepWrite, StatusFailed, label, msg+" (ignore_errors)")
			return nil
		}
		return fmt.Errorf("%s", msg)
	}
	h.step(StepWrite, StatusOK, label, commandOutcome(res.Stdout))
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
