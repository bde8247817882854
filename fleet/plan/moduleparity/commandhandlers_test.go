package moduleparity_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eCommandHandlersPlaybook: command and shell handlers as real roles
// write them — a `>` that command passes as an argument, not a redirect;
// argv; chdir; creates met and not met; a shell line with a redirect.
const e2eCommandHandlersPlaybook = `- hosts: all
  gather_facts: false
  tasks:
    - name: Trigger
      copy: {content: "x\n", dest: "{{ out }}/trigger"}
      notify: [Not a redirect, Argv, Chdir, Creates met, Creates not met, Shell redirect]
  handlers:
    - name: Not a redirect
      command: printf '%s\n' > {{ out }}/redirected
    - name: Argv
      command:
        argv: [touch, "{{ out }}/argv made"]
    - name: Chdir
      command: touch chdir-made
      args: {chdir: "{{ out }}"}
    - name: Creates met
      command: touch {{ out }}/not-made
      args: {creates: "{{ out }}/trigger"}
    - name: Creates not met
      command: touch {{ out }}/made
      args: {creates: "{{ out }}/absent"}
    - name: Shell redirect
      shell: echo shell > {{ out }}/shell
`

// TestE2ECommandHandlersRunAsTheModule: straylight runs each command and
// shell handler itself, as the module runs it (before, a command
// handler's line went to sh, its chdir and creates were ignored and an
// argv handler was handed over), and leaves the files ansible-playbook
// leaves, on both cores.
func TestE2ECommandHandlersRunAsTheModule(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("commandhandlers", "c1", out, map[string]string{"site.yml": e2eCommandHandlersPlaybook})
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "c1", func(h *fleetplan.HostPlan) bool {
			return len(h.Unsupported) == 0 && len(h.Handlers) == 6
		})
		if _, err := os.Stat(filepath.Join(root, "chdir-made")); err == nil || strings.Contains(parity.FilesIn(t, out), "redirected") {
			t.Errorf("%s: a handler wrote outside its chdir, or command redirected", o.Full)
		}
	})
}
