package moduleparity_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// Parity of the variables a handler sees with ansible-playbook: Ansible
// templates a handler when the strategy runs it at its flush point, with
// the host's variables as they are then (at c9ac477e the linear strategy
// queues the handlers as tasks at the flush point,
// lib/ansible/plugins/strategy/linear.py:87-88, and gets each one's
// variables when it runs, :134-135), and a set_fact, include_vars or
// register result stays the host's for the rest of the run
// (lib/ansible/plugins/strategy/__init__.py:719-724, :737, :776).

// e2eHandlerSetFactPlaybook: f1's pre handler, flushed after pre_tasks,
// reads a fact set after the task that notified it and not the one the
// tasks set next; its main handler, flushed by meta: flush_handlers,
// reads a set_fact, an include_vars value and a fact set between the
// notifying task and the flush, and not the value that fact takes after
// the flush; its end handler, flushed at the end of the play, reads that
// later value. A later play on f1, whose play vars name the same
// variables, reads the earlier play's facts (above its play vars) in a
// task and a handler, and its handler a fact set after the notifying task.
const e2eHandlerSetFactPlaybook = `- name: Handlers see the facts of their flush point
  hosts: f1
  gather_facts: false
  pre_tasks:
    - name: Stage pre
      set_fact: {stage: pre}
    - name: Pre file
      copy: {content: "pre\n", dest: "{{ out }}/f1-pre.txt"}
      notify: pre handler
    - name: After the notify
      set_fact: {after_notify: "set after the notify"}
  tasks:
    - name: Stage tasks
      set_fact: {stage: tasks}
    - name: Colours
      include_vars: {file: colours.yml}
    - name: Main file
      template: {src: main.j2, dest: "{{ out }}/f1-main.txt"}
      notify: main handler
    - name: Before the flush
      set_fact:
        late: before the flush
        count: "{{ 40 + 2 }}"
    - meta: flush_handlers
    - name: After the flush
      set_fact: {late: after the flush}
    - name: End file
      copy: {content: "end\n", dest: "{{ out }}/f1-end.txt"}
      notify: end handler
    - name: Final
      set_fact: {final: "{{ stage }}-{{ colour }}"}
  handlers:
    - name: pre handler
      shell: echo "{{ stage }} / {{ after_notify }}" > {{ out }}/f1-pre-handler.txt
    - name: main handler
      shell: >-
        printf '%s\n' "{{ stage }} {{ colour }} {{ shades | join(',') }} {{ late }} {{ count | int + 1 }}" > {{ out }}/f1-main-handler.txt
    - name: end handler
      command: cp {{ out }}/f1-end.txt {{ out }}/f1-{{ late | replace(' ', '-') }}-{{ final }}.txt
- name: A later play keeps them
  hosts: f1
  gather_facts: false
  vars:
    stage: play var
    colour: play var
  tasks:
    - name: Later file
      copy: {content: "{{ stage }} {{ colour }} {{ late }} {{ final }}\n", dest: "{{ out }}/f1-later.txt"}
      notify: later handler
    - name: Later fact
      set_fact: {later: "{{ final }}!"}
  handlers:
    - name: later handler
      shell: echo "{{ stage }} {{ colour }} {{ later }}" > {{ out }}/f1-later-handler.txt
`

// e2eHandlerSetFactHandlers are the files the handlers write.
var e2eHandlerSetFactHandlers = []string{"f1-pre-handler.txt", "f1-main-handler.txt", "f1-after-the-flush-tasks-blue.txt", "f1-later-handler.txt"}

