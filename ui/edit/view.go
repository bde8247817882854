package edit

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/straylight-fleet/straylight/ui/layout"
)

// wordKeys documents the field's word-wise keys in the help overlay.
func wordKeys() key.Binding {
	return key.NewBinding(key.WithKeys("alt+b", "alt+f", "alt+backspace", "alt+d"),
		key.WithHelp("alt+b/f/⌫/d", "word left/right/delete back/delete forward"))
}

// keyWidth fits the longest vllm key ("idle_threshold_minutes").
const keyWidth = 24

// View draws the form.
func (m Model) View() string {
	lines := []string{m.th.Title.S("Edit "+m.host) + "  " + m.th.Dim.S(m.file)}
	lines = append(lines, m.th.ColumnHeader.S("   "+layout.Fit("vllm.", keyWidth)+" value"))
	end := min(len(m.rows), m.offset+m.bodyHeight())
	for i := m.offset; i < end; i++ {
		lines = append(lines, m.rowLine(i))
	}
	lines = append(lines, m.hint())
	return strings.Join(lines, "\n")
}

func (m Model) rowLine(i int) string {
	r := m.rows[i]
	selected := i == m.cursor
	cursor := "  "
	if selected {
		cursor = "› "
	}
	valueWidth := max(10, m.width-keyWidth-4)
	value := r.input.View(valueWidth, selected && m.readOnly == "", m.th)
	line := cursor + " " + layout.Fit(r.spec.Key, keyWidth) + value + m.note(r)
	if selected {
		line = m.th.Bold.S(cursor) + line[len(cursor):]
	}
	return layout.Truncate(line, m.width)
}

// note is what follows the value: the error, the old value when changed,
// "(unset)" or "(secret)".
func (m Model) note(r row) string {
	switch {
	case r.err != "":
		return m.th.Err.S("  ✗ " + r.err)
	case r.cleared():
		return m.th.Warn.S("  ⚠ cleared: saving writes null (Ansible reads None; the role's default does not apply)")
	case r.dirty() && r.spec.Present:
		return m.th.Warn.S("  ✓ was " + r.spec.Text)
	case r.dirty():
		return m.th.Warn.S("  ✓ new key")
	case r.spec.Secret:
		return m.th.Dim.S("  (secret: type to replace)")
	case !r.spec.Present:
		return m.th.Dim.S("  (unset)")
	}
	return ""
}

func (m Model) hint() string {
	if m.readOnly != "" {
		return m.th.Warn.S(m.readOnly)
	}
	n := len(m.Changes())
	switch {
	case !m.Valid():
		return m.th.Err.S("fix the values marked ✗ to save")
	case n == 0:
		return m.th.Dim.S("type to change a value · enter saves · esc cancels")
	}
	return m.th.Prompt.S(plural(n) + " to save: enter writes " + m.file + " · esc cancels")
}

func plural(n int) string {
	if n == 1 {
		return "1 change"
	}
	return strconv.Itoa(n) + " changes"
}

// ShortHelp is the footer's help.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.Keys.Next, m.Keys.Prev, m.Keys.Save, m.Keys.Cancel, m.Keys.Help, m.Keys.Quit}
}

// FullHelp is the help overlay's columns.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.Keys.Next, m.Keys.Prev}, {m.Keys.Save, m.Keys.Cancel, m.Keys.Help, m.Keys.Quit},
		{wordKeys()}}
}
