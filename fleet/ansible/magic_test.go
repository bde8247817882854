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
