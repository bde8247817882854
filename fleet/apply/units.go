package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote"
)

// runUnitTask runs a systemd_service or service task's systemctl actions,
// in task order among the files, after checking the unit is as the plan
// saw it (when no earlier task of the plan acts on it). Like a file-module
// task, it is not rolled back. An action that fails fails the host, unless
// the task's failed_when is the constant false (it is ok) or it ignores
// errors (reported, and the apply goes on), as with a command task.
func (h *hostApply) runUnitTask(ctx context.Context, f *plan.FileChange) error {
	task := hostStateTask{label: strings.TrimSpace(string(f.Module) + " " + f.Dest), summary: f.Service.Summary, command: f.Script}
	return h.runHostStateTask(ctx, f, task, func(tr remote.Transport) error {
		if err := unitAsPlanned(ctx, tr, f); err != nil {
			return err
		}
		return h.beforeUnitStarts(ctx, f)
	})
}

// hostStateTask is how the apply's events and errors name a task planned
// from the host's state: its label, the plan's summary, the command.
type hostStateTask struct{ label, summary, command string }

// runHostStateTask runs a unit, account or apt task's script with its become,
// once ready (the host is as the plan saw it, and what must come first
// has run) says so. A script that exits non-zero fails the host, unless
// the task's failed_when is the constant false or it ignores errors.
func (h *hostApply) runHostStateTask(ctx context.Context, f *plan.FileChange, task hostStateTask, ready func(remote.Transport) error) error {
	tr := plan.WithBecome(h.tr, f.Become)
	h.step(StepWrite, StatusStart, task.label, task.summary)
	if err := ready(tr); err != nil {
		return err
	}
	res, err := tr.Run(ctx, remote.Command{Shell: remote.Sh, Script: f.RunScript()})
	if err != nil {
		return fmt.Errorf("%s: %w", task.label, err)
	}
	if res.ExitCode != 0 {
		err := fmt.Errorf("%s: %s exited %d: %s", task.label, task.command, res.ExitCode, plan.FirstLine(res.Stderr, res.Stdout))
		return h.exitedNonZero(StepWrite, task.label, "", res.ExitCode, tolerance{f.NeverFails, f.IgnoreErrors}, err)
	}
	h.step(StepWrite, StatusOK, task.label, task.summary)
	return nil
}

// beforeUnitStarts treats a unit task that starts, restarts or reloads
// its unit as a handler's restart: the idle wait and the note of what the
// host serves come first, and the health gate and route tests after.
func (h *hostApply) beforeUnitStarts(ctx context.Context, f *plan.FileChange) error {
	starts := slices.ContainsFunc(f.Service.Actions, func(a string) bool { return a == "start" || a == "restart" || a == "reload" })
	if !starts || h.handlerRan {
		return nil
	}
	return h.beforeFirstHandler(ctx)
}

// unitAsPlanned asks systemctl about the unit again and compares the
// answer with the plan's.
func unitAsPlanned(ctx context.Context, tr remote.Transport, f *plan.FileChange) error {
	if f.Dest == "" {
		return nil
	}
	query := remote.Command{Shell: remote.Sh, Script: filemod.QueryScript([]string{f.Dest})}
	return asPlanned(ctx, tr, f, query, "systemctl", "unit", func(out string) (map[string]string, error) {
		_, sections, err := filemod.ParseQuery(out)
		return sections, err
	})
}

// asPlanned runs query, whose output sections reads, and compares the
// section about f.Dest with the one the plan read (its OldSHA256; none:
// nothing to compare). tool names the program asked, kind what it is
// asked about, for errors.
func asPlanned(ctx context.Context, tr remote.Transport, f *plan.FileChange, query remote.Command, tool, kind string, sections func(string) (map[string]string, error)) error {
	if f.OldSHA256 == "" {
		return nil
	}
	res, err := tr.Run(ctx, query)
	if err != nil {
		return fmt.Errorf("%s about %s: %w", tool, f.Dest, err)
	}
	found, err := sections(res.Stdout)
	if err != nil || res.ExitCode != 0 {
		return fmt.Errorf("%s about %s: exited %d: %v %s", tool, f.Dest, res.ExitCode, err, plan.FirstLine(res.Stderr))
	}
	if sum := sha256.Sum256([]byte(found[f.Dest])); hex.EncodeToString(sum[:]) != f.OldSHA256 {
		return fmt.Errorf("%s %s changed on the host since the plan: plan again", kind, f.Dest)
	}
	return nil
}

