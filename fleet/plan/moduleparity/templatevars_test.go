package moduleparity_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eTemplateVarsProbe prints the template module's own variables that
// stay the same from run to run; template_run_date (the time of the run)
// is only measured.
const e2eTemplateVarsProbe = `# {{ template_path | basename }}, written to {{ template_destpath }}
path={{ template_path }}
fullpath={{ template_fullpath }}
destpath={{ template_destpath }}
host={{ template_host }}
uid={{ template_uid }}
mtime={{ template_mtime }}
run_date={{ template_run_date | string | length }}
{% set template_path = 'set' %}{{ template_path }}
`

const e2eTemplateVarsPlaybook = `- hosts: all
  gather_facts: false
  vars: {template_host: not-this-one}
  tasks:
    - name: Relative src
      template: {src: probe.j2, dest: "{{ out }}/relative"}
    - name: Absolute src
      template: {src: "{{ playbook_dir }}/templates/probe.j2", dest: "{{ out }}/absolute"}
`

// TestE2ETemplateModuleVariables: a template reading template_path,
// template_fullpath, template_destpath, template_host, template_uid and
// template_mtime (its modification time set with microseconds to round)
// is planned with the bytes ansible-playbook writes, on both cores; the
// module's variables win over the play's.
func TestE2ETemplateModuleVariables(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.Repo{Name: "templatevars", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Files: map[string]string{
			"ansible.cfg":        "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":      "all:\n  hosts:\n    v1: {ansible_connection: local, ansible_python_interpreter: /usr/bin/python3, out: \"" + out + "\"}\n",
			"site.yml":           e2eTemplateVarsPlaybook,
			"templates/probe.j2": e2eTemplateVarsProbe,
		}}
		parity.WriteTree(t, root, repo.Files)
		mtime := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.Local)
		if err := os.Chtimes(filepath.Join(root, "templates/probe.j2"), mtime, mtime); err != nil || os.MkdirAll(out, 0o755) != nil {
			t.Fatal(err)
		}
		h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("v1")
		parity.RunPlaybookExiting(t, o, dir, root, repo, 0)
		if h == nil || len(h.Files) != 2 {
			t.Fatalf("%s: plan of v1: %+v", o.Full, h)
		}
		for _, f := range h.Files {
			written, err := os.ReadFile(f.Dest)
			if err != nil {
				t.Fatal(err)
			}
			if f.NewContent != string(written) {
				t.Errorf("%s: %s: straylight plans\n%s\nansible-playbook wrote\n%s", o.Full, f.Task, f.NewContent, written)
			}
		}
	})
}
