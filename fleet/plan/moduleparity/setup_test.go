package moduleparity_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eSetupFacts prints the facts straylight gathers, each of its
// collectors (platform, distribution, hardware, network, user), or
// UNDEF where the setup runs so far did not give it.
const e2eSetupFacts = `hostname={{ ansible_hostname | default('UNDEF') }} arch={{ ansible_architecture | default('UNDEF') }}
distribution={{ ansible_distribution | default('UNDEF') }} {{ ansible_distribution_release | default('UNDEF') }} {{ ansible_os_family | default('UNDEF') }}
vcpus={{ ansible_processor_vcpus | default('UNDEF') }} mem={{ ansible_memtotal_mb | default('UNDEF') }}
ipv4={{ (ansible_default_ipv4 | default({'interface': 'UNDEF'})).interface | default('none') }}
user={{ ansible_user_id | default('UNDEF') }}
facts.os_family={{ ansible_facts.os_family | default('UNDEF') }} facts.hostname={{ ansible_facts.hostname | default('UNDEF') }}
`

// e2eSetupPlaybook: plays with gather_facts: false and an explicit setup
// or gather_facts task (all facts, gather_subset variants, a filter);
// facts read before it are undefined, after it defined; a when on a fact
// after it; a later play without gathering keeps the facts.
const e2eSetupPlaybook = `- name: Setup after gather_facts false
  hosts: s1
  gather_facts: false
  tasks:
    - name: Before setup
      copy: {content: "{{ ansible_hostname | default('UNDEF') }}\n", dest: "{{ out }}/s1-before.txt"}
    - name: Gather
      ansible.builtin.setup:
    - name: Facts
      template: {src: facts.j2, dest: "{{ out }}/s1.txt"}
    - name: Debian family only
      copy: {content: "debian family\n", dest: "{{ out }}/s1-debian.txt"}
      when: ansible_os_family == 'Debian'
    - name: RedHat family only
      copy: {content: "redhat family\n", dest: "{{ out }}/s1-redhat.txt"}
      when: ansible_os_family == 'RedHat'
- name: A later play that gathers nothing
  hosts: s1
  gather_facts: false
  tasks:
    - name: Later
      copy: {content: "{{ ansible_hostname }} {{ ansible_os_family }}\n", dest: "{{ out }}/s1-later.txt"}
- name: Minimal subset
  hosts: s2
  gather_facts: false
  tasks:
    - name: Gather
      gather_facts: {gather_subset: ['!all']}
    - name: Facts
      template: {src: facts.j2, dest: "{{ out }}/s2.txt"}
- name: Network alone, and hardware added
  hosts: s3
  gather_facts: false
  tasks:
    - name: Gather
      setup: {gather_subset: ['!all', '!min', 'network']}
    - name: Facts
      template: {src: facts.j2, dest: "{{ out }}/s3.txt"}
    - name: Gather more
      setup:
        gather_subset: "!all,!min,hardware"
    - name: More facts
      template: {src: facts.j2, dest: "{{ out }}/s3-more.txt"}
- name: Filtered
  hosts: s4
  gather_facts: false
  tasks:
    - name: Gather
      ansible.builtin.setup:
        filter: ['ansible_distribution*', 'os_family', 'ansible_*_mb']
    - name: Facts
      template: {src: facts.j2, dest: "{{ out }}/s4.txt"}
- name: Exclusions alone leave the minimal subset
  hosts: s5
  gather_facts: false
  tasks:
    - name: Gather
      setup: {gather_subset: ['!hardware', '!facter']}
    - name: Facts
      template: {src: facts.j2, dest: "{{ out }}/s5.txt"}
`

var e2eSetupFiles = []string{"s1-before", "s1", "s1-debian", "s1-later", "s2", "s3", "s3-more", "s4", "s5"}

// TestE2EExplicitSetupTask: the bytes straylight plans after an explicit
// setup or gather_facts task equal those ansible-playbook writes, and
// every task's changed/ok status is Ansible's (the setup tasks ok), on
// both ansible-cores; the facts come from this machine (local connection).
// The handlers of e2eHandlerFactsPlaybook, planned natively with the
// facts of their flush point, write the same files after ansible-playbook
// and after straylight --apply from the same files (one
// ansible-playbook run per core for both).
func TestE2EExplicitSetupTask(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := parity.Repo{Name: "setup", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"},
			Files: map[string]string{
				"ansible.cfg":        "[defaults]\ninventory = inventory.yml\nretry_files_enabled = False\n",
				"inventory.yml":      "all:\n  vars: {ansible_connection: local, out: " + out + "}\n  hosts:\n    s1:\n    s2:\n    s3:\n    s4:\n    s5:\n    h1:\n    h2:\n    h3:\n",
				"site.yml":           e2eSetupPlaybook + e2eHandlerFactsPlaybook,
				"templates/facts.j2": e2eSetupFacts,
				"templates/conf.j2":  "conf of {{ ansible_hostname }} ({{ ansible_distribution }})\n",
				"straylight.yml":     "",
			}}
		parity.WriteTree(t, root, repo.Files)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		p := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		handlers := 0
		for _, h := range p.Hosts {
			if len(h.Unsupported)+len(h.ViaAnsible) > 0 {
				t.Fatalf("%s: [%s] not all planned: %+v %+v", o.Full, h.Host, h.Unsupported, h.ViaAnsible)
			}
			handlers += len(h.Handlers)
		}
		if handlers != 6 {
			t.Fatalf("%s: %d handlers planned, want 6: %+v", o.Full, handlers, p.Hosts)
		}
		log := parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		status := parity.TaskStatus(log)
		parity.CompareStatus(t, p, status)
		for host, tasks := range status {
			for _, task := range []string{"Gather", "Gather more"} {
				if changed, ran := tasks[task]; ran && changed {
					t.Errorf("%s: [%s] %q reported changed", o.Full, host, task)
				}
			}
		}
		planned := map[string]string{}
		for _, h := range p.Hosts {
			for _, f := range h.Files {
				planned[strings.TrimSuffix(filepath.Base(f.Dest), ".txt")] = string(f.Content())
			}
		}
		for _, name := range e2eSetupFiles {
			deployed, err := os.ReadFile(filepath.Join(out, name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			if planned[name] != string(deployed) {
				t.Errorf("%s: %s: straylight's render (-) and ansible-playbook's (+):\n%s", o.Full, name, parity.LineDiff(planned[name], string(deployed)))
			}
		}
		if _, err := os.Stat(filepath.Join(out, "s1-redhat.txt")); err == nil || planned["s1-redhat"] != "" {
			t.Errorf("%s: the RedHat-only task ran", o.Full)
		}
		e2eHandlerFactsApplied(t, o, bin, root, out)
	})
}

