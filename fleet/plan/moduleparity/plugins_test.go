package moduleparity_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2ePluginFiles are a repository's own filter and test plugins in the
// three places straylight reads them from (fleet/ansible/plugins.go):
// filter_plugins/ beside the playbook, a role's filter_plugins/, and
// ansible.cfg's test_plugins path; each template uses one.
var e2ePluginFiles = map[string]string{
	"ansible.cfg":   "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\ntest_plugins = plugins/tests\n",
	"inventory.yml": "all:\n  hosts:\n    m1: {ansible_connection: local}\n",
	"site.yml": "- hosts: all\n  gather_facts: false\n  roles: [web]\n  tasks:\n" +
		"    - {name: beside the playbook, template: {src: a.j2, dest: \"{{ out }}/a.txt\"}}\n" +
		"    - {name: on the configured path, template: {src: b.j2, dest: \"{{ out }}/b.txt\"}}\n" +
		"    - {name: in the role, template: {src: d.j2, dest: \"{{ out }}/d.txt\"}}\n",
	"templates/a.j2":                     "{{ 'x' | shout_twice }}\n",
	"templates/b.j2":                     "loud: {{ 'x' is loud }}\n",
	"templates/d.j2":                     "{{ 'X' | murmur }}\n",
	"filter_plugins/shout.py":            "def shout(s):\n    return s.upper() + '!'\n\n\nclass FilterModule(object):\n    def filters(self):\n        return {\n            'shout': shout,\n            \"shout_twice\": lambda s: shout(shout(s)),\n        }\n",
	"plugins/tests/loud.py":              "class TestModule:\n    def tests(self):\n        return {'loud': lambda s: s == s.lower()}\n",
	"roles/web/tasks/main.yml":           "- debug: msg=hi\n",
	"roles/web/filter_plugins/murmur.py": "class FilterModule:\n    def filters(self):\n        return {'murmur': str.lower}\n",
}

// TestE2ERepositoryPlugins: ansible-playbook on both cores loads the
// repository's plugins from each place straylight reads them from
// (the files it writes hold the plugins' results), and straylight lists
// each task using one as not supported, naming the plugin's file.
func TestE2ERepositoryPlugins(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		files := map[string]string{"group_vars/all.yml": "out: " + out + "\n"}
		for name, content := range e2ePluginFiles {
			files[name] = content
		}
		repo := parity.Repo{Name: "plugins", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Files: files}
		parity.WriteTree(t, root, repo.Files)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		w, err := parity.OpenCore(t, root, "", o.Version).RenderHost("m1", false)
		if err != nil {
			t.Fatalf("%s: %v", o.Full, err)
		}
		reasons := ""
		for _, u := range w.Unsupported {
			reasons += u.Reason + "\n"
		}
		for _, file := range []string{"filter_plugins/shout.py", "plugins/tests/loud.py", "roles/web/filter_plugins/murmur.py"} {
			if !strings.Contains(reasons, "plugin in "+file+"; straylight runs no Python") {
				t.Errorf("%s: no task listed for %s:\n%s", o.Full, file, reasons)
			}
		}
		parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		for name, want := range map[string]string{"a.txt": "X!!\n", "b.txt": "loud: True\n", "d.txt": "x\n"} {
			got, err := os.ReadFile(filepath.Join(out, name))
			if err != nil || string(got) != want {
				t.Errorf("%s wrote %s: %q (%v), want %q", o.Full, name, got, err, want)
			}
		}
	})
}
