package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/ui/addhost"
	"github.com/straylight-fleet/straylight/ui/diff"
)

type (
	// hostAddedMsg: the Session wrote (or refused) a new host.
	hostAddedMsg struct {
		added *fleet.AddedHost
		err   error
	}
	// suggestedMsg: an address to offer for the new host.
	suggestedMsg struct{ address string }
)

// onAddData handles the add-host flow's messages.
func (m Model) onAddData(msg tea.Msg) (Model, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case addhost.SubmitMsg:
		m, cmd := m.submitAddHost(msg)
		return m, cmd, true
	case addhost.CancelMsg:
		return m.back(), nil, true
	case hostAddedMsg:
		m, cmd := m.onHostAdded(msg)
		return m, cmd, true
	case suggestedMsg:
		m.addhost.Suggest(msg.address)
		return m, nil, true
	}
	return m, nil, false
}

// openAddHost opens the form with host as the template; the suggested
// address is asked for off the Update path and filled in when known.
func (m Model) openAddHost(host string) (Model, tea.Cmd) {
	if m.svc.addHost == nil {
		m.errText = "adding a host is not available here"
		return m, nil
	}
	in := addhost.Input{Template: host, Taken: m.repo.Hosts()}
	for _, g := range m.gpuHosts() {
		in.Templates = append(in.Templates, g.Name)
	}
	m.addhost = addhost.New(m.th, in)
	m.addhost.SetSize(m.width, m.viewHeight())
	return m.push(viewAddHost), m.suggestAddress(host)
}

func (m Model) suggestAddress(template string) tea.Cmd {
	suggest := m.svc.suggest
	if suggest == nil {
		return nil
	}
	return safely(func() tea.Msg { return suggestedMsg{suggest(template)} })
}

// onAddHostKey: the form takes every key but help.
func (m Model) onAddHostKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	if key.Matches(k, m.addhost.Keys.Help) {
		m.showHelp = true
		return m, nil
	}
	var cmd tea.Cmd
	m.addhost, cmd = m.addhost.Update(k)
	m.errText, m.notice = "", ""
	return m, cmd
}

// submitAddHost writes the host through the Session, off the Update path.
func (m Model) submitAddHost(req addhost.SubmitMsg) (Model, tea.Cmd) {
	if m.saving {
		return m, nil
	}
	m.saving, m.notice = true, "adding "+req.Name+"…"
	repo, add := m.repo, m.svc.addHost
	return m, safely(func() tea.Msg {
		added, err := add(repo, fleet.NewHost{Template: req.Template, Name: req.Name, Address: req.Address})
		return hostAddedMsg{added: added, err: err}
	})
}

// onHostAdded: the files are written; the diff of them and, once the
// repository is planned again, of what a deploy would render follows.
func (m Model) onHostAdded(msg hostAddedMsg) (Model, tea.Cmd) {
	m.saving, m.notice = false, ""
	if msg.err != nil {
		m.addhost.SetError(msg.err.Error())
		return m, nil
	}
	a := msg.added
	m.added[a.Host] = a
	m.notice, m.untilPlan = "added "+a.Host+" like "+a.Template+": planning"+m.commitHint()+" · a deploys", true
	if a.Warning != "" {
		m.errText = a.Warning
	}
	m.diff.Show(m.diffInput(a.Host))
	m = m.replaceTop(viewDiff)
	m, plan := m.requestPlan()
	return m, tea.Batch(plan, m.readGit())
}

// writtenFiles are the files written for a host added and not committed.
func (m Model) writtenFiles(host string) []diff.Written {
	a := m.added[host]
	if a == nil {
		return nil
	}
	out := make([]diff.Written, len(a.Files))
	for i, f := range a.Files {
		out[i] = diff.Written{Name: f.Name, Created: f.Created, Diff: f.Diff}
	}
	return out
}

// commitAdded commits the files written for a host added.
func (m Model) commitAdded(host string) (Model, tea.Cmd) {
	a, root, commit := m.added[host], m.repo.Root(), m.svc.commit
	message, files := a.CommitMessage(), a.Paths()
	return m, safely(func() tea.Msg {
		return committedMsg{host: host, message: strings.TrimSpace(message), err: commit(root, files, message)}
	})
}