// TestE2EHandlersSeeSetFacts: on both ansible-cores, every task and
// handler of e2eHandlerSetFactPlaybook is planned natively, the planned
// file bytes are those ansible-playbook writes, each task's changed/ok
// is Ansible's, the handlers straylight plans are those Ansible runs
// (changed), straylight --check after Ansible's run is clean, and the
// files (the handlers' among them) after straylight --apply from scratch
// are those ansible-playbook left.
func TestE2EHandlersSeeSetFacts(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.Repo{Name: "handlerfacts", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"},
			Files: map[string]string{
				"ansible.cfg":       "[defaults]\ninventory = inventory.yml\nretry_files_enabled = False\n",
				"inventory.yml":     "all:\n  vars: {ansible_connection: local, out: " + out + "}\n  hosts:\n    f1:\n",
				"site.yml":          e2eHandlerSetFactPlaybook,
				"vars/colours.yml":  "colour: blue\nshades: [navy, sky]\n",
				"templates/main.j2": "{{ stage }} {{ colour }}\n",
				"straylight.yml":    "",
			}}
		parity.WriteTree(t, root, repo.Files)
		e2eEnvReset(t, out)
		p := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		e2eHandlerSetFactPlanned(t, o, p)
		log := parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		parity.CompareStatus(t, p, parity.TaskStatus(log))
		e2eCompareHandlerRuns(t, o, p, log)
		e2eComparePlannedFiles(t, o, p, out)
		byAnsible := parity.FilesIn(t, out)
		for _, name := range e2eHandlerSetFactHandlers {
			if !strings.Contains(byAnsible, name+": ") {
				t.Errorf("%s: ansible-playbook wrote no %s:\n%s", o.Full, name, byAnsible)
			}
		}
		parity.CheckCLIClean(t, bin, root, o)
		e2eEnvReset(t, out)
		parity.Apply(t, bin, root, o)
		if got := parity.FilesIn(t, out); got != byAnsible {
			t.Errorf("%s: files after straylight --apply (-) and ansible-playbook (+):\n%s", o.Full, parity.LineDiff(got, byAnsible))
		}
	})
}

// e2eHandlerSetFactPlanned: nothing is left to Ansible or unsupported,
// and the four handlers are planned.
func e2eHandlerSetFactPlanned(t *testing.T, o parity.Oracle, p *fleetplan.Plan) {
	t.Helper()
	h := p.Host("f1")
	if h == nil || len(h.Unsupported)+len(h.ViaAnsible) > 0 || len(h.Handlers) != 4 {
		t.Fatalf("%s: plan of f1: %+v", o.Full, h)
	}
}

// e2eCompareHandlerRuns: the handlers ansible-playbook ran on each host,
// in order (RUNNING HANDLER, each reporting changed, as a command does),
// are the plan's.
func e2eCompareHandlerRuns(t *testing.T, o parity.Oracle, p *fleetplan.Plan, log string) {
	t.Helper()
	ran := map[string][]string{}
	handler := ""
	for _, line := range strings.Split(log, "\n") {
		if rest, ok := strings.CutPrefix(line, "RUNNING HANDLER ["); ok {
			handler, _, _ = strings.Cut(rest, "] ")
			continue
		}
		if strings.HasPrefix(line, "TASK [") || strings.HasPrefix(line, "PLAY ") {
			handler = ""
		}
		if rest, ok := strings.CutPrefix(line, "changed: ["); ok && handler != "" {
			host, _, _ := strings.Cut(rest, "]")
			ran[host] = append(ran[host], handler)
		}
		if strings.HasPrefix(line, "ok: [") && handler != "" {
			t.Errorf("%s: handler %q reported ok: %s", o.Full, handler, line)
		}
	}
	for _, h := range p.Hosts {
		var planned []string
		for _, hr := range h.Handlers {
			planned = append(planned, hr.Name)
		}
		if !slices.Equal(planned, ran[h.Host]) {
			t.Errorf("%s: [%s] handlers planned %q, ansible-playbook ran %q", o.Full, h.Host, planned, ran[h.Host])
		}
	}
}

// e2eComparePlannedFiles: each file the plan writes holds the bytes
// ansible-playbook wrote there.
func e2eComparePlannedFiles(t *testing.T, o parity.Oracle, p *fleetplan.Plan, out string) {
	t.Helper()
	for _, h := range p.Hosts {
		for _, f := range h.Files {
			deployed, err := os.ReadFile(filepath.Join(out, filepath.Base(f.Dest)))
			if err != nil {
				t.Fatalf("%s: %v", o.Full, err)
			}
			if string(f.Content()) != string(deployed) {
				t.Errorf("%s: %s: straylight's render (-) and ansible-playbook's (+):\n%s", o.Full, f.Dest, parity.LineDiff(string(f.Content()), string(deployed)))
			}
		}
	}
}
