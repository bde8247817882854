package discover

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/straylight-fleet/straylight/bench/benchrepo"
	"github.com/straylight-fleet/straylight/fleet/ansible"
)

// TestVLLMValuesInGivesWhatDiscoveryTemplated: the plan's validation reads
// the vllm mapping discovery templated in the same scope (the same map),
// which is what templating it again gives; without a fleet it templates.
func TestVLLMValuesInGivesWhatDiscoveryTemplated(t *testing.T) {
	root := t.TempDir()
	if err := benchrepo.Write(filepath.Join(root, "repo"), benchrepo.Options{Hosts: 3, OutDir: filepath.Join(root, "out")}); err != nil {
		t.Fatal(err)
	}
	r, err := ansible.Open(ansible.Options{Repo: filepath.Join(root, "repo")})
	if err != nil {
		t.Fatal(err)
	}
	f := Read(r)
	if len(f.GPU) != 3 {
		t.Fatalf("%d GPU hosts, want 3", len(f.GPU))
	}
	for _, g := range f.GPU {
		hs, err := r.ScopeOf(g.Name, r.FirstRun(g.Name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.VLLMValuesIn(hs)
		again, errAgain := VLLMValues(hs)
		if err != nil || errAgain != nil || reflect.ValueOf(got).Pointer() != reflect.ValueOf(g.Values).Pointer() || !reflect.DeepEqual(got, again) {
			t.Fatalf("%s: %v (%v), templated again %v (%v), discovery's %v", g.Name, got, err, again, errAgain, g.Values)
		}
		if fresh, err := (*Fleet)(nil).VLLMValuesIn(hs); err != nil || !reflect.DeepEqual(fresh, again) {
			t.Fatalf("%s without a fleet: %v (%v)", g.Name, fresh, err)
		}
	}
}
