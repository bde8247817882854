package ui

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
)

// The golden tests run the real UI (real repository reading, planner,
// status monitor and engine) on the simulated lab in the seed's broken
// state, and compare the final View with testdata/<test>.golden, masked
// (go test ./ui -run Golden -update rewrites them).

// labReady: planned, every host probed and up, the proxy up, rates known.
func labReady(m Model) bool {
	if m.plan == nil || m.planning || m.snap == nil || m.snap.Proxy == nil || m.snap.Proxy.State != status.StateUp {
		return false
	}
	for _, h := range m.snap.Hosts {
		if h.State != status.StateUp || !h.Load.RateKnown || len(h.GPUs) == 0 || h.Basis == fleet.BasisNotReadYet {
			return false
		}
	}
	return len(m.snap.Hosts) > 0 && len(m.snap.Routes) > 0 && m.git.known
}

func labUI(t *testing.T, w, h int) (*teatestModel, *gate) {
	t.Helper()
	d := lab(t, demo.Options{LoadDelay: 300e6, TokenRate: 400})
	tm, g := startUI(t, d.Dir, w, h)
	waitUntil(t, g, "the lab's fleet", labReady)
	return tm, g
}

func requireGolden(t *testing.T, tm *teatestModel) {
	t.Helper()
	golden.RequireEqual(t, mask(finalView(t, tm)))
}

func TestGoldenFleet(t *testing.T) {
	tm, g := labUI(t, 80, 24)
	g.freeze()
	requireGolden(t, tm)
}

func TestGoldenFleetWide(t *testing.T) {
	tm, g := labUI(t, 140, 12)
	g.freeze()
	requireGolden(t, tm)
}

func TestGoldenRoutes(t *testing.T) {
	tm, g := labUI(t, 100, 16)
	g.freeze()
	waitAfter(t, g, "the routes pane", func(m Model) bool { return m.current() == viewRoutes }, func() { press(tm, "tab") })
	requireGolden(t, tm)
}

func TestGoldenDiff(t *testing.T) {
	tm, g := labUI(t, 100, 24)
	g.freeze()
	waitAfter(t, g, "the diff", func(m Model) bool { return m.current() == viewDiff }, func() { press(tm, "d") })
	requireGolden(t, tm)
}

func TestGoldenEdit(t *testing.T) {
	tm, g := labUI(t, 100, 24)
	g.freeze()
	waitAfter(t, g, "the edit form", func(m Model) bool { return m.current() == viewEdit }, func() { press(tm, "e") })
	typed := func(m Model) bool { return len(m.edit.Changes()) == 1 && !m.edit.Valid() }
	waitAfter(t, g, "typing", typed, func() {
		press(tm, "down", "down", "down", "down", "down", "down", "down", "ctrl+u", "0", ".", "9", "down", "ctrl+u", "a", "w", "k")
	})
	requireGolden(t, tm)
}

func TestGoldenApply(t *testing.T) {
	tm, g := labUI(t, 120, 30)
	deployed := func(m Model) bool {
		p := m.apply.Progress()
		ok, total, live := m.routeCounts()
		return p != nil && !p.Running() && !m.planning && live && ok == total
	}
	waitAfter(t, g, "the deploy", deployed, func() { press(tm, "a", "y") })
	g.freeze()
	requireGolden(t, tm)
}
