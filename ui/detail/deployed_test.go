package detail

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// The repository's difference is said apart from the live state, which is
// up: armitage serves on the deployed port while the repository says 8001.
func TestLinesSayTheRepositoryDiffersApartFromTheLiveState(t *testing.T) {
	in := Input{Host: fleet.GPUHost{Name: "armitage", Served: []string{"qwen"}}, Undeployed: true,
		Live: &status.HostStatus{Host: "armitage", State: status.StateUp, Served: []string{"qwen"}, Expected: []string{"qwen"},
			Undeployed: "repository differs: not deployed yet: port 8000 → 8001"}}
	got := ansi.Strip(strings.Join(Lines(in, theme.New(true)), "\n"))
	for _, want := range []string{"repository differs: not deployed yet: port 8000 → 8001 (d shows the diff · a deploys it)",
		"live state is compared with what is deployed", "state up · serving qwen"} {
		if !strings.Contains(got, want) {
			t.Errorf("misses %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "repository differs") != 1 {
		t.Errorf("the note is said more than once:\n%s", got)
	}
}

// What is deployed could not be read: the detail says the live state is
// compared with the repository, and why.
func TestLinesSayWhenTheRepositoryStandsIn(t *testing.T) {
	basis := "the deployed C:\\x\\config.yml could not be read: not reachable: timeout; compared with the repository"
	in := Input{Host: fleet.GPUHost{Name: "armitage", Served: []string{"qwen"}},
		Live: &status.HostStatus{Host: "armitage", State: status.StateUp, Served: []string{"qwen"}, Basis: basis}}
	got := ansi.Strip(strings.Join(Lines(in, theme.New(true)), "\n"))
	if !strings.Contains(got, "live state: "+basis) {
		t.Errorf("misses the basis:\n%s", got)
	}
}
