package moduleparity_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eYAML11Scalars are plain scalars that YAML 1.1 (Ansible's PyYAML) and
// YAML 1.2 (yaml.v3) read differently — 1e3, 08080 and 0o17 are strings
// in 1.1, numbers in 1.2; 1:30 is 90; 2024-01-01 a date — and some both
// read alike; f is a mapping, whose keys Ansible keeps in file order.
// Each is written in a role's defaults, the play's vars, a vars_files
// file and a task's vars.
const e2eYAML11Scalars = `a: 1e3
b: 08080
c: 1:30
d: 0o17
e: 2024-01-01
f: {z: 1, a: 2, y: [{x: 1, b: 2}]}
g: 1.0e+3
h: .5
i: 0x1F
j: 1_000
k: 685_230.15
l: 190:20:30.15
m: ~
n: 0b1010
o: Yes
p: 1.0e3
`

const e2eYAML11Template = `{% for layer in ['defaults', 'play', 'file', 'task'] %}{% set v = lookup('vars', layer) %}
{{ layer }}: {% for k in v | sort %}{{ k }}={{ v[k] }} {% endfor %}
json: {{ v | to_json }}
{% endfor %}
`

func e2eYAML11Repo(out string) parity.Repo {
	nested := func(name string) string { return name + ":\n" + prefixLines(e2eYAML11Scalars, "  ") }
	return parity.Repo{Name: "yaml11", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"},
		Files: map[string]string{
			"ansible.cfg":                     "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":                   "all:\n  hosts:\n    y1: {ansible_connection: local}\n",
			"roles/scalars/defaults/main.yml": nested("defaults"),
			"roles/scalars/tasks/main.yml": "- name: Render\n  template: {src: t.j2, dest: \"" + out + "/scalars.txt\"}\n  vars:\n" +
				prefixLines(nested("task"), "    "),
			"roles/scalars/templates/t.j2": e2eYAML11Template,
			"vars/file.yml":                nested("file"),
			"site.yml": "- hosts: all\n  gather_facts: false\n  vars_files: [vars/file.yml]\n  vars:\n" + prefixLines(nested("play"), "    ") +
				"  roles: [scalars]\n",
			"straylight.yml": "",
		}}
}

// prefixLines puts prefix before every line of s.
func prefixLines(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+prefix) + "\n"
}

// TestE2EYAML11ScalarsRenderAsAnsibleReadsThem: plain scalars of a role's
// defaults, the play's vars, a vars_files file and a task's vars render
// to the bytes ansible-playbook writes, on both ansible-cores, and after
// Ansible's deploy straylight plans no change.
func TestE2EYAML11ScalarsRenderAsAnsibleReadsThem(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eYAML11Repo(out)
		parity.WriteTree(t, root, repo.Files)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("y1")
		if h == nil || len(h.Files) != 1 || len(h.Unsupported)+len(h.ViaAnsible) > 0 {
			t.Fatalf("%s: plan of y1: %+v", o.Full, h)
		}
		parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		deployed, err := os.ReadFile(filepath.Join(out, "scalars.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if planned := string(h.Files[0].Content()); planned != string(deployed) {
			t.Errorf("%s: straylight's render (-) and ansible-playbook's (+):\n%s", o.Full, parity.LineDiff(planned, string(deployed)))
		}
		if after := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)); after.HasChanges() {
			t.Errorf("%s: after ansible-playbook: %s", o.Full, after.Summary.Line())
		}
	})
}
