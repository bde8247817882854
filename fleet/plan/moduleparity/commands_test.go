package moduleparity_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// Parity of command and shell tasks (not handlers) with ansible-playbook:
// lib/ansible/modules/command.py main() at commit c9ac477e decides
// whether a command runs (creates, removes, chdir) and, in check mode,
// reports changed when creates or removes is given and skipped without
// them. straylight's plan predicts the real run; both run for real from
// the same starting files and must leave the same files.

// e2eCommandsPlaybook: each task's name says what it tries.
const e2eCommandsPlaybook = `- name: Commands
  hosts: c1
  gather_facts: false
  tasks:
    - name: creates missing
      command: touch {{ out }}/made
      args: {creates: "{{ out }}/made"}
    - name: creates exists
      command: touch {{ out }}/never
      args: {creates: "{{ out }}/pre-existing"}
    - name: creates glob
      shell: echo x > {{ out }}/globbed
      args: {creates: "{{ out }}/pre-*"}
    - name: removes exists
      shell: rm {{ out }}/doomed
      args: {removes: "{{ out }}/doomed"}
    - name: removes missing
      command: touch {{ out }}/nope
      args: {removes: "{{ out }}/absent"}
    - name: creates and changed_when false
      command: touch {{ out }}/quiet-made
      args: {creates: "{{ out }}/quiet-made"}
      changed_when: false
    - name: plain command
      ansible.builtin.command: touch {{ out }}/plain
    - name: shell in chdir
      shell: echo here > here.txt
      args: {chdir: "{{ out }}"}
    - name: changed_when false
      command: cat {{ out }}/pre-existing
      changed_when: false
    - name: argv
      command:
        argv: [sh, -c, "echo argv > {{ out }}/argv.txt"]
    - name: cmd
      command:
        cmd: touch "{{ out }}/with cmd"
    - name: stdin
      shell: cat > {{ out }}/stdin.txt
      args: {stdin: hello}
    - name: executable
      shell: echo $0 > {{ out }}/exe.txt
      args: {executable: /bin/bash}
    - name: registered
      shell: echo r > {{ out }}/reg.txt
      register: reg
    - name: when registered changed
      command: touch {{ out }}/after-reg
      when: reg is changed
    - name: failing ignored
      shell: echo failing >&2; exit 3
      ignore_errors: true
    - name: creates made earlier
      command: touch {{ out }}/twice
      args: {creates: "{{ out }}/made"}
`

// e2eCommandsCheckOnly are compared in check mode only: their real run
// depends on what an earlier command did (reg is skipped in check mode;
// "made" exists only once the first task ran), which the plan cannot see,
// and the failing command fails only when it runs.
var e2eCommandsCheckOnly = []string{"creates made earlier", "failing ignored"}

func e2eCommandsRepo(out string) parity.Repo {
	return parity.Repo{Name: "commands", Inventory: "inventory.yml", Playbooks: []string{"commands.yml"}, Discovered: []string{"commands.yml"},
		Files: map[string]string{
			"ansible.cfg":        "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":      "all:\n  hosts:\n    c1: {ansible_connection: local, ansible_host: 127.0.0.1}\n",
			"group_vars/all.yml": "out: " + out + "\n",
			"commands.yml":       e2eCommandsPlaybook,
			"straylight.yml":     "",
		}}
}

// e2eCommandsReset leaves out with the files the tasks find.
func e2eCommandsReset(t *testing.T, out string) {
	t.Helper()
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	parity.WriteTree(t, out, map[string]string{"pre-existing": "pre\n", "doomed": "doomed\n"})
}

// TestE2ECommandTasksParityWithAnsiblePlaybook: ansible-playbook --check's
// verdict on each task is what straylight's plan implies for check mode
// (skipped without creates/removes, changed with them when the command
// would run, ok when they skip it); the real run's verdicts are the
// plan's; and after Ansible's real run and after straylight --apply from
// the same files, the files are the same. Against both ansible-cores.
func TestE2ECommandTasksParityWithAnsiblePlaybook(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eCommandsRepo(out)
		parity.WriteTree(t, root, repo.Files)
		e2eCommandsReset(t, out)
		before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		h := before.Host("c1")
		if h == nil || len(h.Unsupported) > 0 || len(h.ViaAnsible) > 0 || len(h.Files) != 17 {
			t.Fatalf("plan of c1: %+v", h)
		}
		e2eCommandsSame(t, "--check", e2eCommandsCheckVerdicts(h), parity.Verdicts(parity.RunPlaybookExiting(t, o, dir, root, repo, 0, "--check", "--limit", "c1")), "when registered changed")
		real := parity.Verdicts(parity.RunPlaybookExiting(t, o, dir, root, repo, 0, "--limit", "c1"))
		e2eCommandsSame(t, "the real run", e2eCommandsRealVerdicts(h), real, e2eCommandsCheckOnly...)
		if real["failing ignored"] != "fatal" || real["creates made earlier"] != "ok" {
			t.Errorf("the real run: failing ignored %s, creates made earlier %s", real["failing ignored"], real["creates made earlier"])
		}
		byAnsible := parity.FilesIn(t, out)
		e2eCommandsReset(t, out)
		log := parity.Apply(t, bin, root, o)
		if got := parity.FilesIn(t, out); got != byAnsible {
			t.Errorf("%s: files after straylight --apply (-) and ansible-playbook (+):\n%s", o.Full, parity.LineDiff(got, byAnsible))
		}
		for _, want := range []string{"write failed shell echo failing >&2; exit 3", "write ok command touch " + out + "/twice not run (creates)"} {
			if !strings.Contains(log, want) {
				t.Errorf("straylight --apply's output lacks %q:\n%s", want, log)
			}
		}
	})
}

// e2eCommandsCheckVerdicts is what ansible-playbook --check reports for
// each planned task, by the module's check mode (:347-354).
func e2eCommandsCheckVerdicts(h *fleetplan.HostPlan) map[string]string {
	out := map[string]string{}
	for _, f := range h.Files {
		hasTest := strings.Contains(f.Task, "creates") || strings.Contains(f.Task, "removes")
		switch {
		case !f.Command.Runs:
			out[f.Task] = "ok"
		case !hasTest:
			out[f.Task] = "skipping"
		case f.Command.Unchanged:
			out[f.Task] = "ok"
		default:
			out[f.Task] = "changed"
		}
	}
	return out
}

// e2eCommandsRealVerdicts is the plan's prediction of the real run.
func e2eCommandsRealVerdicts(h *fleetplan.HostPlan) map[string]string {
	out := map[string]string{}
	for _, f := range h.Files {
		out[f.Task] = "ok"
		if f.Changes() {
			out[f.Task] = "changed"
		}
	}
	return out
}

// e2eCommandsSame compares straylight's verdicts with Ansible's, but for
// the tasks named.
func e2eCommandsSame(t *testing.T, run string, mine, ansibles map[string]string, except ...string) {
	t.Helper()
	for task, v := range ansibles {
		if !slices.Contains(except, task) && mine[task] != v {
			t.Errorf("%s: %q: Ansible %s, straylight's plan implies %q", run, task, v, mine[task])
		}
	}
	for task := range mine {
		if _, ok := ansibles[task]; !ok && !slices.Contains(except, task) {
			t.Errorf("%s: %q: planned by straylight, not reported by Ansible", run, task)
		}
	}
}
