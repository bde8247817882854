package main

// Tasks only Ansible can decide (fleet/ansible's handOver): a condition on
// the result of a task straylight does not run, and a lookup straylight's
// renderer does not run (password), are planned via ansible with the
// status each ansible-core's own --check reports; a file task that reads
// neither stays native, with ansible_host defaulted as Ansible does.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

const hoPlaybook = `- name: Tasks that read what only Ansible knows
  hosts: gpu
  gather_facts: false
  tasks:
    - name: Look for the marker
      ansible.builtin.find:
        paths: "{{ out }}"
        patterns: marker
      register: marker
    - name: Write when the marker is missing
      ansible.builtin.copy:
        content: "missing\n"
        dest: "{{ out }}/missing.txt"
      when: marker.matched == 0
    - name: Write when the marker is there
      ansible.builtin.copy:
        content: "there\n"
        dest: "{{ out }}/there.txt"
      when: marker.matched > 0
    - name: A fresh token
      ansible.builtin.lineinfile:
        path: "{{ out }}/env"
        regexp: "^TOKEN="
        line: "TOKEN={{ lookup('password', '/dev/null', length=16, chars='ascii_letters') }}"
        create: true
    - name: The address
      ansible.builtin.copy:
        content: "url=http://{{ ansible_host }}:8000/\n"
        dest: "{{ out }}/address.txt"
`

// newHoRepo writes the repository; alpha has no ansible_host.
func newHoRepo(t *testing.T) (root, out string) {
	t.Helper()
	base := t.TempDir()
	root, out = filepath.Join(base, "repo"), filepath.Join(base, "out")
	for rel, content := range map[string]string{
		"ansible.cfg":                       "[defaults]\ninventory = inventory/hosts.yml\ngathering = explicit\nretry_files_enabled = False\n",
		"inventory/hosts.yml":               "all:\n  vars:\n    ansible_connection: local\n    ansible_python_interpreter: /usr/bin/python3\n  children:\n    gpu:\n      hosts:\n        alpha:\n",
		"inventory/group_vars/all/main.yml": "out: " + out + "\n",
		"playbooks/gpu.yml":                 hoPlaybook,
	} {
		chkWrite(t, root, rel, content)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return root, out
}

// TestCheckHandsOverWhatOnlyAnsibleKnows: with each ansible-core, the two
// copies gated on the find result and the lineinfile using the password
// lookup are planned via ansible with Ansible's statuses (the marker is
// missing: the first copy changes, the second is skipped; a fresh token
// always changes), the address file is native and reads the host's
// inventory name as ansible_host, and nothing is unsupported.
func TestCheckHandsOverWhatOnlyAnsibleKnows(t *testing.T) {
	for _, o := range parity.Oracles(t) {
		t.Run("ansible-core "+o.Version, func(t *testing.T) {
			withAnsible(t, o)
			root, out := newHoRepo(t)
			res := chkRun(t, "-C", root, "--check", "--json")
			chkWantExit(t, res, exitChanges)
			plan := hoPlan(t, res)
			alpha := plan.Host("alpha")
			if alpha == nil || len(alpha.Files) != 1 || alpha.Files[0].Dest != filepath.Join(out, "address.txt") ||
				alpha.Files[0].NewContent != "url=http://alpha:8000/\n" {
				t.Fatalf("ansible-core %s: the address file is not planned natively with ansible_host = alpha: %+v", o.Version, alpha)
			}
			want := map[string]string{"Look for the marker": "ok", "Write when the marker is missing": "changed",
				"Write when the marker is there": "skipped", "A fresh token": "changed"}
			for task, status := range want {
				if d := delegated(plan, "alpha", task); d == nil || string(d.Status) != status {
					t.Errorf("ansible-core %s: %q via ansible: %+v, want status %s", o.Version, task, d, status)
				}
			}
			if d := delegated(plan, "alpha", "Write when the marker is missing"); d != nil && !strings.Contains(d.Reason, `condition reads "marker", the result of "Look for the marker"`) {
				t.Errorf("ansible-core %s: reason %q", o.Version, d.Reason)
			}
			if plan.Summary.Unsupported != 0 || plan.Summary.ViaAnsible != 4 {
				t.Errorf("ansible-core %s: summary %+v", o.Version, plan.Summary)
			}
			if _, err := os.Stat(filepath.Join(out, "missing.txt")); err == nil {
				t.Errorf("ansible-core %s: --check wrote a file", o.Version)
			}
		})
	}
}

// TestCheckWithoutAnsibleNamesWhatOnlyAnsibleKnows: without Ansible the
// same tasks are unsupported, each saying why, instead of stopping the plan.
func TestCheckWithoutAnsibleNamesWhatOnlyAnsibleKnows(t *testing.T) {
	root, _ := newHoRepo(t)
	withoutAnsible(t)
	res := chkRun(t, "-C", root, "--check", "--json")
	chkWantExit(t, res, exitChanges)
	plan := hoPlan(t, res)
	alpha := plan.Host("alpha")
	if alpha == nil {
		t.Fatalf("no plan for alpha:\n%s", res.stdout)
	}
	reasons := map[string]string{}
	for _, u := range alpha.Unsupported {
		reasons[u.Task] = u.Reason
	}
	for task, want := range map[string]string{
		"Write when the marker is missing": `its condition reads "marker", the result of "Look for the marker", which only Ansible knows`,
		"Write when the marker is there":   `its condition reads "marker"`,
		"A fresh token":                    `lookup plugin "password" is not supported by straylight`,
	} {
		if !strings.Contains(reasons[task], want) {
			t.Errorf("%q: reason %q, want it to say %q", task, reasons[task], want)
		}
	}
}

func hoPlan(t *testing.T, res chkResult) fleetplan.Plan {
	t.Helper()
	var plan fleetplan.Plan
	if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil {
		t.Fatalf("--json output is not a plan: %v\n%s\n%s", err, res.stdout, res.stderr)
	}
	return plan
}
