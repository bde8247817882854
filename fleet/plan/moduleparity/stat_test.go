package moduleparity_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eStatPlaybook: stat as roles use it, to decide later tasks: a path
// that is missing, one an earlier task creates, one the host holds (the
// playbook itself, with aliases and the arguments that only add to the
// result), a folder the run removes, a folder the host holds and a link
// the run makes; tasks on whether each exists and what it is (isdir,
// isreg, islnk), in when's forms the corpus writes (a list, not,
// | default(false), and).
const e2eStatPlaybook = `- hosts: all
  gather_facts: false
  tasks:
    - name: Is it there
      stat: {path: "{{ out }}/missing"}
      register: missing
    - name: Make it
      copy: {content: "made\n", dest: "{{ out }}/made"}
      when: not missing.stat.exists
    - ansible.builtin.stat:
        dest: "{{ out }}/made"
        get_checksum: false
        get_mime: no
        checksum_algorithm: sha256
      register: made
    - copy: {content: "saw it made\n", dest: "{{ out }}/seen-made"}
      when:
        - made.stat.exists
        - made is not skipped
    - stat: {name: "{{ playbook_dir }}/site.yml", follow: true, get_attributes: false}
      register: site
    - copy: {content: "site there\n", dest: "{{ out }}/site-there"}
      when: site.stat.exists | default(false)
    - copy: {content: "never\n", dest: "{{ out }}/never"}
      when: not site.stat.exists
    - file: {path: "{{ out }}/gone", state: absent}
    - stat: {path: "{{ out }}/gone"}
      register: gone
    - copy: {content: "gone\n", dest: "{{ out }}/was-gone"}
      when: not (gone.stat.exists | default(false))
    - stat: {path: "{{ out }}"}
      register: folder
    - copy: {content: "a folder\n", dest: "{{ out }}/is-dir"}
      when: folder.stat.isdir and not folder.stat.islnk
    - file: {path: "{{ out }}/ln", src: "{{ out }}/made", state: link}
    - stat: {path: "{{ out }}/ln"}
      register: ln
    - copy: {content: "a link\n", dest: "{{ out }}/is-link"}
      when: ln.stat.islnk
    - copy: {content: "a file\n", dest: "{{ out }}/is-reg"}
      when: made.stat.isreg
    - copy: {content: "never\n", dest: "{{ out }}/never-dir"}
      when: missing.stat.exists and missing.stat.isdir
`

// TestE2EStatDecidesLaterTasks: a stat task is planned by straylight:
// it reads what is at the path (or what an earlier task of the plan
// leaves there), and later tasks' conditions on it are settled from
// that. Before, a stat handed the whole host to Ansible. The files left
// are ansible-playbook's, on both cores.
func TestE2EStatDecidesLaterTasks(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("stat", "s1", out, map[string]string{"site.yml": e2eStatPlaybook})
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "s1", func(h *fleetplan.HostPlan) bool {
			var found []string
			for _, f := range h.Files {
				if f.Stat != nil {
					found = append(found, f.Stat.Kind)
				}
			}
			return len(h.Unsupported) == 0 && len(h.ViaAnsible) == 0 && len(h.Files) == 15 &&
				strings.Join(found, " ") == "absent file file absent directory link"
		})
	})
}

// TestStatTheModuleFails: a stat whose path runs through a file fails in
// the module ("Not a directory"), and a task on it cannot run: both are
// listed, and the host goes to Ansible, with the module's words.
func TestStatTheModuleFails(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	repo := parity.LocalRepo("statfails", "s2", out, map[string]string{"site.yml": `- hosts: all
  gather_facts: false
  tasks:
    - copy: {content: "a file\n", dest: "{{ out }}/file"}
    - name: Through a file
      stat: {path: "{{ out }}/file/below"}
      register: below
    - name: On it
      copy: {content: "x\n", dest: "{{ out }}/x"}
      when: below.stat.exists
`})
	h := planWith(t, root, out, repo, "s2", "file")
	reasons := map[string]string{}
	for _, u := range h.Unsupported {
		reasons[u.Task] = u.Reason
	}
	if reasons["Through a file"] != "stat would fail: Not a directory" ||
		reasons["On it"] != `its condition reads what the path of "below" is, and that stat did not run` {
		t.Errorf("unsupported: %+v", h.Unsupported)
	}
}

