package detail

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// A vLLM run as a systemd unit (over SSH) shows the unit's state where a
// container host shows its container.
func TestLinesShowSystemdUnit(t *testing.T) {
	since := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	in := Input{Host: fleet.GPUHost{Name: "case", Served: []string{"llama31-8b-case"}}, Connection: "ssh 127.0.0.1:2222",
		Live: &status.HostStatus{Host: "case", State: status.StateLoading, HostProbe: true,
			Unit: status.Unit{Found: true, Name: "vllm.service", ActiveState: "activating", SubState: "start", Since: since, Restarts: 2}}}
	got := ansi.Strip(strings.Join(Lines(in, theme.New(true)), "\n"))
	for _, want := range []string{"systemd unit", "vllm.service  activating (start)  since 2026-12-04 09:00:00  2 restart(s)"} {
		if !strings.Contains(got, want) {
			t.Errorf("detail misses %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "no container of that name") {
		t.Errorf("a unit host is not a container host:\n%s", got)
	}
}
