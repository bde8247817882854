package ui

import (
	bhelp "charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/help"
)

// viewSpec is everything the root knows of one view: its name, the keys it
// offers (the footer and help overlay are built from them), what it draws
// and how it takes a key. One table instead of one switch per question, so
// a new view is one entry.
type viewSpec struct {
	name  string
	keys  func(Model) bhelp.KeyMap
	body  func(Model) string
	onKey func(Model, tea.KeyPressMsg) (Model, tea.Cmd)
}

// viewCount is the number of views (the last viewID plus one).
const viewCount = int(viewAddHost) + 1

// viewTable is the table of views, indexed by viewID. It is built by a
// function (not a package variable) so no view state is shared.
func viewTable() [viewCount]viewSpec {
	return [viewCount]viewSpec{
		viewFleet:   {"fleet", func(m Model) bhelp.KeyMap { return m.fleet }, Model.fleetBody, Model.onFleetKey},
		viewRoutes:  {"routes", func(m Model) bhelp.KeyMap { return m.routes }, func(m Model) string { return m.routes.View() }, Model.onRoutesKey},
		viewDetail:  {"host detail", func(m Model) bhelp.KeyMap { return help.Join(m.detail, m.keys) }, func(m Model) string { return m.detail.View() }, Model.onDetailKey},
		viewEdit:    {"edit", func(m Model) bhelp.KeyMap { return m.edit }, func(m Model) string { return m.edit.View() }, Model.onEditKey},
		viewDiff:    {"diff", func(m Model) bhelp.KeyMap { return help.Join(m.diff, m.keys) }, func(m Model) string { return m.diff.View() }, Model.onDiffKey},
		viewApply:   {"progress", func(m Model) bhelp.KeyMap { return help.Join(m.apply, m.keys) }, func(m Model) string { return m.apply.View() }, Model.onApplyKey},
		viewLogs:    {"logs", func(m Model) bhelp.KeyMap { return help.Join(m.logs, m.keys) }, func(m Model) string { return m.logs.View() }, Model.onLogsKey},
		viewGit:     {"git history", func(m Model) bhelp.KeyMap { return help.Join(m.gitlog, m.keys) }, func(m Model) string { return m.gitlog.View() }, Model.onGitKey},
		viewAddHost: {"add host", func(m Model) bhelp.KeyMap { return m.addhost }, func(m Model) string { return m.addhost.View() }, Model.onAddHostKey},
	}
}

// spec is the view's entry in the table (the fleet's for an unknown id).
func (v viewID) spec() viewSpec {
	if int(v) < 0 || int(v) >= viewCount {
		v = viewFleet
	}
	return viewTable()[v]
}

func (v viewID) String() string { return v.spec().name }

// onLogsKey: the logs view takes every key it does not share.
func (m Model) onLogsKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	m.logs = m.logs.HandleKey(k)
	return m, nil
}
