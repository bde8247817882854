package moduleparity_test

import (
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eViaAnsibleCommandsPlaybook: a host Ansible runs for straylight (a
// get_url task straylight does not run) whose other tasks are a shell
// task, a copy and a file task.
const e2eViaAnsibleCommandsPlaybook = `- hosts: all
  gather_facts: false
  tasks:
    - name: Fetch
      get_url: {url: "file:///etc/hostname", dest: "{{ out }}/fetched"}
    - name: Note
      shell: echo noted > {{ out }}/noted
    - name: Copy
      copy: {content: "c\n", dest: "{{ out }}/copied"}
    - name: Dir
      file: {path: "{{ out }}/dir", state: directory}
`

// TestE2EViaAnsibleHostWithCommandTasks: when a host's playbook runs
// through ansible-playbook, straylight's check of what it left reads back
// only the files whose content the plan knows (before, it read a shell
// task's command line as a path and failed the apply), and the host ends
// as ansible-playbook leaves it, on both cores.
func TestE2EViaAnsibleHostWithCommandTasks(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("viaansible", "v1", out, map[string]string{"site.yml": e2eViaAnsibleCommandsPlaybook})
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "v1", func(h *fleetplan.HostPlan) bool {
			return len(h.Unsupported) == 1 && len(h.Files) == 3
		})
	})
}
