package unitparity_test

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// Parity of systemd_service tasks (not handlers) with ansible-playbook's
// systemd module, against a systemctl stand-in both reach through PATH:
// Ansible's module finds systemctl with get_bin_path, PATH first
// (lib/ansible/modules/systemd_service.py:371 at commit c9ac477e), and
// straylight's local transport runs sh with the same PATH. The stand-in
// keeps each unit's ActiveState and is-enabled answer in files and logs
// the actions that change them.

// e2eUnitStub is the systemctl stand-in: units are directories under
// STATE/units holding "active" (an ActiveState) and "enabled" (is-enabled's
// answer); a unit with no directory is not found. show prints what the
// module parses, is-enabled answers with systemctl's output and exit code,
// and each action that changes a unit appends "verb unit" to STATE/actions;
// on a unit holding "broken", every action but stop fails (a job that
// fails).
const e2eUnitStub = `#!/bin/sh
D=%s
verb= unit=
for a in "$@"; do
  case "$a" in
    -*) ;;
    *) if [ -z "$verb" ]; then verb=$a; elif [ -z "$unit" ]; then unit=${a%%.service}; fi ;;
  esac
done
u="$D/units/$unit"
case "$verb" in
  "") exit 0 ;;
  show)
    if [ ! -d "$u" ]; then
      printf 'Id=%%s.service\nLoadState=not-found\nActiveState=inactive\nSubState=dead\n' "$unit"; exit 0
    fi
    printf 'Id=%%s.service\nLoadState=loaded\nActiveState=%%s\nUnitFileState=%%s\n' "$unit" "$(cat "$u/active")" "$(cat "$u/enabled")"
    exit 0 ;;
  is-enabled)
    if [ ! -d "$u" ]; then echo "Failed to get unit file state for $unit.service: No such file or directory" >&2; exit 1; fi
    cat "$u/enabled"; [ "$(cat "$u/enabled")" != disabled ]; exit $? ;;
  is-active)
    [ -d "$u" ] && [ "$(cat "$u/active")" = active ]; exit $? ;;
  list-unit-files)
    echo "0 unit files listed."; exit 1 ;;
  daemon-reload)
    echo "daemon-reload" >> "$D/actions"; exit 0 ;;
esac
if [ ! -d "$u" ]; then echo "Failed to $verb $unit.service: Unit $unit.service not found." >&2; exit 5; fi
if [ -f "$u/broken" ] && [ "$verb" != stop ]; then echo "$verb $unit failed" >> "$D/actions"; echo "Job for $unit.service failed." >&2; exit 1; fi
echo "$verb $unit" >> "$D/actions"
case "$verb" in
  start|restart) echo active > "$u/active" ;;
  reload) case "$(cat "$u/active")" in active|activating) echo active > "$u/active" ;; *) echo "Job for $unit.service failed." >&2; exit 1 ;; esac ;;
  stop) echo inactive > "$u/active" ;;
  enable) echo enabled > "$u/enabled" ;;
  disable) echo disabled > "$u/enabled" ;;
  *) echo "Unknown command verb $verb." >&2; exit 1 ;;
esac
`

// e2eUnitStarts are the units' states before each run: ActiveState and
// is-enabled's answer, by the prefix of the unit's name.
var e2eUnitStarts = map[string][2]string{
	"re": {"active", "enabled"}, "rd": {"active", "disabled"},
	"se": {"inactive", "enabled"}, "sd": {"inactive", "disabled"},
	"act": {"activating", "enabled"}, "deact": {"deactivating", "static"},
}

// e2eUnitCases are the arguments tried on a unit in each starting state.
var e2eUnitCases = map[string]string{
	"started": "state: started", "stopped": "state: stopped", "restarted": "state: restarted", "reloaded": "state: reloaded",
	"enable": "enabled: yes", "disable": "enabled: no",
	"start-enable": "state: started, enabled: true", "stop-disable": "state: stopped, enabled: false",
	"reload-restart": "state: restarted, daemon_reload: yes",
}

