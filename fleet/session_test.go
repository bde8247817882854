package fleet_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote"
)

// homelabWithPasswordScript copies the example repository, drops its
// ansible.cfg vault_password_file and returns a password script that
// counts its runs in the file runs.
func homelabWithPasswordScript(t *testing.T) (dir, script, runs string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "homelab")
	if err := demo.CopyHomelab(dir); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "ansible.cfg")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	kept := strings.ReplaceAll(string(data), "vault_password_file = vault-password.txt", "")
	if err := os.WriteFile(cfg, []byte(kept), 0o644); err != nil {
		t.Fatal(err)
	}
	runs = filepath.Join(t.TempDir(), "runs")
	script = filepath.Join(t.TempDir(), "vault-pass.sh")
	body := "#!/bin/sh\necho run >> '" + runs + "'\ncat '" + filepath.Join(dir, "vault-password.txt") + "'\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, script, runs
}

// TestSessionLoadsTheVaultOnce: opening the repository again (as the UI
// does after each edit) and opening a vaulted vars file for editing use
// the keyring the session loaded once; the password script runs once.
func TestSessionLoadsTheVaultOnce(t *testing.T) {
	dir, script, runs := homelabWithPasswordScript(t)
	s := fleet.NewSession(fleet.Config{Repo: dir, Vault: fleet.VaultOptions{PasswordFiles: []string{script}}})
	for range 2 {
		repo, err := s.Open()
		if err != nil {
			t.Fatal(err)
		}
		g := repo.Fleet().GPUHostByName("wintermute")
		if g == nil {
			t.Fatal("no GPU host wintermute in the homelab")
		}
		if _, err := s.OpenEdit(repo, *g); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(runs)
	if err != nil {
		t.Fatalf("the password script never ran: %v", err)
	}
	if n := strings.Count(string(data), "run"); n != 1 {
		t.Fatalf("the password script ran %d times, want once", n)
	}
}

// TestSessionCarriesTheOptions: the planner reads through the session's
// transports and the engine gets its deploy options, whoever asks.
func TestSessionCarriesTheOptions(t *testing.T) {
	dir, script, _ := homelabWithPasswordScript(t)
	var mu sync.Mutex
	var reached []string
	transports := func(c plan.Connection) (remote.Transport, error) {
		mu.Lock()
		reached = append(reached, c.Host)
		mu.Unlock()
		return plan.DefaultTransports(c)
	}
	s := fleet.NewSession(fleet.Config{Repo: dir, Vault: fleet.VaultOptions{PasswordFiles: []string{script}},
		Transports: transports, Apply: apply.Options{Forks: 3, WhenIdle: true}})
	repo, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Plan(context.Background(), repo); err != nil {
		t.Fatal(err)
	}
	if len(reached) == 0 {
		t.Fatal("the plan did not read the hosts through the session's transports")
	}
	e := s.Engine(repo, []string{"armitage"})
	if e.Opts.Forks != 3 || !e.Opts.WhenIdle || len(e.Opts.Hosts) != 1 || e.Fleet != repo.Fleet() {
		t.Fatalf("engine options %+v (fleet shared: %v)", e.Opts, e.Fleet == repo.Fleet())
	}
}

func TestHostSourcesOfTheExample(t *testing.T) {
	dir := t.TempDir()
	if err := demo.CopyHomelab(dir); err != nil {
		t.Fatal(err)
	}
	repo, err := fleet.NewSession(fleet.Config{Repo: dir}).Open()
	if err != nil {
		t.Fatal(err)
	}
	got, err := fleet.HostSources(repo, "wintermute")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"group_vars/all/vault.yml", "group_vars/windows_vllm.yml", "host_vars/wintermute.yml", "roles/windows-vllm-deploy"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sources %q, want %q", got, want)
	}
}

// A vllm mapping's systemd_unit, templated, makes the host's status target
// watch that unit instead of a container; a host without one keeps its
// container. (StatusTargets reads it from the mapping the fleet templated.)
func TestStatusTargetsWatchTheMappedSystemdUnit(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"inventory/hosts.yml": "all:\n  vars:\n    ansible_connection: local\n  hosts:\n    unit-host:\n    container-host:\n",
		"inventory/host_vars/unit-host.yml": "unit_name: vllm-main\nvllm:\n  model: m\n  port: 8000\n" +
			"  container_name: unused\n  systemd_unit: \"{{ unit_name }}.service\"\n",
		"inventory/host_vars/container-host.yml": "vllm:\n  model: m\n  port: 8001\n  container_name: vllm-c\n",
		"playbooks/deploy.yml":                   "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: say\n      debug:\n        msg: hi\n",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sess := fleet.NewSession(fleet.Config{Repo: dir})
	defer sess.Close()
	repo, err := sess.Open()
	if err != nil {
		t.Fatal(err)
	}
	targets, _ := sess.StatusTargets(repo, nil)
	got := map[string]string{}
	for _, tg := range targets {
		got[tg.Host] = "unit " + tg.Unit + ", container " + tg.Container
	}
	want := map[string]string{"unit-host": "unit vllm-main.service, container ", "container-host": "unit , container vllm-c"}
	if len(got) != len(want) || got["unit-host"] != want["unit-host"] || got["container-host"] != want["container-host"] {
		t.Errorf("targets %q, want %q", got, want)
	}
}
