// Package logs is the log view (l on a host): the host's vLLM container
// log, its last lines and then every new line as the transport streams it,
// in a bounded buffer. The view follows the tail (f toggles), wraps long
// lines (w toggles) and searches (/ then n and N), highlighting matches.
package logs

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/ui/field"
	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// MaxLines is how many lines the view keeps; older ones are dropped.
const MaxLines = 5000

// KeyMap is the view's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Search, Next, Prev, Follow, Wrap, Back  key.Binding
}

func newKeyMap() KeyMap {
	return KeyMap{
		Up: keys.Up(), Down: keys.Down(), PageUp: keys.PageUp(), PageDown: keys.PageDown(),
		Top: keys.Top(), Bottom: keys.Bottom(),
		Search: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Next:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		Prev:   key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		Follow: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "follow on/off")),
		Wrap:   key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap on/off")),
		Back:   keys.Back(),
	}
}

// Model is the log view.
type Model struct {
	th        *theme.Theme
	Keys      KeyMap
	host      string
	source    string // "vllm-wintermute over winrm …"
	lines     []string
	dropped   int  // lines dropped from the front (MaxLines)
	top       int  // first shown line when not following
	follow    bool // stick to the newest line
	wrap      bool
	searching bool
	input     field.Model
	query     string
	ended     string // why the stream ended ("" while it runs)
	width     int
	height    int
}

// New returns an empty view.
func New(th *theme.Theme) Model {
	return Model{th: th, Keys: newKeyMap(), follow: true, wrap: true, width: 80, height: 20}
}

// Open starts the view afresh for host.
func (m *Model) Open(host, source string) {
	*m = Model{th: m.th, Keys: m.Keys, host: host, source: source, follow: true, wrap: m.wrap, width: m.width, height: m.height}
}

// Host is the host shown.
func (m Model) Host() string { return m.host }

// Lines are the lines held.
func (m Model) Lines() []string { return m.lines }

// Following reports whether the view sticks to the newest line.
func (m Model) Following() bool { return m.follow }

// Typing reports the search field has the keys.
func (m Model) Typing() bool { return m.searching }

// SetSize sets the box.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Append adds lines as they arrive, dropping the oldest beyond MaxLines.
func (m *Model) Append(lines []string) {
	m.lines = append(m.lines, lines...)
	if over := len(m.lines) - MaxLines; over > 0 {
		m.lines = append([]string(nil), m.lines[over:]...)
		m.dropped += over
		m.top = max(0, m.top-over)
	}
}

// End records why the stream stopped (nil: it ended on its own).
func (m *Model) End(err error) {
	m.ended = "the log ended"
	if err != nil {
		m.ended = err.Error()
	}
}

// HandleKey acts on a key.
func (m Model) HandleKey(k tea.KeyPressMsg) Model {
	if m.searching {
		return m.onSearchKey(k)
	}
	km := m.Keys
	switch {
	case key.Matches(k, km.Search):
		m.searching, m.input = true, field.New(m.query)
	case key.Matches(k, km.Next):
		m = m.jump(+1)
	case key.Matches(k, km.Prev):
		m = m.jump(-1)
	case key.Matches(k, km.Follow):
		m.follow = !m.follow
		m.top = m.bottomTop()
	case key.Matches(k, km.Wrap):
		m.wrap = !m.wrap
	default:
		m = m.scroll(k)
	}
	return m
}

func (m Model) onSearchKey(k tea.KeyPressMsg) Model {
	switch k.String() {
	case "enter":
		m.searching, m.query = false, m.input.Value()
		m.top = len(m.lines)
		return m.jump(-1)
	case "esc":
		m.searching = false
		return m
	}
	m.input, _ = m.input.Update(k)
	return m
}

// jump moves to the next (dir +1) or previous (-1) line matching the
// query, from the top line shown; following stops.
func (m Model) jump(dir int) Model {
	if m.query == "" {
		return m
	}
	start := m.top
	if m.follow {
		start = len(m.lines)
	}
	for i := start + dir; i >= 0 && i < len(m.lines); i += dir {
		if strings.Contains(m.lines[i], m.query) {
			m.follow, m.top = false, i
			return m
		}
	}
	return m
}

