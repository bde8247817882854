package moduleparity_test

import (
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eFailedWhenPlaybook: probes as real roles write them — a command
// that fails, a missing program and a shell exit, each with failed_when
// false; a task on the probe's result; handlers that fail with failed_when
// false and with ignore_errors, and a last handler that shows the run went
// on.
const e2eFailedWhenPlaybook = `- hosts: all
  gather_facts: false
  tasks:
    - name: Probe the driver
      command: /bin/false
      register: probe
      changed_when: false
      failed_when: false
    - name: Probe a missing tool
      command: /nonexistent/straylight-tool --version
      failed_when: "False"
    - name: Shell exit
      shell: exit 3
      failed_when: no
    - name: After the probes
      copy: {content: "went on\n", dest: "{{ out }}/after"}
    - name: On the probe's success
      copy: {content: "succeeded\n", dest: "{{ out }}/succeeded"}
      when: probe is succeeded
    - name: Trigger
      copy: {content: "x\n", dest: "{{ out }}/trigger"}
      notify: [Failing probe handler, Ignored handler, Last handler]
  handlers:
    - name: Failing probe handler
      command: /bin/false
      failed_when: false
    - name: Ignored handler
      shell: exit 4
      ignore_errors: true
    - name: Last handler
      command: touch {{ out }}/handled
`

// TestE2EConstantFailedWhenFalseIsPlanned: a command or shell task (or
// handler) whose failed_when is the constant false is planned and applied
// by straylight, not handed to Ansible (before, the keyword handed the
// whole host over), and an ignore_errors handler that fails does not fail
// the apply (before, it did); the files left are ansible-playbook's, on
// both cores.
func TestE2EConstantFailedWhenFalseIsPlanned(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("failedwhen", "f1", out, map[string]string{"site.yml": e2eFailedWhenPlaybook})
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "f1", func(h *fleetplan.HostPlan) bool {
			return len(h.Unsupported) == 0 && len(h.Handlers) == 3 && len(h.Files) == 6
		})
		if got := parity.FilesIn(t, out); !strings.Contains(got, "handled") || !strings.Contains(got, "succeeded") {
			t.Errorf("%s: after straylight --apply:\n%s", o.Full, got)
		}
	})
}
