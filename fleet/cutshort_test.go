package fleet_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/state"
)

// TestCutShortNamesTheHostAndWhatIsOwed: a deploy of wintermute logged its
// start and never its end, and left a pending restart (killed between the
// write and the restart): CutShort names both. armitage's finished deploy
// is not listed.
func TestCutShortNamesTheHostAndWhatIsOwed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "homelab")
	if err := demo.CopyHomelab(dir); err != nil {
		t.Fatal(err)
	}
	st := state.Open(dir)
	for _, e := range []state.AuditEntry{
		{Host: "armitage", Action: "apply", Result: state.ResultStarted},
		{Host: "armitage", Action: "apply", Result: "ok"},
		{Host: "wintermute", Action: "apply", Result: state.ResultStarted, User: "mdt"},
	} {
		if err := st.Audit(e); err != nil {
			t.Fatal(err)
		}
	}
	owed := plan.PendingRestart{Host: "wintermute", Since: time.Now().UTC(),
		Handlers: []plan.HandlerRun{{Name: "windows-vllm-deploy : Restart vLLM container"}}}
	if err := plan.RecordPending(st, owed); err != nil {
		t.Fatal(err)
	}
	repo, err := fleet.NewSession(fleet.Config{Repo: dir}).Open()
	if err != nil {
		t.Fatal(err)
	}
	cut, err := repo.CutShort()
	if err != nil {
		t.Fatal(err)
	}
	if len(cut) != 1 || cut[0].Host != "wintermute" || cut[0].Action != "apply" || cut[0].User != "mdt" ||
		!slices.Equal(cut[0].Owed, []string{"windows-vllm-deploy : Restart vLLM container"}) {
		t.Fatalf("cut short: %+v", cut)
	}
}