// runWinServiceTask runs a win_service task's PowerShell (sc.exe config,
// then the state's cmdlet) in task order among the files, after checking
// the service is as the plan saw it (when no earlier task of the plan
// acts on it). It is not rolled back, and unlike a unit task it is not
// taken for the host's server restart: a lab or seed Windows host runs
// vLLM in Docker, not as a service.
func (h *hostApply) runWinServiceTask(ctx context.Context, f *plan.FileChange) error {
	label := "win_service " + f.Dest
	h.step(StepWrite, StatusStart, label, f.Service.Summary)
	if err := winServiceAsPlanned(ctx, h.tr, f); err != nil {
		return err
	}
	res, err := h.tr.Run(ctx, remote.Command{Shell: remote.PowerShell, Script: f.RunScript()})
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("%s: exited %d: %s", label, res.ExitCode, plan.FirstLine(res.Stderr, res.Stdout))
	}
	h.step(StepWrite, StatusOK, label, f.Service.Summary)
	return nil
}

// winServiceAsPlanned asks sc.exe about the service again — by its name,
// which the plan found for a task naming its display name — and compares
// the answer with the plan's.
func winServiceAsPlanned(ctx context.Context, tr remote.Transport, f *plan.FileChange) error {
	name := f.Service.Unit
	query := remote.Command{Shell: remote.PowerShell, Script: filemod.WinServiceQueryScript([]string{name})}
	return asPlanned(ctx, tr, f, query, "sc.exe", "service", func(out string) (map[string]string, error) {
		_, sections, err := filemod.ParseWinServiceQuery(out)
		return map[string]string{f.Dest: sections[name]}, err
	})
}

// runAccountTask runs a user or group task's command (groupadd, useradd,
// usermod, ...), in task order among the files, after checking the
// accounts its decision read are as the plan saw them (when no earlier
// task of the plan acts on them). It is not rolled back; a command that
// fails fails the host, unless the task ignores errors.
func (h *hostApply) runAccountTask(ctx context.Context, f *plan.FileChange) error {
	task := hostStateTask{label: f.Account.Args.Kind + " " + f.Dest, summary: f.Account.Summary, command: strings.Join(f.Account.Argv, " ")}
	return h.runHostStateTask(ctx, f, task, func(tr remote.Transport) error { return accountsAsPlanned(ctx, tr, f) })
}

// accountsAsPlanned asks getent again about what the task's decision read
// and compares it with the plan's.
func accountsAsPlanned(ctx context.Context, tr remote.Transport, f *plan.FileChange) error {
	a := f.Account.Args
	var users, homes []string
	if a.Kind == "user" {
		users = []string{a.Name}
	}
	if a.Home != nil {
		homes = []string{*a.Home}
	}
	query := remote.Command{Shell: remote.Sh, Script: filemod.AccountsQueryScript(users, homes)}
	return asPlanned(ctx, tr, f, query, "getent", a.Kind, func(out string) (map[string]string, error) {
		s, err := filemod.ParseAccounts(out)
		if err != nil {
			return nil, err
		}
		return map[string]string{f.Dest: s.Section(a)}, nil
	})
}

// statAsPlanned asks again what is at a stat task's path, as the plan
// asked (lstat, or stat with follow), and refuses to go on when it is not
// what the plan found: the tasks after it were decided on that.
func (h *hostApply) statAsPlanned(ctx context.Context, f *plan.FileChange) error {
	a := filemod.StatArgs{Path: f.Dest, Follow: f.Stat.Follow}
	query := remote.Command{Shell: remote.Sh, Script: a.KindScript()}
	return asPlanned(ctx, plan.WithBecome(h.tr, f.Become), f, query, "stat", "path", func(out string) (map[string]string, error) {
		kind, err := filemod.ParseKind(out)
		return map[string]string{f.Dest: kind}, err
	})
}

// runAptTask runs an apt task's commands (apt-get update, install or
// remove, apt-mark manual), in task order among the files, after checking
// the packages its decision read are as the plan saw them (when no
// earlier task of the plan acts on them). It is not rolled back; a
// command that fails fails the host, unless the task ignores errors.
func (h *hostApply) runAptTask(ctx context.Context, f *plan.FileChange) error {
	task := hostStateTask{label: string(f.Module) + " " + f.Dest, summary: f.Package.Summary, command: string(f.Module)}
	return h.runHostStateTask(ctx, f, task, func(tr remote.Transport) error { return packagesAsPlanned(ctx, tr, f) })
}

// packagesAsPlanned asks dpkg-query and apt-cache again about what the
// task's decision read and compares it with the plan's.
func packagesAsPlanned(ctx context.Context, tr remote.Transport, f *plan.FileChange) error {
	a := f.Package.Args
	query := remote.Command{Shell: remote.Sh, Script: filemod.AptQueryScript(a.Names)}
	return asPlanned(ctx, tr, f, query, "dpkg-query", "packages", func(out string) (map[string]string, error) {
		s, err := filemod.ParseApt(out)
		if err != nil {
			return nil, err
		}
		return map[string]string{f.Dest: s.Section(a)}, nil
	})
}