func (m Model) scroll(k tea.KeyPressMsg) Model {
	km, page := m.Keys, max(1, m.bodyHeight()-1)
	if m.follow {
		m.top = m.bottomTop()
	}
	switch {
	case key.Matches(k, km.Up):
		m.top--
	case key.Matches(k, km.Down):
		m.top++
	case key.Matches(k, km.PageUp):
		m.top -= page
	case key.Matches(k, km.PageDown):
		m.top += page
	case key.Matches(k, km.Top):
		m.top = 0
	case key.Matches(k, km.Bottom):
		m.top = m.bottomTop()
	default:
		return m
	}
	m.top = max(0, min(m.top, m.bottomTop()))
	m.follow = m.top == m.bottomTop() && key.Matches(k, km.Bottom, km.Down, km.PageDown)
	return m
}

// bottomTop is the top line that shows the last line at the bottom
// (unwrapped; wrapping shows fewer).
func (m Model) bottomTop() int { return max(0, len(m.lines)-m.bodyHeight()) }

func (m Model) bodyHeight() int { return max(1, m.height-1) }

// View draws the status line and the lines that fit.
func (m Model) View() string {
	return m.statusLine() + "\n" + strings.Join(m.visible(), "\n")
}

func (m Model) statusLine() string {
	var facts []string
	if m.query != "" {
		facts = append(facts, fmt.Sprintf("/%s: %d matching", m.query, m.matches()))
	}
	facts = append(facts, onOff("follow", m.follow), onOff("wrap", m.wrap), fmt.Sprintf("%d lines", len(m.lines)))
	if m.dropped > 0 {
		facts = append(facts, fmt.Sprintf("%d older dropped", m.dropped))
	}
	head := m.th.Title.S("Logs "+m.host) + "  " + m.th.Dim.S(strings.Join(append(facts, m.source), " · "))
	switch {
	case m.searching:
		head = m.th.Title.S("Logs "+m.host) + "  search: " + m.input.Value() + "▏"
	case m.ended != "":
		head += "  " + m.th.Warn.S(m.ended)
	}
	return layout.Truncate(head, m.width)
}

func onOff(name string, on bool) string {
	if on {
		return name + " on"
	}
	return name + " off"
}

func (m Model) matches() int {
	n := 0
	for _, l := range m.lines {
		if strings.Contains(l, m.query) {
			n++
		}
	}
	return n
}

// visible renders the lines that fit: from the newest backwards when
// following, else from the top line on.
func (m Model) visible() []string {
	h := m.bodyHeight()
	if len(m.lines) == 0 {
		return []string{m.th.Dim.S("  waiting for the first lines…")}
	}
	if m.follow {
		var rows []string
		for i := len(m.lines) - 1; i >= 0 && len(rows) < h; i-- {
			rows = append(m.rows(m.lines[i]), rows...)
		}
		return rows[max(0, len(rows)-h):]
	}
	var rows []string
	for i := m.top; i < len(m.lines) && len(rows) < h; i++ {
		rows = append(rows, m.rows(m.lines[i])...)
	}
	return rows[:min(len(rows), h)]
}

// rows is one line as drawn: wrapped or cut to the width, matches marked.
func (m Model) rows(line string) []string {
	line = strings.ReplaceAll(line, "\t", "    ")
	var out []string
	if m.wrap && m.width > 10 {
		out = strings.Split(ansi.Hardwrap(line, m.width, true), "\n")
	} else {
		out = []string{layout.Truncate(line, m.width)}
	}
	for i := range out {
		out[i] = m.mark(out[i])
	}
	return out
}

func (m Model) mark(s string) string {
	if m.query == "" || !strings.Contains(s, m.query) {
		return s
	}
	return strings.ReplaceAll(s, m.query, m.th.Warn.S(m.query))
}

// ShortHelp is the footer's help.
func (m Model) ShortHelp() []key.Binding {
	k := m.Keys
	return []key.Binding{k.Search, k.Next, k.Follow, k.Wrap, k.Back}
}

// FullHelp is the help overlay's columns.
func (m Model) FullHelp() [][]key.Binding {
	k := m.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Search, k.Next, k.Prev}, {k.Follow, k.Wrap, k.Back}}
}
