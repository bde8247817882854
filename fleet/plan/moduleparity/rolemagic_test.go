package moduleparity_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eRoleMagicTemplate prints the role name variables of the play and the
// role, and the parent role variables of an included role. Ansible builds
// ansible_role_names and ansible_dependent_role_names from a Python set,
// whose order changes from one run to the next: they are sorted here.
const e2eRoleMagicTemplate = `play={{ ansible_play_role_names | to_json }} role_names={{ role_names | to_json }}
all={{ ansible_role_names | sort | to_json }} deps={{ ansible_dependent_role_names | sort | to_json }}
role={{ role_name }} {{ ansible_role_name }} collection={{ ansible_collection_name | to_json }}
parents={{ ansible_parent_role_names | default('undefined') | to_json }}
paths={{ ansible_parent_role_paths | default('undefined') | to_json }}
`

// e2eRoleMagicRepo is a play whose role p depends on d (which depends on
// e), includes role i (which includes j) and imports y; d includes j;
// pre_tasks, tasks and post_tasks import m, z and x, and tasks include j.
// The roles but m, q, x and z write a file each with the template.
// d's template includes a file, and looks up a file and a template, that
// only p has: a dependency role searches the roles that depend on it.
func e2eRoleMagicRepo(out string) parity.Repo {
	files := map[string]string{
		"ansible.cfg":   "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
		"inventory.yml": "all:\n  hosts:\n    r1: {ansible_connection: local, out: " + out + "}\n",
		"site.yml": "- hosts: all\n  gather_facts: false\n  post_tasks:\n    - import_role: {name: x}\n" +
			"  pre_tasks:\n    - import_role: {name: m}\n  roles: [p, q]\n" +
			"  tasks:\n    - include_role: {name: j}\n    - import_role: {name: z}\n",
		"roles/p/meta/main.yml":        "dependencies: [d]\n",
		"roles/d/meta/main.yml":        "dependencies: [e]\n",
		"roles/p/templates/only_p.j2":  "p's include, seen from {{ role_name }}\n",
		"roles/p/files/only_p.txt":     "p's file\n",
		"roles/q/tasks/more.yml":       "- debug: {msg: more}\n",
		"roles/d/templates/d_extra.j2": "{% include 'only_p.j2' %}\n{{ lookup('file', 'only_p.txt') }}\n{{ lookup('template', 'only_p.j2') }}",
		"straylight.yml":               "",
	}
	extra := map[string]string{"p": "- include_role: {name: i}\n- import_role: {name: y}\n", "d": "- include_role: {name: j}\n",
		"i": "- include_role: {name: j}\n", "q": "- include_tasks: more.yml\n"}
	for _, r := range []string{"m", "q", "x", "z"} {
		files["roles/"+r+"/tasks/main.yml"] = "- debug: {msg: " + r + "}\n" + extra[r]
	}
	for _, r := range []string{"p", "d", "e", "i", "j", "y"} {
		files["roles/"+r+"/templates/"+r+".j2"] = e2eRoleMagicTemplate
		files["roles/"+r+"/tasks/main.yml"] = "- template: {src: " + r + ".j2, dest: \"{{ out }}/" + r +
			"{{ ansible_parent_role_names | default([]) | join('-') }}.txt\"}\n" + extra[r]
	}
	files["roles/d/templates/d.j2"] += "{% include 'd_extra.j2' %}\n"
	return parity.Repo{Name: "rolemagic", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"}, Files: files}
}

// TestE2ERoleNameMagicVariables: ansible_play_role_names, role_names,
// ansible_role_names, ansible_dependent_role_names,
// ansible_collection_name, ansible_parent_role_names and
// ansible_parent_role_paths render in play roles, dependency roles,
// imported and included roles (j from the play, from a dependency role and
// from a role p includes) as ansible-playbook renders them — 2.19 adds
// each included role to the play's roles as it runs, 2.14 does not —, and
// a dependency role's template finds what only its dependent role has, on
// both ansible-cores, in one ansible-playbook run each.
func TestE2ERoleNameMagicVariables(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eRoleMagicRepo(out)
		parity.WriteTree(t, root, repo.Files)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		p := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		h := p.Host("r1")
		if h == nil || len(h.Unsupported)+len(h.ViaAnsible) > 0 {
			t.Fatalf("%s: plan of r1: %+v", o.Full, h)
		}
		parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		deployed, err := filepath.Glob(filepath.Join(out, "*.txt"))
		if err != nil || len(deployed) != 8 {
			t.Fatalf("%s: ansible-playbook wrote %v (%v), want 8 files", o.Full, deployed, err)
		}
		var planned []string
		for _, f := range h.Files {
			planned = append(planned, f.Dest)
			if !slices.Contains(deployed, f.Dest) {
				t.Errorf("%s: straylight plans %s, which ansible-playbook did not write", o.Full, f.Dest)
				continue
			}
			want, err := os.ReadFile(f.Dest)
			if err != nil {
				t.Fatal(err)
			}
			if string(f.Content()) != string(want) {
				t.Errorf("%s: %s: straylight's render (-) and ansible-playbook's (+):\n%s", o.Full, filepath.Base(f.Dest), parity.LineDiff(string(f.Content()), string(want)))
			}
		}
		if slices.Sort(planned); !slices.Equal(planned, deployed) {
			t.Errorf("%s: straylight plans %v, ansible-playbook wrote %v; findings: %+v", o.Full, planned, deployed, p.Findings)
		}
	})
}
