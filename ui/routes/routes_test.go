package routes

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/table"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// seedPlan is the seed: local/reasoner asks wintermute for the new name.
func seedPlan() *fleetplan.Plan {
	return &fleetplan.Plan{Routes: []fleetplan.RouteCheck{
		{Route: "local/reasoner", Model: "openai/llama31-8b-wintermute", Upstream: "llama31-8b-wintermute",
			APIBase: "http://wintermute:8000/v1", Host: "wintermute", Status: "ok", Detail: `wintermute serves "llama31-8b-wintermute"`},
		{Route: "local/fast", Model: "openai/qwen2.5-7b-armitage", Upstream: "qwen2.5-7b-armitage",
			APIBase: "http://armitage:8000/v1", Host: "armitage", Status: "ok"},
	}}
}

func seedSnapshot() *status.Snapshot {
	return &status.Snapshot{Routes: []status.RouteStatus{
		{Route: status.Route{Alias: "local/reasoner"}, State: status.RouteMismatch, Detail: "wintermute serves casperhansen/llama-3-8b-instruct-awq"},
		{Route: status.Route{Alias: "local/fast"}, State: status.RouteOK},
	}}
}

func TestBuildRowsJoinsStaticLiveAndTests(t *testing.T) {
	tests := map[string]fleetapply.RouteResult{"local/fast": {OK: true, TTFT: 182 * time.Millisecond, TokensPerSec: 41.34}}
	rows := BuildRows(seedPlan(), seedSnapshot(), tests)
	if len(rows) != 2 {
		t.Fatalf("rows: %+v", rows)
	}
	r, f := rows[0], rows[1]
	if r.Static != "ok" || r.Live != status.RouteMismatch || r.Test != nil {
		t.Errorf("reasoner: %+v", r)
	}
	if c := LiveCell(r); c.Text != "mismatch" || c.Tone != table.ToneErr {
		t.Errorf("mismatch shows as an error: %+v", c)
	}
	if c := TestCell(f); c.Text != "ok 182ms 41.3 tok/s" || c.Tone != table.ToneOK {
		t.Errorf("last test: %+v", c)
	}
	if got := BuildRows(nil, nil, nil); got != nil {
		t.Errorf("no plan, no rows: %+v", got)
	}
	if c := LiveCell(BuildRows(seedPlan(), nil, nil)[0]); c.Text != "…" {
		t.Errorf("no snapshot: live lint unknown: %+v", c)
	}
}

func TestTestCellFailure(t *testing.T) {
	r := Row{Test: &fleetapply.RouteResult{OK: false, Error: "LiteLLM asked wintermute for `x`, which it does not serve (404)"}}
	if c := TestCell(r); c.Text != "failed" || c.Tone != table.ToneErr {
		t.Errorf("%+v", c)
	}
}

func TestModelShowsDetailsOfSelectedRoute(t *testing.T) {
	m := New(theme.New(true))
	m.SetSize(100, 12)
	m.SetRows(BuildRows(seedPlan(), seedSnapshot(), nil))
	view := ansi.Strip(m.View())
	for _, want := range []string{"local/reasoner", "llama31-8b-wintermute", "mismatch",
		"── local/reasoner → openai/llama31-8b-wintermute at http://wintermute:8000/v1",
		"live:   wintermute serves casperhansen/llama-3-8b-instruct-awq"} {
		if !strings.Contains(view, want) {
			t.Errorf("view misses %q:\n%s", want, view)
		}
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	if r, _ := m.Selected(); r.Route != "local/fast" {
		t.Errorf("j moves down: %s", r.Route)
	}
	if got := strings.Count(m.View(), "\n") + 1; got != 12 {
		t.Errorf("the pane fills its height: %d lines", got)
	}
	m.SetFilter("REASON")
	if r, _ := m.Selected(); r.Route != "local/reasoner" || m.ShownCount() != 1 {
		t.Errorf("filter: %+v", m.Shown())
	}
}
