package ansible

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const shoutPlugin = `# filter_plugins/shout.py
def shout(s):
    return s.upper() + '!'


class FilterModule(object):
    """Filters of this repository."""

    def filters(self):
        # the names templates use
        return {
            'shout': shout,
            "shout_twice": lambda s: shout(shout(s)),
        }

    def helper(self):
        return {'not_a_filter': 1}
`

// A filter or test the repository defines in Python (beside the
// playbook, in a role, on ansible.cfg's path) makes its task one
// straylight lists as not supported, naming the file; a name no plugin
// defines (or one a plugin builds some other way than a dict literal)
// stays the template's error.
func TestRepositoryPluginsAreListedNotSupported(t *testing.T) {
	w, err := renderPluginRepo(t, "a.j2", "b.j2", "d.j2")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a.j2": `filter "shout_twice" is not supported by straylight's renderer (the repository's own filter plugin in filter_plugins/shout.py; straylight runs no Python)`,
		"b.j2": `test "loud" is not supported by straylight's renderer (the repository's own test plugin in plugins/tests/loud.py; straylight runs no Python)`,
		"d.j2": `filter "murmur" is not supported by straylight's renderer (the repository's own filter plugin in roles/web/filter_plugins/murmur_too.py; straylight runs no Python)`,
	}
	for _, u := range w.Unsupported {
		for src, reason := range want {
			if strings.Contains(u.Reason, reason) {
				delete(want, src)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("not listed as not supported: %v\nunsupported: %+v", want, w.Unsupported)
	}
	if _, err := renderPluginRepo(t, "c.j2"); err == nil || !strings.Contains(err.Error(), "c.j2:1: No filter named 'whisper'.") {
		t.Errorf("whisper, built by dict() and so not read, should stay an unknown name: %v", err)
	}
}

// renderPluginRepo renders host box of a repository with filter and test
// plugins, whose play templates the given files.
func renderPluginRepo(t *testing.T, templates ...string) (*HostTasks, error) {
	t.Helper()
	dir := t.TempDir()
	site := "- hosts: all\n  roles: [web]\n  tasks:\n"
	for _, name := range templates {
		site += "    - template: {src: " + name + ", dest: /tmp/" + name + "}\n"
	}
	files := map[string]string{
		"ansible.cfg":                            "[defaults]\ntest_plugins = plugins/tests\n",
		"hosts.yml":                              "all:\n  hosts:\n    box:\n      ansible_connection: local\n",
		"site.yml":                               site,
		"a.j2":                                   "{{ 'x' | shout_twice }}\n",
		"b.j2":                                   "{{ 'x' is loud }}\n",
		"c.j2":                                   "{{ 'x' | whisper }}\n",
		"d.j2":                                   "{{ 'x' | murmur }}\n",
		"filter_plugins/shout.py":                shoutPlugin,
		"plugins/tests/loud.py":                  "class TestModule:\n    def tests(self):\n        return {'loud': lambda s: True}\n",
		"roles/web/tasks/main.yml":               "- debug: msg=hi\n",
		"roles/web/filter_plugins/whisper.py":    "class FilterModule:\n    def filters(self):\n        return dict(whisper=str.lower)\n",
		"roles/web/filter_plugins/murmur_too.py": "class FilterModule:\n    def filters(self):\n        return {'murmur': str.lower}\n",
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("ANSIBLE_CONFIG", "")
	r, err := Open(Options{Repo: dir, Inventory: filepath.Join(dir, "hosts.yml")})
	if err != nil {
		t.Fatal(err)
	}
	return r.RenderHost("box", false)
}

// pluginNames reads the quoted keys of the filters() or tests() method's
// body, and nothing of another method.
func TestPluginNames(t *testing.T) {
	if got := pluginNames(shoutPlugin, "filters"); !slices.Equal(got, []string{"shout", "shout_twice"}) {
		t.Errorf("filters: %q", got)
	}
	if got := pluginNames(shoutPlugin, "tests"); got != nil {
		t.Errorf("tests: %q", got)
	}
}
