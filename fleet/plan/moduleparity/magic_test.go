package moduleparity_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eMagicTemplate prints the play's and the role's magic variables.
const e2eMagicTemplate = `role_name={{ role_name }} ansible_role_name={{ ansible_role_name }} role_path={{ role_path | basename }}
ansible_play_name={{ ansible_play_name }}
ansible_play_hosts={{ ansible_play_hosts }} all={{ ansible_play_hosts_all }}
ansible_play_batch={{ ansible_play_batch }} play_hosts={{ play_hosts | join(',') }}
{% for h in ansible_play_hosts %}{{ h }}={{ hostvars[h].note }}
{% endfor %}`

// TestE2EMagicVariablesOfThePlayAndRole: role_name, ansible_role_name,
// role_path, ansible_play_name and the play's hosts (within --limit)
// render as ansible-playbook renders them, on both ansible-cores.
func TestE2EMagicVariablesOfThePlayAndRole(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.Repo{Name: "magic", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"},
			Files: map[string]string{
				"ansible.cfg": "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
				"inventory.yml": "all:\n  vars: {ansible_connection: local, out: " + out + "}\n  children:\n    gpu:\n      hosts:\n" +
					"        m3: {note: third}\n        m1: {note: first}\n        m2: {note: second}\n",
				"site.yml":                           "- name: Magic play\n  hosts: gpu\n  gather_facts: false\n  roles: [magicrole]\n",
				"roles/magicrole/tasks/main.yml":     "- name: Magic\n  template: {src: magic.j2, dest: \"{{ out }}/{{ inventory_hostname }}.txt\"}\n",
				"roles/magicrole/templates/magic.j2": e2eMagicTemplate,
				"straylight.yml":                     "",
			}}
		parity.WriteTree(t, root, repo.Files)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		p := parity.Plan(t, parity.OpenCore(t, root, "m3,m2", o.Version))
		parity.RunPlaybookExiting(t, o, dir, root, repo, 0, "--limit", "m3,m2")
		for _, host := range []string{"m3", "m2"} {
			h := p.Host(host)
			if h == nil || len(h.Files) != 1 || len(h.Unsupported)+len(h.ViaAnsible) > 0 {
				t.Fatalf("%s: plan of %s: %+v", o.Full, host, h)
			}
			deployed, err := os.ReadFile(filepath.Join(out, host+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			if planned := string(h.Files[0].Content()); planned != string(deployed) {
				t.Errorf("%s: [%s] straylight's render (-) and ansible-playbook's (+):\n%s", o.Full, host, parity.LineDiff(planned, string(deployed)))
			}
		}
	})
}
