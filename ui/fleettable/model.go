package fleettable

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/table"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// KeyMap is the table's keys; the root acts on those that leave the table.
type KeyMap struct {
	Up, Down, Tab, Filter, Enter, Edit, Diff, Apply, Restart, Test, Help, Quit key.Binding
}

// ShortHelp is the footer's help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Enter, k.Edit, k.Diff, k.Apply, k.Restart, k.Test, k.Tab, k.Help, k.Quit}
}

// FullHelp is the help overlay's columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Filter, k.Tab},
		{k.Enter, k.Edit, k.Diff},
		{k.Apply, k.Restart, k.Test},
		{k.Help, k.Quit},
	}
}

func newKeyMap() KeyMap {
	return KeyMap{
		Up: keys.Up(), Down: keys.Down(), Tab: keys.Tab("routes"), Filter: keys.Filter(),
		Enter: keys.Enter("host detail"), Edit: keys.Edit(), Diff: keys.Diff(),
		Apply: keys.Apply(), Restart: keys.Restart(), Test: keys.Test("test host's routes"),
		Help: keys.Help(), Quit: keys.Quit(),
	}
}

// Model is the table: all rows, the filtered view of them, the cursor.
type Model struct {
	th      *theme.Theme
	Keys    KeyMap
	cols    []table.Column[Row]
	placed  []table.Placed[Row]
	rows    []Row
	visible []int // indexes into rows that pass the filter
	filter  string
	cursor  int // index into visible
	offset  int // first visible row drawn
	width   int
	height  int
}

// New returns an empty table.
func New(th *theme.Theme) Model {
	m := Model{th: th, Keys: newKeyMap(), cols: Columns()}
	m.SetSize(80, 20)
	return m
}

// SetSize sets the table's box, header line included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.placed = table.Layout(m.cols, w)
	m.clamp()
}

// SetRows replaces the rows, keeping the cursor on the same host.
func (m *Model) SetRows(rows []Row) {
	selected, _ := m.Selected()
	m.rows = rows
	m.refilter(selected.Host)
}

// SetFilter shows only rows whose text contains s (case-insensitive).
func (m *Model) SetFilter(s string) {
	selected, _ := m.Selected()
	m.filter = strings.ToLower(s)
	m.refilter(selected.Host)
}

// Filter is the current filter.
func (m Model) Filter() string { return m.filter }

func (m *Model) refilter(keep string) {
	m.visible = m.visible[:0]
	m.cursor = 0
	for i, r := range m.rows {
		if !m.matches(r) {
			continue
		}
		if r.Host == keep {
			m.cursor = len(m.visible)
		}
		m.visible = append(m.visible, i)
	}
	m.clamp()
}

func (m Model) matches(r Row) bool {
	if m.filter == "" {
		return true
	}
	text := r.Host + " " + string(r.State) + " " + ModelCell(r).Text + " " + strings.Join(r.Configured, " ")
	return strings.Contains(strings.ToLower(text), m.filter)
}

// Rows is every row, filtered or not.
func (m Model) Rows() []Row { return m.rows }

// Shown is the rows that pass the filter.
func (m Model) Shown() []Row {
	out := make([]Row, len(m.visible))
	for i, idx := range m.visible {
		out[i] = m.rows[idx]
	}
	return out
}

// Selected is the row under the cursor.
func (m Model) Selected() (Row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.visible) {
		return Row{}, false
	}
	return m.rows[m.visible[m.cursor]], true
}

// Select moves the cursor to a host, if it is shown.
func (m *Model) Select(host string) {
	for i, idx := range m.visible {
		if m.rows[idx].Host == host {
			m.cursor = i
		}
	}
	m.clamp()
}

func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.visible)-1))
	m.offset = layout.Window(m.offset, m.cursor, m.bodyHeight(), len(m.visible))
}

func (m Model) bodyHeight() int { return max(1, m.height-1) }

// Update moves the cursor.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.Keys.Up):
		m.cursor--
	case key.Matches(k, m.Keys.Down):
		m.cursor++
	}
	m.clamp()
	return m, nil
}

// View draws the header and the rows that fit.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString(table.Header(m.placed, m.th))
	end := min(len(m.visible), m.offset+m.bodyHeight())
	for i := m.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(RenderRow(m.rows[m.visible[i]], m.placed, i == m.cursor, m.th))
	}
	if len(m.visible) == 0 {
		b.WriteString("\n" + m.th.Dim.S(m.emptyText()))
	}
	return b.String()
}

func (m Model) emptyText() string {
	if m.filter != "" {
		return "   no host matches the filter"
	}
	return "   no GPU host in this repository (no host's vars hold a vllm mapping)"
}

// ShortHelp is the footer's help.
func (m Model) ShortHelp() []key.Binding { return m.Keys.ShortHelp() }

// FullHelp is the help overlay's columns.
func (m Model) FullHelp() [][]key.Binding { return m.Keys.FullHelp() }
