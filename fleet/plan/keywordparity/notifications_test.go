package keywordparity_test

import (
	"maps"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eNotificationsFiles: two play roles sharing a default (stack), each
// with a handler named "restart x", one named from the default, and one
// named "lis" listening to a topic; the play's own "restart x". r1's task
// notifies the shared name, the templated one, the topic and r2's handler
// by its role-qualified name.
func e2eNotificationsFiles() map[string]string {
	files := map[string]string{
		"site.yml": `- hosts: all
  gather_facts: false
  roles: [r1, r2]
  handlers:
    - name: restart x
      shell: echo own-x >> {{ out }}/order
`,
		"roles/r1/tasks/main.yml": `- copy: {content: "{{ stack }}\n", dest: "{{ out }}/r1-task"}
  notify: ["restart x", "restart {{ stack }}", "topic", "r2 : restart x"]
`,
		"roles/r2/tasks/main.yml": "- copy: {content: \"{{ stack }}\\n\", dest: \"{{ out }}/r2-task\"}\n",
	}
	for _, r := range []string{"r1", "r2"} {
		files["roles/"+r+"/defaults/main.yml"] = "stack: s" + r + "\n"
		files["roles/"+r+"/handlers/main.yml"] = "- name: restart x\n  shell: echo " + r + "-x >> {{ out }}/order\n" +
			"- name: \"restart {{ stack }}\"\n  shell: echo " + r + "-{{ stack }} >> {{ out }}/order\n" +
			"- name: lis\n  shell: echo " + r + "-lis >> {{ out }}/order\n  listen: topic\n"
	}
	return files
}

// TestE2ENotificationsAnswerAsAnsible: a play role's tasks and handlers
// see their own role's defaults over the other roles' (before, every
// role saw the last role's), and notifications find handlers as
// Ansible's strategy finds them: a name runs the last handler so named
// (its name templated), or the role-qualified one; a topic runs its
// listeners (since 2.15 the last of those sharing a name). Before,
// straylight ran every handler of the name and its template unrendered.
// The same files as ansible-playbook leaves, on both cores.
func TestE2ENotificationsAnswerAsAnsible(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("notifications", "n1", out, e2eNotificationsFiles())
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "n1", func(h *fleetplan.HostPlan) bool {
			return len(h.Unsupported) == 0 && len(h.Handlers) >= 4
		})
	})
}

// TestE2EMissingHandlerFailsAsInAnsible: a changed task notifying a
// handler nobody answers is an error in the plan, with Ansible's words,
// where ansible-playbook fails the run (before, the notification was
// dropped silently).
func TestE2EMissingHandlerFailsAsInAnsible(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("missinghandler", "m1", out, map[string]string{"site.yml": `- hosts: all
  gather_facts: false
  tasks:
    - copy: {content: "x\n", dest: "{{ out }}/x"}
      notify: nobody answers
`})
		missingHandlerFails(t, o, dir, root, out, repo, "nobody answers")
	})
}

// missingHandlerFails writes repo, plans it from an emptied out and runs
// ansible-playbook on it, and fails the test unless Ansible fails on the
// missing handler name and straylight's plan has the same words as an
// error at line 4 (the notifying task).
func missingHandlerFails(t *testing.T, o parity.Oracle, dir, root, out string, repo parity.Repo, name string) {
	t.Helper()
	parity.WriteTree(t, root, repo.Files)
	parity.Emptier(t, out)
	msg := "The requested handler '" + name + "' was not found in either the main handlers list nor in the listening handlers list"
	p := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
	log := parity.RunPlaybookExiting(t, o, dir, root, repo, 1)
	if !strings.Contains(log, msg) || !hasFindingAt(p, "error", msg, 4) {
		t.Errorf("%s: Ansible said:\n%s\nstraylight's findings: %+v", o.Full, log, p.Findings)
	}
}

// hasFinding says whether the plan has a finding of the severity with
// the message.
func hasFinding(p *fleetplan.Plan, severity, message string) bool {
	return hasFindingAt(p, severity, message, 0)
}

// hasFindingAt is hasFinding at the line (0: any).
func hasFindingAt(p *fleetplan.Plan, severity, message string, line int) bool {
	for _, f := range p.Findings {
		if string(f.Severity) == severity && f.Message == message && (line == 0 || f.At.Line == line) {
			return true
		}
	}
	return false
}

