package plan

import (
	"context"
	"fmt"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/remote"
)

// hostFiles is what a host's paths hold as the plan goes: the host's
// state, then what each earlier task of the plan leaves there, so that a
// task planned after another on the same path (a template, then a
// lineinfile on it) starts from the earlier one's result, as in Ansible.
type hostFiles struct {
	tr          remote.Transport
	planned     map[string]remote.FileState
	units       hostUnits         // the units unit tasks act on (units.go)
	winServices hostWinServices   // the services win_service tasks act on (units.go)
	winKinds    map[string]string // what win_file tasks leave at their paths (winedits.go)
	// hostKinds are the Windows paths' kinds read before planning (winedits.go).
	hostKinds map[string]string
	// containers are the containers and compose projects an earlier
	// container task of the host acts on (commands.go).
	containers map[string]bool
	// made are the directories and links earlier file tasks make or keep
	// (recordKind), each with its kind: a link to one has its source.
	made map[string]string
	// accounts are the host's groups and users as account tasks find them
	// (units.go).
	accounts hostAccounts
	// packages are the host's packages as apt tasks find them (units.go).
	packages hostPackages
}

// read is the path's content as the task finds it.
func (hf *hostFiles) read(ctx context.Context, f *fileWork) (remote.FileState, error) {
	if st, ok := hf.planned[f.change.Dest]; ok {
		return st, nil
	}
	return WithBecome(hf.tr, f.change.Become).ReadFile(ctx, f.change.Dest)
}

// plan computes one task's change from the path's state.
func (hf *hostFiles) plan(ctx context.Context, w *hostWork, f *fileWork) error {
	if f.onlyIf != nil && !w.settle(f) {
		return nil
	}
	if reason := w.localBecomeRefused(f.change.Become); reason != "" {
		w.wouldFail(f, reason)
		return nil
	}
	if f.file != nil && f.file.Windows {
		return hf.planWinFile(ctx, w, f)
	}
	if f.file != nil {
		return hf.planFile(ctx, w, f)
	}
	if f.service != nil {
		return hf.planService(ctx, w, f)
	}
	if f.command != nil {
		return hf.planCommand(ctx, w, f)
	}
	if f.winService != nil {
		return hf.planWinService(ctx, w, f)
	}
	if f.winCommand != nil {
		return hf.planWinCommand(ctx, w, f)
	}
	if f.container != nil {
		return hf.planContainer(ctx, w, f)
	}
	if f.stat != nil {
		return hf.planStat(ctx, w, f)
	}
	if f.account != nil {
		return hf.planAccount(ctx, w, f)
	}
	if f.apt != nil {
		return hf.planApt(ctx, w, f)
	}
	if f.edit != nil && editOnWrongHost(w, f) {
		return nil
	}
	if (hasPOSIXAttrs(f.change.Attrs) || f.change.Attrs.Validate != "") && posixOnly(w, f, "mode, owner, group and validate are applied on POSIX hosts (win_template and win_copy take none of them)") {
		return nil
	}
	if hf.plannedDirectory(w, f) {
		return nil
	}
	st, err := hf.read(ctx, f)
	if err != nil {
		return hf.readFailed(ctx, w, f, err)
	}
	if f.edit != nil {
		if done := f.editContent(w, st); done || hf.noParentFor(ctx, w, f, st.Exists) {
			return nil
		}
	}
	if f.keepExisting(st, w.rz) {
		return nil
	}
	f.compare(st, w.rz)
	if !hf.compareAttrs(ctx, w, f, st) {
		return nil
	}
	if (f.change.Changes() || st.Exists) && !f.change.CheckOnly {
		hf.planned[f.change.Dest] = f.plannedState(st)
	}
	return nil
}

// editContent computes a lineinfile or blockinfile task's content from
// the file's. It returns true when that settles the task: it fails as
// Ansible's would (listed, not planned), or it leaves a missing file
// missing.
func (f *fileWork) editContent(w *hostWork, st remote.FileState) bool {
	err := f.olderCoreRefuses(w)
	var res filemod.LineResult
	if err == nil {
		res, err = f.edit.Apply(st.Content, st.Exists)
	}
	switch {
	case err != nil:
		w.wouldFail(f, fmt.Sprintf("%s would fail: %v", f.edit.Module(), err))
		return true
	case !st.Exists && !res.Changed: // state=absent on a missing file
		f.change.Action = ActionNone
		return true
	}
	f.content = res.Content
	f.change.NewSHA256, f.change.NewContent, f.change.raw = sha256Hex(res.Content), string(res.Content), res.Content
	return false
}

