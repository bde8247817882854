// Package gitlog is the git history view (h on a host): the commits that
// touched the files feeding the host — its host_vars, its groups'
// group_vars, its roles — newest first, each with author, date and
// subject, and below them the selected commit's message and diff. R asks
// to revert the selected commit (the root runs git revert and shows the
// resulting plan).
package gitlog

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// KeyMap is the view's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Revert, Back key.Binding
}

// Model is the history view.
type Model struct {
	th      *theme.Theme
	Keys    KeyMap
	host    string
	sources []string
	commits []fleet.GitCommit
	loaded  bool
	err     string
	cursor  int
	diffs   map[string]string // hash → git show
	diffTop int
	width   int
	height  int
}

// New returns an empty view.
func New(th *theme.Theme) Model {
	return Model{th: th, Keys: KeyMap{
		Up: keys.Up(), Down: keys.Down(), PageUp: keys.PageUp(), PageDown: keys.PageDown(),
		Revert: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "git revert commit")),
		Back:   keys.Back(),
	}, diffs: map[string]string{}}
}

// Open starts the view for host, before its history is read.
func (m *Model) Open(host string) {
	*m = Model{th: m.th, Keys: m.Keys, host: host, diffs: map[string]string{}, width: m.width, height: m.height}
}

// SetHistory sets what git said (err: why it could not).
func (m *Model) SetHistory(sources []string, commits []fleet.GitCommit, err error) {
	m.sources, m.commits, m.loaded, m.err = sources, commits, true, ""
	if err != nil {
		m.err = err.Error()
	}
	m.cursor, m.diffTop = 0, 0
}

// SetDiff stores a commit's diff.
func (m *Model) SetDiff(hash, text string) { m.diffs[hash] = text }

// Host is the host shown.
func (m Model) Host() string { return m.host }

// Sources are the files and directories whose history is shown.
func (m Model) Sources() []string { return m.sources }

// Selected is the commit under the cursor.
func (m Model) Selected() (fleet.GitCommit, bool) {
	if m.cursor < len(m.commits) {
		return m.commits[m.cursor], true
	}
	return fleet.GitCommit{}, false
}

// NeedsDiff is the selected commit's hash when its diff is not read yet.
func (m Model) NeedsDiff() (string, bool) {
	c, ok := m.Selected()
	if !ok {
		return "", false
	}
	_, have := m.diffs[c.Hash]
	return c.Hash, !have
}

// SetSize sets the box.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// HandleKey moves the cursor or scrolls the diff.
func (m Model) HandleKey(k tea.KeyPressMsg) Model {
	km := m.Keys
	switch {
	case key.Matches(k, km.Up) && m.cursor > 0:
		m.cursor, m.diffTop = m.cursor-1, 0
	case key.Matches(k, km.Down) && m.cursor < len(m.commits)-1:
		m.cursor, m.diffTop = m.cursor+1, 0
	case key.Matches(k, km.PageDown):
		m.diffTop += max(1, m.diffHeight()-1)
	case key.Matches(k, km.PageUp):
		m.diffTop = max(0, m.diffTop-max(1, m.diffHeight()-1))
	}
	return m
}

// listHeight is the rows the commit list gets: a third of the box.
func (m Model) listHeight() int { return max(3, min(len(m.commits), m.height/3)) }

func (m Model) diffHeight() int { return max(1, m.height-m.listHeight()-3) }

// View draws the header, the commits and the selected commit's diff.
func (m Model) View() string {
	out := []string{m.header()}
	switch {
	case m.err != "":
		return strings.Join(append(out, m.th.Err.S("  "+m.err)), "\n")
	case !m.loaded:
		return strings.Join(append(out, m.th.Dim.S("  reading git history…")), "\n")
	case len(m.commits) == 0:
		return strings.Join(append(out, m.th.Dim.S("  no commit touched these files")), "\n")
	}
	out = append(out, m.list()...)
	out = append(out, m.th.Dim.S(strings.Repeat("─", max(1, m.width))))
	return strings.Join(append(out, m.diff()...), "\n")
}

func (m Model) header() string {
	text := m.th.Title.S("History "+m.host) + "  " + m.th.Dim.S(fmt.Sprintf("%d commits touching %s", len(m.commits), strings.Join(m.sources, ", ")))
	return layout.Truncate(text, m.width)
}

func (m Model) list() []string {
	h := m.listHeight()
	top := layout.Window(0, m.cursor, h, len(m.commits))
	var rows []string
	for i := top; i < len(m.commits) && len(rows) < h; i++ {
		rows = append(rows, m.row(m.commits[i], i == m.cursor))
	}
	return rows
}

func (m Model) row(c fleet.GitCommit, selected bool) string {
	mark := "  "
	if selected {
		mark = "› "
	}
	text := fmt.Sprintf("%s%s  %s  %-8s  %s", mark, c.Short, c.Date.Format("2006-01-02 15:04"), layout.Truncate(c.Author, 8), c.Subject)
	text = layout.Fit(text, m.width)
	if selected {
		return m.th.Selected.S(text)
	}
	return text
}

func (m Model) diff() []string {
	c, _ := m.Selected()
	text, ok := m.diffs[c.Hash]
	if !ok {
		return []string{m.th.Dim.S("  reading the diff…")}
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	top := min(m.diffTop, max(0, len(lines)-1))
	lines = lines[top:min(len(lines), top+m.diffHeight())]
	for i, l := range lines {
		lines[i] = m.paintDiffLine(layout.Truncate(strings.ReplaceAll(l, "\t", "    "), m.width))
	}
	return lines
}

func (m Model) paintDiffLine(l string) string {
	switch {
	case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "diff "):
		return m.th.Dim.S(l)
	case strings.HasPrefix(l, "+"):
		return m.th.OK.S(l)
	case strings.HasPrefix(l, "-"):
		return m.th.Err.S(l)
	case strings.HasPrefix(l, "@@"):
		return m.th.Accent.S(l)
	}
	return l
}

// ShortHelp is the footer's help.
func (m Model) ShortHelp() []key.Binding {
	k := m.Keys
	return []key.Binding{k.Up, k.Down, k.PageDown, k.Revert, k.Back}
}

// FullHelp is the help overlay's columns.
func (m Model) FullHelp() [][]key.Binding {
	k := m.Keys
	return [][]key.Binding{{k.Up, k.Down}, {k.PageUp, k.PageDown}, {k.Revert, k.Back}}
}
