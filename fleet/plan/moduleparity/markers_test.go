package moduleparity_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eMarkerFiles are template tasks with the template module's
// variable_start_string, variable_end_string, block_start_string,
// block_end_string, comment_start_string and comment_end_string: with all
// six, with the variable markers alone (Jinja2's blocks and comments still
// work), one whose file has only Jinja2's markers (text then: ansible-core
// 2.19 writes it untemplated), one that includes a template (read with the
// same markers), and one whose dest already holds its output (ok, not
// changed).
var e2eMarkerFiles = map[string]string{
	"ansible.cfg":   "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
	"inventory.yml": "all:\n  hosts:\n    m1: {ansible_connection: local, port: 8000, models: [qwen, llama]}\n",
	"site.yml": "- hosts: all\n  gather_facts: false\n  vars:\n    all_markers: {variable_start_string: '[[', variable_end_string: ']]', block_start_string: '[%', block_end_string: '%]', comment_start_string: '[#', comment_end_string: '#]'}\n  tasks:\n" +
		"    - name: all markers\n      template: {src: all.j2, dest: \"{{ out }}/all.sh\", variable_start_string: '[[', variable_end_string: ']]', block_start_string: '[%', block_end_string: '%]', comment_start_string: '[#', comment_end_string: '#]'}\n" +
		"    - name: variable markers\n      template: {src: vars.j2, dest: \"{{ out }}/vars.sh\", variable_start_string: '${', variable_end_string: '}'}\n" +
		"    - name: plain\n      template: {src: plain.j2, dest: \"{{ out }}/plain.txt\", variable_start_string: '<<', variable_end_string: '>>'}\n" +
		"    - name: include\n      template: {src: including.j2, dest: \"{{ out }}/including.txt\", block_start_string: '<%', block_end_string: '%>'}\n" +
		"    - name: unchanged\n      template: {src: same.j2, dest: \"{{ out }}/same.txt\", variable_start_string: '[[', variable_end_string: ']]'}\n",
	"templates/all.j2": "#!/bin/sh\n[# a comment: [[ port ]] #]\n# {{ shell_var }} and {% raw %} stay as written {# too #}\n" +
		"[% for m in models %]\nserve [[ m ]] --port [[ port + loop.index ]] &\n[% endfor %]\n[% raw %]echo [[ raw ]][% endraw %]\n" +
		"echo \"${HOME}\" [[ '{{' ~ ']]' ]]\n",
	"templates/vars.j2":      "PORT=${ port } # {{ port }} stays\n{% if port > 1 %}\nBIG=${ models | join(',') }{# dropped #}\n{% endif %}\n",
	"templates/plain.j2":     "{{ port }} and }} are text here\n\n",
	"templates/including.j2": "<% include 'part.j2' %>{% not a block %}\n",
	"templates/part.j2":      "part {{ port }} <% if port %>yes<% endif %>\n",
	"templates/same.j2":      "static [[ 'text' ]] {{ kept }}\n",
}

func e2eMarkerRepo(out string) parity.Repo {
	files := map[string]string{"group_vars/all.yml": "out: " + out + "\n"}
	for name, content := range e2eMarkerFiles {
		files[name] = content
	}
	return parity.Repo{Name: "markers", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"}, Files: files}
}

// TestE2ETemplateMarkers: template tasks with custom markers are planned
// natively, to the bytes ansible-playbook writes on both cores, changed
// and ok as Ansible reports them, and `straylight --check` is clean after
// Ansible's deploy.
func TestE2ETemplateMarkers(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eMarkerRepo(out)
		parity.WriteTree(t, root, repo.Files)
		parity.WriteTree(t, out, map[string]string{"same.txt": "static text {{ kept }}\n"})
		before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		h := before.Host("m1")
		if h == nil || len(h.Files) != 5 || len(h.Unsupported)+len(h.ViaAnsible) > 0 {
			t.Fatalf("%s: plan of m1: %+v", o.Full, h)
		}
		log := parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		parity.CompareStatus(t, before, parity.TaskStatus(log))
		for _, f := range h.Files {
			deployed, err := os.ReadFile(f.Dest)
			if err != nil {
				t.Fatal(err)
			}
			if planned := string(f.Content()); planned != string(deployed) {
				t.Errorf("%s: %s: straylight's render (-) and ansible-playbook's (+):\n%s", o.Full, filepath.Base(f.Dest), parity.LineDiff(planned, string(deployed)))
			}
		}
		parity.CheckCLIClean(t, bin, root, o)
	})
}
