package discover

import (
	"slices"
	"testing"
)

// TestSeeingOrderPutsLoneHostsFirst: a host alone in a group (the proxy)
// is seen first, the others in inventory order; 'all' and 'ungrouped' of
// one host do not count.
func TestSeeingOrderPutsLoneHostsFirst(t *testing.T) {
	hosts := []string{"gpu-1", "gpu-2", "gpu-3", "proxy"}
	groups := map[string][]string{
		"all": hosts, "ungrouped": {"gpu-3"}, "gpu": {"gpu-1", "gpu-2", "gpu-3"}, "proxy": {"proxy"},
	}
	if got, want := seeingOrder(groups, hosts), []int{3, 0, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if got, want := seeingOrder(map[string][]string{"all": {"solo"}}, []string{"solo"}), []int{0}; !slices.Equal(got, want) {
		t.Errorf("one host: order %v, want %v", got, want)
	}
}