// e2eUnitPlaybook has a task per starting state and case, each on its
// own unit (sd-started, ...), then tasks on one unit in turn, a
// daemon-reload alone, a task run only when a registered unit task
// changed (and one when another did not), a FQCN with a notified
// handler, two tasks on a missing unit with failed_when false (ok, the
// second after its daemon-reload), and a play on a host whose unit does
// not exist.
func e2eUnitPlaybook() (string, []string) {
	var b strings.Builder
	b.WriteString("- name: Units\n  hosts: u1\n  gather_facts: false\n  tasks:\n")
	var units []string
	for _, start := range slices.Sorted(maps.Keys(e2eUnitStarts)) {
		for _, c := range slices.Sorted(maps.Keys(e2eUnitCases)) {
			unit := start + "-" + c
			units = append(units, unit)
			fmt.Fprintf(&b, "    - name: %s\n      systemd: {name: %s, %s}\n", unit, unit, e2eUnitCases[c])
		}
	}
	units = append(units, "re-turns", "sd-reg", "sd-after")
	b.WriteString(`    - name: turn stop
      systemd: {name: re-turns, state: stopped}
    - name: turn start
      systemd: {name: re-turns, state: started}
    - name: turn again
      systemd: {name: re-turns.service, state: started}
    - name: daemon-reload alone
      systemd: {daemon_reload: true}
    - name: registered changed
      systemd: {name: sd-reg, state: started}
      register: reg
    - name: registered unchanged
      systemd: {name: sd-reg, state: started}
      register: again
    - name: when changed
      systemd: {name: sd-after, enabled: true}
      when: reg is changed
    - name: when unchanged changed
      systemd: {name: sd-after, state: started}
      when: again.changed
    - name: fqcn notifies
      ansible.builtin.systemd_service: {name: sd-reg, state: restarted}
      notify: note restart
    - name: stop a legacy unit when present
      systemd: {name: legacy, state: stopped, enabled: false}
      failed_when: false
    - name: reload then fail, ok
      systemd: {name: legacy, state: restarted, daemon_reload: true}
      failed_when: "False"
  handlers:
    - name: note restart
      shell: "echo restarted >> {{ out }}/handler.log"
- name: Missing
  hosts: u2
  gather_facts: false
  tasks:
    - name: missing unit
      systemd: {name: gone, state: started}
`)
	return b.String(), units
}

// e2eUnitsRepo is the repository: two local hosts, the playbook.
func e2eUnitsRepo(out string) (parity.Repo, []string) {
	pb, units := e2eUnitPlaybook()
	return parity.Repo{Name: "units", Inventory: "inventory.yml", Playbooks: []string{"units.yml"}, Discovered: []string{"units.yml"},
		Files: map[string]string{
			"ansible.cfg":        "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":      "all:\n  hosts:\n    u1: {ansible_connection: local, ansible_host: 127.0.0.1}\n    u2: {ansible_connection: local, ansible_host: 127.0.0.1}\n",
			"group_vars/all.yml": "out: " + out + "\n",
			"units.yml":          pb,
			"straylight.yml":     "",
		}}, units
}

// e2eUnitsReset writes every unit's starting state and clears the
// actions log and the handler's output.
func e2eUnitsReset(t *testing.T, state, out string, units []string) {
	t.Helper()
	for _, p := range []string{filepath.Join(state, "units"), filepath.Join(state, "actions"), out} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		start := e2eUnitStarts[u[:strings.Index(u, "-")]]
		files := map[string]string{"active": start[0] + "\n", "enabled": start[1] + "\n"}
		if strings.Contains(u, "broken") {
			files["broken"] = ""
		}
		parity.WriteTree(t, filepath.Join(state, "units", u), files)
	}
}

// e2eUnitsSnapshot is every unit's state, the actions run in order, and
// the handler's output.
func e2eUnitsSnapshot(t *testing.T, state, out string, units []string) string {
	t.Helper()
	var b strings.Builder
	for _, u := range units {
		active, _ := os.ReadFile(filepath.Join(state, "units", u, "active"))
		enabled, _ := os.ReadFile(filepath.Join(state, "units", u, "enabled"))
		fmt.Fprintf(&b, "%s: %s %s\n", u, strings.TrimSpace(string(active)), strings.TrimSpace(string(enabled)))
	}
	actions, _ := os.ReadFile(filepath.Join(state, "actions"))
	handler, _ := os.ReadFile(filepath.Join(out, "handler.log"))
	return b.String() + "actions:\n" + string(actions) + "handler: " + string(handler)
}

