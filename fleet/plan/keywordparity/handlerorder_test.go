package keywordparity_test

import (
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eHandlerOrderFiles: roles imported from a play role's tasks, from
// pre_tasks, tasks and post_tasks, from an included task file, and one
// included; each role's handler and the play's own append their name to
// one file, all notified by the last task.
func e2eHandlerOrderFiles() map[string]string {
	files := map[string]string{
		"site.yml": `- hosts: all
  gather_facts: false
  roles: [pr]
  post_tasks:
    - import_role: {name: c}
    - copy: {content: "x\n", dest: "{{ out }}/trigger"}
      notify: [c h, inc h, e h, b h, a h, d h, pr h, own h]
  tasks:
    - import_role: {name: b}
    - include_tasks: more.yml
    - include_role: {name: inc}
  pre_tasks:
    - import_role: {name: a}
  handlers:
    - name: own h
      shell: echo own >> {{ out }}/order
`,
		"more.yml":                "- import_role: {name: e}\n",
		"roles/pr/tasks/main.yml": "- import_role: {name: d}\n",
	}
	for _, r := range []string{"pr", "a", "b", "c", "d", "e", "inc"} {
		files["roles/"+r+"/handlers/main.yml"] = "- name: " + r + " h\n  shell: echo " + r + " >> {{ out }}/order\n"
		if r != "pr" {
			files["roles/"+r+"/tasks/main.yml"] = "- debug: {msg: " + r + "}\n"
		}
	}
	return files
}

// TestE2EHandlersRunInTheOrderAnsiblesPlayListsThem: notified handlers
// run in the order of the play's handler list, which Ansible builds as it
// loads the play — its roles', its own, then imported roles' in load
// order (roles, pre_tasks, post_tasks, tasks), then those an include
// brings in as it runs. Before, straylight ran imported and included
// roles' handlers before the play's own, in walk order. Same order as
// ansible-playbook's, on both cores.
func TestE2EHandlersRunInTheOrderAnsiblesPlayListsThem(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("handlerorder", "o1", out, e2eHandlerOrderFiles())
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "o1", func(h *fleetplan.HostPlan) bool {
			return len(h.Unsupported) == 0 && len(h.Handlers) == 8
		})
		if got := parity.FilesIn(t, out); !strings.Contains(got, `order: "pr\nown\nd\na\nc\nb\ne\ninc\n"`) {
			t.Errorf("%s: after the apply:\n%s", o.Full, got)
		}
	})
}
