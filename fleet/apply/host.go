package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/state"
	"github.com/straylight-fleet/straylight/internal/shquote"
	"github.com/straylight-fleet/straylight/remote"
)

// hostApply is one host's part of an apply.
type hostApply struct {
	a       *applyRun
	pending *plan.PendingRestart // left by an earlier apply that died; nil if none
	// pendingErr: the pending-restart record could not be read, so whether
	// a restart is owed is unknown; the host is refused.
	pendingErr error
	hp         *plan.HostPlan
	tr         remote.Transport
	handlers   []plan.HandlerRun
	backups    map[string]remote.FileState // dest → content before the write
	written    []*plan.FileChange
	outcome    HostOutcome
	reason     string
	// restoredServes: what the host serves after a rollback's health gate.
	restoredServes []string
	auditErr       error // the start entry could not be written
	// inherited: a pending restart left by an earlier run that died after
	// writing; it stays owed until a restart runs.
	inherited bool
	// handlerRan: a handler of this run started (the host may be running
	// the new files); until then a rollback restores files only.
	handlerRan bool
	// servingBefore: for a restart, the name the host served before it, on
	// the config it restarts on; its health gate waits for that name.
	servingBefore string
	// ranByAnsible: the playbooks ansible-playbook ran (or began) on the host.
	ranByAnsible []string
}

func (h *hostApply) isProxy() bool {
	return h.a.fleet.Proxy != nil && h.a.fleet.Proxy.Name == h.hp.Host
}

// gpu is the host's server, vllm-mapped or discovered (a llama.cpp unit).
func (h *hostApply) gpu() *discover.GPUHost { return h.a.fleet.ServerByName(h.hp.Host) }

func (h *hostApply) changedFiles() []*plan.FileChange {
	var out []*plan.FileChange
	for _, f := range h.hp.Files {
		if f.Runs() {
			out = append(out, f)
		}
	}
	return out
}

// hasWork: files to write or handlers to run (also a pending restart left by
// an earlier run that died between the write and the restart).
func (h *hostApply) hasWork() bool {
	return len(h.changedFiles()) > 0 || len(h.hp.Handlers) > 0 || h.pendingRecord() != nil || len(h.viaAnsible()) > 0
}

// pendingRecord is the restart an earlier, dead apply left for this host,
// read once when the apply starts.
func (h *hostApply) pendingRecord() *plan.PendingRestart { return h.pending }

func (h *hostApply) emit(ev Event) {
	ev.Host = h.hp.Host
	h.a.emit(ev)
}

func (h *hostApply) step(step Step, status StepStatus, dest, msg string) {
	h.emit(Event{Kind: EvStep, Step: step, Status: status, Dest: dest, Message: msg})
}

// run applies the host and reports its result.
func (h *hostApply) run(ctx context.Context) {
	err := h.apply(ctx)
	switch {
	case h.outcome == OutcomeSkipped || h.outcome == OutcomeUnchanged:
	case err != nil:
		h.outcome, h.reason = OutcomeFailed, err.Error()
	default:
		h.outcome = OutcomeOK
	}
	if h.tr != nil {
		h.tr.Close()
	}
	h.audit(h.a.action)
	h.emit(Event{Kind: EvHostResult, Status: StepStatus(h.outcome), Message: h.reason})
}

func (h *hostApply) apply(ctx context.Context) error {
	if err := h.preflight(); err != nil || !h.hasWork() {
		return err
	}
	tr, err := h.a.e.Transports(connection(h.hp, h.a.fleet))
	if err != nil {
		return fmt.Errorf("not reachable: %w", err)
	}
	h.tr = tr
	h.auditStart()
	if err := h.deploy(ctx); err != nil {
		return h.rollback(ctx, err)
	}
	return nil
}

// preflight refuses what cannot be applied safely.
func (h *hostApply) preflight() error {
	switch {
	case h.pendingErr != nil:
		return fmt.Errorf("cannot read the pending-restart record (a restart may be owed): %w; fix or remove it, then apply again", h.pendingErr)
	case h.hp.Unreachable != "":
		return errors.New(h.hp.Unreachable)
	case h.ansibleRefusal() != nil:
		return h.ansibleRefusal()
	case len(h.hp.Unsupported) > 0 && !h.a.e.Opts.SkipUnsupported:
		u := h.hp.Unsupported[0]
		return fmt.Errorf("unsupported task %q (%s): %s; pass --skip-unsupported to apply the rest", u.Task, u.At, u.Reason)
	case !h.hasWork():
		h.outcome = OutcomeUnchanged
	}
	return nil
}

