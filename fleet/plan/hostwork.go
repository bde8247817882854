package plan

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/remote"
)

// hostWork turns one host's rendered tasks into its part of the plan.
type hostWork struct {
	name    string
	tasks   *ansible.HostTasks
	conn    Connection
	plan    *HostPlan
	files   []*fileWork
	secrets []string
	pending *PendingRestart // left by an apply that died before its restart
	byTask  map[*ansible.FileTask]*fileWork
	rz      recognizers
	texts   *textSet
	// varsBecome: the host's ansible_become* variables, read once for
	// the local connection's check (localBecomeRefused).
	varsBecome *varsBecome
	// findings are what rendering the host and reading its pending
	// restart found; lint what validate found: the plan lists them in
	// host order once every host is planned.
	findings, lint []Finding
	// core answers what the repository's ansible-core version decides:
	// symbolic mode clauses read the mode earlier clauses made, as since
	// 2.16 (filemod.Attrs.Chained; 2.16 also brought blockinfile's
	// append_newline and prepend_newline), and apt's lock timeout option
	// (2.19). Asked only when a task needs it: it may run ansible
	// --version.
	core *ansible.Repo
}

// fileWork is one rendered file task awaiting the host's current content.
type fileWork struct {
	change     *FileChange
	content    []byte
	src        string // the task's src, for a copy into a directory
	hs         *ansible.HostScope
	task       *ansible.Task
	findings   discover.FileFindings   // the servers it describes, rendered and deployed
	file       *filemod.FileArgs       // a file task's arguments
	edit       filemod.Edit            // a lineinfile or blockinfile task's arguments
	service    *filemod.ServiceArgs    // a systemd_service or service task's arguments
	command    *filemod.CommandArgs    // a command or shell task's arguments
	winService *filemod.WinServiceArgs // a win_service task's arguments
	winCommand *filemod.WinCommandArgs // a win_command or win_shell task's arguments
	container  *filemod.ContainerTask  // a plain container module's task
	stat       *filemod.StatArgs       // a stat task's arguments
	account    *filemod.AccountArgs    // a user or group task's arguments
	apt        *filemod.AptArgs        // an apt task's arguments
	// handlersSeen: the handlers include_role had brought into the play
	// when the task ran (ansible.FileTask.HandlersSeen).
	handlersSeen int
	changedWhen  *bool // its constant changed_when
	failed       bool  // the task would fail: listed as unsupported, not planned
	skipped      bool  // its condition on a registered result is false
	onlyIf       *ansible.ResultCondition
	vaulted      bool // content decrypted from a vault-encrypted source: shown like no_log
	noLog        bool // the task's no_log, its own or inherited
}

// textSet holds one copy of each rendered file's text for a plan, with its
// SHA-256: a start script every host receives is kept once, not once per
// host (4 MB of a 1,000-host plan), and hashed once (a map lookup hashes
// and compares its bytes some fifty times faster than SHA-256 does).
// Hosts are started in parallel; nil keeps a copy per file. It also
// remembers how texts were masked (redact.go): the script every host
// receives is searched for secret names once, not once per host.
type textSet struct {
	mu    sync.Mutex
	texts map[string]hashedText // keyed by the text itself
	// masked: MaskText(text, nil) by text; maskedDiffs: maskDiff(body,
	// nil) by a diff's body (maskedDiff).
	masked, maskedDiffs map[string]string
}

type hashedText struct{ text, sha string }

func newTextSet() *textSet {
	return &textSet{texts: map[string]hashedText{}, masked: map[string]string{}, maskedDiffs: map[string]string{}}
}

// text returns content as a string and its SHA-256 in hex.
func (ts *textSet) text(content []byte) hashedText {
	if ts == nil {
		return hashedText{string(content), sha256Hex(content)}
	}
	ts.mu.Lock()
	t, ok := ts.texts[string(content)]
	ts.mu.Unlock()
	if ok {
		return t
	}
	t = hashedText{string(content), sha256Hex(content)} // outside the lock: the other hosts go on
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if kept, ok := ts.texts[t.text]; ok { // another host's, meanwhile
		return kept
	}
	ts.texts[t.text] = t
	return t
}

