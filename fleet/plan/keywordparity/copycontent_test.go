package keywordparity_test

import (
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
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.Repo{Name: "copycontent", Inventory: "inventory.yml", Playbooks: []string{"copy.yml"},
			Files: map[string]string{
				"ansible.cfg":        "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
				"inventory.yml":      "all:\n  hosts:\n    k1: {ansible_connection: local, ansible_host: 127.0.0.1, ansible_python_interpreter: /usr/bin/python3}\n",
				"group_vars/all.yml": "out: " + out + "\n",
				"copy.yml":           e2eCopyContentPlaybook,
				"straylight.yml":     "",
			}}
		parity.WriteTree(t, root, repo.Files)
		reset := func() {
			if err := os.RemoveAll(out); err != nil || os.MkdirAll(out, 0o755) != nil {
				t.Fatal(err)
			}
		}
		reset()
		parity.RunPlaybookExiting(t, o, dir, root, repo, 0)
		byAnsible := parity.FilesIn(t, out)
		reset()
		log := parity.Apply(t, bin, root, o)
		if got := parity.FilesIn(t, out); got != byAnsible {
			t.Errorf("%s: files after straylight --apply (-) and ansible-playbook (+):\n%s\n%s", o.Full, parity.LineDiff(got, byAnsible), log)
		}
	})
}
