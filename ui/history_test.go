package ui

import (
	"math"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/straylight-fleet/straylight/fleet/status"
)

// feedHistory steps n snapshots 2 s apart through the model: wintermute's
// utilization a slow wave, its tokens/s a saw; armitage down for the first
// third of them (its figures unknown, drawn as gaps).
func feedHistory(m Model, n int) Model {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for i := range n {
		snap := seedSnapshot()
		at := t0.Add(time.Duration(i) * 2 * time.Second)
		snap.Time = at
		for h := range snap.Hosts {
			host := &snap.Hosts[h]
			host.Updated = at
			util := 50 + 45*math.Sin(float64(i)/2+float64(h))
			host.GPUs[0].Util = status.Reading{Value: util, OK: true}
			host.Load.TokensPerSecond = float64(i%9) * 30
			host.Load.Running, host.Load.Waiting, host.Load.KVCache = float64(i%7), float64(i%3), util/200
			if h == 1 && i < n/3 {
				host.State, host.GPUs, host.Load = status.StateDown, nil, status.Load{}
			}
		}
		m = step(m, snapshotMsg{snap})
	}
	return m
}

// TestGoldenHistory: the fleet table's sparklines and the host detail's
// charts over 15 minutes of snapshots.
func TestGoldenHistory(t *testing.T) {
	f := newFixture(t)
	for _, size := range []struct {
		name string
		w, h int
	}{{"120x40", 120, 40}, {"80x24", 80, 24}} {
		t.Run(size.name, func(t *testing.T) {
			m := feedHistory(f.ready(size.w, size.h), 450)
			t.Run("fleet", func(t *testing.T) { golden.RequireEqual(t, maskRepo(m.Render())) })
			m, _ = pressKeys(m, "enter")
			m, _ = pressKeys(m, "G")
			t.Run("detail", func(t *testing.T) { golden.RequireEqual(t, maskRepo(m.Render())) })
		})
	}
}

// maskRepo hides the temporary repository's path only: the figures and
// glyphs of this golden are fixed.
func maskRepo(s string) string { return masks[0].re.ReplaceAllString(s, masks[0].with) }
