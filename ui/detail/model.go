package detail

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/fleettable"
	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/scroll"
	"github.com/straylight-fleet/straylight/ui/table"
	"github.com/straylight-fleet/straylight/ui/theme"
)

func tableTone(th *theme.Theme, c fleettable.Cell) theme.Paint { return table.ToneOf(th, c.Tone) }

// KeyMap is the view's keys besides scrolling.
type KeyMap struct {
	Edit, Diff, Apply, Restart, Test, Logs, History, Raw, Back key.Binding
}

// Model is the host detail view.
type Model struct {
	th      *theme.Theme
	Keys    KeyMap
	input   Input
	lines   []string // rendered, before wrapping
	width   int
	scroll  scroll.Model
	showRaw bool // templated values show their expressions too
}

// New returns an empty view.
func New(th *theme.Theme) Model {
	return Model{th: th, scroll: scroll.New(false), Keys: KeyMap{
		Edit: keys.Edit(), Diff: keys.Diff(), Apply: keys.Apply(), Restart: keys.Restart(),
		Test: keys.Test("test routes"), Logs: keys.Logs(), History: keys.History(), Back: keys.Back(),
		Raw: key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "expressions on/off")),
	}}
}

// Show switches to a host, at the top.
func (m *Model) Show(in Input) {
	m.Refresh(in)
	m.scroll.Top()
}

// Refresh replaces the content (new live data), keeping the position.
func (m *Model) Refresh(in Input) {
	in.Width, in.ShowRaw = m.width, m.showRaw
	m.input = in
	m.lines = Lines(in, m.th)
	m.scroll.SetLines(layout.WrapLines(m.lines, m.width, 4))
}

// Host is the host shown.
func (m Model) Host() string { return m.input.Host.Name }

// Input is what is shown.
func (m Model) Input() Input { return m.input }

// SetSize sets the box.
func (m *Model) SetSize(w, h int) {
	m.width = w
	m.input.Width = w
	m.lines = Lines(m.input, m.th)
	m.scroll.SetSize(w, h)
	m.scroll.SetLines(layout.WrapLines(m.lines, w, 4))
}

// HandleKey scrolls.
func (m Model) HandleKey(k tea.KeyPressMsg) Model {
	if key.Matches(k, m.Keys.Raw) {
		m.showRaw = !m.showRaw
		m.Refresh(m.input)
		return m
	}
	m.scroll, _ = m.scroll.Update(k)
	return m
}

// View draws the visible part.
func (m Model) View() string { return m.scroll.View() }

// ShortHelp is the footer's help.
func (m Model) ShortHelp() []key.Binding {
	k := m.Keys
	return []key.Binding{k.Edit, k.Diff, k.Apply, k.Restart, k.Test, k.Logs, k.Back}
}

// FullHelp is the help overlay's columns.
func (m Model) FullHelp() [][]key.Binding {
	k := m.Keys
	return [][]key.Binding{m.scroll.FullHelp(), {k.Edit, k.Diff}, {k.Apply, k.Restart, k.Test}, {k.Logs, k.History, k.Raw, k.Back}}
}
