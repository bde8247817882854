package fleet_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/internal/sshdtest"
)

// sshHostRepo is a repository with one GPU host over SSH at srv, whose
// known_hosts file is empty: its host key is unknown.
func sshHostRepo(t *testing.T, srv *sshdtest.Server, cfg string) string {
	t.Helper()
	dir := t.TempDir()
	knownHosts := filepath.Join(dir, "known_hosts")
	files := map[string]string{
		"known_hosts": "",
		"ansible.cfg": "[defaults]\ninventory = hosts.yml\n" + cfg,
		"hosts.yml": fmt.Sprintf(`all:
  hosts:
    box:
      ansible_host: 127.0.0.1
      ansible_port: %d
      ansible_user: %s
      ansible_ssh_private_key_file: %s
      ansible_ssh_common_args: "-F none -o UserKnownHostsFile=%s"
      vllm: {model: m, served_model_name: m, port: 9}
`, srv.Port, sshdtest.KeyUser, srv.ClientKeyFile, knownHosts),
		"site.yml": fmt.Sprintf("- hosts: all\n  gather_facts: false\n  tasks:\n    - template: {src: t.j2, dest: %s/box.conf}\n", srv.Work),
		"t.j2":     "x\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// planAndStatus plans the repository and returns box's unreachable reason
// and the live status target's insecure mark.
func planAndStatus(t *testing.T, dir string) (unreachable, insecure string) {
	t.Helper()
	sess := fleet.NewSession(fleet.Config{Repo: dir})
	defer sess.Close()
	repo, err := sess.Open()
	if err != nil {
		t.Fatal(err)
	}
	p, err := sess.Plan(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	targets, _ := sess.StatusTargets(repo, nil)
	if len(p.Hosts) != 1 || len(targets) != 1 {
		t.Fatalf("%d planned hosts, %d status targets", len(p.Hosts), len(targets))
	}
	return p.Hosts[0].Unreachable, targets[0].Insecure
}

// Host keys are checked by default; ansible.cfg's host_key_checking = False
// lifts the check and marks the host insecure; ANSIBLE_HOST_KEY_CHECKING
// beats ansible.cfg, as in Ansible.
func TestHostKeyCheckingFromAnsibleConfig(t *testing.T) {
	srv := sshdtest.Start(t)
	t.Setenv("ANSIBLE_HOST_KEY_CHECKING", "")
	os.Unsetenv("ANSIBLE_HOST_KEY_CHECKING")

	unreachable, insecure := planAndStatus(t, sshHostRepo(t, srv, ""))
	if !strings.Contains(unreachable, "host key") || insecure != "" {
		t.Errorf("default: unreachable %q (want a host key error), insecure %q", unreachable, insecure)
	}

	off := sshHostRepo(t, srv, "host_key_checking = False\n")
	unreachable, insecure = planAndStatus(t, off)
	if unreachable != "" || !strings.Contains(insecure, "host key checking disabled") {
		t.Errorf("host_key_checking = False: unreachable %q, insecure %q", unreachable, insecure)
	}

	t.Setenv("ANSIBLE_HOST_KEY_CHECKING", "True")
	unreachable, insecure = planAndStatus(t, off)
	if !strings.Contains(unreachable, "host key") || insecure != "" {
		t.Errorf("ANSIBLE_HOST_KEY_CHECKING=True over the file: unreachable %q, insecure %q", unreachable, insecure)
	}
}

// A host_key_checking that is not a boolean is an error naming the file.
func TestHostKeyCheckingMustBeBoolean(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte("[defaults]\nhost_key_checking = sometimes\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "hosts.yml"), []byte("all:\n  hosts:\n    box:\n      ansible_host: 127.0.0.1\n      ansible_user: u\n      vllm: {model: m, port: 9}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "site.yml"), []byte("- hosts: all\n  tasks: []\n"), 0o644)
	sess := fleet.NewSession(fleet.Config{Repo: dir, Inventory: filepath.Join(dir, "hosts.yml")})
	defer sess.Close()
	repo, err := sess.Open()
	if err != nil {
		t.Fatal(err)
	}
	cfg := sess.Config()
	_, err = cfg.Transports(repo.Fleet().Conns["box"])
	if err == nil || !strings.Contains(err.Error(), "ansible.cfg") || !strings.Contains(err.Error(), "host_key_checking") {
		t.Fatalf("err = %v", err)
	}
}