// newHostWork starts a host's plan from its rendered tasks.
func newHostWork(tasks *ansible.HostTasks, rz recognizers, texts *textSet) *hostWork {
	w := &hostWork{name: tasks.Host, tasks: tasks, conn: tasks.Conn, plan: &HostPlan{Host: tasks.Host}, secrets: tasks.AllSecrets(),
		byTask: map[*ansible.FileTask]*fileWork{}, rz: rz, texts: texts}
	if len(tasks.Scopes) > 0 {
		w.plan.Connection, w.plan.Address = tasks.Conn.Kind, tasks.Conn.Address
	}
	w.plan.Unsupported = append(w.plan.Unsupported, tasks.Unsupported...)
	for _, ft := range tasks.Files {
		w.addFile(ft)
	}
	return w
}

func (w *hostWork) addFile(ft *ansible.FileTask) {
	t, run := ft.Task, ft.Run
	text := w.texts.text(ft.Content)
	fc := &FileChange{Playbook: run.Playbook.Path, Play: run.Play.Name, Task: ft.Label, Module: t.Module,
		Dest: ft.Dest, NewSHA256: text.sha, NewContent: text.text, Notify: ft.Notify, At: t.At, raw: ft.Content,
		Attrs: ft.Attrs, Become: becomeOrNil(ft.Become), Flush: ft.Flush, IgnoreErrors: ft.IgnoreErrors, NeverFails: ft.NeverFails, CheckOnly: ft.CheckOnly}
	play := ft.Play
	if play == nil {
		play = ft.Scope
	}
	fw := &fileWork{change: fc, content: ft.Content, src: ft.Src, hs: play, task: t, onlyIf: ft.OnlyIf, vaulted: ft.Vaulted, noLog: ft.NoLog, handlersSeen: ft.HandlersSeen}
	fw.addEdit(ft)
	w.files = append(w.files, fw)
	w.byTask[ft] = fw
}

func (w *hostWork) unsupported(playbook string, t *ansible.Task, reason string) {
	u := ansible.NewUnsupported(nil, t, reason)
	u.Task, u.Playbook = w.tasks.LabelOf(t), playbook
	w.plan.Unsupported = append(w.plan.Unsupported, u)
}

// readFiles plans each file task from the host's current state, in task
// order (edits.go).
func (w *hostWork) readFiles(ctx context.Context, tr remote.Transport) error {
	hf := &hostFiles{tr: tr, planned: map[string]remote.FileState{}, containers: map[string]bool{}}
	if err := hf.readHostKinds(ctx, w); err != nil {
		return err
	}
	for _, f := range w.files {
		if err := hf.plan(ctx, w, f); err != nil {
			return err
		}
	}
	return nil
}

func (f *fileWork) compare(st remote.FileState, rz recognizers) {
	c := f.change
	switch {
	case !st.Exists:
		c.Action = ActionCreate
	case st.SHA256 == c.NewSHA256:
		c.Action = ActionNone
	default:
		c.Action = ActionUpdate
	}
	c.OldSHA256 = st.SHA256
	if c.Action != ActionNone {
		c.Diff = Diff(c.Dest, st.Content, f.content, st.Exists)
	}
	f.recognize(st, rz)
}

// finish records a read failure and collects the handlers the changes notify.
func (w *hostWork) finish(readErr error) {
	for _, f := range w.files {
		if readErr != nil {
			f.change.Action = ActionUnknown
		}
		if !f.failed && !f.skipped {
			w.plan.Files = append(w.plan.Files, f.change)
		}
	}
	if readErr != nil {
		w.plan.Unreachable = notReachable(readErr)
		w.unread(w.plan.Unreachable)
	}
	w.collectHandlers()
	w.addPending()
	w.redact()
}

// addPending adds the restarts an earlier apply recorded but never ran (it
// died between writing and restarting): they are owed even though the files
// are now in sync, and --check shows them.
func (w *hostWork) addPending() {
	if w.pending == nil {
		return
	}
	because := "pending restart recorded " + w.pending.Since.Format("2006-01-02 15:04:05Z07:00")
	for _, ph := range w.pending.Handlers {
		if HasHandler(w.plan.Handlers, ph.Name) {
			continue
		}
		w.addPendingHandler(ph.Name, because)
	}
}

