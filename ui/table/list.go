package table

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/ui/keys"
	"github.com/straylight-fleet/straylight/ui/layout"
)

// List is the rows of a table view: all of them, those that pass the
// filter, the cursor and the scroll offset. The fleet table and the routes
// pane embed it; they differ only in what identifies a row and what text the
// filter searches.
type List[R any] struct {
	rows    []R
	visible []int // indexes into rows that pass the filter
	filter  string
	cursor  int // index into visible
	offset  int // first visible row drawn
	height  int // rows that fit
	id      func(R) string
	text    func(R) string
}

// NewList returns an empty list; id names a row (the cursor follows it across
// updates), text is what the filter searches.
func NewList[R any](id, text func(R) string) List[R] {
	return List[R]{id: id, text: text, height: 1}
}

// SetHeight sets how many rows fit.
func (l *List[R]) SetHeight(h int) {
	l.height = max(1, h)
	l.clamp()
}

// SetRows replaces the rows, keeping the cursor on the same row.
func (l *List[R]) SetRows(rows []R) {
	keep := l.selectedID()
	l.rows = rows
	l.refilter(keep)
}

// SetFilter shows only rows whose text contains s (case-insensitive).
func (l *List[R]) SetFilter(s string) {
	keep := l.selectedID()
	l.filter = strings.ToLower(s)
	l.refilter(keep)
}

// Filter is the current filter.
func (l List[R]) Filter() string { return l.filter }

// Rows is every row, filtered or not.
func (l List[R]) Rows() []R { return l.rows }

// Shown is the rows that pass the filter.
func (l List[R]) Shown() []R {
	out := make([]R, len(l.visible))
	for i, idx := range l.visible {
		out[i] = l.rows[idx]
	}
	return out
}

// Selected is the row under the cursor.
func (l List[R]) Selected() (R, bool) {
	if l.cursor < 0 || l.cursor >= len(l.visible) {
		var zero R
		return zero, false
	}
	return l.rows[l.visible[l.cursor]], true
}

// Select moves the cursor to the row with that id, if it is shown.
func (l *List[R]) Select(id string) {
	for i, idx := range l.visible {
		if l.id(l.rows[idx]) == id {
			l.cursor = i
		}
	}
	l.clamp()
}

// Move moves the cursor by delta rows, staying in the list.
func (l *List[R]) Move(delta int) {
	l.cursor += delta
	l.clamp()
}

// Window is the part of the shown rows that fits: draw Shown()[start:end],
// marking the cursor's row.
func (l List[R]) Window() (start, end, cursor int) {
	return l.offset, min(len(l.visible), l.offset+l.height), l.cursor
}

// ShownRow is the i-th shown row.
func (l List[R]) ShownRow(i int) R { return l.rows[l.visible[i]] }

// ShownCount is how many rows pass the filter.
func (l List[R]) ShownCount() int { return len(l.visible) }

func (l List[R]) selectedID() string {
	if r, ok := l.Selected(); ok {
		return l.id(r)
	}
	return ""
}

func (l *List[R]) refilter(keep string) {
	l.visible, l.cursor = l.visible[:0], 0
	for i, r := range l.rows {
		if l.filter != "" && !strings.Contains(strings.ToLower(l.text(r)), l.filter) {
			continue
		}
		if keep != "" && l.id(r) == keep {
			l.cursor = len(l.visible)
		}
		l.visible = append(l.visible, i)
	}
	l.clamp()
}

func (l *List[R]) clamp() {
	l.cursor = max(0, min(l.cursor, len(l.visible)-1))
	l.offset = layout.Window(l.offset, l.cursor, l.height, len(l.visible))
}

// Body draws the header and the shown rows that fit, or the empty text when
// no row passes the filter.
func (l List[R]) Body(header string, row func(r R, selected bool) string, empty string) string {
	var b strings.Builder
	b.WriteString(header)
	start, end, cursor := l.Window()
	for i := start; i < end; i++ {
		b.WriteString("\n" + row(l.ShownRow(i), i == cursor))
	}
	if l.ShownCount() == 0 {
		b.WriteString("\n" + empty)
	}
	return b.String()
}

// NavKeys are the keys that move a list's cursor.
type NavKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// NewNavKeys are ↑/↓ j/k, pgup/pgdn, home/g and end/G.
func NewNavKeys() NavKeys {
	return NavKeys{Up: keys.Up(), Down: keys.Down(), PageUp: keys.PageUp(), PageDown: keys.PageDown(),
		Top: keys.Top(), Bottom: keys.Bottom()}
}

// Bindings lists the keys for the help overlay.
func (n NavKeys) Bindings() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.Top, n.Bottom}
}

// MoveOn moves the cursor when msg is one of the navigation keys; it
// reports whether it was.
func (l *List[R]) MoveOn(msg tea.Msg, nav NavKeys) bool {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false
	}
	switch {
	case key.Matches(k, nav.Up):
		l.Move(-1)
	case key.Matches(k, nav.Down):
		l.Move(1)
	case key.Matches(k, nav.PageUp):
		l.Move(-l.height)
	case key.Matches(k, nav.PageDown):
		l.Move(l.height)
	case key.Matches(k, nav.Top):
		l.Move(-len(l.visible))
	case key.Matches(k, nav.Bottom):
		l.Move(len(l.visible))
	default:
		return false
	}
	return true
}
