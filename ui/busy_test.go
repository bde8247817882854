package ui

import (
	"strings"
	"testing"
)

// TestRestartingHostSaysSoAndRefusesRouteTests: while wintermute restarts,
// its row says so and t (on its row, or on its route in the routes pane)
// is refused with the reason instead of showing LiteLLM's 500.
func TestRestartingHostSaysSoAndRefusesRouteTests(t *testing.T) {
	f := newFixture(t)
	m := f.ready(120, 30)
	m, _ = pressKeys(m, "r", "y") // the restart's work is not run: it stays running
	m, _ = pressKeys(m, "esc")
	if row := lineContaining(screen(m), "wintermute "); !strings.Contains(row, "restarting") {
		t.Fatalf("the row does not say restarting:\n%s", screen(m))
	}
	m, cmd := pressKeys(m, "t")
	if cmd != nil || !strings.Contains(m.errText, "not testing local/reasoner: it goes through wintermute, which is restarting") {
		t.Fatalf("t while restarting: error %q", m.errText)
	}
	m, _ = pressKeys(m, "esc", "tab", "t")
	if !strings.Contains(m.errText, "which is restarting") {
		t.Fatalf("t on the route in the routes pane: %q", m.errText)
	}
	if len(f.engine.Calls()) != 0 {
		t.Errorf("engine called: %v", f.engine.Calls())
	}
}

func lineContaining(s, part string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, part) {
			return l
		}
	}
	return ""
}