// TestE2EUnitTasksParityWithAnsiblePlaybook: from the same starting
// states, straylight's plan says changed for exactly the unit tasks
// ansible-playbook --check reports changed (and ok for the rest), fails
// the missing unit with the module's message; Ansible's real run and
// straylight's --apply leave the same unit states after the same actions
// in the same order, the handler run by both; and straylight's plan then
// has nothing to do. Against both ansible-cores.
func TestE2EUnitTasksParityWithAnsiblePlaybook(t *testing.T) {
	oracles, base, bin, state, stub := e2eUnitsSetUp(t)
	for _, o := range oracles {
		t.Run("ansible-core "+o.Version, func(t *testing.T) {
			dir := filepath.Join(base, o.Version)
			root, out := filepath.Join(dir, "repo"), filepath.Join(dir, "out")
			repo, units := e2eUnitsRepo(out)
			parity.WriteTree(t, root, repo.Files)
			e2eUnitsReset(t, state, out, units)
			start := e2eUnitsSnapshot(t, state, out, units)
			before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
			e2eUnitsPlannedAll(t, before)
			check := e2eUnitsAnsible(t, o, dir, root, repo, "--check")
			parity.CompareStatus(t, e2eUnitsUnchained(before), e2eUnitsUnchainedStatus(parity.TaskStatus(check)))
			e2eUnitsMissingFails(t, before, check)
			if now := e2eUnitsSnapshot(t, state, out, units); now != start {
				t.Errorf("the checks changed the units:\n%s", now)
			}
			real := e2eUnitsAnsible(t, o, dir, root, repo, "--limit", "u1")
			parity.CompareStatus(t, before, parity.TaskStatus(real))
			byAnsible := e2eUnitsSnapshot(t, state, out, units)
			e2eUnitsReset(t, state, out, units)
			e2eUnitsApply(t, bin, root, stub, o)
			if got := e2eUnitsSnapshot(t, state, out, units); got != byAnsible {
				t.Errorf("%s: after straylight --apply (-) and ansible-playbook (+):\n%s", o.Full, parity.LineDiff(got, byAnsible))
			}
			after := parity.Plan(t, parity.OpenCore(t, root, "u1", o.Version))
			e2eUnitsOnlyRestarts(t, after)
		})
	}
}