// TestStatAfterACommandIsAnsibles: a command that runs before a stat may
// create the path (an installer), so the stat's answer now is not the
// one the run will get: the stat goes to Ansible, and so does one after
// a flush point whose handlers run. A command its creates skips changes
// nothing, and the stat after it is planned.
func TestStatAfterACommandIsAnsibles(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	repo := parity.LocalRepo("statcommand", "s3", out, map[string]string{"site.yml": `- hosts: all
  gather_facts: false
  tasks:
    - name: Installed already
      command: touch {{ out }}/done
      args: {creates: "{{ out }}/done"}
    - name: After the skipped one
      stat: {path: "{{ out }}/tool"}
    - name: Installer
      command: touch {{ out }}/tool
    - name: After the installer
      stat: {path: "{{ out }}/tool"}
`})
	h := planWith(t, root, out, repo, "s3", "done")
	if len(h.Unsupported) != 1 || h.Unsupported[0].Task != "After the installer" ||
		!strings.Contains(h.Unsupported[0].Reason, "an earlier task (Installer) runs a command") {
		t.Errorf("unsupported: %+v", h.Unsupported)
	}
	repo.Files["site.yml"] = `- hosts: all
  gather_facts: false
  pre_tasks:
    - name: Config
      copy: {content: "x\n", dest: "{{ out }}/conf"}
      notify: Install
  tasks:
    - name: After the handler
      stat: {path: "{{ out }}/tool"}
  handlers:
    - name: Install
      command: touch {{ out }}/tool
`
	h = planWith(t, root, out, repo, "s3")
	if len(h.Unsupported) != 1 || !strings.Contains(h.Unsupported[0].Reason, "an earlier task (Config) runs a command or notifies handlers that run first") {
		t.Errorf("after a flush's handlers: unsupported %+v", h.Unsupported)
	}
}

// TestStatFieldsStraylightDoesNotKnow: a condition reading a field of a
// stat's result straylight does not read (mode) is Ansible's where the
// path exists; where it is missing, the condition does not get that far
// (exists and ...), and the task is skipped natively.
func TestStatFieldsStraylightDoesNotKnow(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	repo := parity.LocalRepo("statfields", "s4", out, map[string]string{"site.yml": `- hosts: all
  gather_facts: false
  tasks:
    - stat: {path: "{{ out }}/there"}
      register: there
    - name: On its mode
      copy: {content: "x\n", dest: "{{ out }}/x"}
      when: there.stat.exists and there.stat.mode == '0600'
    - stat: {path: "{{ out }}/missing"}
      register: missing
    - name: On a missing one's mode
      copy: {content: "y\n", dest: "{{ out }}/y"}
      when: missing.stat.exists and missing.stat.mode == '0600'
`})
	h := planWith(t, root, out, repo, "s4", "there")
	if len(h.Unsupported) != 1 || h.Unsupported[0].Task != "On its mode" ||
		!strings.Contains(h.Unsupported[0].Reason, `its condition reads "there", the result of "stat", which only Ansible knows (`+out+`/there: exists: file)`) {
		t.Errorf("unsupported: %+v", h.Unsupported)
	}
	for _, f := range h.Files {
		if f.Task == "On a missing one's mode" {
			t.Errorf("planned: %+v", f)
		}
	}
}

// planWith writes repo under root and an empty file under out for each
// name in present, and returns straylight's plan of host.
func planWith(t *testing.T, root, out string, repo parity.Repo, host string, present ...string) *fleetplan.HostPlan {
	t.Helper()
	parity.WriteTree(t, root, repo.Files)
	for _, name := range present {
		if err := os.WriteFile(filepath.Join(out, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return parity.Plan(t, parity.OpenCore(t, root, "", "")).Host(host)
}
