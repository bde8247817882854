package status

import (
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/api"
)

// vLLM run as a systemd unit: refused connections mean loading while the
// unit is active (or restarting), down with the unit's state otherwise —
// whatever the container probe says.
func TestRefusedWithSystemdUnit(t *testing.T) {
	cases := []struct {
		active, sub string
		want        State
		reason      string
	}{
		{"active", "running", StateLoading, "unit vllm.service is active (running): loading"},
		{"activating", "start", StateLoading, "loading its weights"},
		{"inactive", "auto-restart", StateLoading, "loading its weights"},
		{"failed", "failed", StateDown, "connection refused: unit vllm.service is failed (failed)"},
		{"inactive", "dead", StateDown, "unit vllm.service is inactive (dead)"},
	}
	for _, c := range cases {
		p := hostProbe{hostProbed: true, vllm: api.ProbeResult{State: api.StateLoading},
			unit: &remote.SystemdUnit{Name: "vllm.service", ActiveState: c.active, SubState: c.sub}}
		state, reason := hostState(p, "")
		if state != c.want || !strings.Contains(reason, c.reason) {
			t.Errorf("%s/%s: %s %q, want %s containing %q", c.active, c.sub, state, reason, c.want, c.reason)
		}
	}
}
