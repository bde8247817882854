package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/internal/sshdtest"
)

// sshOracleRepo is an Ansible repository with one host reached over SSH
// (a real sshd on loopback): a template with mode, written with sudo, and a
// handler that runs with become.
type sshOracleRepo struct {
	dir  string
	srv  *sshdtest.Server
	dest string
}

func newSSHOracleRepo(t *testing.T) *sshOracleRepo {
	t.Helper()
	_, err := exec.LookPath("ansible-playbook")
	requireTool(t, err == nil, "ansible-playbook")
	srv := sshdtest.Start(t)
	r := &sshOracleRepo{dir: t.TempDir(), srv: srv, dest: filepath.Join(srv.Work, "app.conf")}
	knownHosts := filepath.Join(r.dir, "known_hosts")
	r.write(t, "known_hosts", srv.KnownHostsLine()+"\n")
	r.write(t, "ansible.cfg", "[defaults]\ninventory = hosts.yml\ngathering = explicit\n")
	r.write(t, "app.conf.j2", "# app on {{ inventory_hostname }}\ngreeting = {{ greeting }}\nport = {{ app_port }}\n")
	r.write(t, "deploy.yml", fmt.Sprintf(`- name: Deploy the app over SSH
  hosts: apps
  gather_facts: false
  become: true
  tasks:
    - name: Deploy app.conf
      template:
        src: app.conf.j2
        dest: %s
        mode: "0640"
      notify: Restart app
  handlers:
    - name: Restart app
      command: touch %s
`, r.dest, filepath.Join(srv.Work, "restarted")))
	r.writeInventory(t, "hello", knownHosts)
	return r
}

func (r *sshOracleRepo) write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeInventory: ansible_host/port/user, the key, and host key checking
// against the test's own known_hosts (OpenSSH reads ~/.ssh from the passwd
// home, not $HOME, so the file is named explicitly).
func (r *sshOracleRepo) writeInventory(t *testing.T, greeting, knownHosts string) {
	t.Helper()
	r.write(t, "hosts.yml", fmt.Sprintf(`all:
  children:
    apps:
      hosts:
        box:
          ansible_host: 127.0.0.1
          ansible_port: %d
          ansible_user: %s
          ansible_ssh_private_key_file: %s
          ansible_ssh_common_args: "-F none -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes"
          ansible_python_interpreter: /usr/bin/python3
          greeting: %s
          app_port: 8080
`, r.srv.Port, sshdtest.KeyUser, r.srv.ClientKeyFile, knownHosts, greeting))
}

// ansiblePlaybook runs the real ansible-playbook in the repository.
func (r *sshOracleRepo) ansiblePlaybook(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ansible-playbook", append(args, "deploy.yml")...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "ANSIBLE_CONFIG="+filepath.Join(r.dir, "ansible.cfg"), "ANSIBLE_NOCOLOR=1",
		"ANSIBLE_HOST_KEY_CHECKING=True")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ansible-playbook %v: %v\n%s\nsshd log:\n%s", args, err, out, r.srv.Log())
	}
	t.Logf("ansible-playbook %v:\n%s", args, out)
	return string(out)
}

func (r *sshOracleRepo) fileContent(t *testing.T) (string, os.FileMode) {
	t.Helper()
	info, err := os.Stat(r.dest)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(r.dest)
	if err != nil {
		t.Fatal(err)
	}
	return string(data), info.Mode().Perm()
}

// TestAnsibleAgreesOverSSH: what ansible-playbook deploys over SSH,
// straylight --check reports unchanged (exit 0); what straylight deploys
// (a changed variable, with become and the template's mode), a later
// ansible-playbook --check reports unchanged (changed=0). The file is
// root's, mode 0640, in a sticky directory: the login user can neither read
// nor replace it, so straylight's read and write went through sudo.
func TestAnsibleAgreesOverSSH(t *testing.T) {
	r := newSSHOracleRepo(t)
	t.Setenv("ANSIBLE_HOST_KEY_CHECKING", "True")
	out := r.ansiblePlaybook(t)
	if !strings.Contains(out, "changed=2") {
		t.Fatalf("the first ansible-playbook run should write the file and run the handler:\n%s", out)
	}
	check := runCLI(t, "-C", r.dir, "--check")
	if check.code != 0 || !strings.Contains(check.stdout, "(ssh 127.0.0.1") || !strings.Contains(check.stdout, "ok: [box]") {
		t.Fatalf("straylight --check after ansible-playbook: exit %d (want 0, box read over ssh and unchanged)", check.code)
	}
	r.writeInventory(t, "from-straylight", filepath.Join(r.dir, "known_hosts"))
	os.Remove(filepath.Join(r.srv.Work, "restarted"))
	logins := strings.Count(r.srv.Log(), "Accepted publickey for "+sshdtest.KeyUser)
	apply := runCLI(t, "-C", r.dir, "--apply", "--yes")
	if apply.code != 0 {
		t.Fatalf("straylight --apply: exit %d", apply.code)
	}
	// The plan's read, the backup read, the write and the handler: one login.
	if n := strings.Count(r.srv.Log(), "Accepted publickey for "+sshdtest.KeyUser) - logins; n != 1 {
		t.Errorf("straylight --apply logged in %d times, want 1 (one connection per host)", n)
	}
	content, mode := r.fileContent(t)
	if !strings.Contains(content, "greeting = from-straylight") || mode != 0o640 {
		t.Fatalf("after straylight's apply the file is mode %o:\n%s", mode, content)
	}
	if _, err := os.Stat(filepath.Join(r.srv.Work, "restarted")); err != nil {
		t.Fatalf("straylight did not run the handler: %v", err)
	}
	out = r.ansiblePlaybook(t, "--check", "--diff")
	if !strings.Contains(out, "changed=0") || !strings.Contains(out, "ok=1") {
		t.Fatalf("ansible-playbook --check after straylight's apply should change nothing:\n%s", out)
	}
}

