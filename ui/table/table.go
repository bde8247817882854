// Package table draws rows of plain data as fixed-width columns (k9s
// style): each column is a pure function from a row to a cell, so row
// rendering is tested without a terminal. Columns of lowest priority are
// dropped when the terminal is narrow.
package table

import (
	"sort"
	"strings"

	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Tone is a cell's meaning; the theme turns it into colour.
type Tone int

const (
	ToneNone Tone = iota
	ToneDim
	ToneOK
	ToneWarn
	ToneErr
	ToneInfo
	ToneBar // a bar of █ and ░: full and empty blocks painted apart
)

// Cell is one cell before fitting and painting.
type Cell struct {
	Text string
	Tone Tone
}

// Column is one column of a table of R.
type Column[R any] struct {
	Title    string
	Min, Max int  // widths in cells
	Priority int  // columns of lowest priority are dropped first when narrow
	Grow     int  // order in which spare room is handed out (0: Priority)
	Flex     bool // gets the room left first (the widest content)
	Right    bool // figures are right-aligned
	Cell     func(r R, w int) Cell
}

// Fixed adapts a cell function that does not depend on the width.
func Fixed[R any](f func(R) Cell) func(R, int) Cell {
	return func(r R, _ int) Cell { return f(r) }
}

// Placed is a column with the width it got.
type Placed[R any] struct {
	Column[R]
	Width int
}

// PrefixWidth is the cursor and a one-cell mark before the first column.
const PrefixWidth = 3

// Layout fits the columns into width: columns of lowest priority are
// dropped until the minimum widths fit, then the rest of the room goes to
// the columns by priority, up to their maximum.
func Layout[R any](cols []Column[R], width int) []Placed[R] {
	kept := append([]Column[R](nil), cols...)
	for len(kept) > 1 && minWidth(kept) > width {
		kept = dropLowest(kept)
	}
	placed := make([]Placed[R], len(kept))
	for i, c := range kept {
		placed[i] = Placed[R]{Column: c, Width: c.Min}
	}
	grow(placed, width-minWidth(kept))
	return placed
}

func minWidth[R any](cols []Column[R]) int {
	w := PrefixWidth + len(cols) - 1
	for _, c := range cols {
		w += c.Min
	}
	return w
}

func dropLowest[R any](cols []Column[R]) []Column[R] {
	low := 0
	for i, c := range cols {
		if c.Priority < cols[low].Priority {
			low = i
		}
	}
	return append(cols[:low:low], cols[low+1:]...)
}

// grow hands out extra cells: flexible columns first, then the others by
// priority.
func grow[R any](placed []Placed[R], extra int) {
	order := make([]int, len(placed))
	for i := range order {
		order[i] = i
	}
	rank := func(p Placed[R]) int {
		r := p.Priority
		if p.Grow != 0 {
			r = p.Grow
		}
		if p.Flex {
			return r + 1000
		}
		return r
	}
	sort.SliceStable(order, func(a, b int) bool { return rank(placed[order[a]]) > rank(placed[order[b]]) })
	for _, i := range order {
		add := max(0, min(extra, placed[i].Max-placed[i].Width))
		placed[i].Width += add
		extra -= add
	}
}

// Header is the column titles.
func Header[R any](cols []Placed[R], th *theme.Theme) string {
	var b strings.Builder
	b.WriteString(layout.Pad(PrefixWidth))
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(align(c.Title, c.Width, c.Right))
	}
	return th.ColumnHeader.S(b.String())
}

// Row draws one row after a one-cell mark; the selected row is drawn plain
// on the selection colour, with a cursor so it shows without colours too.
// Cells are written straight into one buffer: this runs for every visible
// cell of every frame.
func Row[R any](r R, mark Cell, cols []Placed[R], selected bool, th *theme.Theme) string {
	var b strings.Builder
	b.Grow(256)
	if selected {
		b.WriteString(th.Selected.Pre())
	}
	b.WriteString(cursor(selected))
	writeCell(&b, mark, 1, false, selected, th)
	b.WriteByte(' ')
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		writeCell(&b, c.Cell(r, c.Width), c.Width, c.Right, selected, th)
	}
	if selected {
		b.WriteString(th.Selected.Post())
	}
	return b.String()
}

func cursor(selected bool) string {
	if selected {
		return "›"
	}
	return " "
}

func align(s string, w int, right bool) string {
	if right {
		return layout.FitRight(s, w)
	}
	return layout.Fit(s, w)
}

// writeCell writes a cell fitted to w, coloured by its tone (not on the
// selected row, whose colour is the selection's).
func writeCell(b *strings.Builder, c Cell, w int, right, selected bool, th *theme.Theme) {
	text := layout.Truncate(c.Text, w)
	pad := layout.Pad(w - layout.Width(text))
	if right {
		b.WriteString(pad)
	}
	switch {
	case selected:
		b.WriteString(text)
	case c.Tone == ToneBar:
		b.WriteString(paintBar(text, th))
	default:
		p := ToneOf(th, c.Tone)
		b.WriteString(p.Pre())
		b.WriteString(text)
		b.WriteString(p.Post())
	}
	if !right {
		b.WriteString(pad)
	}
}

// ToneOf is the theme's paint for a tone.
func ToneOf(th *theme.Theme, t Tone) theme.Paint {
	switch t {
	case ToneDim:
		return th.Dim
	case ToneOK:
		return th.OK
	case ToneWarn:
		return th.Warn
	case ToneErr:
		return th.Err
	case ToneInfo:
		return th.Info
	}
	return theme.Paint{}
}

// paintBar paints the full blocks of a bar cell apart from the empty ones.
func paintBar(s string, th *theme.Theme) string {
	full, fs, fe := span(s, "█")
	empty, es, ee := span(s, "░")
	if fs < 0 && es < 0 {
		return s
	}
	start, end := fs, max(fe, ee)
	if start < 0 || (es >= 0 && es < start) {
		start = es
	}
	return s[:start] + th.BarFull.S(full) + th.BarEmpty.S(empty) + s[end:]
}

// span finds the run of block characters in s: the run, its start and end
// (-1, -1 when absent).
func span(s, block string) (string, int, int) {
	i := strings.Index(s, block)
	if i < 0 {
		return "", -1, -1
	}
	j := strings.LastIndex(s, block) + len(block)
	return s[i:j], i, j
}
