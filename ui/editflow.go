package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/hvedit"
	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/ui/edit"
)

// editRecord is one saved edit, kept until it is committed.
type editRecord struct {
	path   string // the vars file written (absolute)
	result hvedit.Result
}

// editSession is the open form's file.
type editSession struct {
	host string
	path string
	doc  *hvedit.Doc // used by one command at a time (saving guards it)
}

type (
	editOpenedMsg struct {
		session  *editSession
		name     string
		specs    []edit.Spec
		readOnly string
		err      error
	}
	editSavedMsg struct {
		host    string
		path    string
		results []hvedit.Result
		err     error
	}
	committedMsg struct {
		host    string
		message string
		err     error
	}
)

// onEditData handles the edit flow's messages.
func (m Model) onEditData(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case editOpenedMsg:
		return m.onEditOpened(msg)
	case editSavedMsg:
		return m.onEditSaved(msg)
	case committedMsg:
		return m.onCommitted(msg)
	}
	return m, nil
}

// openEdit reads the host's vars file in the background; the form opens
// when it is read.
func (m Model) openEdit(host string) (Model, tea.Cmd) {
	repo, vault := m.repo, m.svc.vault
	g, ok := m.gpuHost(host)
	if !ok {
		m.errText = host + " is not a GPU host of this repository: the form edits vllm values (edit the proxy's vars in its files, then d and a)"
		return m, nil
	}
	m.notice = "reading " + host + "'s host_vars…"
	return m, safely(func() tea.Msg { return readForEdit(repo, g, vault) })
}

// readForEdit finds the file that sets the host's vllm mapping and reads
// every vllm key from it.
func readForEdit(repo *fleet.Repo, g fleet.GPUHost, vault hvedit.Vault) editOpenedMsg {
	path, readOnly := varsFileOf(repo, g.Name)
	name := relPath(repo.Root(), path)
	doc, err := hvedit.Read(path, hvedit.Options{Name: name, Vault: vault, SecretKey: plan.IsSecretKey, Validate: validateVLLM})
	if err != nil {
		return editOpenedMsg{err: err}
	}
	specs, err := editSpecs(doc, g)
	return editOpenedMsg{session: &editSession{host: g.Name, path: path, doc: doc}, name: name, specs: specs, readOnly: readOnly, err: err}
}

// varsFileOf is the host_vars file that sets the host's vllm mapping; when
// the mapping comes from elsewhere the form is read-only (writing a vllm
// key into host_vars would replace the whole mapping: hash_behaviour=replace).
func varsFileOf(repo *fleet.Repo, host string) (string, string) {
	fallback := filepath.Join(repo.Root(), "host_vars", host+".yml")
	vars, err := hostOrigins(repo, host)
	if err != nil {
		return fallback, err.Error()
	}
	o := vars.Origins["vllm"]
	if o.Layer != inventory.LayerHostVars || o.File == "" {
		return fallback, fmt.Sprintf("read-only: vllm is set in %s, not in a host_vars file; editing host_vars would replace the whole mapping",
			describeOrigin(repo.Root(), o))
	}
	return o.File, ""
}

func validateVLLM(keyPath []string, v any) string {
	if len(keyPath) == 2 && keyPath[0] == "vllm" {
		return plan.ValidateVLLMValue(keyPath[1], v)
	}
	return ""
}

// editSpecs lists the host's vllm keys and the keys vLLM's rules know:
// those the file sets in file order, then the others by name.
func editSpecs(doc *hvedit.Doc, g fleet.GPUHost) ([]edit.Spec, error) {
	type keyed struct {
		spec edit.Spec
		line int
	}
	var all []keyed
	for _, k := range editKeys(g) {
		f, err := doc.Get([]string{"vllm", k})
		if err != nil {
			return nil, err
		}
		spec := edit.Spec{Key: k, Present: f.Present, Secret: f.Secret}
		if f.Present && !f.Secret {
			spec.Text = f.Text
		}
		all = append(all, keyed{spec, f.Line})
	}
	sort.SliceStable(all, func(i, j int) bool { return lineOrder(all[i].line) < lineOrder(all[j].line) })
	specs := make([]edit.Spec, len(all))
	for i, k := range all {
		specs[i] = k.spec
	}
	return specs, nil
}

// lineOrder puts absent keys (line 0) after the present ones.
func lineOrder(line int) int {
	if line == 0 {
		return 1 << 30
	}
	return line
}

func editKeys(g fleet.GPUHost) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range append(sortedKeys(g.Values), plan.VLLMKeys()...) {
		if !seen[k] {
			seen[k], out = true, append(out, k)
		}
	}
	return out
}

func (m Model) onEditOpened(msg editOpenedMsg) (Model, tea.Cmd) {
	m.notice = ""
	if msg.err != nil {
		m.errText = "edit: " + msg.err.Error()
		return m, nil
	}
	m.editing = msg.session
	m.edit = edit.New(m.th, msg.session.host, msg.name, msg.specs, msg.readOnly)
	m.edit.SetSize(m.width, m.bodyHeight())
	return m.push(viewEdit), nil
}

// onEditKey: the form takes every key but its own save, cancel and help;
// an error about the values is cleared as soon as one is typed.
func (m Model) onEditKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	ek := m.edit.Keys
	switch {
	case key.Matches(k, ek.Cancel):
		return m.askCancelEdit(), nil
	case key.Matches(k, ek.Save):
		return m.saveEdit()
	case key.Matches(k, ek.Help):
		m.showHelp = true
		return m, nil
	}
	m.edit, _ = m.edit.Update(k)
	m.errText, m.notice = "", ""
	return m, nil
}