// deploy writes the files and runs the handlers flush point by flush point
// (flush.go), then gates on health and tests routes.
func (h *hostApply) deploy(ctx context.Context) error {
	h.inherited = h.pendingRecord() != nil
	h.handlers = h.handlersToRun()
	if len(h.handlers) > 0 {
		if err := h.recordPending(); err != nil {
			return err
		}
	}
	h.backups = map[string]remote.FileState{}
	if err := h.runStages(ctx); err != nil {
		return err
	}
	if err := h.runDelegated(ctx); err != nil {
		return err
	}
	if len(h.handlers) == 0 && len(h.viaAnsible()) == 0 && !h.handlerRan { // handlerRan: a unit task (re)started the server
		return nil
	}
	if err := h.handlersDone(); err != nil {
		return err
	}
	return h.afterRestart(ctx)
}

// handlersToRun: the plan's handlers plus any left pending by a dead run.
func (h *hostApply) handlersToRun() []plan.HandlerRun {
	out := append([]plan.HandlerRun(nil), h.hp.Handlers...)
	if p := h.pendingRecord(); p != nil {
		for _, hr := range p.Handlers {
			if !plan.HasHandler(out, hr.Name) {
				out = append(out, hr)
			}
		}
	}
	return out
}

func (h *hostApply) recordPending() error {
	h.step(StepPending, StatusStart, "", "recording the pending restart before writing")
	p := plan.PendingRestart{Host: h.hp.Host, Handlers: h.handlers, Since: time.Now().UTC()}
	if err := plan.RecordPending(h.a.e.st, p); err != nil {
		return fmt.Errorf("record pending restart: %w", err)
	}
	h.step(StepPending, StatusOK, "", "")
	return nil
}

