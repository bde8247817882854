package moduleparity_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
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

// e2eOptionsTemplate prints the magic variables of the command line and
// configuration, and the host's inventory source.
const e2eOptionsTemplate = `ansible_version={{ ansible_version | to_json }}
run_tags={{ ansible_run_tags | to_json }} skip_tags={{ ansible_skip_tags | to_json }}
limit={{ ansible_limit | default('(undefined)') }} limit_defined={{ ansible_limit is defined }}
forks={{ ansible_forks }} verbosity={{ ansible_verbosity }}
sources={{ ansible_inventory_sources | to_json }}
config={{ ansible_config_file | to_json }}
inventory_file={{ inventory_file }} inventory_dir={{ inventory_dir }}
of m1: {{ hostvars['m1'].inventory_file | basename }}
check={{ ansible_check_mode }} diff={{ ansible_diff_mode }}
`

// TestE2EMagicVariablesOfTheCommandLine: ansible_version,
// ansible_run_tags, ansible_skip_tags, ansible_limit, ansible_forks,
// ansible_verbosity, ansible_inventory_sources, ansible_config_file,
// inventory_file and inventory_dir (a host in two files of an inventory
// directory has the first; a group variable of that name does not beat
// it) render as ansible-playbook renders them, with --limit and --tags and
// without, on both ansible-cores.
func TestE2EMagicVariablesOfTheCommandLine(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.Repo{Name: "options", Inventory: "inventory", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"},
			Files: map[string]string{
				"ansible.cfg":          "[defaults]\ninventory = inventory\ngathering = explicit\nretry_files_enabled = False\nforks = 7\n",
				"inventory/a.yml":      "all:\n  vars: {ansible_connection: local}\n  children:\n    gpu:\n      hosts:\n        m1: {}\n",
				"inventory/b.yml":      "gpu:\n  vars: {inventory_dir: from-group-vars}\n  hosts:\n    m1: {}\n    m2: {}\n",
				"site.yml":             "- name: Options play\n  hosts: gpu\n  gather_facts: false\n  tasks:\n    - name: Options\n      template: {src: options.j2, dest: \"{{ out }}/{{ inventory_hostname }}.txt\"}\n      tags: [magic]\n",
				"templates/options.j2": e2eOptionsTemplate,
				"straylight.yml":       "",
			}}
		parity.WriteTree(t, root, repo.Files)
		release := coreRelease(t, o)
		for _, c := range []struct {
			name, limit string
			tags, skip  []string
			hosts       []string
		}{
			{name: "limit-tags", limit: "m1", tags: []string{"magic"}, hosts: []string{"m1"}},
			{name: "defaults", skip: []string{"unused"}, hosts: []string{"m1", "m2"}},
		} {
			dest := filepath.Join(out, c.name)
			if err := os.MkdirAll(dest, 0o755); err != nil {
				t.Fatal(err)
			}
			r, err := ansible.Open(ansible.Options{Repo: root, Limit: c.limit, Tags: c.tags, SkipTags: c.skip, CoreVersion: release,
				ExtraVars: []string{"out=" + dest}})
			if err != nil {
				t.Fatal(err)
			}
			p := parity.Plan(t, r)
			args := []string{"-e", "out=" + dest}
			if c.limit != "" {
				args = append(args, "--limit", c.limit)
			}
			for _, tag := range c.tags {
				args = append(args, "--tags", tag)
			}
			for _, tag := range c.skip {
				args = append(args, "--skip-tags", tag)
			}
			parity.RunPlaybookExiting(t, o, dir, root, repo, 0, args...)
			comparePlannedFiles(t, o, p, dest, c.name, c.hosts)
		}
	})
}

// coreRelease is the oracle's full release ("2.19.4"), as straylight
// reads it from `ansible --version`.
func coreRelease(t *testing.T, o parity.Oracle) string {
	t.Helper()
	release := ansible.ParseCoreRelease(strings.Replace(o.Full, "ansible-playbook [core", "[core", 1))
	if release == "" {
		t.Fatalf("no release in %q", o.Full)
	}
	return release
}

// comparePlannedFiles compares each host's one planned file with the
// file ansible-playbook wrote at dest/<host>.txt.
func comparePlannedFiles(t *testing.T, o parity.Oracle, p *fleetplan.Plan, dest, label string, hosts []string) {
	t.Helper()
	for _, host := range hosts {
		h := p.Host(host)
		if h == nil || len(h.Files) != 1 || len(h.Unsupported)+len(h.ViaAnsible) > 0 {
			t.Fatalf("%s %s: plan of %s: %+v", o.Full, label, host, h)
		}
		deployed, err := os.ReadFile(filepath.Join(dest, host+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		if planned := string(h.Files[0].Content()); planned != string(deployed) {
			t.Errorf("%s %s: [%s] straylight's render (-) and ansible-playbook's (+):\n%s", o.Full, label, host, parity.LineDiff(planned, string(deployed)))
		}
	}
}