// askCancelEdit leaves the form, asking first when typed values would be
// lost.
func (m Model) askCancelEdit() Model {
	n := m.edit.Dirty()
	if n == 0 {
		return m.closeEdit()
	}
	m.confirm = &confirmation{
		prompt: fmt.Sprintf("Discard %s to %s? y/N", unsaved(n), m.edit.File()),
		run:    func(m Model) (Model, tea.Cmd) { return m.closeEdit(), nil },
	}
	return m
}

func unsaved(n int) string {
	if n == 1 {
		return "1 unsaved change"
	}
	return fmt.Sprintf("%d unsaved changes", n)
}

func (m Model) closeEdit() Model {
	m.editing, m.errText = nil, ""
	return m.back()
}

// saveEdit writes the changed keys through hvedit (off the Update path).
func (m Model) saveEdit() (Model, tea.Cmd) {
	changes := m.edit.Changes()
	switch {
	case m.edit.ReadOnly() != "":
		m.errText = m.edit.ReadOnly()
		return m, nil
	case !m.edit.Valid():
		m.errText = "some values are not valid: fix the fields marked ✗"
		return m, nil
	case len(changes) == 0:
		m.notice = "nothing changed"
		return m, nil
	case m.saving:
		return m, nil
	}
	m.saving = true
	m.clearedOnSave = m.edit.Cleared()
	s, repo := m.editing, m.repo
	return m, safely(func() tea.Msg { return saveChanges(s, repo, changes) })
}

func saveChanges(s *editSession, repo *fleet.Repo, changes []edit.Change) editSavedMsg {
	msg := editSavedMsg{host: s.host, path: s.path}
	for _, c := range changes {
		res, err := s.doc.Set([]string{"vllm", c.Key}, c.Value)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.results = append(msg.results, res)
	}
	if err := s.doc.Save(); err != nil {
		msg.err, msg.results = err, nil
		return msg
	}
	auditEdits(repo, s, msg.results)
	return msg
}

// auditEdits appends the edits to the audit log (hashes only: values may
// be secrets).
func auditEdits(repo *fleet.Repo, s *editSession, results []hvedit.Result) {
	for _, r := range results {
		_ = repo.Audit(fleet.AuditEntry{Host: s.host, Action: "edit", Result: "ok", Message: r.Description,
			Files: []fleet.AuditFile{{Dest: r.File, OldSHA256: hvedit.SHA256Hex(r.OldFile), NewSHA256: hvedit.SHA256Hex(r.NewFile)}}})
	}
}

// onEditSaved: the file is written; the diff of what the change would
// deploy follows as soon as the repository is planned again.
func (m Model) onEditSaved(msg editSavedMsg) (Model, tea.Cmd) {
	m.saving = false
	if msg.err != nil {
		m.errText = "save: " + msg.err.Error()
		if errors.Is(msg.err, hvedit.ErrChanged) {
			m.errText += " — esc, then e to read it again"
		}
		return m, nil
	}
	for _, r := range msg.results {
		m.edits[msg.host] = append(m.edits[msg.host], editRecord{path: msg.path, result: r})
	}
	m.editing, m.errText = nil, ""
	m.notice = "saved " + m.edit.File() + m.commitHint()
	if len(m.clearedOnSave) > 0 {
		m.notice = "saved " + m.edit.File() + " · ⚠ " + strings.Join(m.clearedOnSave, ", ") + " cleared: written as null" + m.commitHint()
	}
	m.diff.Show(m.diffInput(msg.host))
	m = m.replaceTop(viewDiff)
	m, plan := m.requestPlan()
	return m, tea.Batch(plan, m.readGit())
}

// commitHint tells how the saved edits can be committed, if they can.
func (m Model) commitHint() string {
	if m.git.isRepo && m.svc.commit != nil {
		return " · c commits"
	}
	return " · the repository is not in git: nothing to commit"
}

// commitEdits commits the host's saved edits with git.
func (m Model) commitEdits(host string) (Model, tea.Cmd) {
	records := m.edits[host]
	if !m.git.isRepo {
		m.errText = "cannot commit: " + m.repo.Root() + " is not in a git repository"
		return m, nil
	}
	if len(records) == 0 || m.svc.commit == nil {
		return m, nil
	}
	root, commit := m.repo.Root(), m.svc.commit
	message, files := commitMessage(host, records), commitFiles(records)
	return m, safely(func() tea.Msg {
		return committedMsg{host: host, message: message, err: commit(root, files, message)}
	})
}

// commitMessage names the host, key, old and new value of each edit.
func commitMessage(host string, records []editRecord) string {
	lines := make([]string, len(records))
	for i, r := range records {
		lines[i] = hvedit.CommitMessage(host, r.result.Key, r.result.OldText, r.result.NewText)
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%s: %d vllm values\n\n%s", host, len(lines), strings.Join(lines, "\n"))
}

func commitFiles(records []editRecord) []string {
	var out []string
	for _, r := range records {
		if len(out) == 0 || out[len(out)-1] != r.path {
			out = append(out, r.path)
		}
	}
	return out
}

func (m Model) onCommitted(msg committedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.errText = "commit: " + msg.err.Error()
		return m, nil
	}
	delete(m.edits, msg.host)
	first, _, _ := strings.Cut(msg.message, "\n")
	m.notice = "committed: " + first
	m.rebuild()
	return m, m.readGit()
}