// e2eHandlerFactsApplied: the files in out after ansible-playbook (the
// handlers' among them) are those straylight --apply writes from scratch.
func e2eHandlerFactsApplied(t *testing.T, o parity.Oracle, bin, root, out string) {
	t.Helper()
	byAnsible := parity.FilesIn(t, out)
	for _, name := range []string{"h1-handler.txt", "h2-early-handler.txt", "h2-late-handler.txt", "h3-handler.txt", "h1-nomem.txt", "h1-later-handler.txt"} {
		if !strings.Contains(byAnsible, name+": ") {
			t.Fatalf("%s: ansible-playbook wrote no %s:\n%s", o.Full, name, byAnsible)
		}
	}
	e2eEnvReset(t, out)
	parity.Apply(t, bin, root, o)
	if got := parity.FilesIn(t, out); got != byAnsible {
		t.Errorf("%s: files after straylight --apply (-) and ansible-playbook (+):\n%s", o.Full, parity.LineDiff(got, byAnsible))
	}
}

// e2eHandlerFactsPlaybook: plays with gather_facts: false whose handlers
// read the facts a setup task gathered: h1's handlers, flushed at the end
// of the tasks after a setup with gather_subset '!all', read what it
// selected (and not the hardware it left out); h2's first handler is
// flushed by meta: flush_handlers after a network-only setup, its second
// at the end after hardware was added; h3's handler, flushed after
// pre_tasks, runs before the setup task of its tasks. A later play on h1
// that gathers nothing keeps what the '!all' setup gave, in its tasks and
// its handlers.
const e2eHandlerFactsPlaybook = `- name: Handlers after a setup task
  hosts: h1
  gather_facts: false
  tasks:
    - name: Gather
      setup: {gather_subset: ['!all']}
    - name: Config
      template: {src: conf.j2, dest: "{{ out }}/h1-conf.txt"}
      notify: [note facts, note the rest]
  handlers:
    - name: note facts
      shell: printf '%s\n' "{{ ansible_hostname }} {{ ansible_distribution }} {{ ansible_os_family }} {{ ansible_facts.distribution_release }}" > {{ out }}/h1-handler.txt
    - name: note the rest
      command: cp {{ out }}/h1-conf.txt {{ out }}/h1-{{ ansible_memtotal_mb | default('nomem') }}.txt
- name: Handlers at a flush between two setup tasks
  hosts: h2
  gather_facts: false
  tasks:
    - name: Gather network
      setup: {gather_subset: ['!all', '!min', 'network']}
    - name: Early
      copy: {content: "early\n", dest: "{{ out }}/h2-early.txt"}
      notify: early handler
    - meta: flush_handlers
    - name: Gather hardware
      setup:
        gather_subset: "!all,!min,hardware"
    - name: Late
      copy: {content: "late\n", dest: "{{ out }}/h2-late.txt"}
      notify: late handler
  handlers:
    - name: early handler
      shell: >-
        echo "{{ ansible_hostname | default('UNDEF') }} {{ (ansible_default_ipv4 | default({'interface': 'UNDEF'})).interface | default('none') }} {{ ansible_memtotal_mb | default('UNDEF') }}" > {{ out }}/h2-early-handler.txt
    - name: late handler
      shell: >-
        echo "{{ ansible_hostname | default('UNDEF') }} {{ (ansible_default_ipv4 | default({'interface': 'UNDEF'})).interface | default('none') }} {{ ansible_memtotal_mb | default('UNDEF') }}" > {{ out }}/h2-late-handler.txt
- name: A later play after the partial setup
  hosts: h1
  gather_facts: false
  tasks:
    - name: Later
      copy: {content: "{{ ansible_distribution }} {{ ansible_memtotal_mb | default('nomem') }}\n", dest: "{{ out }}/h1-later.txt"}
      notify: later handler
  handlers:
    - name: later handler
      shell: echo "{{ ansible_hostname }} {{ ansible_os_family }}" > {{ out }}/h1-later-handler.txt
- name: A handler flushed before the setup task
  hosts: h3
  gather_facts: false
  pre_tasks:
    - name: Pre
      copy: {content: "pre\n", dest: "{{ out }}/h3-pre.txt"}
      notify: pre handler
  tasks:
    - name: Gather
      setup:
  handlers:
    - name: pre handler
      shell: echo "{{ ansible_hostname | default('UNDEF') }} {{ ansible_distribution | default('UNDEF') }}" > {{ out }}/h3-handler.txt
`
