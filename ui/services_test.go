package ui

import (
	"path/filepath"
	"testing"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/apply"
)

// TestServicesUseTheCLISession: the UI plans, deploys and edits through the
// session the CLI built, so its options (here --forks and --no-rollback)
// reach the UI's engine.
func TestServicesUseTheCLISession(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "homelab")
	if err := demo.CopyHomelab(dir); err != nil {
		t.Fatal(err)
	}
	s := fleet.NewSession(fleet.Config{Repo: dir, Apply: apply.Options{Forks: 2, NoRollback: true}})
	svc := defaultServices(Config{Session: s})
	repo, err := svc.open()
	if err != nil {
		t.Fatal(err)
	}
	e, ok := svc.engine(repo, []string{"wintermute"}).(*apply.Engine)
	if !ok || e.Opts.Forks != 2 || !e.Opts.NoRollback || e.Opts.Hosts[0] != "wintermute" {
		t.Fatalf("the UI's engine does not carry the CLI's options: %+v", e)
	}
	if (Config{Session: s}).repoDir() != dir {
		t.Fatal("the UI names another repository than the session's")
	}
}
