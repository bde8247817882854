package ansible

import (
	"strings"
	"testing"
)

const magicOptionsPlay = `- hosts: all
  gather_facts: false
  tasks:
    - name: Version
      copy: {content: "{{ ansible_version.full }}", dest: /o/version}
    - name: Python
      copy: {content: "{{ ansible_playbook_python }}", dest: /o/python}
    - name: Sources
      copy: {content: "{{ ansible_inventory_sources | map('basename') | join(',') }} {{ ansible_forks }} {{ ansible_limit | default('none') }}", dest: /o/sources}
`

// TestOptionMagicStraylightCannotKnow: ansible_version without a full
// release (straylight.yml's "2.19") and ansible_playbook_python hand their
// task over with the reason; the rest render.
func TestOptionMagicStraylightCannotKnow(t *testing.T) {
	for _, c := range []struct{ configured, wantVersion string }{{"2.19", ""}, {"2.14.18", "2.14.18"}} {
		files := map[string]string{"straylight.yml": "ansible_core_version: \"" + c.configured + "\"\n", "ansible.cfg": "[defaults]\nforks = 3\n"}
		r := tlRepo(t, magicOptionsPlay, files, Options{Limit: "h1"})
		w, err := r.RenderHost("h1", false)
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[string]string{}
		for _, u := range w.Unsupported {
			reasons[u.Task] = u.Reason
		}
		if !strings.Contains(reasons["Python"], "ansible_playbook_python (the Python ansible-playbook runs on) is not supported by straylight") {
			t.Errorf("%s: Python: %q", c.configured, reasons["Python"])
		}
		contents := map[string]string{}
		for _, f := range w.Files {
			contents[f.Dest] = string(f.Content)
		}
		if got := contents["/o/sources"]; got != "hosts.yml 3 h1" {
			t.Errorf("%s: sources: %q", c.configured, got)
		}
		if c.wantVersion == "" && !strings.Contains(reasons["Version"], "ansible_version is not supported by straylight without the full ansible-core release (it follows 2.19)") {
			t.Errorf("%s: Version: %q", c.configured, reasons["Version"])
		}
		if c.wantVersion != "" && contents["/o/version"] != c.wantVersion {
			t.Errorf("%s: version %q, reasons %v", c.configured, contents["/o/version"], reasons)
		}
	}
}

// TestCollectorsFor: gather_subset as get_collector_names and _solve_deps
// read it, for the collectors of the facts straylight gathers.
func TestCollectorsFor(t *testing.T) {
	mine := []string{"platform", "distribution", "hardware", "network", "user", "env"}
	for _, c := range []struct {
		subset []string
		want   string // of mine, selected
	}{
		{[]string{"all"}, "platform distribution hardware network user env"},
		{[]string{"!all"}, "platform distribution user env"},
		{[]string{"!all", "!min"}, ""},
		{[]string{"!all", "!min", "network"}, "platform distribution network"},
		{[]string{"!all", "!min", "processor"}, "platform hardware"},
		{[]string{"!hardware"}, "platform distribution user env"}, // min is added, all is not: checked with 2.14 and 2.19
		{[]string{"!all", "!platform", "hardware"}, "platform distribution hardware user env"},
		{[]string{"!min", "!user"}, ""},
		{[]string{"min", "!facter"}, "platform distribution user env"},
	} {
		got, err := collectorsFor(c.subset)
		if err != nil {
			t.Fatalf("%v: %v", c.subset, err)
		}
		var selected []string
		for _, m := range mine {
			if got[m] {
				selected = append(selected, m)
			}
		}
		if s := strings.Join(selected, " "); s != c.want {
			t.Errorf("%v: %q, want %q", c.subset, s, c.want)
		}
	}
	if _, err := collectorsFor([]string{"nosuch"}); err == nil {
		t.Error("an unknown subset was accepted")
	}
}

