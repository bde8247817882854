package demo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// TestAHostAddedLikeArmitageIsServedAndDeploys is the seed's "Adding New
// Windows vLLM Hosts" against the lab: molly is written like armitage at
// the address the demo suggests, the lab starts a machine there with vLLM
// stopped, and deploying molly writes its files and starts it serving its
// own name.
func TestAHostAddedLikeArmitageIsServedAndDeploys(t *testing.T) {
	d, err := Start(Options{LoadDelay: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := fleet.NewSession(fleet.Config{Repo: d.Dir, SuggestAddress: d.SuggestAddress, HostAdded: d.HostAdded})
	defer s.Close()
	addr := s.SuggestAddress("armitage")
	added := addMolly(t, s, addr)
	if added.Warning != "" {
		t.Fatal(added.Warning)
	}
	if v := d.Lab.VLLM("molly"); v == nil || v.State() == sim.VLLMServing {
		t.Fatal("the lab has no stopped machine for molly")
	}
	if next := s.SuggestAddress("armitage"); next == addr || next == "" {
		t.Fatalf("the next suggestion is %q: the used address is offered again", next)
	}
	deployMolly(t, s)
	if got := d.Lab.VLLM("molly").ServedModels(); len(got) != 1 || got[0] != "qwen2.5-7b-molly" {
		t.Fatalf("molly serves %v after the deploy", got)
	}
}

func addMolly(t *testing.T, s *fleet.Session, addr string) *fleet.AddedHost {
	t.Helper()
	repo, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	added, err := s.AddHost(repo, fleet.NewHost{Template: "armitage", Name: "molly", Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	vars, err := os.ReadFile(filepath.Join(repo.Root(), "host_vars", "molly.yml"))
	if err != nil || !strings.Contains(string(vars), `served_model_name: "qwen2.5-7b-molly"`) {
		t.Fatalf("host_vars/molly.yml: %v\n%s", err, vars)
	}
	return added
}

func deployMolly(t *testing.T, s *fleet.Session) {
	t.Helper()
	repo, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Plan(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sum, err := s.Engine(repo, []string{"molly"}).Apply(ctx, p, func(apply.Event) {})
	if err != nil {
		t.Fatalf("deploy: %v (%+v)", err, sum)
	}
}
