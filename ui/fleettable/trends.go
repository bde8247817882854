package fleettable

import (
	"fmt"
	"strconv"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/spark"
)

// TrendLen is how many recent samples a row keeps for its sparklines: the
// widest a sparkline grows.
const TrendLen = 16

// minSpark is the narrowest sparkline worth drawing: below it the GPU cell
// keeps its bar and the tokens cell its figure alone.
const minSpark = 3

// Trends is the recent load the fleet table draws as sparklines
// (*fleet.History).
type Trends interface {
	Recent(host string, m fleet.Metric, n int) []float64
}

// WithTrends fills each row's sparkline series from h (nil: none).
func WithTrends(rows []Row, h Trends) []Row {
	if h == nil {
		return rows
	}
	for i := range rows {
		rows[i].UtilTrend = h.Recent(rows[i].Host, fleet.GPUUtil, TrendLen)
		rows[i].TokenTrend = h.Recent(rows[i].Host, fleet.Tokens, TrendLen)
	}
	return rows
}

// GPUTrendCell is the GPU cell with the utilization's recent history (on a
// 0–100 scale) in place of the bar once there are two samples; the newest
// block is the bar's level now.
func GPUTrendCell(r Row, w int) Cell {
	util, ok := status.MeanUtil(r.GPUs)
	room := w - 5 - len(gpuCount(r))
	if !ok || len(r.UtilTrend) < 2 || room < minSpark {
		return GPUCell(r, w)
	}
	return cell(gpuCount(r)+spark.Line(r.UtilTrend, 100, room)+fmt.Sprintf(" %3.0f%%", util), ToneInfo)
}

func gpuCount(r Row) string {
	if len(r.GPUs) > 1 {
		return strconv.Itoa(len(r.GPUs)) + "×"
	}
	return ""
}

// TokensTrendCell is tokens/s, with its recent history in front (scaled to
// its own peak) when the column has room.
func TokensTrendCell(r Row, w int) Cell {
	c := TokensCell(r)
	room := w - layout.Width(c.Text) - 1
	if c.Tone == ToneDim || len(r.TokenTrend) < 2 || room < minSpark {
		return c
	}
	return Cell{Text: spark.Line(r.TokenTrend, 0, min(room, TrendLen)) + " " + c.Text}
}
