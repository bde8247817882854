package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/githistory"
	"github.com/straylight-fleet/straylight/internal/oracle"
)

// TestRepositoryHasTheSeedsHistory: the demo's repository is a clean git
// repository whose wintermute history is the seed's two commits after the
// first, the newest changing LiteLLM's model for wintermute.
func TestRepositoryHasTheSeedsHistory(t *testing.T) {
	oracle.Tool(t, "git", "apt-get install git")
	d, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	dirty, err := githistory.Uncommitted(ctx, d.Dir, []string{"."})
	if err != nil || len(dirty) != 0 {
		t.Fatalf("after start: uncommitted %v (%v)", dirty, err)
	}
	commits, err := githistory.Log(ctx, d.Dir, []string{"host_vars/wintermute.yml"}, 10)
	if err != nil || len(commits) != 2 {
		t.Fatalf("wintermute's commits: %+v (%v)", commits, err)
	}
	fix, err := githistory.Show(ctx, d.Dir, commits[0].Hash)
	if err != nil || !strings.Contains(fix, `+  served_model_name: "llama31-8b-wintermute"`) || commits[0].Author != "mdt" {
		t.Errorf("the newest wintermute commit adds served_model_name:\n%s", fix)
	}
	proxy, _ := githistory.Log(ctx, d.Dir, []string{"group_vars/motoko.yml"}, 1)
	show, _ := githistory.Show(ctx, d.Dir, proxy[0].Hash)
	if !strings.Contains(show, "-wintermute_model_display: openai/casperhansen/llama-3-8b-instruct-awq") ||
		!strings.Contains(show, "+wintermute_model_display: openai/llama31-8b-wintermute") {
		t.Errorf("the LiteLLM commit:\n%s", show)
	}
}
