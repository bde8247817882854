package keywordparity_test

import (
	"maps"
	"os"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eCopyContentPlaybook: copy's content templated to a value that is not
// a string, and to the text filters whose result 2.14 keeps as text.
const e2eCopyContentPlaybook = `- name: Copy content
  hosts: k1
  gather_facts: false
  vars:
    cfg: {zeta: 1, alpha: [1, 2], name: "x é"}
    names: [alice, bob]
    flag: false
    count: 3
  tasks:
    - copy: {content: "{{ cfg }}", dest: "{{ out }}/dict"}
    - copy: {content: "{{ names }}", dest: "{{ out }}/list"}
    - copy: {content: "{{ flag }}", dest: "{{ out }}/bool"}
    - copy: {content: "{{ count }}", dest: "{{ out }}/int"}
    - copy: {content: "{{ cfg | to_json }}", dest: "{{ out }}/to_json"}
    - copy: {content: "{{ cfg | to_nice_json }}", dest: "{{ out }}/to_nice_json"}
    - copy: {content: "{{ cfg | to_nice_yaml }}", dest: "{{ out }}/to_nice_yaml"}
    - copy: {content: "{{ cfg | ansible.builtin.to_json }}", dest: "{{ out }}/qualified"}
    - copy: {content: "{{ '[1, 2]' }}", dest: "{{ out }}/list_text"}
`

// TestE2ECopyContentParityWithAnsiblePlaybook: after a real run of
// ansible-playbook and after straylight --apply from an empty folder,
// each file holds the same bytes: json.dumps of a dict or list in its
// order, Python's str() of a bool or an int, a text filter's text.
func TestE2ECopyContentParityWithAnsiblePlaybook(t *testing.T) {
	e2eSameFiles(t, e2eCopyContentPlaybook, nil)
}

// e2eRepo is a repository of one playbook, site.yml, on host k1 (a local
// connection) with out in group_vars, and the other files in extra.
func e2eRepo(out, playbook string, extra map[string]string) parity.Repo {
	repo := parity.Repo{Name: "keywords", Inventory: "inventory.yml", Playbooks: []string{"site.yml"},
		Files: map[string]string{
			"ansible.cfg":        "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":      "all:\n  hosts:\n    k1: {ansible_connection: local, ansible_host: 127.0.0.1, ansible_python_interpreter: /usr/bin/python3}\n",
			"group_vars/all.yml": "out: " + out + "\n",
			"site.yml":           playbook,
			"straylight.yml":     "",
		}}
	maps.Copy(repo.Files, extra)
	return repo
}

// e2eSameFiles runs the playbook (on host k1, with out in group_vars;
// the repository's other files in extra) for real with ansible-playbook,
// then straylight --apply from the same empty folder, on both cores, and
// compares the files they leave.
func e2eSameFiles(t *testing.T, playbook string, extra map[string]string) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eRepo(out, playbook, extra)
		parity.WriteTree(t, root, repo.Files)
		reset := func() {
			if err := os.RemoveAll(out); err != nil || os.MkdirAll(out, 0o755) != nil {
				t.Fatal(err)
			}
		}
		parity.SameAfterRuns(t, o, bin, dir, root, repo, reset, func() string { return parity.FilesIn(t, out) })
	})
}

// e2eLoopsPlaybook: a loop without items registers its skipped result;
// loop_control extended gives ansible_loop (with and without allitems,
// under a when on the item); a rescue reads ansible_failed_task.
const e2eLoopsPlaybook = `- name: Loops and rescue
  hosts: k1
  gather_facts: false
  vars:
    none_here: []
    services: [{name: a, port: 1}, {name: b, port: 2}, {name: c, port: 3}]
  tasks:
    - copy: {content: "x", dest: "{{ out }}/{{ item }}"}
      loop: "{{ none_here }}"
      register: nothing
    - copy: {content: "{{ nothing.results | length }} {{ nothing.skipped }} {{ nothing.skipped_reason }}\n", dest: "{{ out }}/no-items"}
    - copy:
        content: "{{ ansible_loop.index }}/{{ ansible_loop.length }} {{ ansible_loop.revindex0 }} {{ ansible_loop.first }} {{ ansible_loop.last }} {{ ansible_loop.previtem | default('-') }} {{ ansible_loop.nextitem | default('-') }} {{ ansible_loop.allitems | length }}\n"
        dest: "{{ out }}/loop-{{ item.name }}"
      loop: "{{ services }}"
      loop_control: {label: "{{ item.name }}", extended: true}
      when: item.name != 'b'
    - copy: {content: "{{ ansible_loop.allitems is defined }} {{ ansible_loop }}\n", dest: "{{ out }}/lean-{{ item }}"}
      loop: [x, y]
      loop_control: {extended: yes, extended_allitems: false}
    - block:
        - name: failing check
          assert: {that: not_set_anywhere is defined}
      rescue:
        - copy: {content: "rescued {{ ansible_failed_task.name }}\n", dest: "{{ out }}/rescued"}
`

// TestE2ELoopsAndRescueParityWithAnsiblePlaybook: the files a loop's
// extended variables, an empty loop's registered result and a rescue's
// ansible_failed_task write are Ansible's, on both cores.
func TestE2ELoopsAndRescueParityWithAnsiblePlaybook(t *testing.T) {
	e2eSameFiles(t, e2eLoopsPlaybook, nil)
}

// TestE2ECollectionRolesParityWithAnsiblePlaybook: roles named by their
// collection, from the playbook's adjacent collections/ and from the
// collections_path ansible.cfg names, write what Ansible's write.
func TestE2ECollectionRolesParityWithAnsiblePlaybook(t *testing.T) {
	role := func(ns string) string {
		return "- template: {src: who.j2, dest: \"{{ out }}/" + ns + "\"}\n"
	}
	who := "role_name={{ role_name }} ansible_role_name={{ ansible_role_name }} path={{ role_path | basename }}\n"
	e2eSameFiles(t, `- hosts: k1
  gather_facts: false
  roles:
    - demo.tools.adjacent
    - role: other.pack.configured
`, map[string]string{
		"ansible.cfg": "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\ncollections_path = ./colls\n",
		"collections/ansible_collections/demo/tools/roles/adjacent/tasks/main.yml":   role("adjacent"),
		"collections/ansible_collections/demo/tools/roles/adjacent/templates/who.j2": who,
		"colls/ansible_collections/other/pack/roles/configured/tasks/main.yml":       role("configured"),
		"colls/ansible_collections/other/pack/roles/configured/templates/who.j2":     who,
	})
}
