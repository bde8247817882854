// Package addhost is the "add a host" form (n on the fleet table): the
// template host, chosen with ←/→ among the GPU hosts, and the new host's
// name and address, checked as they are typed. The form owns its keys and
// writes nothing: enter sends a SubmitMsg, esc a CancelMsg, and the root
// adds the host through the Session (fleet.Session.AddHost), showing its
// refusal back here with SetError.
package addhost

import (
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/ui/field"
	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Input is what the form starts from.
type Input struct {
	Templates []string // hosts that can be the template, in table order
	Template  string   // the one selected in the table
	Address   string   // the address to start with ("" when none; see Suggest)
	Taken     []string // names already in the inventory (hosts and groups)
}

// SubmitMsg asks the root to add the host.
type SubmitMsg struct{ Template, Name, Address string }

// CancelMsg asks the root to close the form.
type CancelMsg struct{}

// KeyMap is the form's keys.
type KeyMap struct {
	Next, Prev, Template, Submit, Cancel, Help, Quit key.Binding
}

// focus is the field with the cursor.
type focus int

const (
	focusTemplate focus = iota
	focusName
	focusAddress
)

// Model is the form.
type Model struct {
	th       *theme.Theme
	Keys     KeyMap
	in       Input
	template int
	name     field.Model
	address  field.Model
	focus    focus
	err      string // why enter did nothing, or the engine's refusal
	width    int
}

// New opens the form on the name field.
func New(th *theme.Theme, in Input) Model {
	return Model{th: th, in: in, template: max(0, slices.Index(in.Templates, in.Template)),
		address: field.New(in.Address), focus: focusName, width: 80, Keys: newKeyMap()}
}

func newKeyMap() KeyMap {
	return KeyMap{
		Next: keys.NextField(), Prev: keys.PrevField(),
		Template: key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "template host (on its field)")),
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "add the host")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Help:     keys.Help(), Quit: keys.ForceQuit(),
	}
}

// SetSize sets the width.
func (m *Model) SetSize(w, _ int) { m.width = w }

// Suggest fills in a suggested address unless one was typed.
func (m *Model) Suggest(addr string) {
	if m.address.Value() == "" {
		m.address = field.New(addr)
	}
}

// SetError shows why the host was not added.
func (m *Model) SetError(msg string) { m.err = msg }

// Template is the template host chosen.
func (m Model) Template() string {
	if len(m.in.Templates) == 0 {
		return ""
	}
	return m.in.Templates[m.template]
}

// Update handles a key: move, choose the template, type, submit, cancel.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.Keys.Cancel):
		return m, func() tea.Msg { return CancelMsg{} }
	case key.Matches(k, m.Keys.Submit):
		return m.submit()
	case key.Matches(k, m.Keys.Next):
		m.focus = min(m.focus+1, focusAddress)
	case key.Matches(k, m.Keys.Prev):
		m.focus = max(m.focus-1, focusTemplate)
	default:
		m = m.edit(k)
	}
	return m, nil
}

// submit sends the request, or shows why it cannot be sent.
func (m Model) submit() (Model, tea.Cmd) {
	if m.err = m.problem(); m.err != "" {
		return m, nil
	}
	req := SubmitMsg{Template: m.Template(), Name: m.name.Value(), Address: m.address.Value()}
	return m, func() tea.Msg { return req }
}

// problem is what is wrong with the form ("" when nothing).
func (m Model) problem() string {
	name, addr := m.name.Value(), m.address.Value()
	switch {
	case m.Template() == "":
		return "no host to copy: the fleet has no GPU host"
	case fleet.CheckHostName(name) != "":
		return "name: " + fleet.CheckHostName(name)
	case slices.Contains(m.in.Taken, name):
		return "name: " + name + " is already in the inventory"
	case fleet.CheckAddress(addr) != "":
		return "address: " + fleet.CheckAddress(addr)
	}
	return ""
}

// edit types into the focused field or, on the template, cycles it.
func (m Model) edit(k tea.KeyPressMsg) Model {
	switch m.focus {
	case focusTemplate:
		m.cycle(k.String())
	case focusName:
		m.name, _ = m.name.Update(k)
	case focusAddress:
		m.address, _ = m.address.Update(k)
	}
	m.err = ""
	return m
}

func (m *Model) cycle(k string) {
	n := len(m.in.Templates)
	switch {
	case n == 0:
	case k == "right":
		m.template = (m.template + 1) % n
	case k == "left":
		m.template = (m.template + n - 1) % n
	}
}

// ShortHelp is the footer's help.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.Keys.Next, m.Keys.Template, m.Keys.Submit, m.Keys.Cancel, m.Keys.Help, m.Keys.Quit}
}

// FullHelp is the help overlay's columns.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.Keys.Next, m.Keys.Prev, m.Keys.Template}, {m.Keys.Submit, m.Keys.Cancel, m.Keys.Help, m.Keys.Quit}}
}
