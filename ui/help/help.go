// Package help draws the key help: the footer's one line and the overlay
// (`?`), both built from the focused view's key bindings (bubbles/help), so
// the help never lists a key the view does not handle.
package help

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Model draws help for a key map.
type Model struct {
	th *theme.Theme
	h  help.Model
}

// New returns a help drawer.
func New(th *theme.Theme) Model {
	h := help.New()
	h.Styles = th.Help
	return Model{th: th, h: h}
}

// Footer is the one-line help, cut to width.
func (m Model) Footer(k help.KeyMap, width int) string {
	m.h.SetWidth(width)
	return m.h.ShortHelpView(k.ShortHelp())
}

// Overlay is the full help of the focused view in a box, with a title.
func (m Model) Overlay(title string, k help.KeyMap, width, height int) string {
	m.h.SetWidth(max(20, width-4))
	body := m.th.Title.S(title) + "\n\n" + m.h.FullHelpView(k.FullHelp()) + "\n\n" + m.th.Dim.S("? or esc closes this help")
	box := m.th.Box.Render(body)
	return lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, layout.Clip(box, width, height))
}

// Bindings lists the keys of a key map, for tests and the e2e contract.
func Bindings(k help.KeyMap) []string {
	var out []string
	for _, col := range k.FullHelp() {
		for _, b := range col {
			if b.Enabled() {
				out = append(out, strings.Join(b.Keys(), "/"))
			}
		}
	}
	return out
}

// Join merges key maps: the view's first, then the global keys.
func Join(maps ...help.KeyMap) help.KeyMap { return joined(maps) }

type joined []help.KeyMap

func (j joined) ShortHelp() []key.Binding {
	var out []key.Binding
	for _, m := range j {
		out = append(out, m.ShortHelp()...)
	}
	return out
}

func (j joined) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	for _, m := range j {
		out = append(out, m.FullHelp()...)
	}
	return out
}
