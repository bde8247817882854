package detail

import (
	"fmt"
	"math"
	"time"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/ui/spark"
)

// History is the recent load the charts draw (*fleet.History).
type History interface {
	Buckets(host string, m fleet.Metric, now time.Time, n int) []float64
	Window() time.Duration
}

// chartHeight is each chart's rows.
const chartHeight = 4

// chartLabel is the room the scale takes on the left of each chart.
const chartLabel = 8

// charts draws one chart per metric over the history's window, one column
// per equal span of it, ending at the last snapshot.
func (r *renderer) charts(in Input) {
	if in.History == nil || in.Now.IsZero() {
		return
	}
	r.section(fmt.Sprintf("last %s", windowText(in.History.Window())))
	cols := max(10, min(in.Width, 200)-chartLabel-2)
	for _, m := range fleet.Metrics() {
		values := in.History.Buckets(in.Host.Name, m, in.Now, cols)
		r.add("  " + r.th.Dim.S(m.String()+latestText(values)))
		for _, line := range spark.Chart(values, ceiling(m), chartHeight) {
			r.add("  " + r.th.Accent.S(line))
		}
	}
	r.add("  " + r.th.Dim.S(axis(windowText(in.History.Window())+" ago", cols)))
}

// ceiling is the chart's top: 100 for percentages, else its own peak.
func ceiling(m fleet.Metric) float64 {
	if m.Percent() {
		return 100
	}
	return 0
}

// latestText is " · now 42" from the newest known value; "" if none.
func latestText(values []float64) string {
	for i := len(values) - 1; i >= 0; i-- {
		if !math.IsNaN(values[i]) {
			return fmt.Sprintf(" · latest %.1f", values[i])
		}
	}
	return " · no samples yet"
}

func windowText(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return d.String()
}

// axis is the time axis under the charts: the window's start under the
// first column, "now" under the last.
func axis(start string, cols int) string {
	gap := max(1, cols-len(start)-len("now"))
	return fmt.Sprintf("%*s%s%*s", chartLabel, "", start, gap+len("now"), "now")
}
