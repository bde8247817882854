package moduleparity_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eOneValueTemplates are whole templates whose output is one value, or
// nothing, or more than one node. ansible-core 2.19 writes a template
// whose only output is a value that is not a string as that value's str()
// without the trailing newline Jinja2 dropped and 2.14 restores, and a
// template that outputs nothing as an empty file; text beside the value,
// a second value, a string value or a second trailing newline keep 2.14's
// result.
var e2eOneValueTemplates = map[string]string{
	"bool":       "{{ true }}\n",
	"int":        "{{ port }}\n",
	"list":       "{{ [1, 2] }}\n",
	"dict":       "{{ {'a': 1} }}\n",
	"float":      "{{ 1.5 }}\n",
	"test":       "{{ missing is defined }}\n",
	"none":       "{{ none }}\n",
	"nothing":    "{% if false %}x{% endif %}\n",
	"loopone":    "{% for x in [7] %}{{ x }}{% endfor %}\n",
	"string":     "{{ 'text' }}\n",
	"twolines":   "{{ true }}\n\n",
	"withtext":   "port {{ port }}\n",
	"twovalues":  "{{ port }}{{ port }}\n",
	"nonebeside": "{{ none }}{{ port }}\n",
	"include":    "{% include 'bool.j2' %}\n",
	"import":     "{% import 'bool.j2' as m %}{{ port }}\n",
}

func e2eOneValueRepo(out string) parity.Repo {
	files := map[string]string{
		"ansible.cfg":   "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
		"inventory.yml": "all:\n  hosts:\n    v1: {ansible_connection: local, port: 8000}\n",
		"site.yml":      "- hosts: all\n  gather_facts: false\n  tasks:\n" + e2eOneValueTasks(out),
	}
	for name, body := range e2eOneValueTemplates {
		files["templates/"+name+".j2"] = body
	}
	return parity.Repo{Name: "onevalue", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"}, Files: files}
}

func e2eOneValueTasks(out string) string {
	names := make([]string, 0, len(e2eOneValueTemplates))
	for name := range e2eOneValueTemplates {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		b.WriteString("    - template: {src: " + name + ".j2, dest: \"" + out + "/" + name + "\"}\n")
	}
	return b.String()
}

// TestE2ETemplateOfOneValue: each template's planned bytes equal what the
// ansible-core that straylight follows writes, on both cores, and after
// Ansible's deploy straylight plans no change.
func TestE2ETemplateOfOneValue(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eOneValueRepo(out)
		parity.WriteTree(t, root, repo.Files)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("v1")
		if h == nil || len(h.Files) != len(e2eOneValueTemplates) || len(h.Unsupported)+len(h.ViaAnsible) > 0 {
			t.Fatalf("%s: plan of v1: %+v", o.Full, h)
		}
		parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		for _, f := range h.Files {
			deployed, err := os.ReadFile(f.Dest)
			if err != nil {
				t.Fatal(err)
			}
			if planned := string(f.Content()); planned != string(deployed) {
				t.Errorf("%s: %s: straylight planned %q, ansible-playbook wrote %q", o.Full, filepath.Base(f.Dest), planned, deployed)
			}
		}
		if after := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)); after.HasChanges() {
			t.Errorf("%s: after ansible-playbook: %s", o.Full, after.Summary.Line())
		}
	})
}