// TestFiltersMatch: setup's filter, fnmatch patterns with the ansible_
// prefix tried when a pattern lacks it.
func TestFiltersMatch(t *testing.T) {
	for _, c := range []struct {
		filters []string
		name    string
		want    bool
	}{
		{nil, "ansible_hostname", true},
		{[]string{""}, "ansible_hostname", true},
		{[]string{"ansible_dist*"}, "ansible_distribution", true},
		{[]string{"ansible_dist*"}, "ansible_hostname", false},
		{[]string{"os_family"}, "ansible_os_family", true},
		{[]string{"*_mb"}, "ansible_memtotal_mb", true},
		{[]string{"ansible_processor_[!c]*"}, "ansible_processor_cores", false},
		{[]string{"ansible_processor_[!c]*"}, "ansible_processor_vcpus", true},
		{[]string{"ansible_h?stname"}, "ansible_hostname", true},
		{[]string{"[abc"}, "ansible_hostname", false},
	} {
		if got := filtersMatch(c.filters, c.name); got != c.want {
			t.Errorf("%q on %s: %v", c.filters, c.name, got)
		}
	}
}

const roleNamesPlay = `- hosts: h1
  gather_facts: false
  roles: [a]
  tasks:
    - import_tasks: more.yml
    - include_role: {name: c, public: "{{ is_public }}"}
    - name: After
      copy: {content: "{{ role_names | join(',') }} {{ ansible_role_names | join(',') }}", dest: /o/after}
- hosts: h1
  gather_facts: false
  tasks:
    - include_tasks: "{{ which }}.yml"
    - name: Unknown
      copy: {content: "{{ role_names }}", dest: /o/unknown}
`

// TestRoleNameMagicStraylightCannotKnow: role_uuid, and the role names of a
// play that includes a file named by a template (a role it imports would
// join the play), hand their task over with the reason; a role imported
// from an imported file joins the play's roles, one include_role brings in
// only with public: true before ansible-core 2.17, always since.
func TestRoleNameMagicStraylightCannotKnow(t *testing.T) {
	for _, c := range []struct{ core, public, want string }{
		{"2.14.18", "false", "a,b a,b,d"}, {"2.14.18", "true", "a,b,c a,b,c,d"}, {"2.19.4", "false", "a,b,c a,b,c,d"}} {
		files := map[string]string{"straylight.yml": "ansible_core_version: \"" + c.core + "\"\n",
			"playbooks/more.yml": "- import_role: {name: b}\n", "playbooks/x.yml": "- debug: {msg: x}\n",
			"playbooks/roles/a/meta/main.yml": "dependencies: [d]\n", "playbooks/roles/d/tasks/main.yml": "- debug: {msg: d}\n",
			"playbooks/roles/a/tasks/main.yml": "- name: Uuid\n  copy: {content: \"{{ role_uuid }}\", dest: /o/uuid}\n",
			"playbooks/roles/b/tasks/main.yml": "- debug: {msg: b}\n", "playbooks/roles/c/tasks/main.yml": "- debug: {msg: c}\n"}
		r := tlRepo(t, roleNamesPlay, files, Options{ExtraVars: []string{"which=x", "is_public=" + c.public}})
		w, err := r.RenderHost("h1", false)
		if err != nil {
			t.Fatal(err)
		}
		reasons, contents := map[string]string{}, map[string]string{}
		for _, u := range w.Unsupported {
			reasons[u.Task] = u.Reason
		}
		for _, f := range w.Files {
			contents[f.Dest] = string(f.Content)
		}
		if !strings.Contains(reasons["a : Uuid"], "role_uuid (the identifier Ansible draws for a role in each run) is not supported by straylight") {
			t.Errorf("%s: Uuid: %q", c.core, reasons["a : Uuid"])
		}
		if !strings.Contains(reasons["Unknown"], `is not supported by straylight where include_tasks (playbooks/site.yml:12) brings in tasks from "{{ which }}.yml"`) {
			t.Errorf("%s: Unknown: %q", c.core, reasons["Unknown"])
		}
		if got := contents["/o/after"]; got != c.want {
			t.Errorf("%s public %s: after: %q, want %q (reasons %v)", c.core, c.public, got, c.want, reasons)
		}
	}
}
