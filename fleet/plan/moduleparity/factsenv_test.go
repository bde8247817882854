package moduleparity_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// Ansible's fact gathering runs with the gathering play's environment
// (ansible_env shows it), and without it when it cannot be templated
// before the facts are known: the usual PATH: "/opt/bin:{{
// ansible_env.PATH }}" needs the very facts it is for. Checked here on
// both ansible-cores; the facts come from this machine (local
// connection), each host gathering in its own play.
const e2eFactsEnvPlaybook = `- name: An environment gathering can use
  hosts: fe1
  environment:
    PATH: /opt/straylight-probe/bin:/usr/bin:/bin
    SL_PLAY: "{{ play_word }}"
  vars:
    play_word: from-the-play
  tasks:
    - name: Env facts
      copy:
        content: "{{ ansible_env.PATH }}|{{ ansible_env.SL_PLAY }}\n"
        dest: "{{ out }}/fe1.txt"
- name: An environment that needs the facts
  hosts: fe2
  environment:
    PATH: "/opt/straylight-probe/bin:{{ ansible_env.PATH }}"
  tasks:
    - name: Env facts
      copy:
        content: "{{ '/opt/straylight-probe' in ansible_env.PATH }}|{{ ansible_env.SL_PLAY is defined }}\n"
        dest: "{{ out }}/fe2.txt"
`

// TestE2EFactsGatheredWithThePlaysEnvironment: the bytes straylight plans
// from its gathered facts are those ansible-playbook writes.
func TestE2EFactsGatheredWithThePlaysEnvironment(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.Repo{Name: "facts-env", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"},
			Files: map[string]string{
				"ansible.cfg":        "[defaults]\ninventory = inventory.yml\nretry_files_enabled = False\n",
				"inventory.yml":      "all:\n  vars: {ansible_connection: local, out: " + out + "}\n  hosts:\n    fe1:\n    fe2:\n",
				"site.yml":           e2eFactsEnvPlaybook,
				"straylight.yml":     "",
				"group_vars/all.yml": "unused: true\n",
			}}
		parity.WriteTree(t, root, repo.Files)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		p := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		for _, host := range []string{"fe1", "fe2"} {
			h := p.Host(host)
			if h == nil || len(h.Files) != 1 || len(h.Unsupported)+len(h.ViaAnsible) > 0 {
				t.Fatalf("%s: plan of %s: %+v", o.Full, host, h)
			}
			deployed, err := os.ReadFile(filepath.Join(out, host+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			if planned := string(h.Files[0].Content()); planned != string(deployed) {
				t.Errorf("%s: [%s] straylight planned %q, ansible-playbook wrote %q", o.Full, host, planned, deployed)
			}
		}
	})
}
