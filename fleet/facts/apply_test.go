package facts_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/plan"
)

// --apply deploys the bytes the plan rendered with the facts it gathered:
// one gathering for the plan and its apply together, and the file written
// holds the host's facts.
func TestApplyUsesThePlansFacts(t *testing.T) {
	out := t.TempDir()
	r, dial := openRepo(t, map[string]string{
		"site.yml":          "- hosts: box\n  tasks:\n    - {name: note, template: {src: note.j2, dest: \"" + filepath.Join(out, "note") + "\"}}\n",
		"templates/note.j2": factsTemplate,
	})
	p, err := (&plan.Planner{Repo: r, Transports: plan.DefaultTransports}).Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e := &apply.Engine{Repo: r, Transports: plan.DefaultTransports}
	sum, err := e.Apply(context.Background(), p, func(apply.Event) {})
	if err != nil {
		t.Fatalf("apply: %v (%+v)", err, sum)
	}
	got, err := os.ReadFile(filepath.Join(out, "note"))
	if err != nil {
		t.Fatal(err)
	}
	if want := wantFactsNote(t); string(got) != want {
		t.Errorf("deployed %q, want %q", got, want)
	}
	if n := dial.n.Load(); n != 1 {
		t.Errorf("the host was dialled %d times for facts over the plan and its apply, want once", n)
	}
}
