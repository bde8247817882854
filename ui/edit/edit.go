// Package edit is the edit form over a host's vllm values: one field per
// key, validated as it is typed with plan.ValidateVLLMValue. Saving is the
// root's job (through the Session's VarsEdit, off the Update path); the form only
// says which keys changed to which values.
package edit

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"gopkg.in/yaml.v3"

	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/ui/field"
	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Spec is one key of the form as the vars file holds it.
type Spec struct {
	Key     string // key inside the vllm mapping
	Text    string // the value as YAML flow text; "" when absent or secret
	Present bool   // false: the file does not set it (its value comes from a default)
	Secret  bool   // the value is a secret: it is never shown
}

// Change is one key to write.
type Change struct {
	Key   string
	Value any
	Text  string
}

// KeyMap is the form's keys.
type KeyMap struct {
	Next, Prev, Save, Cancel, Help, Quit key.Binding
}

type row struct {
	spec  Spec
	input field.Model
	err   string
}

// Model is the form.
type Model struct {
	th       *theme.Theme
	Keys     KeyMap
	host     string
	file     string
	rows     []row
	cursor   int
	offset   int
	width    int
	height   int
	readOnly string // why the form cannot be saved; "" when it can
}

// New builds the form for a host's vars file; readOnly says why it cannot
// be saved ("" when it can).
func New(th *theme.Theme, host, file string, specs []Spec, readOnly string) Model {
	m := Model{th: th, host: host, file: file, readOnly: readOnly, width: 80, height: 20, Keys: KeyMap{
		Next: keys.NextField(), Prev: keys.PrevField(), Save: keys.Save(),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Help:   keys.Help(), Quit: keys.ForceQuit(),
	}}
	for _, s := range specs {
		m.rows = append(m.rows, row{spec: s, input: field.New(s.Text)})
	}
	return m
}

// Host is the host edited.
func (m Model) Host() string { return m.host }

// File is the vars file edited, as shown.
func (m Model) File() string { return m.file }

// SetSize sets the box.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clampOffset()
}

// Update handles a key: move between fields, or edit the current one.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || len(m.rows) == 0 {
		return m, nil
	}
	switch {
	case key.Matches(k, m.Keys.Next):
		m.cursor = min(m.cursor+1, len(m.rows)-1)
	case key.Matches(k, m.Keys.Prev):
		m.cursor = max(m.cursor-1, 0)
	default:
		m.edit(k)
	}
	m.clampOffset()
	return m, nil
}

func (m *Model) edit(k tea.KeyPressMsg) {
	r := &m.rows[m.cursor]
	input, used := r.input.Update(k)
	if !used {
		return
	}
	r.input = input
	r.err = ""
	if r.dirty() {
		_, r.err = parse(r.spec.Key, r.input.Value())
	}
}

// parse reads typed text as Ansible's YAML would (0.9 is a number, true
// and yes booleans, [a, b] a list) and validates it for the key.
func parse(key, text string) (any, string) {
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err != nil {
		return nil, "not a YAML value: " + firstLine(err.Error())
	}
	if b, ok := plan.AnsibleBool(v); ok && !quoted(text) {
		v = b // YAML 1.1: yes, on, … are booleans to Ansible
	}
	if msg := plan.ValidateVLLMValue(key, v); msg != "" {
		return nil, msg
	}
	return v, ""
}

func quoted(text string) bool {
	t := strings.TrimSpace(text)
	return strings.HasPrefix(t, `"`) || strings.HasPrefix(t, "'")
}

// Cleared reports a field emptied: saving writes null, which Ansible reads
// as None (the role's default does not come back).
func (r row) cleared() bool { return r.dirty() && strings.TrimSpace(r.input.Value()) == "" }

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return strings.TrimPrefix(first, "yaml: ")
}

func (r row) dirty() bool { return r.input.Value() != r.spec.Text }

// Dirty counts the fields changed and not saved.
func (m Model) Dirty() int {
	n := 0
	for _, r := range m.rows {
		if r.dirty() {
			n++
		}
	}
	return n
}

// Cleared lists the keys emptied: saving writes null for them.
func (m Model) Cleared() []string {
	var out []string
	for _, r := range m.rows {
		if r.cleared() && r.err == "" {
			out = append(out, r.spec.Key)
		}
	}
	return out
}

// Valid reports a form without errors.
func (m Model) Valid() bool {
	for _, r := range m.rows {
		if r.err != "" {
			return false
		}
	}
	return true
}

// ReadOnly says why the form cannot be saved ("" when it can).
func (m Model) ReadOnly() string { return m.readOnly }

// Changes are the edited keys with their new values (valid ones only).
func (m Model) Changes() []Change {
	var out []Change
	for _, r := range m.rows {
		if !r.dirty() || r.err != "" {
			continue
		}
		if v, msg := parse(r.spec.Key, r.input.Value()); msg == "" {
			out = append(out, Change{Key: r.spec.Key, Value: v, Text: r.input.Value()})
		}
	}
	return out
}

func (m *Model) clampOffset() {
	m.offset = layout.Window(m.offset, m.cursor, m.bodyHeight(), len(m.rows))
}

// bodyHeight leaves room for the title, the column header and the hint.
func (m Model) bodyHeight() int { return max(1, m.height-4) }
