package fleettable

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/table"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// KeyMap is the table's keys; the root acts on those that leave the table.
type KeyMap struct {
	Nav                                                                                table.NavKeys
	Tab, Filter, Enter, Edit, Diff, Apply, Restart, Test, Progress, Cancel, Help, Quit key.Binding
	Logs, History, Add                                                                 key.Binding
}

// ShortHelp is the footer's help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Enter, k.Edit, k.Diff, k.Apply, k.Restart, k.Test, k.Tab, k.Help, k.Quit}
}

// FullHelp is the help overlay's columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		k.Nav.Bindings(),
		{k.Filter, k.Tab},
		{k.Enter, k.Edit, k.Diff, k.Logs, k.History, k.Add},
		{k.Apply, k.Restart, k.Test, k.Progress, k.Cancel},
		{k.Help, k.Quit},
	}
}

func newKeyMap() KeyMap {
	return KeyMap{
		Nav: table.NewNavKeys(), Tab: keys.Tab("routes"), Filter: keys.Filter(),
		Enter: keys.Enter("host detail"), Edit: keys.Edit(), Diff: keys.Diff(),
		Apply: keys.Apply(), Restart: keys.Restart(), Test: keys.Test("test host's routes"), Progress: keys.Progress(),
		Cancel: keys.Cancel(), Help: keys.Help(), Quit: keys.Quit(),
		Logs: keys.Logs(), History: keys.History(), Add: keys.AddHost(),
	}
}

// Model is the table: all rows, the filtered view of them, the cursor.
type Model struct {
	table.List[Row]
	th     *theme.Theme
	Keys   KeyMap
	cols   []table.Column[Row]
	placed []table.Placed[Row]
	notes  []string // the plan's findings, under the rows
	width  int
	height int
}

// New returns an empty table.
func New(th *theme.Theme) Model {
	m := Model{List: table.NewList(rowID, filterText), th: th, Keys: newKeyMap(), cols: Columns()}
	m.SetSize(80, 20)
	return m
}

func rowID(r Row) string { return r.Host }

// filterText is what / searches in a row.
func filterText(r Row) string {
	return r.Host + " " + string(r.State) + " " + ModelCell(r).Text + " " + strings.Join(r.Configured, " ")
}

// SetSize sets the table's box, header line included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.placed = table.Layout(m.cols, w)
	m.SetHeight(max(1, h-1))
}

// Update moves the cursor.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	m.MoveOn(msg, m.Keys.Nav)
	return m, nil
}

// SetNotes sets the lines shown under the rows: the repository's warnings
// and errors, as --check prints them.
func (m *Model) SetNotes(notes []string) { m.notes = notes }

// View draws the header, the rows that fit and the notes.
func (m Model) View() string {
	row := func(r Row, selected bool) string { return RenderRow(r, m.placed, selected, m.th) }
	body := m.Body(table.Header(m.placed, m.th), row, m.th.Dim.S(m.emptyText()))
	if len(m.notes) == 0 {
		return body
	}
	return body + "\n\n" + strings.Join(m.notes, "\n")
}

func (m Model) emptyText() string {
	if m.Filter() != "" {
		return "   no host matches the filter"
	}
	return "   no GPU host in this repository (no host's vars hold a vllm mapping)"
}

// ShortHelp is the footer's help.
func (m Model) ShortHelp() []key.Binding { return m.Keys.ShortHelp() }

// FullHelp is the help overlay's columns.
func (m Model) FullHelp() [][]key.Binding { return m.Keys.FullHelp() }
