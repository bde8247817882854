package fleettable

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/fleet"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/table"
	"github.com/straylight-fleet/straylight/ui/theme"
)

func reading(v float64) status.Reading { return status.Reading{Value: v, OK: true} }

func gpu(util, used, total float64) status.GPU {
	return status.GPU{Util: reading(util), MemUsedMiB: reading(used), MemTotalMiB: reading(total)}
}

// seedRow is wintermute in the seed's state: up, serving the HF path, not
// the configured name; one file to deploy.
func seedRow() Row {
	return Row{
		Host: "wintermute", State: status.StateUp, Configured: []string{"llama31-8b-wintermute"},
		Served: []string{"casperhansen/llama-3-8b-instruct-awq"}, Mismatch: true,
		GPUs:  []status.GPU{gpu(45, 21913, 24564)},
		Load:  status.Load{Known: true, Running: 1, Waiting: 2, RateKnown: true, TokensPerSecond: 41.25},
		Idle:  status.Idle{Activity: status.ActivityBusy},
		Drift: Drift{Known: true, Changes: 1},
	}
}

func TestBuildRowsJoinsConfigLiveAndPlan(t *testing.T) {
	gpus := []fleet.GPUHost{{Name: "wintermute", Served: []string{"llama31-8b-wintermute"}}, {Name: "armitage", Served: []string{"qwen"}}}
	snap := &status.Snapshot{Hosts: []status.HostStatus{{Host: "wintermute", State: status.StateUp, Insecure: "basic auth over http",
		Served: []string{"casperhansen/llama-3-8b-instruct-awq"}, Expected: []string{"llama31-8b-wintermute"}, Mismatch: true}}}
	plan := &fleetplan.Plan{Hosts: []*fleetplan.HostPlan{
		{Host: "wintermute", Files: []*fleetplan.FileChange{{Action: fleetplan.ActionUpdate}, {Action: fleetplan.ActionNone}}},
		{Host: "armitage", Unreachable: "not reachable: refused", Files: []*fleetplan.FileChange{{Action: fleetplan.ActionUnknown}}},
	}}
	rows := BuildRows(gpus, snap, plan)
	if len(rows) != 2 || rows[0].Host != "wintermute" || rows[1].Host != "armitage" {
		t.Fatalf("rows keep the repository's order: %+v", rows)
	}
	w, a := rows[0], rows[1]
	if !w.Mismatch || w.Insecure == "" || w.Drift != (Drift{Known: true, Changes: 1}) {
		t.Errorf("wintermute row: %+v", w)
	}
	if a.State != status.StateUnknown || a.Served != nil || !a.Drift.Unknown {
		t.Errorf("armitage (not probed, unreadable): %+v", a)
	}
	if d := BuildRows(gpus, nil, nil)[0].Drift; d.Known {
		t.Errorf("no plan yet: drift unknown, got %+v", d)
	}
}

func TestCells(t *testing.T) {
	r := seedRow()
	checks := []struct {
		name string
		got  Cell
		want Cell
	}{
		{"state up", StateCell(r), cell("up", ToneOK)},
		{"mismatch marked", ModelCell(r), cell("≠ casperhansen/llama-3-8b-instruct-awq", ToneWarn)},
		{"vram", VRAMCell(r), cell("21.4/24G", ToneNone)},
		{"requests", RequestsCell(r), cell("1/2", ToneNone)},
		{"tokens", TokensCell(r), cell("41.2", ToneNone)},
		{"busy", IdleCell(r), cell("busy", ToneInfo)},
		{"drift", DriftCell(r), cell("1 change", ToneWarn)},
		{"secure", MarkCell(r), cell(" ", ToneNone)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, c.got, c.want)
		}
	}
}

func TestCellsOfHostsNotServing(t *testing.T) {
	down := Row{Host: "h", State: status.StateDown, Reason: "connection refused: no container named vllm-h", Configured: []string{"m"}}
	if c := StateCell(down); c != cell("down", ToneErr) {
		t.Errorf("down: %+v", c)
	}
	if c := ModelCell(down); c.Text != down.Reason || c.Tone != ToneDim {
		t.Errorf("a host not up shows why in the model column: %+v", c)
	}
	fresh := Row{Host: "h", State: status.StateUnknown, Configured: []string{"m1", "m2"}}
	if c := ModelCell(fresh); c != cell("m1, m2", ToneDim) {
		t.Errorf("before the first probe the configured names show, dimmed: %+v", c)
	}
	if c := StateCell(Row{State: status.StateUnreachable}); c != cell("unreachable", ToneErr) {
		t.Errorf("unreachable: %+v", c)
	}
	if c := StateCell(Row{State: status.StateLoading}); c != cell("loading", ToneWarn) {
		t.Errorf("loading: %+v", c)
	}
	for _, c := range []Cell{GPUCell(fresh, 9), VRAMCell(fresh), RequestsCell(fresh), TokensCell(fresh), IdleCell(fresh), DriftCell(fresh)} {
		if c.Text != none && c.Text != "…" {
			t.Errorf("unknown figures show – or …, got %q", c.Text)
		}
	}
	if c := MarkCell(Row{Insecure: "basic over http"}); c != cell(InsecureMark, ToneWarn) {
		t.Errorf("insecure mark: %+v", c)
	}
}

