// Package field is a one-line text input for the filter and the edit form:
// printable keys insert at the cursor, backspace/delete remove, ←/→,
// home/end move, ctrl+u clears; alt+b/alt+f (ctrl+←/→) move by words,
// alt+backspace (ctrl+w) and alt+d delete a word. Other alt keys do nothing. It draws its cursor as a reverse cell, so
// its view is deterministic (no blinking).
package field

import (
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Model is the input's state.
type Model struct {
	value  []rune
	cursor int
}

// New returns an input holding value, the cursor at its end.
func New(value string) Model {
	r := []rune(value)
	return Model{value: r, cursor: len(r)}
}

// Value is the text typed.
func (m Model) Value() string { return string(m.value) }

// Update applies a key; it reports whether the key was an editing key.
func (m Model) Update(msg tea.KeyPressMsg) (Model, bool) {
	if edit := editKey(msg.String()); edit != nil {
		return edit(m), true
	}
	if msg.Text != "" && msg.Mod&^tea.ModShift == 0 && utf8.ValidString(msg.Text) {
		return m.insert([]rune(msg.Text)), true
	}
	return m, false
}

// editKey is what an editing key does; nil for other keys.
func editKey(name string) func(Model) Model {
	switch name {
	case "backspace":
		return Model.backspace
	case "delete":
		return Model.deleteForward
	case "left":
		return func(m Model) Model { m.cursor = max(0, m.cursor-1); return m }
	case "right":
		return func(m Model) Model { m.cursor = min(len(m.value), m.cursor+1); return m }
	case "home", "ctrl+a":
		return func(m Model) Model { m.cursor = 0; return m }
	case "end", "ctrl+e":
		return func(m Model) Model { m.cursor = len(m.value); return m }
	case "ctrl+u":
		return func(Model) Model { return Model{} }
	}
	return wordKey(name)
}

// wordKey is what a word-wise editing key does; nil for other keys.
func wordKey(name string) func(Model) Model {
	switch name {
	case "alt+b", "ctrl+left":
		return func(m Model) Model { m.cursor = m.wordStart(); return m }
	case "alt+f", "ctrl+right":
		return func(m Model) Model { m.cursor = m.wordEnd(); return m }
	case "alt+backspace", "ctrl+w":
		return func(m Model) Model { return m.cut(m.wordStart(), m.cursor) }
	case "alt+d":
		return func(m Model) Model { return m.cut(m.cursor, m.wordEnd()) }
	}
	return nil
}

// isWord reports a rune inside a word (letters, digits, _; not / . - : ,).
func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordStart is where the word before the cursor starts.
func (m Model) wordStart() int {
	i := m.cursor
	for i > 0 && !isWord(m.value[i-1]) {
		i--
	}
	for i > 0 && isWord(m.value[i-1]) {
		i--
	}
	return i
}

// wordEnd is where the word after the cursor ends.
func (m Model) wordEnd() int {
	i := m.cursor
	for i < len(m.value) && !isWord(m.value[i]) {
		i++
	}
	for i < len(m.value) && isWord(m.value[i]) {
		i++
	}
	return i
}

// cut removes the runes in [from, to) and leaves the cursor at from.
func (m Model) cut(from, to int) Model {
	v := append(append([]rune{}, m.value[:from]...), m.value[to:]...)
	return Model{value: v, cursor: from}
}

func (m Model) insert(r []rune) Model {
	v := make([]rune, 0, len(m.value)+len(r))
	v = append(append(append(v, m.value[:m.cursor]...), r...), m.value[m.cursor:]...)
	return Model{value: v, cursor: m.cursor + len(r)}
}

func (m Model) backspace() Model {
	if m.cursor == 0 {
		return m
	}
	v := append(append([]rune{}, m.value[:m.cursor-1]...), m.value[m.cursor:]...)
	return Model{value: v, cursor: m.cursor - 1}
}

func (m Model) deleteForward() Model {
	if m.cursor >= len(m.value) {
		return m
	}
	v := append(append([]rune{}, m.value[:m.cursor]...), m.value[m.cursor+1:]...)
	return Model{value: v, cursor: m.cursor}
}

// View draws the text cut to w cells with the cursor shown when focused.
func (m Model) View(w int, focused bool, th *theme.Theme) string {
	if !focused {
		return layout.Truncate(string(m.value), w)
	}
	before, at, after := string(m.value[:m.cursor]), " ", ""
	if m.cursor < len(m.value) {
		at, after = string(m.value[m.cursor]), string(m.value[m.cursor+1:])
	}
	cursor := th.Selected.S(at)
	return layout.Truncate(before, max(0, w-1)) + cursor + layout.Truncate(after, max(0, w-layout.Width(before)-1))
}
