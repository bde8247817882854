package moduleparity_test

import (
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eTaskNamesPlaybook: task names as real roles template them — play,
// host, role and set_fact variables, filters and arithmetic — and names
// Ansible cannot template when the banner shows (a loop's item, an
// undefined variable).
const e2eTaskNamesPlaybook = `- hosts: all
  gather_facts: false
  vars: {stack: ai}
  roles: [web]
  tasks:
    - set_fact: {made: fact}
    - name: "Create {{ stack }} directories"
      copy: {content: "a\n", dest: "{{ out }}/a"}
    - name: "On {{ inventory_hostname }} ({{ flavour }})"
      copy: {content: "b\n", dest: "{{ out }}/b"}
    - name: "Filtered {{ stack | upper }} {{ 1 + 2 }} {{ made }}"
      copy: {content: "c\n", dest: "{{ out }}/c"}
    - name: "Item {{ item }}"
      copy: {content: "d\n", dest: "{{ out }}/d{{ item }}"}
      loop: [1]
    - name: "Undefined {{ nope }} and {{ stack }}"
      copy: {content: "e\n", dest: "{{ out }}/e"}
`

// TestE2ETaskNamesTemplatedAsAnsible: straylight's plan labels each task
// with its name templated as ansible-playbook's TASK banner shows it, and
// keeps a name Ansible cannot template as written (as ansible-core 2.14
// does; 2.19 writes the error inline, so those two are compared on 2.14
// only). Before, every templated name was shown as written.
func TestE2ETaskNamesTemplatedAsAnsible(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("tasknames", "n1", out, map[string]string{
			"site.yml":                    e2eTaskNamesPlaybook,
			"group_vars/all.yml":          "flavour: gpu\n",
			"roles/web/defaults/main.yml": "port: 8080\n",
			"roles/web/tasks/main.yml":    "- name: \"Serve on {{ port }}\"\n  copy: {content: \"w\\n\", dest: \"{{ out }}/w\"}\n",
		})
		parity.WriteTree(t, root, repo.Files)
		verdicts := parity.Verdicts(parity.RunPlaybookExiting(t, o, dir, root, repo, 0, "--check"))
		h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("n1")
		if h == nil || len(h.Files) != 6 {
			t.Fatalf("%s: plan of n1: %+v", o.Full, h)
		}
		for _, f := range h.Files {
			asWritten := strings.Contains(f.Task, "{{")
			if _, ok := verdicts[f.Task]; !ok && !(asWritten && o.Version != "2.14") {
				t.Errorf("%s: straylight labels a task %q; Ansible's banners: %v", o.Full, f.Task, verdicts)
			}
			if asWritten != (strings.HasPrefix(f.Task, "Item") || strings.HasPrefix(f.Task, "Undefined")) {
				t.Errorf("%s: %q templated where Ansible cannot, or the reverse", o.Full, f.Task)
			}
		}
	})
}