func (w *hostWork) addPendingHandler(name, because string) {
	for _, hs := range w.tasks.Scopes {
		for _, h := range hs.Handlers() {
			if h.Label() == name {
				if hr := w.addHandler(hs, h, []string{because}, ansible.EndOfPlay); hr != nil {
					hr.Pending = true
				}
				return
			}
		}
	}
}

// collectHandlers lists the handlers the changes notify, play by play and
// flush point by flush point (docs/ansible-semantics.md, "Handlers"): at
// each flush point Ansible goes once through the play's handler list and
// runs every handler notified since the last one, once; a handler
// notified again after it ran runs again at a later flush point. One a
// handler notifies from further up the list waits for the next flush
// point, and after the play's last one, never runs.
func (w *hostWork) collectHandlers() {
	for _, hs := range w.tasks.Scopes {
		notified := w.notifiedIn(hs)
		var carried map[*ansible.Task][]string
		for flush := 0; flush <= w.lastFlush(hs, notified); flush++ {
			carried = w.addHandlers(hs, flush, notified, carried)
		}
		w.neverRun(hs, carried)
	}
}

// lastFlush is the play's last flush point for this host: the one after
// its post_tasks, or the last a changed file notifies at (a play whose
// walk stopped early).
func (w *hostWork) lastFlush(hs *ansible.HostScope, notified notifications) int {
	last := w.tasks.LastFlush(hs)
	for at := range notified {
		last = max(last, at.flush)
	}
	return last
}

// notifications are a play's notifications: by flush point and by how
// many handlers include_role had brought into the play when they were
// sent (FileTask.HandlersSeen), each handler name with the dests that
// notified it.
type notifications map[notifiedAt]map[string][]string

type notifiedAt struct{ flush, seen int }

// seenAt are the handler counts the flush point's notifications were
// sent at, in order.
func (n notifications) seenAt(flush int) []int {
	var out []int
	for at := range n {
		if at.flush == flush {
			out = append(out, at.seen)
		}
	}
	slices.Sort(out)
	return out
}

// notifiedIn collects the handler names the play's changed files notify.
func (w *hostWork) notifiedIn(hs *ansible.HostScope) notifications {
	out := notifications{}
	for _, f := range w.files {
		if f.hs != hs || f.change.Action == ActionNone {
			continue
		}
		at := notifiedAt{f.change.Flush, f.handlersSeen}
		if out[at] == nil {
			out[at] = map[string][]string{}
		}
		for _, n := range f.change.Notify {
			out[at][n] = ansible.AppendUnique(out[at][n], f.change.Dest)
		}
	}
	return out
}

// addHandlers adds the handlers a flush point runs, in one pass over the
// play's list: those its notifications name (resolve) and those carried
// from the flush point before.
//
// A handler that changes something notifies its own handlers: one after
// it in the list runs in the same pass; one before it is returned, for
// the next flush point, as ansible-playbook carries it (measured on 2.14
// and 2.19; Ansible's play iterator visits each handler once per flush).
func (w *hostWork) addHandlers(hs *ansible.HostScope, flush int, notified notifications, carried map[*ansible.Task][]string) map[*ansible.Task][]string {
	seen := notified.seenAt(flush)
	if len(seen) == 0 && len(carried) == 0 {
		return nil
	}
	handlers := hs.Handlers()
	pending := mergeReasons(w.resolve(hs, handlers, flush, seen, notified), carried)
	for _, h := range handlers {
		because := pending[h]
		if len(because) == 0 {
			continue
		}
		delete(pending, h)
		if hr := w.addHandler(hs, h, because, flush); hr != nil {
			hr.Flush = flush
			w.notifiedByHandler(hs, handlers, flush, h, pending)
		}
	}
	return pending
}

