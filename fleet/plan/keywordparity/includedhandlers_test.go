package keywordparity_test

import (
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eIncludedHandlersFiles: a role included inside a block that sets an
// environment and ignore_errors, with include vars, whose first handler
// fails; a role imported with its own vars and environment. Each handler
// writes what it sees: the environment, the include's vars, its role's
// defaults.
var e2eIncludedHandlersFiles = map[string]string{
	"site.yml": `- hosts: all
  gather_facts: false
  tasks:
    - block:
        - include_role: {name: inc}
          vars: {from_include: incvar}
      environment: {FOO: fromblock}
      ignore_errors: true
    - import_role: {name: imp}
      vars: {from_include: impvar}
      environment: {FOO: imported}
`,
	"roles/inc/defaults/main.yml": "role_default: incdefault\n",
	"roles/inc/tasks/main.yml":    "- copy: {content: \"inc\\n\", dest: \"{{ out }}/inc-task\"}\n  notify: [inc fails, inc after]\n",
	"roles/inc/handlers/main.yml": `- name: inc fails
  shell: "echo $FOO {{ from_include }} {{ role_default }} > {{ out }}/inc-handler; exit 3"
- name: inc after
  shell: "echo after > {{ out }}/inc-after"
`,
	"roles/imp/defaults/main.yml": "role_default: impdefault\n",
	"roles/imp/tasks/main.yml":    "- copy: {content: \"imp\\n\", dest: \"{{ out }}/imp-task\"}\n  notify: imp handler\n",
	"roles/imp/handlers/main.yml": "- name: imp handler\n  shell: \"echo $FOO {{ from_include }} {{ role_default }} > {{ out }}/imp-handler\"\n",
}

// TestE2EIncludedRoleHandlersRunWhereTheyJoined: the handlers of a role
// include_role or import_role brings in run with what Ansible gives them
// as the include's children — the role's defaults, the include's vars, the
// environment and ignore_errors of the block around the include, an
// import's own environment — and straylight runs them itself. Before, such
// a handler saw the play's variables only (an undefined role default
// handed it to Ansible), and ran without the block's environment or the
// import's vars, and its failure failed the apply. Same files as
// ansible-playbook leaves, on both cores.
func TestE2EIncludedRoleHandlersRunWhereTheyJoined(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("includedhandlers", "i1", out, e2eIncludedHandlersFiles)
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "i1", func(h *fleetplan.HostPlan) bool {
			return len(h.Unsupported) == 0 && len(h.Handlers) == 3
		})
	})
}