func TestIdleAndDriftWording(t *testing.T) {
	cases := []struct {
		idle status.Idle
		want string
	}{
		{status.Idle{Activity: status.ActivityIdle, For: 7 * time.Minute}, "idle 7m"},
		{status.Idle{Activity: status.ActivityUnknown, AtLeast: true, For: 40 * time.Second}, "idle ≥40s"},
		{status.Idle{Activity: status.ActivityIdle, AtLeast: true, For: 90 * time.Minute}, "idle ≥1h30m"},
		{status.Idle{Activity: status.ActivityIdle, For: 50 * time.Hour}, "idle 2d2h"},
		{status.Idle{Activity: status.ActivityUnknown}, none},
	}
	for _, c := range cases {
		if got := IdleCell(Row{Idle: c.idle}).Text; got != c.want {
			t.Errorf("%+v: %q, want %q", c.idle, got, c.want)
		}
	}
	if got := DriftCell(Row{Drift: Drift{Known: true}}).Text; got != "in sync" {
		t.Errorf("in sync: %q", got)
	}
	if got := DriftCell(Row{Drift: Drift{Known: true, Changes: 3}}).Text; got != "3 changes" {
		t.Errorf("3 changes: %q", got)
	}
}

func TestGPUCellSummarisesSeveralGPUs(t *testing.T) {
	r := Row{GPUs: []status.GPU{gpu(100, 1, 2), gpu(50, 1, 2)}}
	c := GPUCell(r, 11)
	if c.Text != "2×███░  75%" {
		t.Errorf("two GPUs: mean utilization with a count, got %q", c.Text)
	}
	if layout.Width(c.Text) != 11 {
		t.Errorf("the cell fills its width: %q", c.Text)
	}
	if got := VRAMCell(r).Text; got != "0.0/0G" {
		t.Errorf("memory is summed: %q", got)
	}
}

func TestRenderRowIsPlainTextWithoutColour(t *testing.T) {
	th := theme.New(true)
	cols := table.Layout(Columns(), 120)
	line := ansi.Strip(RenderRow(seedRow(), cols, false, th))
	for _, want := range []string{"wintermute", "up", "≠ casperhansen/llama-3-8b-instruct-awq", "45%", "21.4/24G", "1/2", "41.2", "busy", "1 change"} {
		if !strings.Contains(line, want) {
			t.Errorf("row misses %q: %q", want, line)
		}
	}
	if w := layout.Width(line); w > 120 {
		t.Errorf("row is %d wide", w)
	}
	sel := ansi.Strip(RenderRow(seedRow(), cols, true, th))
	if !strings.HasPrefix(sel, "›") {
		t.Errorf("the selected row has a cursor mark even without colour: %q", sel)
	}
}

func TestLayoutAt80DropsLeastImportantColumns(t *testing.T) {
	titles := func(w int) string {
		var out []string
		for _, p := range table.Layout(Columns(), w) {
			out = append(out, p.Title)
		}
		return strings.Join(out, " ")
	}
	if got := titles(80); got != "HOST STATE MODEL (LIVE) GPU IDLE DRIFT" {
		t.Errorf("80 columns: %s", got)
	}
	if got := titles(140); got != "HOST STATE MODEL (LIVE) GPU VRAM RUN/W TOK/S IDLE DRIFT" {
		t.Errorf("140 columns: %s", got)
	}
	for _, w := range []int{40, 80, 100, 140, 200} {
		line := ansi.Strip(RenderRow(seedRow(), table.Layout(Columns(), w), false, theme.New(true)))
		if layout.Width(line) > w {
			t.Errorf("at %d columns a row is %d wide", w, layout.Width(line))
		}
	}
}

func manyRows(n int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = seedRow()
		rows[i].Host = fmt.Sprintf("gpu-%03d", i)
	}
	return rows
}

