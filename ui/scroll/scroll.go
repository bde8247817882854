// Package scroll is a vertical scroller over pre-rendered lines, shared by
// the detail, diff and apply views: ↑/↓ or j/k, pgup/pgdn, home/end. With
// Follow set it sticks to the bottom while lines are appended (a stream),
// until the user scrolls up.
package scroll

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/layout"
)

// KeyMap is the scroller's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// Model is the scroller's state.
type Model struct {
	Keys   KeyMap
	lines  []string
	offset int
	width  int
	height int
	sticky bool // a stream: follow the bottom whenever scrolled back there
	follow bool // sticking to the bottom now
}

// New returns an empty scroller; follow makes it stick to the bottom.
func New(follow bool) Model {
	return Model{sticky: follow, follow: follow, Keys: KeyMap{
		Up: keys.Up(), Down: keys.Down(), PageUp: keys.PageUp(), PageDown: keys.PageDown(),
		Top: keys.Top(), Bottom: keys.Bottom(),
	}}
}

// SetSize sets the box.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, max(1, h)
	m.clamp()
}

// SetLines replaces the content.
func (m *Model) SetLines(lines []string) {
	m.lines = lines
	m.clamp()
}

// Lines is the content.
func (m Model) Lines() []string { return m.lines }

// Top scrolls to the first line.
func (m *Model) Top() { m.offset, m.follow = 0, false }

func (m Model) maxOffset() int { return max(0, len(m.lines)-m.height) }

func (m *Model) clamp() {
	if m.follow {
		m.offset = m.maxOffset()
	}
	m.offset = max(0, min(m.offset, m.maxOffset()))
}

// Update scrolls on the scroller's keys; it reports whether it used the key.
func (m Model) Update(msg tea.KeyPressMsg) (Model, bool) {
	switch {
	case key.Matches(msg, m.Keys.Up):
		m.offset--
	case key.Matches(msg, m.Keys.Down):
		m.offset++
	case key.Matches(msg, m.Keys.PageUp):
		m.offset -= m.height
	case key.Matches(msg, m.Keys.PageDown):
		m.offset += m.height
	case key.Matches(msg, m.Keys.Top):
		m.offset = 0
	case key.Matches(msg, m.Keys.Bottom):
		m.offset = m.maxOffset()
	default:
		return m, false
	}
	m.follow = false
	m.clamp()
	m.follow = m.sticky && m.offset == m.maxOffset()
	return m, true
}

// View draws the visible lines, exactly height of them.
func (m Model) View() string {
	end := min(len(m.lines), m.offset+m.height)
	visible := m.lines[m.offset:end]
	return layout.Clip(strings.Join(visible, "\n"), m.width, m.height)
}

// Position is "12–30/84" for a footer, "" when everything fits.
func (m Model) Position() string {
	if len(m.lines) <= m.height {
		return ""
	}
	end := min(len(m.lines), m.offset+m.height)
	return strconv.Itoa(m.offset+1) + "–" + strconv.Itoa(end) + "/" + strconv.Itoa(len(m.lines))
}

// ShortHelp is the scroller's help.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.Keys.Up, m.Keys.Down, m.Keys.PageDown}
}

// FullHelp is the scroller's help, in full.
func (m Model) FullHelp() []key.Binding {
	return []key.Binding{m.Keys.Up, m.Keys.Down, m.Keys.PageUp, m.Keys.PageDown, m.Keys.Top, m.Keys.Bottom}
}