// writeFiles writes one flush stage's changed files, in task order.
func (h *hostApply) writeFiles(ctx context.Context, files []*plan.FileChange) error {
	for _, f := range files {
		write := h.writeFile
		switch {
		case f.Service != nil && f.Module == ansible.ModWinService:
			write = h.runWinServiceTask
		case f.Service != nil:
			write = h.runUnitTask
		case f.Account != nil:
			write = h.runAccountTask
		case f.Package != nil:
			write = h.runAptTask
		case f.Stat != nil:
			write = h.statAsPlanned
		case f.Command != nil:
			write = h.runCommandTask
		case f.Module == ansible.ModFile:
			write = h.runFileTask
		case f.Module == ansible.ModWinFile:
			write = h.runWinFileTask
		}
		if err := write(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// runFileTask runs a file-module task's script, after checking the path
// is as the plan saw it. Its change is not rolled back.
func (h *hostApply) runFileTask(ctx context.Context, f *plan.FileChange) error {
	tr := plan.WithBecome(h.tr, f.Become)
	h.step(StepWrite, StatusStart, f.Dest, "")
	now, err := tr.Run(ctx, remote.Command{Shell: remote.Sh, Script: filemod.StatScript(f.Dest)})
	if err != nil {
		return fmt.Errorf("stat %s: %w", f.Dest, err)
	}
	if now.ExitCode != 0 {
		return fmt.Errorf("stat %s: exited %d: %s", f.Dest, now.ExitCode, plan.FirstLine(now.Stderr, now.Stdout))
	}
	if sum := sha256.Sum256([]byte(now.Stdout)); hex.EncodeToString(sum[:]) != f.OldSHA256 {
		return fmt.Errorf("%s changed on the host since the plan: plan again", f.Dest)
	}
	res, err := tr.Run(ctx, remote.Command{Shell: remote.Sh, Script: f.Script})
	if err != nil {
		return fmt.Errorf("%s: %w", f.Dest, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("%s: exited %d: %s", f.Dest, res.ExitCode, plan.FirstLine(res.Stderr, res.Stdout))
	}
	h.step(StepWrite, StatusOK, f.Dest, string(f.Action))
	return nil
}

// runWinFileTask runs a win_file task's change with the set-path script,
// which checks first that the path is still what the plan saw. Its change
// is not rolled back.
func (h *hostApply) runWinFileTask(ctx context.Context, f *plan.FileChange) error {
	wp, ok := h.tr.(remote.WindowsPaths)
	if !ok {
		return fmt.Errorf("%s: %s cannot run win_file", f.Dest, h.tr.Describe())
	}
	h.step(StepWrite, StatusStart, f.Dest, "")
	if err := wp.SetPath(ctx, f.Dest, f.Script, f.PathKind); err != nil {
		return fmt.Errorf("%s: %w (plan again)", f.Dest, err)
	}
	h.step(StepWrite, StatusOK, f.Dest, string(f.Action))
	return nil
}

// writeFile backs up the live file, checks it is what the plan saw, then
// writes atomically with hash verification (the transport's job).
func (h *hostApply) writeFile(ctx context.Context, f *plan.FileChange) error {
	h.step(StepBackup, StatusStart, f.Dest, "")
	tr := plan.WithBecome(h.tr, f.Become)
	old, err := tr.ReadFile(ctx, f.Dest)
	if err != nil {
		return fmt.Errorf("read %s: %w", f.Dest, err)
	}
	if old.SHA256 != f.OldSHA256 {
		return fmt.Errorf("%s changed on the host since the plan (sha256 %s, planned %s): plan again", f.Dest, short(old.SHA256), short(f.OldSHA256))
	}
	if _, ok := h.backups[f.Dest]; !ok { // the content before this apply's first write to it
		h.backups[f.Dest] = old
	}
	h.step(StepBackup, StatusOK, f.Dest, "")
	h.step(StepWrite, StatusStart, f.Dest, "")
	if f.AttrsOnly() {
		return h.setAttrs(ctx, tr, f)
	}
	res, err := writeWith(ctx, tr, f.Dest, f.Content(), writeOptions(f))
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Dest, err)
	}
	if res.SHA256 != f.NewSHA256 {
		return fmt.Errorf("write %s: host reports sha256 %s, expected %s", f.Dest, short(res.SHA256), short(f.NewSHA256))
	}
	h.written = append(h.written, f)
	h.step(StepWrite, StatusOK, f.Dest, "sha256 "+short(res.SHA256)+backupNote(res.BackupPath))
	return nil
}

// writeWith writes through the transport's FileWriter when it has one
// (local and SSH: mode, owner, group, validate, backup); WinRM writes the
// content only, keeping its own backup (the plan lists a WinRM task that
// sets a mode, owner, group or validate as unsupported).
func writeWith(ctx context.Context, tr remote.Transport, dest string, content []byte, opts remote.WriteOptions) (remote.WriteResult, error) {
	fw, ok := tr.(remote.FileWriter)
	if !ok {
		return tr.WriteFile(ctx, dest, content)
	}
	return fw.WriteFileWith(ctx, dest, content, opts)
}

// writeOptions are the task's attributes as the writer takes them: the
// mode the plan resolved (symbolic modes included) in octal.
func writeOptions(f *plan.FileChange) remote.WriteOptions {
	a := f.Attrs
	mode := f.SetMode
	if mode == "" {
		mode = a.Mode
	}
	return remote.WriteOptions{Mode: mode, Owner: a.Owner, Group: a.Group, Validate: a.Validate, ValidateExports: a.ValidateExports, NoBackup: !a.Backup, DirMode: a.DirectoryMode}
}

// setAttrs changes the mode, owner and group of a file whose content is
// already the task's (Ansible's file module step of copy and template).
// The file is not rewritten; a rollback restores its old attributes.
func (h *hostApply) setAttrs(ctx context.Context, tr remote.Transport, f *plan.FileChange) error {
	res, err := tr.Run(ctx, remote.Command{Shell: remote.Sh, Script: attrsScript(f)})
	if err != nil {
		return fmt.Errorf("set attributes of %s: %w", f.Dest, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("set attributes of %s: exited %d: %s", f.Dest, res.ExitCode, plan.FirstLine(res.Stderr, res.Stdout))
	}
	h.written = append(h.written, f)
	h.step(StepWrite, StatusOK, f.Dest, "attributes "+attrsSummary(f.AttrsAfter))
	return nil
}

// attrsScript is chown, chgrp, then chmod (a chown clears setuid) of the
// attributes that change.
func attrsScript(f *plan.FileChange) string {
	p := shquote.Always(f.Dest)
	var cmds []string
	if after := f.AttrsAfter; after != nil {
		cmds = append(cmds, idCommand("chown", after.UID, after.Owner, p)...)
		cmds = append(cmds, idCommand("chgrp", after.GID, after.Group, p)...)
	}
	if f.SetMode != "" {
		cmds = append(cmds, "chmod -- "+shquote.Always(f.SetMode)+" "+p)
	}
	return strings.Join(cmds, " && ")
}

// idCommand sets an owner or group by id, or by name where the plan has
// a name alone (an account an earlier task of the run adds); none when
// the task leaves it.
func idCommand(cmd string, id *int, name, path string) []string {
	switch {
	case id != nil:
		return []string{cmd + " -- " + strconv.Itoa(*id) + " " + path}
	case name != "":
		return []string{cmd + " -- " + shquote.Always(name) + " " + path}
	}
	return nil
}

func attrsSummary(m *plan.FileMeta) string {
	if m == nil {
		return ""
	}
	var parts []string
	if m.Mode != "" {
		parts = append(parts, "mode "+m.Mode)
	}
	if m.UID != nil || m.Owner != "" {
		parts = append(parts, "owner "+orID(m.Owner, m.UID))
	}
	if m.GID != nil || m.Group != "" {
		parts = append(parts, "group "+orID(m.Group, m.GID))
	}
	return strings.Join(parts, ", ")
}

func orID(name string, id *int) string {
	if name != "" {
		return name
	}
	return strconv.Itoa(*id)
}

func backupNote(path string) string {
	if path == "" {
		return ""
	}
	return ", backup " + path
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	if sha == "" {
		return "(absent)"
	}
	return sha
}

func (h *hostApply) runHandler(ctx context.Context, hr plan.HandlerRun) error {
	h.step(StepHandler, StatusStart, "", hr.Name)
	tr := plan.WithBecome(h.tr, hr.Become)
	res, err := tr.Run(ctx, remote.Command{Shell: shellFor(hr.Module), Script: hr.Script()})
	if err != nil {
		return fmt.Errorf("handler %q: %w", hr.Name, err)
	}
	if res.ExitCode == 0 {
		h.step(StepHandler, StatusOK, "", hr.Name)
		return nil
	}
	err = fmt.Errorf("handler %q exited %d: %s", hr.Name, res.ExitCode, shownOutput(hr.NoLog, res))
	return h.exitedNonZero(StepHandler, "", hr.Name, res.ExitCode, tolerance{hr.NeverFails, hr.IgnoreErrors}, err)
}

// shownOutput is the first line of a failed command's output, or, under
// no_log, Ansible's words for what it hides.
func shownOutput(hidden bool, res remote.CommandResult) string {
	if hidden {
		return "the output has been hidden due to the fact that 'no_log: true' was specified for this result"
	}
	return plan.FirstLine(res.Stderr, res.Stdout)
}

func shellFor(m ansible.Module) remote.Shell {
	switch m {
	case ansible.ModWinShell, ansible.ModWinService:
		return remote.PowerShell
	case ansible.ModWinCommand:
		return remote.Cmd
	}
	return remote.Sh
}

// afterRestart gates the host on health, then tests its routes (now, or
// after the proxy's restart when the proxy changes too).
func (h *hostApply) afterRestart(ctx context.Context) error {
	if h.isProxy() {
		return h.proxyAfterRestart(ctx)
	}
	g := h.gpu()
	if g == nil || len(g.Served) == 0 {
		return nil
	}
	if err := h.healthGate(ctx, g, h.expectedName(g)); err != nil {
		return err
	}
	h.a.window.mark(&h.a.window.backendHealthy, time.Now())
	routes := h.a.fleet.RouteHosts(g.Name)
	if len(routes) > 0 && h.a.proxyChanges() {
		h.a.deferRoutes(h, routes)
		return nil
	}
	return h.testRoutes(ctx, routes)
}

func (h *hostApply) proxyAfterRestart(ctx context.Context) error {
	if err := h.proxyGate(ctx); err != nil {
		return err
	}
	h.a.window.mark(&h.a.window.proxyServing, time.Now())
	return nil
}

// auditStart logs that the host's deploy or restart begins: if straylight
// dies before the end is logged, the next start says so.
// A failure to write it fails the host at the end, like the end entry's.
func (h *hostApply) auditStart() {
	err := h.a.e.st.Audit(state.AuditEntry{Host: h.hp.Host, Action: h.a.action, Result: state.ResultStarted,
		Message: fmt.Sprintf("pid %d", os.Getpid())})
	if err != nil {
		h.auditErr = fmt.Errorf("audit log not written (its start entry): %w", err)
	}
}

func (h *hostApply) audit(action string) {
	e := state.AuditEntry{Host: h.hp.Host, Action: action, Result: string(h.outcome), Message: plan.MaskSecrets(h.reason, h.a.secrets())}
	for _, f := range h.written {
		e.Files = append(e.Files, state.AuditFile{Dest: f.Dest, OldSHA256: f.OldSHA256, NewSHA256: f.NewSHA256})
	}
	e.ViaAnsible = h.auditViaAnsible()
	if h.outcome == OutcomeUnchanged {
		return
	}
	if err := h.a.e.st.Audit(e); err != nil {
		h.outcome = OutcomeFailed
		h.reason = joinReason(h.reason, "audit log not written: "+err.Error())
	} else if h.auditErr != nil {
		h.outcome = OutcomeFailed
		h.reason = joinReason(h.reason, h.auditErr.Error())
	}
}

func joinReason(reason, more string) string {
	if reason == "" {
		return more
	}
	return reason + "; " + more
}

// connection finds the host's connection in the fleet model.
func connection(hp *plan.HostPlan, f *discover.Fleet) ansible.Connection {
	if c, ok := f.Conns[hp.Host]; ok {
		return c
	}
	return ansible.Connection{Host: hp.Host, Kind: hp.Connection, Address: hp.Address}
}
