package diff

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/scroll"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// KeyMap is the view's keys (scrolling comes from the scroller).
type KeyMap struct {
	Apply, Commit, Back key.Binding
}

// Model is the diff view.
type Model struct {
	th     *theme.Theme
	Keys   KeyMap
	input  Input
	lines  []string // rendered, before wrapping
	width  int
	scroll scroll.Model
}

// New returns an empty view.
func New(th *theme.Theme) Model {
	k := KeyMap{Apply: keys.Apply(), Commit: keys.Commit(), Back: keys.Back()}
	k.Commit.SetEnabled(false)
	return Model{th: th, Keys: k, scroll: scroll.New(false)}
}

// Show replaces the content, back at the top.
func (m *Model) Show(in Input) {
	m.input = in
	m.lines = Lines(in, m.th)
	m.scroll.SetLines(layout.WrapLines(m.lines, m.width, 4))
	m.scroll.Top()
	m.Keys.Commit.SetEnabled(in.Pending() && in.Committable)
}

// Refresh replaces the content (a new plan) keeping the scroll position.
func (m *Model) Refresh(in Input) {
	m.input = in
	m.lines = Lines(in, m.th)
	m.scroll.SetLines(layout.WrapLines(m.lines, m.width, 4))
	m.Keys.Commit.SetEnabled(in.Pending() && in.Committable)
}

// Host is the host shown.
func (m Model) Host() string { return m.input.Host }

// Edits are the descriptions of uncommitted edits shown.
func (m Model) Edits() []string { return m.input.Edits }

// SetSize sets the box.
func (m *Model) SetSize(w, h int) {
	m.width = w
	m.scroll.SetSize(w, h)
	m.scroll.SetLines(layout.WrapLines(m.lines, w, 4))
}

// HandleKey scrolls.
func (m Model) HandleKey(k tea.KeyPressMsg) Model {
	m.scroll, _ = m.scroll.Update(k)
	return m
}

// View draws the visible part.
func (m Model) View() string { return m.scroll.View() }

// Position is the scroll position for the footer.
func (m Model) Position() string { return m.scroll.Position() }

// ShortHelp is the footer's help.
func (m Model) ShortHelp() []key.Binding {
	return append(m.scroll.ShortHelp(), m.Keys.Apply, m.Keys.Commit, m.Keys.Back)
}

// FullHelp is the help overlay's columns.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.scroll.FullHelp(), {m.Keys.Apply, m.Keys.Commit, m.Keys.Back}}
}
