package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	bhelp "charm.land/bubbles/v2/help"

	"github.com/straylight-fleet/straylight/ui/field"
	"github.com/straylight-fleet/straylight/ui/keys"
)

// globalKeys work in every view (but while typing, where only ctrl+c does).
type globalKeys struct {
	Help, Back, Quit, ForceQuit, Confirm key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{Help: keys.Help(), Back: keys.Back(), Quit: keys.Quit(), ForceQuit: keys.ForceQuit(), Confirm: keys.Confirm()}
}

func (k globalKeys) ShortHelp() []key.Binding { return []key.Binding{k.Help, k.Quit} }

func (k globalKeys) FullHelp() [][]key.Binding { return [][]key.Binding{{k.Help, k.Back, k.Quit}} }

// focused is the key map of the view on top: the footer and the help
// overlay are built from it, so they list exactly the keys that work.
func (m Model) focused() bhelp.KeyMap { return m.current().spec().keys(m) }

// onKey routes a key: ctrl+c always quits; a question, the help overlay,
// the filter and the edit form take keys before the views do.
func (m Model) onKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	if esc, rest, ok := splitAltKey(k); ok && !m.typing() {
		m, first := m.onKey(esc)
		m, second := m.onKey(rest)
		return m, tea.Batch(first, second)
	}
	switch {
	case key.Matches(k, m.keys.ForceQuit):
		return m.quit()
	case m.asking != nil:
		return m.onPassphraseKey(k), nil
	case m.confirm != nil:
		return m.onConfirmKey(k)
	case m.showHelp:
		return m.onHelpKey(k)
	case m.filtering:
		return m.onFilterKey(k), nil
	case m.phase != phaseReady:
		return m.onLoadingKey(k)
	case m.current() == viewEdit:
		return m.onEditKey(k)
	case m.current() == viewAddHost:
		return m.onAddHostKey(k)
	case m.logsTyping():
		m.logs = m.logs.HandleKey(k)
		return m, nil
	}
	return m.onViewKey(k)
}

// typing reports the edit form or the filter has the keys: there alt+key
// is the field's word-wise editing (alt+b, alt+backspace), never esc.
func (m Model) typing() bool {
	if m.asking != nil {
		return true
	}
	return m.confirm == nil && !m.showHelp && (m.filtering || (m.phase == phaseReady && (m.current() == viewEdit || m.current() == viewAddHost || m.logsTyping())))
}

// splitAltKey undoes a terminal's folding: esc quickly followed by a key
// arrives as alt+key (ESC is also the alt prefix). Outside typing the UI has
// no alt bindings, so it is read as the two keys that were pressed.
func splitAltKey(k tea.KeyPressMsg) (tea.KeyPressMsg, tea.KeyPressMsg, bool) {
	if k.Mod != tea.ModAlt {
		return k, k, false
	}
	rest := k
	rest.Mod = 0
	if rest.Text == "" && rest.Code >= ' ' && rest.Code < 0x7f {
		rest.Text = string(rest.Code)
	}
	return tea.KeyPressMsg{Code: tea.KeyEscape}, rest, true
}

func (m Model) onConfirmKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	c := m.confirm
	m.confirm = nil
	if key.Matches(k, m.keys.Confirm) {
		return c.run(m)
	}
	if other, ok := c.others[k.String()]; ok {
		return other(m)
	}
	m.notice = "cancelled"
	return m, nil
}

func (m Model) onHelpKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Quit):
		return m.quit()
	case key.Matches(k, m.keys.Help, m.keys.Back):
		m.showHelp = false
	}
	return m, nil
}

func (m Model) onLoadingKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	if key.Matches(k, m.keys.Quit) {
		return m.quit()
	}
	return m, nil
}

// onFilterKey types into the filter: enter keeps it, esc clears it.
func (m Model) onFilterKey(k tea.KeyPressMsg) Model {
	switch k.String() {
	case "enter":
		m.filtering = false
		return m
	case "esc":
		m.filtering, m.filterIn = false, field.New("")
	default:
		m.filterIn, _ = m.filterIn.Update(k)
	}
	m.applyFilter(m.filterIn.Value())
	return m
}

func (m *Model) applyFilter(s string) {
	if m.current() == viewRoutes {
		m.routes.SetFilter(s)
	} else {
		m.fleet.SetFilter(s)
	}
}

// onViewKey handles the keys every view shares, then the view's own.
func (m Model) onViewKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Quit):
		return m.quit()
	case key.Matches(k, m.keys.Help):
		m.showHelp = true
		return m, nil
	case key.Matches(k, m.keys.Back):
		return m.onBack(), nil
	}
	m.errText, m.notice = "", ""
	return m.current().spec().onKey(m, k)
}

// onApplyKey: x cancels the task shown; the progress view takes the rest.
func (m Model) onApplyKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	if key.Matches(k, m.apply.Cancel) {
		if p := m.apply.Progress(); p != nil {
			return m.askCancel(p.Target), nil
		}
	}
	m.apply, _ = m.apply.Update(k)
	return m, nil
}

// onBack: esc clears the error bar and leaves the view; on the fleet or
// routes it clears the filter.
func (m Model) onBack() Model {
	m.errText, m.notice = "", ""
	if m.isBase() {
		m.filterIn = field.New("")
		m.applyFilter("")
		return m
	}
	if m.current() == viewLogs {
		m = m.stopLogs()
	}
	return m.back()
}

