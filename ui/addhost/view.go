package addhost

import (
	"strings"

	"github.com/straylight-fleet/straylight/ui/layout"
)

// labelWidth fits "template host".
const labelWidth = 15

// View draws the form: the three fields, then the message or the hint.
func (m Model) View() string {
	lines := []string{m.th.Title.S("Add a host") + "  " + m.th.Dim.S("a copy of a host's inventory entry and host_vars"), ""}
	lines = append(lines,
		m.row(focusTemplate, "template host", m.templateText()),
		m.row(focusName, "name", m.name.View(m.valueWidth(), m.focus == focusName, m.th)),
		m.row(focusAddress, "address", m.address.View(m.valueWidth(), m.focus == focusAddress, m.th)),
		"", m.hint())
	return strings.Join(lines, "\n")
}

func (m Model) valueWidth() int { return max(10, m.width-labelWidth-4) }

func (m Model) row(f focus, label, value string) string {
	cursor := "  "
	if m.focus == f {
		cursor = m.th.Bold.S("› ")
	}
	return layout.Truncate(cursor+" "+layout.Fit(label, labelWidth)+value, m.width)
}

func (m Model) templateText() string {
	t := m.Template()
	if t == "" {
		return m.th.Err.S("(no GPU host)")
	}
	if m.focus == focusTemplate {
		return "‹ " + m.th.Selected.S(t) + " ›"
	}
	return t
}

// hint is the error, else what enter will do.
func (m Model) hint() string {
	if m.err != "" {
		return m.th.Err.S(strings.Join(layout.WrapLines([]string{"✗ " + m.err}, m.width, 2), "\n"))
	}
	if m.name.Value() == "" {
		return m.th.Dim.S(layout.Truncate("type the new host's name · tab moves · enter adds · esc cancels", m.width))
	}
	return m.th.Prompt.S(layout.Truncate("enter writes "+m.name.Value()+" like "+m.Template()+": inventory entry and host_vars", m.width))
}
