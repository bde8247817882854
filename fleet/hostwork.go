package fleet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/straylight-fleet/straylight/remote"
)

// hostWork accumulates one host's plan across the plays that target it.
type hostWork struct {
	name    string
	conn    Connection
	plan    *HostPlan
	files   []*fileWork
	scopes  []*hostScope
	secrets []string
	pending *PendingRestart // left by an apply that died before its restart
}

// fileWork is one rendered file task awaiting the host's current content.
type fileWork struct {
	change  *FileChange
	content []byte
	hs      *hostScope
	task    *Task
}

func newHostWork(name string) *hostWork {
	return &hostWork{name: name, plan: &HostPlan{Host: name}}
}

func (w *hostWork) addScope(hs *hostScope) {
	if len(w.scopes) == 0 {
		w.conn = hs.conn
		w.plan.Connection, w.plan.Address = hs.conn.Kind, hs.conn.Address
	}
	w.scopes = append(w.scopes, hs)
	w.secrets = appendUnique(w.secrets, hs.secrets...)
	sortLongestFirst(w.secrets)
}

func sortLongestFirst(list []string) {
	sort.SliceStable(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
}

func (w *hostWork) addTask(hs *hostScope, run *PlayRun, t *Task) error {
	hs = hs.withParams(run.paramsFor(t))
	switch {
	case t.Unsupported != "":
		w.unsupported(t, t.Unsupported)
	case t.Module.IsCommandModule():
		w.unsupported(t, fmt.Sprintf("%s runs only as a handler: straylight cannot tell whether a command task changes anything", t.Module))
	default:
		return w.addFileTask(hs, run, t)
	}
	return nil
}

func (w *hostWork) unsupported(t *Task, reason string) {
	w.plan.Unsupported = append(w.plan.Unsupported, UnsupportedTask{Task: t.Label(), Reason: reason, At: t.At})
}

func (w *hostWork) addFileTask(hs *hostScope, run *PlayRun, t *Task) error {
	rt, err := hs.renderFileTask(run, t)
	if err != nil {
		return err
	}
	if rt.unsupported != "" {
		w.unsupported(t, rt.unsupported)
		return nil
	}
	fc := &FileChange{Playbook: run.Playbook.Path, Play: run.Play.Name, Task: t.Label(), Module: t.Module,
		Dest: rt.dest, NewSHA256: sha256Hex(rt.content), NewContent: string(rt.content), Notify: t.Notify, At: t.At, raw: rt.content}
	w.files = append(w.files, &fileWork{change: fc, content: rt.content, hs: hs, task: t})
	return nil
}

// readFiles compares each rendered file with the host's current one.
func (w *hostWork) readFiles(ctx context.Context, tr remote.Transport) error {
	for _, f := range w.files {
		st, err := tr.ReadFile(ctx, f.change.Dest)
		if err != nil {
			return err
		}
		f.compare(st)
	}
	return nil
}

func (f *fileWork) compare(st remote.FileState) {
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
}

// finish records a read failure and collects the handlers the changes notify.
func (w *hostWork) finish(readErr error) {
	for _, f := range w.files {
		if readErr != nil {
			f.change.Action = ActionUnknown
		}
		w.plan.Files = append(w.plan.Files, f.change)
	}
	if readErr != nil {
		w.plan.Unreachable = notReachable(readErr)
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
		if hasHandler(w.plan.Handlers, ph.Name) {
			continue
		}
		w.addPendingHandler(ph.Name, because)
	}
}

func (w *hostWork) addPendingHandler(name, because string) {
	for _, hs := range w.scopes {
		for _, h := range hs.run.Handlers() {
			if h.Label() == name {
				w.addHandler(hs, h, []string{because})
				w.plan.Handlers[len(w.plan.Handlers)-1].Pending = true
				return
			}
		}
	}
}

// collectHandlers lists each notified handler once per play, in the order
// the play defines them (Ansible runs handlers in definition order).
func (w *hostWork) collectHandlers() {
	for _, hs := range w.scopes {
		notified := map[string][]string{}
		for _, f := range w.files {
			if f.hs == hs && f.change.Action != ActionNone {
				for _, n := range f.change.Notify {
					notified[n] = append(notified[n], f.change.Dest)
				}
			}
		}
		w.addHandlers(hs, notified)
	}
}

func (w *hostWork) addHandlers(hs *hostScope, notified map[string][]string) {
	for _, h := range hs.run.Handlers() {
		because := handlerCause(h, notified)
		if len(because) == 0 {
			continue
		}
		w.addHandler(hs, h, because)
	}
}

func handlerCause(h *Task, notified map[string][]string) []string {
	var because []string
	for _, name := range append([]string{h.Name}, h.Listen...) {
		because = appendUnique(because, notified[name]...)
	}
	return because
}

func (w *hostWork) addHandler(hs *hostScope, h *Task, because []string) {
	hr := HandlerRun{Playbook: hs.run.Playbook.Path, Play: hs.run.Play.Name, Name: h.Label(), Module: h.Module, Because: because, At: h.At}
	if h.Unsupported != "" || !h.Module.IsCommandModule() {
		w.unsupported(h, orDefault(h.Unsupported, fmt.Sprintf("handler module %s is not supported (straylight runs shell/command handlers)", h.ModuleName)))
		return
	}
	cmd, err := hs.withParams(hs.run.paramsFor(h)).handlerCommand(h)
	if err != nil {
		w.unsupported(h, err.Error())
		return
	}
	hr.Command, hr.raw = cmd, cmd
	w.plan.Handlers = append(w.plan.Handlers, hr)
}

// redact masks secret values in everything the plan shows or saves.
func (w *hostWork) redact() {
	for _, f := range w.plan.Files {
		if containsAny(f.NewContent, w.secrets) {
			f.Secret = true
		}
		f.rawDiff = f.Diff
		f.Diff = maskDiff(f.Diff, w.secrets)
		f.NewContent = maskText(f.NewContent, w.secrets)
	}
	for i := range w.plan.Handlers {
		w.plan.Handlers[i].Command = maskSecrets(w.plan.Handlers[i].raw, w.secrets)
	}
	w.plan.Unreachable = maskSecrets(w.plan.Unreachable, w.secrets)
}

func appendUnique(list []string, items ...string) []string {
	for _, it := range items {
		if it != "" && !contains(list, it) {
			list = append(list, it)
		}
	}
	return list
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

// maskSecrets replaces every secret value with a fixed mask. secrets must be
// sorted longest first, so a secret containing another is masked whole.
func maskSecrets(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, SecretMask)
		}
	}
	return s
}

// SecretMask replaces secret values wherever output could show them.
const SecretMask = "********"

// resolveSource finds a template or file source the way Ansible does: in the
// role's templates/ or files/, then the playbook's, then as a path.
func resolveSource(run *PlayRun, t *Task, sub, src string) (string, error) {
	if filepath.IsAbs(src) {
		return src, nil
	}
	var candidates []string
	if role := run.Role(t.Role); role != nil {
		candidates = append(candidates, filepath.Join(role.Dir, sub, src), filepath.Join(role.Dir, src))
	}
	candidates = append(candidates, filepath.Join(run.Playbook.Dir, sub, src), filepath.Join(run.Playbook.Dir, src))
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c, nil
		}
	}
	return "", &InputError{At: t.At, Key: "src", Msg: fmt.Sprintf("could not find %q (looked in %s)", src, strings.Join(candidates, ", "))}
}