// TestE2EHandlersNotifyHandlers: a handler that changes something
// notifies its own handlers: one after it in the list runs in the same
// pass (fourth), one before it at the next flush point, the one after
// post_tasks (second), and one that flush point's handler notifies from
// further back does not run at all (third), and the plan warns of it;
// one whose changed_when is false notifies nothing. Before, a handler's
// notify was dropped silently. Same order as ansible-playbook's, on both
// cores.
func TestE2EHandlersNotifyHandlers(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("chainedhandlers", "c1", out, map[string]string{"site.yml": `- hosts: all
  gather_facts: false
  tasks:
    - copy: {content: "x\n", dest: "{{ out }}/x"}
      notify: [first, quiet]
  handlers:
    - name: third
      shell: echo third >> {{ out }}/order
    - name: second
      shell: echo second >> {{ out }}/order
      notify: third
    - name: first
      shell: echo first >> {{ out }}/order
      notify: [second, fourth]
    - name: fourth
      shell: echo fourth >> {{ out }}/order
    - name: quiet
      shell: echo quiet >> {{ out }}/order
      changed_when: false
      notify: never
    - name: never
      shell: echo never >> {{ out }}/order
`})
		parity.WriteTree(t, root, repo.Files)
		parity.Emptier(t, out)
		const never = `handler "third" is notified (by handler second) after the play's last flush point went past it in the handler list: Ansible does not run it`
		if p := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)); !hasFinding(p, "warning", never) {
			t.Errorf("%s: no warning that third never runs: %+v", o.Full, p.Findings)
		}
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "c1", func(h *fleetplan.HostPlan) bool {
			return len(h.Handlers) == 4 && h.Handlers[3].Name == "second"
		})
	})
}

// TestE2EHandlerChainsCarryToTheNextFlush: Ansible goes through the
// handler list once per flush point, so a handler notified by one after
// it in the list runs at the next flush point: at a meta: flush_handlers,
// second runs after the task that follows the flush, not at it (before,
// straylight went through the list twice at every flush and ran it
// there). In pre_tasks, one carried from the pre_tasks flush runs at the
// end of the tasks. The same order as ansible-playbook's, on both cores.
func TestE2EHandlerChainsCarryToTheNextFlush(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.LocalRepo("carriedhandlers", "c2", out, map[string]string{"site.yml": `- hosts: all
  gather_facts: false
  pre_tasks:
    - copy: {content: "p\n", dest: "{{ out }}/p"}
      notify: pre-first
  tasks:
    - copy: {content: "x\n", dest: "{{ out }}/x"}
      notify: first
    - meta: flush_handlers
    - shell: echo task >> {{ out }}/order
  handlers:
    - name: pre-second
      shell: echo pre-second >> {{ out }}/order
    - name: pre-first
      shell: echo pre-first >> {{ out }}/order
      notify: pre-second
    - name: second
      shell: echo second >> {{ out }}/order
    - name: first
      shell: echo first >> {{ out }}/order
      notify: second
`})
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "c2", func(h *fleetplan.HostPlan) bool {
			return len(h.Handlers) == 4 && h.Handlers[1].Name == "pre-second" && h.Handlers[1].Flush == 1 &&
				h.Handlers[3].Name == "second" && h.Handlers[3].Flush == 2
		})
	})
}

// TestE2ENotificationsFindTheHandlersLoadedSoFar: Ansible looks a
// notification up when the task reports it, on both cores: an
// include_role that ran before brought its handler in, and an
// import_role's handler is there from the start, even below the task;
// an include_role below it brings its handler too late, and the run
// fails. Before, straylight looked notifications up at the flush and ran
// the later include's handler.
func TestE2ENotificationsFindTheHandlersLoadedSoFar(t *testing.T) {
	roles := map[string]string{}
	for _, r := range []string{"inc", "imp", "late"} {
		roles["roles/"+r+"/tasks/main.yml"] = "- debug: {msg: " + r + "}\n"
		roles["roles/"+r+"/handlers/main.yml"] = "- name: " + r + "-h\n  shell: echo " + r + " >> {{ out }}/order\n"
	}
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		files := maps.Clone(roles)
		files["site.yml"] = `- hosts: all
  gather_facts: false
  tasks:
    - include_role: {name: inc}
    - copy: {content: "x\n", dest: "{{ out }}/x"}
      notify: [inc-h, imp-h]
    - import_role: {name: imp}
`
		repo := parity.LocalRepo("notifysofar", "k1", out, files)
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "k1", func(h *fleetplan.HostPlan) bool {
			return len(h.Handlers) == 2
		})
		files["site.yml"] = `- hosts: all
  gather_facts: false
  tasks:
    - copy: {content: "x\n", dest: "{{ out }}/x"}
      notify: late-h
    - include_role: {name: late}
`
		missingHandlerFails(t, o, dir, root, out, parity.LocalRepo("notifytoolate", "k1", out, files), "late-h")
	})
}