// resolve finds the handlers the flush point's notifications name
// (HostScope.ResolveNotifications), each among those the play held when
// it was sent (HostScope.HandlersKnown). A notification no handler
// answers is an error at the task that sent it, as Ansible fails the run
// on it ("The requested handler ... was not found"), or a warning where
// ansible.cfg's error_on_missing_handler is false.
func (w *hostWork) resolve(hs *ansible.HostScope, handlers []*ansible.Task, flush int, seenAt []int, notified notifications) map[*ansible.Task][]string {
	var pending map[*ansible.Task][]string
	for _, seen := range seenAt {
		answered, missing := hs.ResolveNotifications(hs.HandlersKnown(handlers, seen), notified[notifiedAt{flush, seen}])
		for _, name := range missing {
			w.missingHandler(hs, flush, seen, name)
		}
		if pending == nil {
			pending = answered
			continue
		}
		pending = mergeReasons(pending, answered)
	}
	return pending
}

// mergeReasons adds the carried handlers, with why each was notified, to
// pending (which may be nil) and returns it.
func mergeReasons(pending, carried map[*ansible.Task][]string) map[*ansible.Task][]string {
	if pending == nil {
		pending = map[*ansible.Task][]string{}
	}
	for h, because := range carried {
		pending[h] = ansible.AppendUnique(pending[h], because...)
	}
	return pending
}

// neverRun warns of the handlers notified after the play's last flush
// point passed them: Ansible never runs them, without a word.
func (w *hostWork) neverRun(hs *ansible.HostScope, carried map[*ansible.Task][]string) {
	for _, h := range hs.Handlers() {
		if because := carried[h]; len(because) > 0 {
			w.findings = append(w.findings, Finding{Severity: SevWarning, Host: w.name, Key: "notify", At: h.At,
				Message: fmt.Sprintf("handler %q is notified (by %s) after the play's last flush point went past it in the handler list: Ansible does not run it", w.tasks.LabelOf(h), strings.Join(because, ", "))})
		}
	}
}

// notifiedByHandler adds what the handler h, run at the flush point,
// notifies, with h as the cause, to pending: among the handlers the play
// held there (HostScope.HandlersKnown).
func (w *hostWork) notifiedByHandler(hs *ansible.HostScope, handlers []*ansible.Task, flush int, h *ansible.Task, pending map[*ansible.Task][]string) {
	notified := handlerNotifications(hs, h)
	if len(notified) == 0 {
		return
	}
	answered, missing := hs.ResolveNotifications(hs.HandlersKnown(handlers, w.tasks.HandlersSeenAt(hs, flush)), notified)
	for _, name := range missing {
		f := missingHandlerFinding(hs, w.name, name)
		f.At = h.At
		w.findings = append(w.findings, f)
	}
	for target, because := range answered {
		pending[target] = ansible.AppendUnique(pending[target], because...)
	}
}

// handlerNotifications are what a handler that ran notifies, with the
// handler as the cause; one whose changed_when is the constant false
// changes nothing and notifies nothing.
func handlerNotifications(hs *ansible.HostScope, h *ansible.Task) map[string][]string {
	if len(h.Notify) == 0 {
		return nil
	}
	if cw := h.ConstantChangedWhen(); cw != nil && !*cw {
		return nil
	}
	out := map[string][]string{}
	for _, name := range hs.HandlerNotify(h) {
		out[name] = []string{"handler " + h.Label()}
	}
	return out
}

func (w *hostWork) missingHandler(hs *ansible.HostScope, flush, seen int, name string) {
	f := missingHandlerFinding(hs, w.name, name)
	for _, fw := range w.files {
		if fw.hs == hs && fw.change.Flush == flush && fw.handlersSeen == seen && slices.Contains(fw.change.Notify, name) {
			f.At = fw.change.At
			break
		}
	}
	w.findings = append(w.findings, f)
}

// missingHandlerFinding is Ansible's failure on a notification no handler
// answers: an error, or a warning where error_on_missing_handler is false.
func missingHandlerFinding(hs *ansible.HostScope, host, name string) Finding {
	sev := SevError
	if !hs.ErrorOnMissingHandler() {
		sev = SevWarning
	}
	return Finding{Severity: sev, Host: host, Key: "notify", Message: fmt.Sprintf("The requested handler '%s' was not found in either the main handlers list nor in the listening handlers list", name)}
}

