package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/fleet"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
)

// fleetOf200 is the root showing 200 GPU hosts, a fifth of them dead, all
// of them probed and planned.
func fleetOf200(b *testing.B, w, h int) Model {
	f := newFixture(b)
	gpus := make([]fleet.GPUHost, 200)
	snap := status.Snapshot{Proxy: &status.ProxyStatus{State: status.StateUp}}
	plan := &fleetplan.Plan{Fleet: &fleet.Fleet{}}
	for i := range gpus {
		name := fmt.Sprintf("gpu-%03d", i)
		gpus[i] = fleet.GPUHost{Name: name, Served: []string{"llama31-8b-" + name}}
		snap.Hosts = append(snap.Hosts, syntheticStatus(i, name))
		plan.Hosts = append(plan.Hosts, &fleetplan.HostPlan{Host: name, Files: []*fleetplan.FileChange{{Action: []fleetplan.Action{fleetplan.ActionNone, fleetplan.ActionUpdate}[i%2]}}})
	}
	plan.Fleet.GPU = gpus
	m := f.ready(w, h)
	m = step(m, planMsg{repo: f.repo, plan: plan})
	m = step(m, snapshotMsg{snap})
	if n := len(m.fleet.Rows()); n != 200 {
		b.Fatalf("%d rows", n)
	}
	return m
}

func syntheticStatus(i int, name string) status.HostStatus {
	r := func(v float64) status.Reading { return status.Reading{Value: v, OK: true} }
	hs := status.HostStatus{Host: name, State: status.StateUp, Expected: []string{"llama31-8b-" + name}, Served: []string{"llama31-8b-" + name},
		GPUs: []status.GPU{{Util: r(float64(i % 100)), MemUsedMiB: r(20000), MemTotalMiB: r(24564)}},
		Load: status.Load{Known: true, Running: float64(i % 4), RateKnown: true, TokensPerSecond: float64(i)},
		Idle: status.Idle{Activity: status.ActivityBusy}}
	if i%5 == 0 {
		hs.State, hs.Reason, hs.Served, hs.GPUs, hs.Load = status.StateUnreachable, "no answer within 2s", nil, nil, status.Load{}
	}
	if i%7 == 0 {
		hs.Served, hs.Mismatch = []string{"casperhansen/llama-3-8b-instruct-awq"}, true
	}
	return hs
}

// BenchmarkFleetView200 is View() of the fleet table with 200 hosts, every
// row on screen (a 220-line terminal) and at 80×24 (README, "Performance").
func BenchmarkFleetView200(b *testing.B) {
	for _, size := range [][2]int{{160, 205}, {80, 24}} {
		m := fleetOf200(b, size[0], size[1])
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkSnapshotUpdate is the Update of one monitor snapshot of 200 hosts
// (rows rebuilt), which runs on every refresh.
func BenchmarkSnapshotUpdate200(b *testing.B) {
	m := fleetOf200(b, 160, 205)
	snap := *m.snap
	for b.Loop() {
		out, _ := m.Update(snapshotMsg{snap})
		m = out.(Model)
	}
}

// BenchmarkFleetViewSparklines1000 is View() of the fleet table with 1,000
// hosts, each with 15 minutes of history (451 snapshots 2 s apart) behind
// its GPU and tokens/s sparklines, at 120×40 and on a 1,000-line terminal
// (every row drawn). README quotes it; the target is under 1 ms at 120×40.
func BenchmarkFleetViewSparklines1000(b *testing.B) {
	for _, size := range [][2]int{{120, 40}, {160, 1005}} {
		m := fleetWithHistory(b, 1000, size[0], size[1])
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

func fleetWithHistory(b *testing.B, n, w, h int) Model {
	f := newFixture(b)
	gpus := make([]fleet.GPUHost, n)
	plan := &fleetplan.Plan{Fleet: &fleet.Fleet{}}
	for i := range gpus {
		name := fmt.Sprintf("gpu-%04d", i)
		gpus[i] = fleet.GPUHost{Name: name, Served: []string{"llama31-8b-" + name}}
		plan.Hosts = append(plan.Hosts, &fleetplan.HostPlan{Host: name})
	}
	plan.Fleet.GPU = gpus
	m := f.ready(w, h)
	m = step(m, planMsg{repo: f.repo, plan: plan})
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for round := range 451 {
		snap := status.Snapshot{Proxy: &status.ProxyStatus{State: status.StateUp}, Time: t0.Add(time.Duration(round) * 2 * time.Second)}
		for i := range gpus {
			hs := syntheticStatus(i+round, gpus[i].Name)
			hs.Updated = snap.Time
			snap.Hosts = append(snap.Hosts, hs)
		}
		m.rt.history.Record(snap)
		if round == 450 {
			m = step(m, snapshotMsg{snap})
		}
	}
	if r := m.fleet.Rows(); len(r) != n || len(r[1].UtilTrend) != 16 {
		b.Fatalf("%d rows, trend of %d", len(r), len(r[1].UtilTrend))
	}
	return m
}
