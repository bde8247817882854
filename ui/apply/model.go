package apply

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/scroll"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Model shows one task's progress (the latest the operator started).
type Model struct {
	th       *theme.Theme
	progress *Progress
	spin     string
	scroll   scroll.Model
	back     key.Binding
	// Cancel cancels the task shown (a deploy or restart still running).
	Cancel key.Binding
	width  int
	height int
}

// NewModel returns an empty view.
func NewModel(th *theme.Theme) Model {
	return Model{th: th, scroll: scroll.New(true), back: keys.Back(), Cancel: keys.Cancel()}
}

// Show switches the view to a task (its scroll follows the end).
func (m *Model) Show(p *Progress) {
	m.progress = p
	m.scroll = scroll.New(true)
	m.scroll.SetSize(m.width, m.height)
	m.Refresh(m.spin)
}

// Progress is the task shown.
func (m Model) Progress() *Progress { return m.progress }

// SetSize sets the box.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.scroll.SetSize(w, h)
	m.Refresh(m.spin)
}

// Refresh re-renders after an event or a spinner frame.
func (m *Model) Refresh(spin string) {
	m.spin = spin
	m.Cancel.SetEnabled(m.progress != nil && m.progress.Running() && m.progress.Kind != KindRouteTest)
	if m.progress == nil {
		m.scroll.SetLines(nil)
		return
	}
	m.scroll.SetLines(LinesAt(m.progress, m.width, spin, time.Now(), m.th))
}

// Update scrolls.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		m.scroll, _ = m.scroll.Update(k)
	}
	return m, nil
}

// View draws the visible part.
func (m Model) View() string { return m.scroll.View() }

// ShortHelp is the footer's help.
func (m Model) ShortHelp() []key.Binding {
	return append(m.scroll.ShortHelp(), m.Cancel, m.back)
}

// FullHelp is the help overlay's columns.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.scroll.FullHelp(), {m.Cancel, m.back}}
}
