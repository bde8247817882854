package fleet_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
)

// TestAddHostWritesMaskedDiffsAndNamesItsCommit: molly like armitage on
// the example's copy; a secret-named plain value copied into host_vars
// never shows in the diff; a second add of the same name is refused naming
// the inventory file and line.
func TestAddHostWritesMaskedDiffsAndNamesItsCommit(t *testing.T) {
	dir := t.TempDir()
	if err := demo.CopyHomelab(dir); err != nil {
		t.Fatal(err)
	}
	vars := filepath.Join(dir, "host_vars", "armitage.yml")
	appendFile(t, vars, "api_key: sk-armitage-plain-secret\n")
	s := fleet.NewSession(fleet.Config{Repo: dir})
	repo, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	added, err := s.AddHost(repo, fleet.NewHost{Template: "armitage", Name: "molly", Address: "127.0.0.9"})
	if err != nil {
		t.Fatal(err)
	}
	if len(added.Files) != 2 || added.Files[0].Name != "inventory/hosts.yml" || added.Files[1].Name != "host_vars/molly.yml" || !added.Files[1].Created {
		t.Fatalf("files %+v", added.Files)
	}
	if d := added.Files[1].Diff; strings.Contains(d, "sk-") || !strings.Contains(d, `+  served_model_name: "qwen2.5-7b-molly"`) {
		t.Fatalf("host_vars/molly.yml's diff:\n%s", d)
	}
	if msg := added.CommitMessage(); !strings.HasPrefix(msg, "Add host molly like armitage (ansible_host 127.0.0.9)") {
		t.Fatalf("commit message %q", msg)
	}
	repo, err = s.Open()
	if err != nil {
		t.Fatal(err)
	}
	if repo.Fleet().GPUHostByName("molly") == nil {
		t.Fatal("molly is not a GPU host of the re-read repository")
	}
	_, err = s.AddHost(repo, fleet.NewHost{Template: "armitage", Name: "molly", Address: "127.0.0.9"})
	if err == nil || !strings.Contains(err.Error(), "inventory/hosts.yml:") || !strings.Contains(err.Error(), "molly is already in the inventory") {
		t.Fatalf("adding molly twice: %v", err)
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
