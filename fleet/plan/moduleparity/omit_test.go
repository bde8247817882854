package moduleparity_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eOmitPlaybook: module arguments templated to omit ("{{ x |
// default(omit) }}", real roles' way of making mode, owner or
// newline_sequence optional) are left out, as Ansible's remove_omit does;
// the same arguments given a value are applied. The dests exist before
// the run with mode 0600 (e2eOmitBefore).
const e2eOmitPlaybook = `- hosts: all
  gather_facts: false
  tasks:
    - name: Template, mode omitted
      template: {src: same.j2, dest: "{{ out }}/tmode.txt", mode: "{{ no_mode | default(omit) }}", owner: "{{ no_owner | default(omit) }}"}
    - name: Template, mode given
      template: {src: same.j2, dest: "{{ out }}/tgiven.txt", mode: "{{ file_mode | default(omit) }}"}
    - name: Copy, mode and group omitted
      copy: {content: "same\n", dest: "{{ out }}/cmode.txt", mode: "{{ no_mode | default(omit) }}", group: "{{ no_group | default(omit) }}"}
    - name: Copy, backup omitted, new content
      copy: {content: "new\n", dest: "{{ out }}/cnew.txt", backup: "{{ no_backup | default(omit) }}"}
    - name: Directory, mode omitted
      file: {path: "{{ out }}/dir", state: directory, mode: "{{ no_mode | default(omit) }}"}
    - name: Line, create omitted
      lineinfile: {path: "{{ out }}/line.txt", line: "same", create: "{{ no_create | default(omit) }}"}
`

// e2eOmitBefore are the files as each core's run finds them, mode 0600.
var e2eOmitBefore = map[string]string{"tmode.txt": "same\n", "tgiven.txt": "same\n", "cmode.txt": "same\n", "cnew.txt": "old\n", "line.txt": "same\n"}

func e2eOmitRepo(out string) parity.Repo {
	return parity.Repo{Name: "omit", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"}, Files: map[string]string{
		"ansible.cfg":       "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
		"inventory.yml":     "all:\n  hosts:\n    o1: {ansible_connection: local, out: \"" + out + "\", file_mode: \"0640\"}\n",
		"site.yml":          e2eOmitPlaybook,
		"templates/same.j2": "same\n",
	}}
}

// TestE2EOmittedModuleArguments: straylight plans every task natively,
// its changed/ok verdicts are Ansible's, its planned bytes are what Ansible
// writes, and after Ansible's run it plans no change; on both cores.
func TestE2EOmittedModuleArguments(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eOmitRepo(out)
		parity.WriteTree(t, root, repo.Files)
		writeOmitBefore(t, out)
		before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		h := before.Host("o1")
		if h == nil || len(h.Unsupported)+len(h.ViaAnsible) > 0 || len(h.Files) != 6 {
			t.Fatalf("%s: plan of o1: %+v", o.Full, h)
		}
		parity.CompareStatus(t, before, parity.TaskStatus(parity.RunAnsiblePlaybook(t, o, dir, root, repo)))
		for _, f := range h.Files {
			if f.Dest == filepath.Join(out, "dir") {
				continue
			}
			if deployed, err := os.ReadFile(f.Dest); err != nil || string(deployed) != string(f.Content()) {
				t.Errorf("%s: %s: straylight planned %q, ansible-playbook wrote %q (%v)", o.Full, f.Task, f.Content(), deployed, err)
			}
		}
		if after := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)); after.HasChanges() {
			t.Errorf("%s: after ansible-playbook: %s", o.Full, after.Summary.Line())
		}
	})
}

func writeOmitBefore(t *testing.T, out string) {
	t.Helper()
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range e2eOmitBefore {
		if err := os.WriteFile(filepath.Join(out, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
