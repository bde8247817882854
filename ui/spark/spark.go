// Package spark draws a series of figures as text: a one-line sparkline
// for a table cell and a multi-line chart with a scale for the host detail.
//
// Drawn here rather than with a charting library: the maintained one for
// Bubble Tea, github.com/NimbleMarkets/ntcharts (v0.4.0, the latest), is
// built on Bubble Tea v1 and Lip Gloss v1 (github.com/charmbracelet/...),
// and there is no release for charm.land/bubbletea/v2 and lipgloss/v2 that
// straylight uses; pulling in the v1 stack beside v2 for two block-glyph
// functions would be the wrong trade. Both functions are pure and fast
// enough for a 1,000-row table (see the fleet table's benchmark).
package spark

import (
	"fmt"
	"math"
	"strings"
)

// levels are the eighth-blocks, from empty to full.
var levels = []rune(" ▁▂▃▄▅▆▇█")

// gap is drawn where a figure is not known (NaN).
const gap = '╌'

// Line draws values as width cells, the newest at the right, scaled to
// 0..hi (hi <= 0: the largest value). Fewer values than cells are padded
// with spaces on the left; more are cut to the newest.
func Line(values []float64, hi float64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	if hi <= 0 {
		hi = peak(values)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(values)))
	for _, v := range values {
		b.WriteRune(glyph(v, hi))
	}
	return b.String()
}

// glyph is one value's eighth-block; any known value above zero shows at
// least the lowest block, so activity is never invisible.
func glyph(v, hi float64) rune {
	switch {
	case math.IsNaN(v):
		return gap
	case v <= 0 || hi <= 0:
		return levels[1]
	}
	i := int(math.Round(v / hi * 8))
	return levels[min(8, max(1, i))]
}

// peak is the largest known value; 0 when none.
func peak(values []float64) float64 {
	hi := 0.0
	for _, v := range values {
		if !math.IsNaN(v) && v > hi {
			hi = v
		}
	}
	return hi
}

// Chart draws values as a bar chart height rows tall and one column per
// value, with the scale on the left: hi at the top row, 0 at the bottom.
// hi <= 0 scales to the largest value (at least 1). Unknown values leave
// the column empty but for a dot on the baseline.
func Chart(values []float64, hi float64, height int) []string {
	if hi <= 0 {
		hi = math.Max(1, niceCeil(peak(values)))
	}
	height = max(1, height)
	label := func(v float64) string { return fmt.Sprintf("%6s ┤", short(v)) }
	rows := make([]string, height)
	for r := range height {
		top := hi * float64(height-r) / float64(height) // value at this row's top edge
		var b strings.Builder
		switch r {
		case 0:
			b.WriteString(label(hi))
		case height - 1:
			b.WriteString(label(0))
		default:
			b.WriteString("       │")
		}
		for _, v := range values {
			b.WriteRune(cellAt(v, top, hi/float64(height), r == height-1))
		}
		rows[r] = b.String()
	}
	return rows
}

// cellAt is the glyph of a column at a row whose top edge is at top and
// which spans step: full below the value, an eighth-block where it ends.
func cellAt(v, top, step float64, baseline bool) rune {
	if math.IsNaN(v) {
		if baseline {
			return gap
		}
		return ' '
	}
	bottom := top - step
	switch {
	case v >= top:
		return levels[8]
	case v <= bottom:
		if baseline && v <= 0 {
			return levels[1]
		}
		return ' '
	}
	i := int(math.Round((v - bottom) / step * 8))
	if i == 0 && baseline {
		i = 1
	}
	return levels[i]
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// short prints a scale figure in at most six cells: 100, 2.5k, 1.2M.
func short(v float64) string {
	switch {
	case v >= 1e6:
		return trim(v/1e6) + "M"
	case v >= 1e4:
		return trim(v/1e3) + "k"
	}
	return trim(v)
}

func trim(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	return strings.TrimSuffix(s, ".0")
}