// olderCoreRefuses: an ansible-core before 2.16 has no append_newline or
// prepend_newline, and refuses a task that gives one (its message).
func (f *fileWork) olderCoreRefuses(w *hostWork) error {
	b, ok := f.edit.(filemod.BlockArgs)
	if !ok || len(b.NewlineArgs) == 0 || w.core.SymbolicModeChains() {
		return nil
	}
	//lint:ignore ST1005 ansible-core's own message
	return fmt.Errorf("Unsupported parameters for (blockinfile) module: %s (added in ansible-core 2.16)", strings.Join(b.NewlineArgs, ", "))
}

// planFile stats the path on the host (or takes what an earlier task of
// the plan leaves there) and asks the file module what it would do.
func (hf *hostFiles) planFile(ctx context.Context, w *hostWork, f *fileWork) error {
	c := f.change
	if posixOnly(w, f, "the file module runs on POSIX hosts (win_file is its Windows twin)") {
		return nil
	}
	out, err := hf.stat(ctx, c)
	if err != nil {
		return err
	}
	cur, err := filemod.ParseStat(out)
	if err != nil {
		return fmt.Errorf("%s: %w", c.Dest, err)
	}
	cur = hf.afterEarlier(c.Dest, cur)
	missing, err := hf.missingLinkSource(ctx, f, cur)
	if err != nil {
		return err
	}
	res, err := filemod.File(*f.file, cur, hf.idLookup(ctx, c))
	if missing != nil {
		err = missing
	}
	if err != nil {
		w.wouldFail(f, fmt.Sprintf("file would fail: %v", err))
		return nil
	}
	c.OldSHA256 = sha256Hex([]byte(out))
	c.Action, c.Diff, c.Script = ActionNone, res.Diff, res.Script
	if res.Changed {
		c.Action = fileAction(cur.Kind)
	}
	if !c.CheckOnly {
		hf.recordKind(c.Dest, cur.Kind, res.After)
	}
	return nil
}

// missingLinkSource is the module's failure for a link task whose source
// exists neither on the host nor after an earlier task of the plan (nil
// when it does, or the task makes no link); err: the host could not say.
func (hf *hostFiles) missingLinkSource(ctx context.Context, f *fileWork, cur filemod.PathState) (missing, err error) {
	if f.file.State != "link" {
		return nil, nil
	}
	src := f.file.LinkSource(cur)
	if exists, ok := hf.plannedExists(src); ok {
		return orMissing(exists, src), nil
	}
	res, err := WithBecome(hf.tr, f.change.Become).Run(ctx, remote.Command{Shell: remote.Sh, Script: filemod.ExistsScript(src)})
	if err != nil {
		return nil, err
	}
	return orMissing(res.ExitCode == 0, src), nil
}

func orMissing(exists bool, src string) error {
	if exists {
		return nil
	}
	return filemod.MissingLinkSource(src)
}

// plannedExists: whether an earlier task of the plan leaves a path at p,
// and whether one acts on it at all.
func (hf *hostFiles) plannedExists(p string) (exists, known bool) {
	kind, known := hf.plannedKind(p)
	return kind != "absent", known
}

// plannedKind is what an earlier task of the plan leaves at p: absent, a
// file, a directory or a link; known is false where none acts on it.
func (hf *hostFiles) plannedKind(p string) (kind string, known bool) {
	if st, ok := hf.planned[p]; ok {
		if !st.Exists {
			return "absent", true
		}
		return "file", true
	}
	if kind := hf.made[p]; kind != "" {
		return kind, true
	}
	return "", false
}

func (hf *hostFiles) stat(ctx context.Context, c *FileChange) (string, error) {
	res, err := WithBecome(hf.tr, c.Become).Run(ctx, remote.Command{Shell: remote.Sh, Script: filemod.StatScript(c.Dest)})
	if err != nil {
		return "", err
	}
	if res.ExitCode != 0 {
		return "", fmt.Errorf("stat %s exited %d: %s", c.Dest, res.ExitCode, res.Stderr)
	}
	return res.Stdout, nil
}