func (m Model) isBase() bool { return len(m.stack) == 1 }

func (m Model) onFleetKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	fk := m.fleet.Keys
	switch {
	case key.Matches(k, fk.Tab):
		m.stack = []viewID{viewRoutes}
		m.filterIn = field.New(m.routes.Filter())
		return m, nil
	case key.Matches(k, fk.Filter):
		m.filtering, m.filterIn = true, field.New(m.fleet.Filter())
		return m, nil
	case key.Matches(k, fk.Enter):
		return m.openDetail(m.selectedHost())
	case key.Matches(k, fk.Progress):
		return m.reopenProgress(), nil
	case key.Matches(k, fk.Add):
		return m.openAddHost(m.selectedHost())
	}
	if m2, cmd, ok := m.onHostKey(k, m.selectedHost()); ok {
		return m2, cmd
	}
	m.fleet, _ = m.fleet.Update(k)
	return m, nil
}

func (m Model) onRoutesKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	rk := m.routes.Keys
	sel, ok := m.routes.Selected()
	switch {
	case key.Matches(k, rk.Tab):
		m.stack = []viewID{viewFleet}
		m.filterIn = field.New(m.fleet.Filter())
		return m, nil
	case key.Matches(k, rk.Filter):
		m.filtering, m.filterIn = true, field.New(m.routes.Filter())
		return m, nil
	case key.Matches(k, rk.Enter) && ok:
		return m.openDetail(sel.Host)
	case key.Matches(k, rk.Test) && ok:
		return m.startRouteTest(sel.Route, []string{sel.Route})
	case key.Matches(k, rk.Progress):
		return m.reopenProgress(), nil
	}
	m.routes, _ = m.routes.Update(k)
	return m, nil
}

func (m Model) onDetailKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	if m2, cmd, ok := m.onHostKey(k, m.detail.Host()); ok {
		return m2, cmd
	}
	m.detail = m.detail.HandleKey(k)
	return m, nil
}

func (m Model) onDiffKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	dk := m.diff.Keys
	switch {
	case key.Matches(k, dk.Apply):
		return m.askDeploy(m.diff.Host())
	case key.Matches(k, keys.Commit()): // offered only when it can work; explained when not
		return m.commitEdits(m.diff.Host())
	}
	m.diff = m.diff.HandleKey(k)
	return m, nil
}

// onHostKey handles the keys that act on one host: e, d, a, r, t.
func (m Model) onHostKey(k tea.KeyPressMsg, host string) (Model, tea.Cmd, bool) {
	var cmd tea.Cmd
	fk := m.fleet.Keys
	switch {
	case host == "":
		return m, nil, false
	case key.Matches(k, fk.Edit):
		m, cmd = m.openEdit(host)
	case key.Matches(k, fk.Diff):
		m, cmd = m.openDiff(host)
	case key.Matches(k, fk.Apply):
		m, cmd = m.askDeploy(host)
	case key.Matches(k, fk.Restart):
		m, cmd = m.askRestart(host)
	case key.Matches(k, fk.Test):
		m, cmd = m.startRouteTest(host, m.routesOf(host))
	case key.Matches(k, fk.Logs):
		m, cmd = m.openLogs(host)
	case key.Matches(k, fk.History):
		m, cmd = m.openHistory(host)
	case key.Matches(k, fk.Cancel):
		m = m.askCancel(host)
	default:
		return m, nil, false
	}
	return m, cmd, true
}

func (m Model) selectedHost() string {
	r, ok := m.fleet.Selected()
	if !ok {
		return ""
	}
	return r.Host
}

// openDetail shows a host's detail and reads its values' origins.
func (m Model) openDetail(host string) (Model, tea.Cmd) {
	if host == "" {
		m.notice = "no host selected: the filter shows none (esc clears it)"
		return m, nil
	}
	if host == m.proxyName() {
		m.notice = host + " is the LiteLLM proxy: d shows its diff, a deploys it, tab lists its routes"
		return m, nil
	}
	in, ok := m.detailInput(host)
	if !ok {
		m.errText = host + " is not a GPU host of this repository"
		return m, nil
	}
	m.detail.Show(in)
	m = m.push(viewDetail)
	return m, m.loadValues(host)
}

// openDiff shows what deploying the host would change.
func (m Model) openDiff(host string) (Model, tea.Cmd) {
	m.diff.Show(m.diffInput(host))
	if m.plan == nil {
		m.notice, m.untilPlan = "the diff appears when the plan is ready", true
	}
	return m.push(viewDiff), nil
}

// reopenProgress shows the last task's progress again (a deploy, restart or
// route test keeps running after esc), or says there is none.
func (m Model) reopenProgress() Model {
	if p := m.runningProgress(); p != nil {
		m.apply.Show(p)
		m.apply.Refresh(m.spinner())
	}
	p := m.apply.Progress()
	if p == nil {
		m.notice = "no deploy, restart or route test has run yet"
		return m
	}
	delete(m.outcomes, p.Target) // seen
	m.rebuild()
	if m.current() == viewApply {
		return m
	}
	return m.push(viewApply)
}

// logsTyping: the log view's search field has the keys.
func (m Model) logsTyping() bool { return m.current() == viewLogs && m.logs.Typing() }