func press(m Model, keys ...string) Model {
	for _, k := range keys {
		code := map[string]rune{"up": tea.KeyUp, "down": tea.KeyDown}[k]
		msg := tea.KeyPressMsg{Code: code}
		if code == 0 {
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		m, _ = m.Update(msg)
	}
	return m
}

func selected(t *testing.T, m Model) string {
	t.Helper()
	r, ok := m.Selected()
	if !ok {
		t.Fatal("nothing selected")
	}
	return r.Host
}

func TestModelMovesAndScrolls(t *testing.T) {
	m := New(theme.New(true))
	m.SetSize(80, 6) // header + 5 rows
	m.SetRows(manyRows(20))
	m = press(m, "j", "j", "down")
	if got := selected(t, m); got != "gpu-003" {
		t.Errorf("j/j/down: %s", got)
	}
	m = press(m, "k", "up", "up", "up", "up")
	if got := selected(t, m); got != "gpu-000" {
		t.Errorf("up stops at the top: %s", got)
	}
	for range 12 {
		m = press(m, "j")
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "› ") || !strings.Contains(view, "gpu-012") || strings.Contains(view, "gpu-007") {
		t.Errorf("the window follows the cursor:\n%s", view)
	}
	if n := strings.Count(view, "\n"); n != 5 {
		t.Errorf("header and 5 rows, got %d lines:\n%s", n+1, view)
	}
}

func TestModelKeepsSelectionAcrossRefreshAndFilter(t *testing.T) {
	m := New(theme.New(true))
	m.SetRows(manyRows(20))
	m = press(m, "j", "j", "j", "j", "j")
	m.SetRows(manyRows(20)) // a new snapshot
	if got := selected(t, m); got != "gpu-005" {
		t.Errorf("refresh keeps the host selected: %s", got)
	}
	m.SetFilter("GPU-01")
	if got := m.ShownCount(); got != 10 {
		t.Errorf("filter (case-insensitive) keeps 10 rows, got %d", got)
	}
	if got := selected(t, m); got != "gpu-010" {
		t.Errorf("the selection moves into the filtered rows: %s", got)
	}
	m.SetFilter("nothing matches")
	if _, ok := m.Selected(); ok || !strings.Contains(m.View(), "no host matches") {
		t.Errorf("empty filter result: %q", m.View())
	}
}

func TestDriftOfAHostOutsideTheLimit(t *testing.T) {
	rows := BuildRows([]fleet.GPUHost{{Name: "armitage"}}, nil, &fleetplan.Plan{})
	if c := DriftCell(rows[0]); c.Text != "not planned" {
		t.Errorf("a host the plan leaves out is not shown in sync: %+v", c)
	}
}

func TestDriftOfARestartOwed(t *testing.T) {
	plan := &fleetplan.Plan{Hosts: []*fleetplan.HostPlan{{Host: "armitage", Handlers: []fleetplan.HandlerRun{{Name: "Restart", Pending: true}}}}}
	rows := BuildRows([]fleet.GPUHost{{Name: "armitage"}}, nil, plan)
	if c := DriftCell(rows[0]); c.Text != "restart owed" || c.Tone != ToneWarn {
		t.Errorf("a restart owed by a dead apply is drift: %+v", c)
	}
}

// TestModelColumnKeepsTheNameAt80And100: the served model is the row's
// point; at 100 columns it shows in full, at 80 its organisation goes first
// and the model's own name stays whole (the GPU column gives way).
func TestModelColumnKeepsTheNameAt80And100(t *testing.T) {
	r := seedRow()
	full := strings.Join(r.Served, ", ")
	own := full[strings.LastIndex(full, "/")+1:]
	for w, want := range map[int]string{100: full, 80: own} {
		line := ansi.Strip(RenderRow(r, table.Layout(Columns(), w), false, theme.New(true)))
		if !strings.Contains(line, want) || strings.Contains(line, "…") {
			t.Errorf("%d columns: %q, want %q whole", w, line, want)
		}
	}
}

// TestIdleCellQuietAfterARouteTest: busy within the threshold but nothing
// running, waiting or generated now reads "quiet", not "busy".
func TestIdleCellQuietAfterARouteTest(t *testing.T) {
	r := seedRow()
	r.Load = status.Load{Known: true, RateKnown: true}
	r.Idle = status.Idle{Activity: status.ActivityBusy, For: 40 * time.Second}
	if got := IdleCell(r).Text; got != "quiet 40s" {
		t.Errorf("quiet host: %q", got)
	}
	r.Load.Running = 1
	if got := IdleCell(r).Text; got != "busy" {
		t.Errorf("a running request: %q", got)
	}
}