// addHandler adds the handler, run at the play's flush point flush, to
// the plan and returns it, or lists it as unsupported and returns nil.
func (w *hostWork) addHandler(hs *ansible.HostScope, h *ansible.Task, because []string, flush int) *HandlerRun {
	run := hs.Run()
	kw := hs.HandlerKeywords(h)
	hr := HandlerRun{Playbook: run.Playbook.Path, Play: run.Play.Name, Name: h.Label(), Module: h.Module, Because: because, At: h.At,
		Become: becomeOrNil(kw.Become), NoLog: kw.HidesOutput(), IgnoreErrors: kw.IgnoresErrors(), NeverFails: h.NeverFails()}
	if reason := orDefault(hs.HandlerUnsupported(h), w.localBecomeRefused(hr.Become)); reason != "" {
		w.unsupported(run.Playbook.Path, h, reason)
		return nil
	}
	if h.Loop != nil {
		w.unsupported(run.Playbook.Path, h, "a handler with a loop is left to Ansible: straylight runs a handler's command once")
		return nil
	}
	if h.Unsupported != "" || !h.Module.IsHandlerModule() {
		w.unsupported(run.Playbook.Path, h, orDefault(h.Unsupported, fmt.Sprintf("handler module %s is not supported (straylight runs shell, command, win_shell, win_command, systemd, service, docker_container, podman_container, docker_compose_v2 and win_service handlers)", h.ModuleName)))
		return nil
	}
	cmd, err := w.tasks.HandlerCommand(hs, h, flush)
	if err != nil {
		w.unsupported(run.Playbook.Path, h, err.Error())
		return nil
	}
	hr.Command, hr.raw = cmd, cmd
	w.plan.Handlers = append(w.plan.Handlers, hr)
	return &w.plan.Handlers[len(w.plan.Handlers)-1]
}

// mask shows the handler's command with the secrets masked, or not at
// all under no_log.
func (hr *HandlerRun) mask(secrets []string) {
	hr.Command = MaskSecrets(hr.raw, secrets)
	if hr.NoLog {
		hr.Command = SecretMask
	}
}

// redact masks secret values in everything the plan shows or saves.
func (w *hostWork) redact() {
	for _, fw := range w.files {
		f := fw.change
		if containsAny(f.NewContent, w.secrets) {
			f.Secret = true
		}
		f.rawDiff = f.Diff
		f.Diff = w.texts.maskDiff(f.Diff, w.secrets)
		f.NewContent = w.texts.maskText(f.NewContent, w.secrets)
		if fw.noLog || fw.vaulted {
			f.Secret, f.NewContent = true, SecretMask
			f.Diff = noLogDiff(f.Diff)
		}
	}
	for _, fw := range w.files {
		fw.change.maskScript(w.secrets, fw.noLog)
	}
	for i := range w.plan.Handlers {
		w.plan.Handlers[i].mask(w.secrets)
	}
	w.maskLabels()
	w.plan.Unreachable = MaskSecrets(w.plan.Unreachable, w.secrets)
}

// maskLabels masks secret values in the tasks' labels, a name templated
// for the host (walker.nameTask) showing what it reads.
func (w *hostWork) maskLabels() {
	for _, fw := range w.files {
		fw.change.Task = MaskSecrets(fw.change.Task, w.secrets)
	}
	for i := range w.plan.Unsupported {
		w.plan.Unsupported[i].Task = MaskSecrets(w.plan.Unsupported[i].Task, w.secrets)
	}
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// MaskSecrets replaces every secret value with a fixed mask. secrets must be
// sorted longest first, so a secret containing another is masked whole.
func MaskSecrets(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, SecretMask)
		}
	}
	return s
}

// SecretMask replaces secret values wherever output could show them.
const SecretMask = "********"

// HasHandler reports whether list runs the handler of that name.
func HasHandler(list []HandlerRun, name string) bool {
	for _, hr := range list {
		if hr.Name == name {
			return true
		}
	}
	return false
}

// noLogDiff is what a no_log task's diff shows: that there is one, not its
// lines (Ansible hides a no_log task's result whole; --show-secrets shows it).
func noLogDiff(diff string) string {
	if diff == "" {
		return ""
	}
	return "(the content of a no_log task is not shown)\n"
}
