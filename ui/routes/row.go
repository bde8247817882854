// Package routes is the routes pane: every LiteLLM route with its upstream
// and host, the static lint from the plan, the live lint from the status
// monitor and the last route test.
package routes

import (
	"fmt"
	"time"

	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/table"
)

// Row is one route.
type Row struct {
	Route        string // model_name clients send
	Model        string // litellm_params.model
	Upstream     string // the name LiteLLM asks the host for
	APIBase      string
	Host         string
	Static       string // ok, error, warning ("" before a plan)
	StaticDetail string
	Live         status.RouteState // "" before the first snapshot
	LiveDetail   string
	Test         *apply.RouteResult // the last route test; nil when none ran
}

// BuildRows joins the plan's routes with their live lint and last test.
func BuildRows(plan *plan.Plan, snap *status.Snapshot, tests map[string]apply.RouteResult) []Row {
	if plan == nil {
		return nil
	}
	live := liveByRoute(snap)
	rows := make([]Row, 0, len(plan.Routes))
	for _, rc := range plan.Routes {
		r := Row{Route: rc.Route, Model: rc.Model, Upstream: rc.Upstream, APIBase: rc.APIBase,
			Host: rc.Host, Static: rc.Status, StaticDetail: rc.Detail}
		if ls, ok := live[rc.Route]; ok {
			r.Live, r.LiveDetail = ls.State, ls.Detail
		}
		if t, ok := tests[rc.Route]; ok {
			r.Test = &t
		}
		rows = append(rows, r)
	}
	return rows
}

func liveByRoute(snap *status.Snapshot) map[string]status.RouteStatus {
	out := map[string]status.RouteStatus{}
	if snap != nil {
		for _, rs := range snap.Routes {
			out[rs.Route.Alias] = rs
		}
	}
	return out
}

func cell(text string, tone table.Tone) table.Cell { return table.Cell{Text: text, Tone: tone} }

// RouteCell is the alias clients send.
func RouteCell(r Row) table.Cell { return table.Cell{Text: r.Route} }

// UpstreamCell is the name LiteLLM asks for.
func UpstreamCell(r Row) table.Cell { return table.Cell{Text: r.Upstream} }

// HostCell is the host behind api_base, or the api_base itself.
func HostCell(r Row) table.Cell {
	if r.Host == "" {
		return cell(r.APIBase, table.ToneWarn)
	}
	return table.Cell{Text: r.Host}
}

// StaticCell is the repository lint: ok, error or warning.
func StaticCell(r Row) table.Cell {
	switch r.Static {
	case "ok":
		return cell("ok", table.ToneOK)
	case "error":
		return cell("error", table.ToneErr)
	case "":
		return cell("…", table.ToneDim)
	}
	return cell(r.Static, table.ToneWarn)
}

// LiveCell is the live lint: ok, mismatch, host-down, …
func LiveCell(r Row) table.Cell {
	switch r.Live {
	case status.RouteOK:
		return cell("ok", table.ToneOK)
	case "", status.RouteUnknown:
		return cell("…", table.ToneDim)
	case status.RouteNotLoaded, status.RouteUnknownHost:
		return cell(string(r.Live), table.ToneWarn)
	}
	return cell(string(r.Live), table.ToneErr)
}

// TestCell is the last route test: "ok 180ms 41.2 tok/s", "failed", or –.
func TestCell(r Row) table.Cell {
	t := r.Test
	switch {
	case t == nil:
		return cell("–", table.ToneDim)
	case !t.OK:
		return cell("failed", table.ToneErr)
	}
	return cell(fmt.Sprintf("ok %s %.1f tok/s", Millis(t.TTFT), t.TokensPerSec), table.ToneOK)
}

// Millis prints a duration as whole milliseconds ("180ms"), seconds above 10 s.
func Millis(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}

// Columns are the pane's columns.
func Columns() []table.Column[Row] {
	return []table.Column[Row]{
		{Title: "ROUTE", Min: 12, Max: 24, Priority: 100, Cell: table.Fixed(RouteCell)},
		{Title: "UPSTREAM", Min: 14, Max: 32, Priority: 90, Flex: true, Cell: table.Fixed(UpstreamCell)},
		{Title: "HOST", Min: 10, Max: 16, Priority: 80, Cell: table.Fixed(HostCell)},
		{Title: "STATIC", Min: 6, Max: 7, Priority: 85, Cell: table.Fixed(StaticCell)},
		{Title: "LIVE", Min: 9, Max: 12, Priority: 95, Cell: table.Fixed(LiveCell)},
		{Title: "LAST TEST", Min: 9, Max: 24, Priority: 70, Cell: table.Fixed(TestCell)},
	}
}
