package routes

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/table"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// KeyMap is the pane's keys.
type KeyMap struct {
	Nav                                            table.NavKeys
	Tab, Filter, Enter, Test, Progress, Help, Quit key.Binding
}

// ShortHelp is the footer's help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Test, k.Enter, k.Progress, k.Filter, k.Tab, k.Help, k.Quit}
}

// FullHelp is the help overlay's columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Nav.Bindings(), {k.Filter, k.Tab}, {k.Test, k.Enter, k.Progress}, {k.Help, k.Quit}}
}

// detailLines is the room kept under the table for the selected route: its
// four lines, wrapped when long (a live mismatch names both models).
const detailLines = 7

// Model is the pane.
type Model struct {
	table.List[Row]
	th     *theme.Theme
	Keys   KeyMap
	cols   []table.Column[Row]
	placed []table.Placed[Row]
	width  int
	height int
}

// New returns an empty pane.
func New(th *theme.Theme) Model {
	m := Model{List: table.NewList(rowID, filterText), th: th, cols: Columns(), Keys: KeyMap{
		Nav: table.NewNavKeys(), Tab: keys.Tab("fleet"), Progress: keys.Progress(), Filter: keys.Filter(),
		Enter: keys.Enter("route's host"), Test: keys.Test("test route"), Help: keys.Help(), Quit: keys.Quit(),
	}}
	m.SetSize(80, 20)
	return m
}

func rowID(r Row) string { return r.Route }

// filterText is what / searches in a route.
func filterText(r Row) string { return r.Route + " " + r.Upstream + " " + r.Host + " " + r.APIBase }

// SetSize sets the pane's box.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.placed = table.Layout(m.cols, w)
	m.SetHeight(max(1, h-1-detailLines))
}

// Update moves the cursor.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	m.MoveOn(msg, m.Keys.Nav)
	return m, nil
}

// View draws the table and the selected route's details.
func (m Model) View() string {
	row := func(r Row, selected bool) string {
		return table.Row(r, table.Cell{Text: " "}, m.placed, selected, m.th)
	}
	body := layout.Clip(m.Body(table.Header(m.placed, m.th), row, m.th.Dim.S(m.emptyText())), m.width, m.height-detailLines)
	return body + "\n" + m.details()
}

func (m Model) emptyText() string {
	if m.Filter() != "" {
		return "   no route matches the filter"
	}
	return "   no LiteLLM routes (no host's vars hold a litellm mapping)"
}

// details explains the selected route in full: what the lints said.
func (m Model) details() string {
	r, ok := m.Selected()
	if !ok {
		return layout.Clip("", m.width, detailLines)
	}
	lines := []string{
		m.th.Dim.S("── ") + m.th.Bold.S(r.Route) + m.th.Dim.S(" → "+r.Model+" at "+r.APIBase),
		"static: " + table.ToneOf(m.th, StaticCell(r).Tone).S(orDash(r.StaticDetail)),
		"live:   " + table.ToneOf(m.th, LiveCell(r).Tone).S(orDash(r.LiveDetail)),
		"test:   " + testDetail(r, m.th),
	}
	return layout.Clip(strings.Join(layout.WrapLines(lines, m.width, 8), "\n"), m.width, detailLines)
}

func testDetail(r Row, th *theme.Theme) string {
	c := TestCell(r)
	if r.Test != nil && !r.Test.OK {
		return th.Err.S(r.Test.Error)
	}
	return table.ToneOf(th, c.Tone).S(c.Text)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// ShortHelp is the footer's help.
func (m Model) ShortHelp() []key.Binding { return m.Keys.ShortHelp() }

// FullHelp is the help overlay's columns.
func (m Model) FullHelp() [][]key.Binding { return m.Keys.FullHelp() }
