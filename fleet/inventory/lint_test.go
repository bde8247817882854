package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedLayout is the seed's repository: host_vars/ and group_vars/ at the
// root, the inventory in inventory/, playbooks in playbooks/.
func seedLayout() map[string]string {
	return map[string]string{
		"inventory/hosts.yml":                 "all:\n  hosts:\n    wintermute:\n",
		"host_vars/wintermute.yml":            "vllm: {port: 8000}\n",
		"group_vars/motoko.yml":               "litellm: {port: 8000}\n",
		"playbooks/windows-vllm-deploy.yml":   "- hosts: all\n",
		"playbooks/motoko/deploy-litellm.yml": "- hosts: motoko\n",
		"playbooks/group_vars/all.yml":        "read: yes\n",
		".git/host_vars/x.yml":                "hidden: 1\n",
	}
}

func TestUnreadVarDirsSeedLayout(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, seedLayout())
	inv, pbs := []string{filepath.Join(root, "inventory")}, []string{filepath.Join(root, "playbooks"), filepath.Join(root, "playbooks/motoko")}
	got := UnreadVarDirs(root, inv, pbs)
	if len(got) != 2 || got[0].File != "group_vars" || got[1].File != "host_vars" {
		t.Fatalf("findings: %+v", got)
	}
	msg := got[1].Message
	for _, want := range []string{"host_vars/ is never read", "inventory/", "playbooks/", "move it beside the inventory (inventory/host_vars) or link it: ln -s ../host_vars inventory/host_vars"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if got[1].Severity != "warning" {
		t.Errorf("severity %q", got[1].Severity)
	}
	// The fix it names works: once linked, nothing is reported and the
	// variables are read.
	for _, d := range []string{"host_vars", "group_vars"} {
		if err := os.Symlink("../"+d, filepath.Join(root, "inventory", d)); err != nil {
			t.Fatal(err)
		}
	}
	if got := UnreadVarDirs(root, inv, pbs); len(got) != 0 {
		t.Errorf("after linking: %+v", got)
	}
	v := mustHostVars(t, mustLoad(t, nil, filepath.Join(root, "inventory/hosts.yml")), "wintermute", Layers{})
	if _, ok := v.Values["vllm"]; !ok {
		t.Error("linked host_vars not read")
	}
}

func TestUnreadVarDirsElsewhere(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"inventory/hosts.yml":          "all: {}\n",
		"inventory/host_vars/a.yml":    "x: 1\n",
		"host_vars/b.yml":              "x: 2\n",
		"roles/r/group_vars/all.yml":   "x: 3\n",
		"inventory/group_vars/all.yml": "x: 4\n",
	})
	got := UnreadVarDirs(root, []string{filepath.Join(root, "inventory")}, nil)
	if len(got) != 2 || got[0].File != "host_vars" || got[1].File != filepath.Join("roles", "r", "group_vars") {
		t.Fatalf("findings: %+v", got)
	}
	if !strings.Contains(got[0].Message, "move its files into inventory/host_vars") {
		t.Errorf("existing target: %q", got[0].Message)
	}
}
