package unitparity_test

import (
	"path/filepath"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eUnitFailuresPlaybook: unit tasks whose systemctl fails during the
// run (the stand-in's broken units), one ignoring errors and one with
// failed_when false, then a task that shows the run went on.
const e2eUnitFailuresPlaybook = `- hosts: u1
  gather_facts: false
  tasks:
    - name: start ignoring errors
      systemd: {name: sd-broken-ignored, state: started}
      ignore_errors: true
    - name: start, failed_when false
      systemd: {name: sd-broken-ok, state: restarted}
      failed_when: false
    - name: went on
      shell: "echo went on >> {{ out }}/handler.log"
`

// TestE2EUnitTasksFailingDuringTheRun: a unit task whose systemctl
// action fails during the run does not fail the host when it ignores
// errors or its failed_when is the constant false: straylight's --apply
// goes on as ansible-playbook goes on (before, it failed the host), after
// the same actions, on both cores.
func TestE2EUnitTasksFailingDuringTheRun(t *testing.T) {
	e2eUnitsSameAfterRuns(t, e2eUnitFailuresPlaybook, []string{"sd-broken-ignored", "sd-broken-ok"}, func(h *fleetplan.HostPlan) bool {
		return len(h.Unsupported) == 0 && len(h.Files) == 3
	})
}

// e2eUnitsSameAfterRuns runs playbook on u1 with the systemctl stand-in
// on PATH, for each ansible-core: straylight's plan, which planned must
// accept, then ansible-playbook's real run, then straylight --apply from
// the same units, which must leave the same units, actions and handler
// log.
func e2eUnitsSameAfterRuns(t *testing.T, playbook string, units []string, planned func(*fleetplan.HostPlan) bool) {
	t.Helper()
	oracles, base, bin, state, stub := e2eUnitsSetUp(t)
	for _, o := range oracles {
		t.Run("ansible-core "+o.Version, func(t *testing.T) {
			dir := filepath.Join(base, o.Version)
			root, out := filepath.Join(dir, "repo"), filepath.Join(dir, "out")
			repo, _ := e2eUnitsRepo(out)
			repo.Files["units.yml"] = playbook
			parity.WriteTree(t, root, repo.Files)
			e2eUnitsReset(t, state, out, units)
			if h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("u1"); h == nil || !planned(h) {
				t.Fatalf("%s: plan of u1: %+v", o.Full, h)
			}
			parity.RunPlaybookExiting(t, o, dir, root, repo, 0, "--limit", "u1")
			byAnsible := e2eUnitsSnapshot(t, state, out, units)
			e2eUnitsReset(t, state, out, units)
			e2eUnitsApply(t, bin, root, stub, o)
			if got := e2eUnitsSnapshot(t, state, out, units); got != byAnsible {
				t.Errorf("%s: after straylight --apply (-) and ansible-playbook (+):\n%s", o.Full, parity.LineDiff(got, byAnsible))
			}
		})
	}
}

// e2eUnitHandlersPlaybook: systemd handlers with enabled, notified by one
// task: a running disabled unit restarted and enabled, a running enabled
// one restarted and left enabled, a running enabled one disabled
// (daemon-reload first), and a running disabled one left disabled.
const e2eUnitHandlersPlaybook = `- hosts: u1
  gather_facts: false
  tasks:
    - copy: {content: "x\n", dest: "{{ out }}/trigger"}
      notify: [enable it, keep it, disable it, already off]
  handlers:
    - name: enable it
      systemd: {name: rd-handled, state: restarted, enabled: true}
    - name: keep it
      systemd: {name: re-handled, state: restarted, enabled: yes}
    - name: disable it
      systemd: {name: re-disabled, enabled: false, daemon_reload: true}
    - name: already off
      systemd: {name: rd-off, enabled: false}
`

// TestE2EUnitHandlersWithEnabled: a systemd handler's enabled is honoured
// as the module decides it — a unit not as asked is enabled or disabled
// before its state's action, one that is as asked is left alone — so the
// stand-in logs the same actions, in the same order, after straylight's
// --apply as after ansible-playbook's run, on both cores. Before, such a
// handler was handed to Ansible ("argument enabled is not supported").
func TestE2EUnitHandlersWithEnabled(t *testing.T) {
	e2eUnitsSameAfterRuns(t, e2eUnitHandlersPlaybook, []string{"rd-handled", "re-handled", "re-disabled", "rd-off"}, func(h *fleetplan.HostPlan) bool {
		return len(h.Unsupported) == 0 && len(h.Handlers) == 4
	})
}
