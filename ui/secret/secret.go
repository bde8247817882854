// Package secret is a masked one-line input for a passphrase. While it is
// open it owns every key: printable keys type, backspace and ctrl+u erase,
// enter gives the text, esc declines; nothing else does anything (no
// history, no word moves, no paste of control characters). The text is
// never drawn — a • per character — and Take hands it over and wipes it.
package secret

import (
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Outcome is what a key did to the input.
type Outcome int

const (
	Typing   Outcome = iota // still open
	Given                   // enter: Take the text
	Declined                // esc: the text is wiped
)

// Model is the input's state: the question and the bytes typed.
type Model struct {
	question string
	typed    *[]byte // shared by copies of the model, so Take wipes them all
}

// New opens an input asking question (drawn before the mask).
func New(question string) Model {
	return Model{question: question, typed: new([]byte)}
}

// Update applies a key.
func (m Model) Update(k tea.KeyPressMsg) Outcome {
	switch k.String() {
	case "enter":
		return Given
	case "esc":
		m.wipe()
		return Declined
	case "backspace":
		m.erase()
	case "ctrl+u":
		m.wipe()
	default:
		m.typeText(k)
	}
	return Typing
}

// typeText appends a printable key's text.
func (m Model) typeText(k tea.KeyPressMsg) {
	if k.Text == "" || k.Mod&^tea.ModShift != 0 || !utf8.ValidString(k.Text) || strings.ContainsFunc(k.Text, isControl) {
		return
	}
	*m.typed = append(*m.typed, k.Text...)
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// erase removes the last character.
func (m Model) erase() {
	t := *m.typed
	_, size := utf8.DecodeLastRune(t)
	clear(t[len(t)-size:])
	*m.typed = t[:len(t)-size]
}

func (m Model) wipe() {
	clear(*m.typed)
	*m.typed = (*m.typed)[:0]
}

// Len is the number of characters typed.
func (m Model) Len() int { return utf8.RuneCount(*m.typed) }

// Take returns a copy of the text and wipes the input's.
func (m Model) Take() []byte {
	text := append([]byte(nil), *m.typed...)
	m.wipe()
	return text
}

// View is the question, a • per character and the cursor, on one line
// of width cells; a long question is cut, never the mask.
func (m Model) View(width int, th *theme.Theme) string {
	mask := strings.Repeat("•", m.Len())
	question := layout.Truncate(m.question, max(1, width-utf8.RuneCountInString(mask)-2))
	return layout.Truncate(th.Prompt.S(question)+" "+mask+th.Selected.S(" "), width)
}