// e2eUnitsSetUp is what every test here starts from: the oracles, a
// folder (base), straylight built there (bin), and the systemctl
// stand-in (stub) first on PATH, keeping its units under state.
func e2eUnitsSetUp(t *testing.T) (oracles []parity.Oracle, base, bin, state, stub string) {
	t.Helper()
	oracles = parity.Oracles(t)
	parity.IsolateEnv(t)
	base = t.TempDir()
	bin = parity.SharedStraylight(t, base)
	state, stub = filepath.Join(base, "systemd"), filepath.Join(base, "stub")
	parity.WriteTree(t, stub, map[string]string{"systemctl": fmt.Sprintf(e2eUnitStub, state)})
	if err := os.Chmod(filepath.Join(stub, "systemctl"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", stub+string(os.PathListSeparator)+os.Getenv("PATH"))
	return oracles, base, bin, state, stub
}

// e2eUnitsPlannedAll: every unit task of u1 is planned natively (the two
// run only when a registered result says so are settled: one skipped),
// u2's is listed as failing.
func e2eUnitsPlannedAll(t *testing.T, p *fleetplan.Plan) {
	t.Helper()
	h := p.Host("u1")
	if h == nil || len(h.Unsupported) > 0 || len(h.ViaAnsible) > 0 {
		t.Fatalf("plan of u1: %+v", h)
	}
	want := len(e2eUnitStarts)*len(e2eUnitCases) + 3 + 1 + 2 + 1 + 1 + 2 // the turns, daemon-reload, registered, one when, fqcn, failed_when
	if len(h.Files) != want {
		t.Errorf("u1: %d tasks planned, want %d", len(h.Files), want)
	}
	for _, f := range h.Files {
		if f.Service == nil {
			t.Errorf("u1: %s planned without a service decision", f.Task)
		}
	}
	if len(h.Handlers) != 1 || h.Handlers[0].Name != "note restart" {
		t.Errorf("u1 handlers: %+v", h.Handlers)
	}
}

// e2eUnitsChained are the tasks that act on a unit an earlier task acts
// on (or read such a task's result). straylight plans each from what the
// earlier ones leave, as the real run finds it; ansible-playbook --check
// changes nothing, so it decides them from the unit as it was. They are
// compared with the real run.
var e2eUnitsChained = []string{"turn start", "turn again", "registered unchanged", "when changed", "when unchanged changed", "fqcn notifies"}

// e2eUnitsUnchained is the plan without the chained tasks.
func e2eUnitsUnchained(p *fleetplan.Plan) *fleetplan.Plan {
	out := *p
	out.Hosts = nil
	for _, h := range p.Hosts {
		hc := *h
		hc.Files = slices.DeleteFunc(slices.Clone(h.Files), func(f *fleetplan.FileChange) bool { return slices.Contains(e2eUnitsChained, f.Task) })
		out.Hosts = append(out.Hosts, &hc)
	}
	return &out
}

// e2eUnitsUnchainedStatus is Ansible's statuses without the chained tasks.
func e2eUnitsUnchainedStatus(status map[string]map[string]bool) map[string]map[string]bool {
	for _, tasks := range status {
		for _, name := range e2eUnitsChained {
			delete(tasks, name)
		}
	}
	return status
}

// e2eUnitsOnlyRestarts: after the apply, straylight's plan changes only
// what the module reports changed on every run — restarted and reloaded
// (:564-571), and the turns, whose stop undoes the apply's start — and
// lists nothing it cannot run.
func e2eUnitsOnlyRestarts(t *testing.T, p *fleetplan.Plan) {
	t.Helper()
	h := p.Host("u1")
	if h == nil || len(h.Unsupported) > 0 {
		t.Fatalf("after straylight --apply: %+v", h)
	}
	for _, f := range h.Files {
		always := strings.HasSuffix(f.Task, "-restarted") || strings.HasSuffix(f.Task, "-reloaded") || strings.HasSuffix(f.Task, "-reload-restart") ||
			slices.Contains([]string{"turn stop", "turn start", "fqcn notifies"}, f.Task)
		if f.Changes() != always {
			t.Errorf("after straylight --apply: %s: %s (%s)", f.Task, f.Action, f.Service.Summary)
		}
	}
}

var e2eUnitsFatal = regexp.MustCompile(`fatal: \[u2\]: FAILED! => .*"msg": "([^"]*)"`)

// e2eUnitsMissingFails: Ansible fails u2's task on the missing unit, and
// straylight lists it as failing with the module's message.
func e2eUnitsMissingFails(t *testing.T, p *fleetplan.Plan, log string) {
	t.Helper()
	m := e2eUnitsFatal.FindStringSubmatch(log)
	h := p.Host("u2")
	if m == nil || h == nil || len(h.Unsupported) != 1 || !strings.HasSuffix(h.Unsupported[0].Reason, ": "+m[1]) {
		t.Errorf("missing unit: Ansible says %q; straylight's plan of u2: %+v", m, h)
	}
}

// e2eUnitsAnsible runs ansible-playbook with args; a run of both hosts
// fails (u2's unit is missing), exit code 2.
func e2eUnitsAnsible(t *testing.T, o parity.Oracle, dir, root string, repo parity.Repo, args ...string) string {
	t.Helper()
	want := 2
	if slices.Contains(args, "--limit") {
		want = 0
	}
	return parity.RunPlaybookExiting(t, o, dir, root, repo, want, args...)
}

// e2eUnitsApply runs straylight --apply on u1.
func e2eUnitsApply(t *testing.T, bin, root, stub string, o parity.Oracle) {
	t.Helper()
	if bin == "" {
		return
	}
	cmd := exec.Command(bin, "-C", root, "--apply", "--yes", "-l", "u1")
	sep := string(os.PathListSeparator)
	cmd.Env = append(os.Environ(), "PATH="+stub+sep+o.Bin+sep+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("straylight --apply: %v\n%s%s", err, stdout.String(), stderr.String())
	}
}