// ansibleCheckLinux runs the real ansible-playbook --check --diff on the
// demo's Linux playbook, over SSH to the lab's hosts (sudo with the vault's
// become password), and returns its output.
func ansibleCheckLinux(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ansible-playbook", "--check", "--diff", "-e", "ansible_python_interpreter=/usr/bin/python3",
		"playbooks/linux-vllm-deploy.yml")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ANSIBLE_CONFIG="+filepath.Join(dir, "ansible.cfg"), "ANSIBLE_NOCOLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ansible-playbook --check: %v\n%s", err, out)
	}
	t.Logf("ansible-playbook --check:\n%s", out)
	return string(out)
}

func recapLine(out, host string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, host+" ") && strings.Contains(line, "ok=") {
			return strings.Join(strings.Fields(line), " ")
		}
	}
	return ""
}

// TestAnsibleAgreesOnLabLinuxHosts: on the demo's repository, real Ansible
// reaches the lab's Linux hosts over SSH as straylight does. Both see case
// one change behind (its stale config) and riviera in sync; after straylight
// deploys case, Ansible's check changes nothing.
func TestAnsibleAgreesOnLabLinuxHosts(t *testing.T) {
	_, err := exec.LookPath("ansible-playbook")
	requireTool(t, err == nil, "ansible-playbook")
	d, err := demo.Start(demo.Options{Dir: t.TempDir(), StaleLinux: true, LoadDelay: 250 * time.Millisecond, TokenRate: 2000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	out := ansibleCheckLinux(t, d.Dir)
	// case: the template and its systemd_service handler (which check mode runs).
	if c, m := recapLine(out, "case"), recapLine(out, "riviera"); !strings.Contains(c, "ok=2 changed=2") || !strings.Contains(m, "changed=0") ||
		!strings.Contains(out, "-  max_model_len: 4096") {
		t.Fatalf("Ansible before the deploy: case %q, riviera %q (want case changed=2 with the max_model_len diff, riviera changed=0)", c, m)
	}
	check := runCLI(t, "-C", d.Dir, "-l", "case,riviera", "--check")
	wantExit(t, check, exitChanges)
	wantContains(t, "straylight --check", check.stdout, "changed: [case]", "ok: [riviera]", "-  max_model_len: 4096",
		"RUNNING HANDLER [Restart vLLM] would run: [case] systemctl restart vllm")
	wantExit(t, runCLI(t, "-C", d.Dir, "-l", "case", "--apply", "--yes"), exitOK)
	out = ansibleCheckLinux(t, d.Dir)
	if c, m := recapLine(out, "case"), recapLine(out, "riviera"); !strings.Contains(c, "changed=0") || !strings.Contains(m, "changed=0") {
		t.Fatalf("Ansible after straylight's deploy: case %q, riviera %q (want changed=0)", c, m)
	}
}

// TestSSHModeChangeAgreesWithAnsible: after Ansible's deploy over SSH the
// file's mode alone is changed on the host. straylight --check reports the
// task changed (exit 2) with the diff ansible-playbook --check --diff
// prints for it; --apply sets the mode back through sudo without
// rewriting the file, and ansible-playbook --check then reports changed=0.
func TestSSHModeChangeAgreesWithAnsible(t *testing.T) {
	r := newSSHOracleRepo(t)
	t.Setenv("ANSIBLE_HOST_KEY_CHECKING", "True")
	r.ansiblePlaybook(t)
	if err := os.Chmod(r.dest, 0o600); err != nil {
		t.Fatal(err)
	}
	modeDiff := "-    \"mode\": \"0600\",\n+    \"mode\": \"0640\",\n     \"path\": \"" + r.dest + "\"\n"
	if out := r.ansiblePlaybook(t, "--check", "--diff"); !strings.Contains(out, modeDiff) {
		t.Fatalf("ansible-playbook --check --diff does not show the mode diff straylight is compared with:\n%s", out)
	}
	check := runCLI(t, "-C", r.dir, "--check")
	if check.code != 2 || !strings.Contains(check.stdout, modeDiff) || !strings.Contains(check.stdout, "changed: [box]") {
		t.Fatalf("straylight --check: exit %d (want 2 with Ansible's mode diff)\n%s%s", check.code, check.stdout, check.stderr)
	}
	before, _ := os.Stat(r.dest)
	if apply := runCLI(t, "-C", r.dir, "--apply", "--yes"); apply.code != 0 {
		t.Fatalf("straylight --apply: exit %d\n%s%s", apply.code, apply.stdout, apply.stderr)
	}
	after, _ := os.Stat(r.dest)
	if _, mode := r.fileContent(t); mode != 0o640 || !os.SameFile(before, after) {
		t.Fatalf("after straylight's apply: mode %o, same file (not rewritten) %v", mode, os.SameFile(before, after))
	}
	if out := r.ansiblePlaybook(t, "--check", "--diff"); !strings.Contains(out, "changed=0") {
		t.Fatalf("ansible-playbook --check after straylight's apply should change nothing:\n%s", out)
	}
}
