package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/ui/edit"
)

// editRecord is one saved edit, kept until it is committed.
type editRecord struct {
	path   string // the vars file written (absolute)
	result fleet.EditResult
}

// editSession is the open form's file, used by one command at a time
// (saving guards it).
type editSession = fleet.VarsEdit

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
		results []fleet.EditResult
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
	repo, open := m.repo, m.svc.openEdit
	g, ok := m.gpuHost(host)
	if !ok {
		m.errText = host + " is not a GPU host of this repository: the form edits vllm values (edit the proxy's vars in its files, then d and a)"
		return m, nil
	}
	if g.Discovered {
		m.errText = host + "'s " + g.Kind + " server is found in what its tasks render (" + g.Source + "), not in a vllm mapping: the form edits vllm values (edit its vars files, then d and a)"
		return m, nil
	}
	m.notice = "reading " + host + "'s host_vars…"
	return m, safely(func() tea.Msg { return readForEdit(open, repo, g) })
}

// readForEdit opens the file that sets the host's vllm mapping.
func readForEdit(open func(*fleet.Repo, fleet.GPUHost) (*fleet.VarsEdit, error), repo *fleet.Repo, g fleet.GPUHost) editOpenedMsg {
	e, err := open(repo, g)
	if err != nil {
		return editOpenedMsg{err: err}
	}
	specs := make([]edit.Spec, len(e.Keys))
	for i, k := range e.Keys {
		specs[i] = edit.Spec{Key: k.Key, Text: k.Text, Present: k.Present, Secret: k.Secret}
	}
	return editOpenedMsg{session: e, name: e.Name, specs: specs, readOnly: e.ReadOnly}
}

func (m Model) onEditOpened(msg editOpenedMsg) (Model, tea.Cmd) {
	m.notice = ""
	if msg.err != nil {
		m.errText = "edit: " + msg.err.Error()
		return m, nil
	}
	m.editing = msg.session
	m.edit = edit.New(m.th, msg.session.Host, msg.name, msg.specs, msg.readOnly)
	m.edit.SetSize(m.width, m.viewHeight())
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
	ec := make([]fleet.EditChange, len(changes))
	for i, c := range changes {
		ec[i] = fleet.EditChange{Key: c.Key, Value: c.Value}
	}
	results, err := s.Save(repo, ec)
	return editSavedMsg{host: s.Host, path: s.Path, results: results, err: err}
}

// onEditSaved: the file is written; the diff of what the change would
// deploy follows as soon as the repository is planned again.
func (m Model) onEditSaved(msg editSavedMsg) (Model, tea.Cmd) {
	m.saving = false
	if msg.err != nil {
		m.errText = "save: " + msg.err.Error()
		if fleet.IsStale(msg.err) {
			m.errText += " — esc, then e to read it again"
		}
		if len(msg.results) == 0 { // nothing was written
			return m, nil
		}
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
	if m.added[host] != nil && m.svc.commit != nil {
		return m.commitAdded(host)
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
	results := make([]fleet.EditResult, len(records))
	for i, r := range records {
		results[i] = r.result
	}
	return fleet.CommitMessage(host, results)
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
	delete(m.added, msg.host)
	first, _, _ := strings.Cut(msg.message, "\n")
	m.notice, m.untilPlan = "committed: "+first, false // not cleared by a plan still on its way
	m.rebuild()
	return m, m.readGit()
}
