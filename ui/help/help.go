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

// Footer is the one-line help, cut to width; the pinned keys (help and
// quit) are always shown, at the end, and the view's own keys give way.
func (m Model) Footer(k help.KeyMap, pinned []key.Binding, width int) string {
	m.h.SetWidth(0)
	tail := m.h.ShortHelpView(pinned)
	sep := m.h.ShortSeparator
	room := width - layout.Width(tail) - layout.Width(sep)
	rest := unseen(k.ShortHelp(), names(pinned))
	if len(rest) == 0 || room < 8 {
		return layout.Truncate(tail, width)
	}
	m.h.SetWidth(room)
	return m.h.ShortHelpView(rest) + m.h.Styles.ShortSeparator.Render(sep) + tail
}

func names(bindings []key.Binding) map[string]bool {
	out := map[string]bool{}
	for _, b := range bindings {
		out[b.Help().Key] = true
	}
	return out
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

// Join merges key maps: the view's first, then the global keys. A key
// listed by an earlier map is not listed again (esc is the view's "back"
// and the global "back").
func Join(maps ...help.KeyMap) help.KeyMap { return joined(maps) }

type joined []help.KeyMap

func (j joined) ShortHelp() []key.Binding {
	seen := map[string]bool{}
	var out []key.Binding
	for _, m := range j {
		out = append(out, unseen(m.ShortHelp(), seen)...)
	}
	return out
}

func (j joined) FullHelp() [][]key.Binding {
	seen := map[string]bool{}
	var out [][]key.Binding
	for _, m := range j {
		for _, col := range m.FullHelp() {
			if kept := unseen(col, seen); len(kept) > 0 {
				out = append(out, kept)
			}
		}
	}
	return out
}

// unseen keeps the bindings whose help key was not listed yet.
func unseen(bindings []key.Binding, seen map[string]bool) []key.Binding {
	var out []key.Binding
	for _, b := range bindings {
		name := b.Help().Key
		if !seen[name] {
			seen[name] = true
			out = append(out, b)
		}
	}
	return out
}
