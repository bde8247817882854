package moduleparity_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible/delegate"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eCheckModeSkipPlaybook: tasks and a handler straylight hands to
// Ansible (a command argument with $, raw). ansible-playbook --check
// skips them for being in check mode, a real run runs them; what a real
// run does not run (creates met: ok; a false condition, which straylight
// decides itself) is not run.
const e2eCheckModeSkipPlaybook = `- hosts: all
  gather_facts: false
  tasks:
    - name: Dollar
      command: sh -c 'echo "$0" > {{ out }}/dollar' ran
    - name: Raw
      raw: echo raw > {{ out }}/raw
    - name: Never
      command: sh -c 'echo "$0" > {{ out }}/never' ran
      when: false
    - name: Created already
      command: sh -c 'echo "$0" > {{ out }}/created' ran
      args: {creates: "{{ out }}/present"}
    - name: Trigger
      copy: {content: "x\n", dest: "{{ out }}/trigger"}
      notify: Dollar handler
  handlers:
    - name: Dollar handler
      command: sh -c 'echo "$0" > {{ out }}/handler' ran
`

// TestE2ECheckModeSkipsRunOnApply: the plan reports each task Ansible's
// check run skipped for check mode as unknown until --apply runs it (it
// was "skipped", and --apply never ran it); after ansible-playbook and after straylight
// --apply from the same start, the files are the same.
func TestE2ECheckModeSkipsRunOnApply(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.Repo{Name: "checkmodeskip", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Files: map[string]string{
			"ansible.cfg":   "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml": "all:\n  hosts:\n    s1: {ansible_connection: local, ansible_python_interpreter: /usr/bin/python3, out: \"" + out + "\"}\n",
			"site.yml":      e2eCheckModeSkipPlaybook,
		}}
		parity.WriteTree(t, root, repo.Files)
		reset := func() {
			if err := os.RemoveAll(out); err != nil {
				t.Fatal(err)
			}
			parity.WriteTree(t, out, map[string]string{"present": ""})
		}
		reset()
		if bin == "" {
			return
		}
		h := e2eCheckJSON(t, bin, root, o).Host("s1")
		want := map[string]delegate.Status{"Dollar": delegate.Unknown, "Raw": delegate.Unknown, "Dollar handler": delegate.Unknown,
			"Created already": delegate.OK, "Never": ""} // a false when: straylight skips it itself
		got := map[string]delegate.Status{}
		for _, d := range h.ViaAnsible {
			got[d.Task] = d.Status
		}
		for task, status := range want {
			if got[task] != status {
				t.Errorf("%s: %q via ansible: %q, want %q (all: %+v)", o.Full, task, got[task], status, h.ViaAnsible)
			}
		}
		parity.SameAfterRuns(t, o, bin, dir, root, repo, reset, func() string { return parity.FilesIn(t, out) })
	})
}

// e2eCheckJSON is straylight --check --json's plan, the oracle's
// ansible-playbook first on PATH (the tasks straylight hands over are
// planned through it).
func e2eCheckJSON(t *testing.T, bin, root string, o parity.Oracle) *fleetplan.Plan {
	t.Helper()
	cmd := exec.Command(bin, "-C", root, "--check", "--json")
	cmd.Env = append(os.Environ(), "PATH="+o.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.Output()
	if parity.ExitCode(err) != 2 {
		t.Fatalf("straylight --check --json: %v\n%s", err, out)
	}
	var p fleetplan.Plan
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}
