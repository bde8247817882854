package moduleparity_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eVaultCopyPlain is the secret file's plaintext; the test encrypts it
// with the oracle's own ansible-vault.
const e2eVaultCopyPlain = "LITELLM_MASTER_KEY=sk-vaulted-copy-source-1234\nREDIS_HOST=127.0.0.1\n"

func e2eVaultCopyRepo(out string) parity.Repo {
	return parity.Repo{Name: "vault-copy", Inventory: "inventory.yml", Playbooks: []string{"copy.yml"}, Discovered: []string{"copy.yml"},
		Files: map[string]string{
			"ansible.cfg":    "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\nvault_password_file = vault-pass.txt\n",
			"vault-pass.txt": "e2e-vault-copy\n",
			"inventory.yml":  "all:\n  hosts:\n    vc1:\n      ansible_connection: local\n",
			"copy.yml": "- hosts: all\n  gather_facts: false\n  tasks:\n" +
				"    - name: Vaulted source\n      copy: {src: secret.env, dest: \"" + out + "/secret.env\", mode: \"0600\"}\n",
			"files/secret.env": e2eVaultCopyPlain,
			"straylight.yml":   "",
		}}
}

// TestE2EVaultedCopySource: a copy whose src is vault-encrypted deploys
// the plaintext, as Ansible's copy action plugin decrypts it: straylight's
// planned bytes equal what ansible-playbook wrote, the plan shows none of
// it, and after Ansible's deploy straylight plans no change. Without a
// vault password the task is not planned: it fails as Ansible's does, with
// Ansible's message. Against both ansible-cores.
func TestE2EVaultedCopySource(t *testing.T) {
	oracles := parity.Oracles(t)
	parity.IsolateEnv(t)
	for _, o := range oracles {
		t.Run("ansible-core "+o.Version, func(t *testing.T) {
			dir := t.TempDir()
			root, out := filepath.Join(dir, "repo"), filepath.Join(dir, "out")
			repo := e2eVaultCopyRepo(out)
			parity.WriteTree(t, root, repo.Files)
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			e2eVaultEncrypt(t, o, dir, root, "files/secret.env")
			f := e2eVaultCopyPlanned(t, parity.Plan(t, parity.OpenCore(t, root, "", o.Version)))
			parity.RunAnsiblePlaybook(t, o, dir, root, repo)
			deployed, err := os.ReadFile(filepath.Join(out, "secret.env"))
			if err != nil || string(deployed) != string(f.Content()) || string(deployed) != e2eVaultCopyPlain {
				t.Errorf("%s: ansible-playbook wrote %q (%v); straylight planned %q", o.Full, deployed, err, f.Content())
			}
			if after := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)); after.HasChanges() {
				t.Errorf("%s: after ansible-playbook: %s", o.Full, after.Summary.Line())
			}
			e2eVaultCopyWithoutPassword(t, root, o.Version)
		})
	}
}

// e2eVaultEncrypt encrypts a repository file in place with ansible-vault
// and the repository's vault password file.
func e2eVaultEncrypt(t *testing.T, o parity.Oracle, dir, root, rel string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(o.Bin, "ansible-vault"), "encrypt", rel)
	cmd.Dir, cmd.Env = root, parity.AnsibleEnv(t, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: ansible-vault encrypt: %v\n%s", o.Full, err, out)
	}
}

// e2eVaultCopyPlanned: the task is planned natively with the plaintext,
// and neither its content nor its diff shows it.
func e2eVaultCopyPlanned(t *testing.T, p *fleetplan.Plan) *fleetplan.FileChange {
	t.Helper()
	h := p.Host("vc1")
	if h == nil || len(h.Unsupported) > 0 || len(h.Files) != 1 {
		t.Fatalf("plan of vc1: %+v", h)
	}
	f := h.Files[0]
	if string(f.Content()) != e2eVaultCopyPlain {
		t.Errorf("planned content %q, want the plaintext", f.Content())
	}
	if !f.Secret || strings.Contains(f.NewContent+f.Diff, "sk-vaulted") || strings.Contains(f.NewContent+f.Diff, "REDIS_HOST") {
		t.Errorf("the plan shows the decrypted file: secret %v, content %q, diff %q", f.Secret, f.NewContent, f.Diff)
	}
	return f
}

// e2eVaultCopyWithoutPassword: with no vault password, the task is listed
// with Ansible's message (and nothing planned for it).
func e2eVaultCopyWithoutPassword(t *testing.T, root, version string) {
	t.Helper()
	cfg := filepath.Join(root, "ansible.cfg")
	data, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(data), "vault_password_file = vault-pass.txt\n", "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	h := parity.Plan(t, parity.OpenCore(t, root, "", version)).Host("vc1")
	if h == nil || len(h.Files) != 0 || len(h.Unsupported) != 1 ||
		!strings.Contains(h.Unsupported[0].Reason, "A vault password or secret must be specified to decrypt") {
		t.Errorf("without a vault password: %+v", h)
	}
}
