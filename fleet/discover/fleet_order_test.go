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

// TestEachServingYieldsWhatServingLists: the GPU hosts then the other
// backends, in order; a loop that stops early stops it.
func TestEachServingYieldsWhatServingLists(t *testing.T) {
	f := &Fleet{GPU: []GPUHost{{Name: "gpu-1"}, {Name: "gpu-2"}}, Backends: []GPUHost{{Name: "box", Kind: "ollama"}}}
	names := func(hosts []GPUHost) []string {
		var out []string
		for _, h := range hosts {
			out = append(out, h.Name)
		}
		return out
	}
	if got, want := names(slices.Collect(f.EachServing())), names(f.Serving()); !slices.Equal(got, want) || len(got) != 3 {
		t.Errorf("EachServing %v, Serving %v", got, want)
	}
	seen := 0
	for range f.EachServing() {
		seen++
		break
	}
	if seen != 1 {
		t.Errorf("a loop broken at once saw %d hosts", seen)
	}
}