// afterEarlier: a path an earlier task of the plan creates is a file (its
// attributes not known yet), one it removes is absent; otherwise the host's
// state stands.
func (hf *hostFiles) afterEarlier(dest string, cur filemod.PathState) filemod.PathState {
	st, ok := hf.planned[dest]
	switch {
	case ok && st.Exists && cur.Kind == "absent":
		return filemod.PathState{Kind: "file"}
	case ok && !st.Exists:
		return filemod.PathState{Kind: "absent"}
	}
	return cur
}

// recordKind notes what a file task leaves at the path for the tasks
// after it: nothing, an empty new file, or (a directory, a link, a file
// whose content it keeps) what the host will show.
func (hf *hostFiles) recordKind(dest, before, after string) {
	switch {
	case after == "absent":
		hf.planned[dest] = remote.FileState{Path: dest}
	case after == "touch" && before == "absent":
		hf.planned[dest] = remote.FileState{Path: dest, Exists: true, SHA256: sha256Hex(nil)}
	case after == "directory" || after == "link":
		delete(hf.planned, dest)
		hf.madeOnce()[dest] = after
	}
}

func (hf *hostFiles) madeOnce() map[string]string {
	if hf.made == nil {
		hf.made = map[string]string{}
	}
	return hf.made
}

func fileAction(before string) Action {
	if before == "absent" {
		return ActionCreate
	}
	return ActionUpdate
}

// settle decides a task that runs only if a registered file task changed
// (or did not), or only for some kinds of what is at a stat's path, from
// what the plan found for it: false when the task does not run (skipped, as Ansible
// skips it) or cannot be decided (listed).
func (w *hostWork) settle(f *fileWork) bool {
	if f.onlyIf.Kinds != nil {
		return w.settleOnStat(f)
	}
	changed := false
	for _, ft := range f.onlyIf.Tasks {
		dep := w.byTask[ft]
		switch {
		case dep == nil || dep.failed:
			w.wouldFail(f, fmt.Sprintf("its condition reads whether %q changed, and that task could not be planned", f.onlyIf.Register))
			return false
		case !dep.skipped && dep.change.Changes():
			changed = true
		}
	}
	f.skipped = changed != f.onlyIf.Want
	return !f.skipped
}

// settleOnStat decides a task whose condition reads what a stat found at
// its path. A stat that did not run leaves its result without stat, and
// Ansible fails the task on the condition; for a kind the condition asks
// more of than straylight knows, the task is Ansible's.
func (w *hostWork) settleOnStat(f *fileWork) bool {
	dep := w.byTask[f.onlyIf.Tasks[0]]
	if dep == nil || dep.failed || dep.skipped || dep.change.Stat == nil {
		w.wouldFail(f, fmt.Sprintf("its condition reads what the path of %q is, and that stat did not run", f.onlyIf.Register))
		return false
	}
	kind := dep.change.Stat.Kind
	if why, unknown := f.onlyIf.Unknown[kind]; unknown {
		w.wouldFail(f, fmt.Sprintf("%s (%s: %s)", why, dep.change.Dest, dep.change.Stat.Summary()))
		return false
	}
	f.skipped = !f.onlyIf.Kinds[kind]
	return !f.skipped
}

// addEdit records a file, lineinfile, blockinfile or unit task's
// arguments on its work item.
func (fw *fileWork) addEdit(ft *ansible.FileTask) {
	fw.file, fw.edit, fw.service, fw.command, fw.changedWhen = ft.File, ft.Edit, ft.Service, ft.Command, ft.ChangedWhen
	fw.winService, fw.winCommand, fw.container, fw.stat, fw.account, fw.apt = ft.WinService, ft.WinCommand, ft.Container, ft.Stat, ft.Account, ft.Apt
	if ft.File != nil || ft.Service != nil || ft.WinService != nil || ft.Container != nil || ft.Stat != nil || ft.Account != nil || ft.Apt != nil {
		fw.change.NewSHA256, fw.change.raw = "", nil // no content: a script makes the change
	}
}

// posixOnly lists a POSIX-only module's task as unsupported (with reason)
// when the host is reached over WinRM, and reports whether it did.
func posixOnly(w *hostWork, f *fileWork, reason string) bool {
	if w.conn.Kind != "winrm" {
		return false
	}
	w.wouldFail(f, reason)
	return true
}
