package plan_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eFilesFlushRepo: handler flush points (the end of pre_tasks, of roles
// and tasks together, meta: flush_handlers, the end of the play, with a
// handler notified again after a flush); the file module (directory with a
// mode, touch, link, absent, a mode on a file an earlier task creates) and
// lineinfile (create, regexp, insertbefore, insertafter, BOF, an exact
// line already there, absent), chained on one file; register with
// conditions on .changed, "is changed", "is succeeded", and a skipped
// registered result; a play on the implicit localhost (not in the
// inventory). Deployed by every
// ansible-core the parity test finds: the plan's handler order, changed
// status and file bytes must be Ansible's.
func e2eFilesFlushRepo(out string) parity.Repo {
	files := e2eMerge(
		map[string]string{
			"ansible.cfg":                        "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":                      e2eFlushInventory,
			"group_vars/all.yml":                 "e2e_out: " + out + "\nsite_name: flush\nroute_prefix: flush\nvllm_image_default: \"vllm/vllm-openai:v0.6.4\"\ngpu_note: from group_vars/all.yml\n",
			"host_vars/fpx.yml":                  "litellm:\n  port: 4000\n  master_key: \"sk-flush-1234\"\n" + e2eProxyExtra,
			"site.yml":                           "- import_playbook: gpu.yml\n- import_playbook: flush.yml\n- import_playbook: proxy.yml\n",
			"gpu.yml":                            "- hosts: gpu\n  gather_facts: false\n  roles:\n    - vllm-config\n",
			"proxy.yml":                          e2eProxyPlaybook,
			"flush.yml":                          e2eFlushPlaybook,
			"roles/flush-role/tasks/main.yml":    e2eFlushRoleTasks,
			"roles/flush-role/handlers/main.yml": "- name: Role restart\n  command: /bin/true\n",
		},
		e2eUnder("roles", e2eRoles()),
	)
	return parity.Repo{
		Name: "files-flush", Files: files, Inventory: "inventory.yml",
		Playbooks:  []string{"site.yml"},
		Discovered: []string{"flush.yml", "gpu.yml", "proxy.yml", "site.yml"},
	}
}

const e2eFlushInventory = `all:
  vars:
    ansible_connection: local
    ansible_host: 127.0.0.1
  children:
    gpu:
      hosts:
        f1:
          vllm: {model: "Qwen/Qwen2.5-7B-Instruct-AWQ", served_model_name: qwen-f1, port: 8111}
        f2:
          vllm: {model: "mistralai/Mistral-7B-Instruct-v0.2", port: 8112}
    proxy:
      hosts:
        fpx:
`

const e2eFlushPlaybook = `- name: Handler flush points
  hosts: gpu
  gather_facts: false
  pre_tasks:
    - name: Pre file
      copy:
        content: "pre\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-flush-pre.txt"
      notify: [Second, First]
  roles:
    - flush-role
  tasks:
    - name: Task file notifies First again
      copy:
        content: "task\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-flush-task.txt"
      notify: First
    - name: Flush now
      meta: flush_handlers
    - name: Flush only on f2
      meta: flush_handlers
      when: inventory_hostname == 'f2'
    - name: After the flush
      copy:
        content: "after\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-flush-after.txt"
      notify: Second
    - name: Only f1 notifies Role restart here
      copy:
        content: "f1 only\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-flush-f1.txt"
      notify: Role restart
      when: inventory_hostname == 'f1'
  post_tasks:
    - name: Post file
      copy:
        content: "post\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-flush-post.txt"
      notify: [Second, First]
  handlers:
    - name: First
      command: /bin/true
    - name: Second
      command: /bin/true

- name: Files and lines
  hosts: gpu
  gather_facts: false
  vars:
    env_file: "{{ e2e_out }}/{{ inventory_hostname }}-env.conf"
  tasks:
    - name: A directory with a mode
      ansible.builtin.file:
        path: "{{ e2e_out }}/{{ inventory_hostname }}-dir"
        state: directory
        mode: "0750"
      notify: Files changed
    - name: Touch a file, times preserved
      file:
        path: "{{ e2e_out }}/{{ inventory_hostname }}-dir/touched"
        state: touch
        mode: "0640"
        modification_time: preserve
        access_time: preserve
    - name: A link to the directory
      file:
        src: "{{ e2e_out }}/{{ inventory_hostname }}-dir"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-link"
        state: link
    - name: Nothing to remove
      file:
        path: "{{ e2e_out }}/{{ inventory_hostname }}-never-there"
        state: absent
    - name: Start the env file
      ansible.builtin.lineinfile:
        path: "{{ env_file }}"
        line: "# vLLM env"
        create: true
    - name: Port by regexp
      lineinfile:
        path: "{{ env_file }}"
        regexp: '^PORT='
        line: "PORT={{ vllm.port }}"
      notify: Files changed
      register: port_line
    - name: Only when the port line changed
      copy:
        content: "the port changed\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-dir/port-changed.txt"
      when: port_line.changed
      notify: Files changed
    - name: Only when the port line did not change
      file:
        path: "{{ e2e_out }}/{{ inventory_hostname }}-dir/port-changed.txt"
        state: file
      when:
        - port_line is not changed
        - port_line is succeeded
    - name: Never runs, registers a skipped result
      copy:
        content: "never\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-never.txt"
      when: false
      register: never_ran
    - name: Not in check mode
      copy:
        content: "check mode {{ ansible_check_mode }}, diff mode {{ ansible_diff_mode }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-modes.txt"
      when: not ansible_check_mode
    - name: Runs because the skipped task changed nothing
      copy:
        content: "skipped means unchanged\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-after-skipped.txt"
      when: not never_ran.changed and never_ran is skipped
    - name: Host before the port
      lineinfile:
        path: "{{ env_file }}"
        line: HOST=0.0.0.0
        insertbefore: '^PORT='
    - name: Model after the host
      lineinfile:
        dest: "{{ env_file }}"
        line: "MODEL={{ vllm.model }}"
        insertafter: '^HOST='
    - name: A header at the top
      lineinfile:
        path: "{{ env_file }}"
        line: "# managed by ansible"
        insertbefore: BOF
    - name: The first line is there already
      lineinfile:
        path: "{{ env_file }}"
        line: "# vLLM env"
    - name: Remove an obsolete line
      lineinfile:
        path: "{{ env_file }}"
        regexp: '^OBSOLETE='
        state: absent
    - name: Absent from a missing file
      lineinfile:
        path: "{{ e2e_out }}/{{ inventory_hostname }}-missing.conf"
        line: "x"
        state: absent
    - name: The env file's mode
      file:
        path: "{{ env_file }}"
        mode: "0640"
  handlers:
    - name: Files changed
      command: /bin/true

- name: On the implicit localhost
  hosts: localhost
  gather_facts: false
  tasks:
    - name: A file on the controller
      copy:
        content: "{{ inventory_hostname }} {{ ansible_connection }} {{ site_name }} {{ group_names }} {{ groups['all'] | length }}\n"
        dest: "{{ e2e_out }}/localhost-controller.txt"
      notify: Controller changed
  handlers:
    - name: Controller changed
      command: /bin/true
`

const e2eFlushRoleTasks = `- name: Role file
  copy:
    content: "role\n"
    dest: "{{ e2e_out }}/{{ inventory_hostname }}-flush-role.txt"
  notify: [Role restart, First]
`

// e2eHandlerOrder reads ansible-playbook's default output: per host, the
// handlers that ran ("RUNNING HANDLER [label]" followed by changed or ok
// for the host), in the order they ran.
func e2eHandlerOrder(log string) map[string][]string {
	order := map[string][]string{}
	handler := ""
	for _, line := range strings.Split(log, "\n") {
		if rest, ok := strings.CutPrefix(line, "RUNNING HANDLER ["); ok {
			handler, _, _ = strings.Cut(rest, "] ")
			continue
		}
		if strings.HasPrefix(line, "TASK [") || strings.HasPrefix(line, "PLAY ") {
			handler = ""
		}
		if handler == "" {
			continue
		}
		for _, verdict := range []string{"changed: [", "ok: ["} {
			if rest, ok := strings.CutPrefix(line, verdict); ok {
				host, _, _ := strings.Cut(rest, "]")
				order[host] = append(order[host], handler)
			}
		}
	}
	return order
}

// e2eCompareHandlers: the handlers straylight plans before the deploy are
// the ones Ansible then runs, in the same order, on every host.
func e2eCompareHandlers(t *testing.T, before *fleetplan.Plan, ansibleOrder map[string][]string) {
	t.Helper()
	for _, h := range before.Hosts {
		var mine []string
		for _, hr := range h.Handlers {
			mine = append(mine, hr.Name)
		}
		if !slices.Equal(mine, ansibleOrder[h.Host]) {
			t.Errorf("[%s] handlers: straylight plans %q, Ansible ran %q", h.Host, mine, ansibleOrder[h.Host])
		}
	}
}

// TestE2EHandlerOrderReaderCatchesDifferences: the reader of Ansible's
// output sees order, repetition and hosts, so the comparison can fail.
func TestE2EHandlerOrderReaderCatchesDifferences(t *testing.T) {
	log := "RUNNING HANDLER [First] ***\nchanged: [h1]\nchanged: [h2]\n\nRUNNING HANDLER [r : Second] ***\nchanged: [h1]\n\nTASK [x] ***\nchanged: [h1]\nRUNNING HANDLER [First] ***\nok: [h1]\n"
	got := e2eHandlerOrder(log)
	if want := []string{"First", "r : Second", "First"}; !slices.Equal(got["h1"], want) {
		t.Errorf("h1: %q, want %q", got["h1"], want)
	}
	if want := []string{"First"}; !slices.Equal(got["h2"], want) {
		t.Errorf("h2: %q, want %q", got["h2"], want)
	}
}

// e2eComparePath checks a file-module task (or a lineinfile that leaves a
// missing file missing) against what Ansible left at the path: its kind,
// and nothing left to change.
func e2eComparePath(t *testing.T, host string, f *fleetplan.FileChange) {
	t.Helper()
	st, err := os.Lstat(f.Dest)
	kind := "absent"
	switch {
	case err == nil && st.Mode()&os.ModeSymlink != 0:
		kind = "link"
	case err == nil && st.IsDir():
		kind = "directory"
	case err == nil:
		kind = "file"
	}
	if want := e2eExpectedKind(f); kind != want {
		t.Errorf("[%s] %s: Ansible left a %s at %s, the task wants a %s", host, f.Task, kind, f.Dest, want)
	}
	if f.Action != fleetplan.ActionNone {
		t.Errorf("[%s] %s: action %s over Ansible's %s (%s)", host, f.Task, f.Action, filepath.Base(f.Dest), f.Diff)
	}
}

// e2eExpectedKind is what the test repository's file tasks leave.
func e2eExpectedKind(f *fleetplan.FileChange) string {
	switch {
	case strings.HasSuffix(f.Dest, "-dir"):
		return "directory"
	case strings.HasSuffix(f.Dest, "-link"):
		return "link"
	case strings.Contains(f.Dest, "-never") || strings.Contains(f.Dest, "-missing"):
		return "absent"
	}
	return "file"
}

// TestFilesFlushPlanWithoutAnsible plans the files-flush repository on an
// empty output directory, without Ansible: the handler order and the
// chained lineinfile result are the ones ansible-playbook produced when the
// parity test last ran against both ansible-cores (that test compares them
// live; this one keeps them checked where Ansible is not installed).
func TestFilesFlushPlanWithoutAnsible(t *testing.T) {
	dir := t.TempDir()
	root, out := filepath.Join(dir, "repo"), filepath.Join(dir, "out")
	parity.WriteTree(t, root, e2eRepoNamed(t, "files-flush", out).Files)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	plan := parity.Plan(t, parity.Open(t, root, ""))
	f1 := plan.Host("f1")
	var handlers []string
	for _, hr := range f1.Handlers {
		handlers = append(handlers, hr.Name)
	}
	want := []string{"vllm-config : Restart vLLM", "First", "Second", "flush-role : Role restart", "First",
		"flush-role : Role restart", "Second", "First", "Second", "Files changed"}
	if !slices.Equal(handlers, want) {
		t.Errorf("f1 handlers %q, want %q", handlers, want)
	}
	var env string
	for _, f := range f1.Files {
		if strings.HasSuffix(f.Dest, "-env.conf") && f.NewContent != "" {
			env = f.NewContent
		}
	}
	if want := "# managed by ansible\n# vLLM env\nHOST=0.0.0.0\nMODEL=Qwen/Qwen2.5-7B-Instruct-AWQ\nPORT=8111\n"; env != want {
		t.Errorf("env.conf planned as %q, want %q", env, want)
	}
	if lh := plan.Host("localhost"); lh == nil || lh.Connection != "local" || len(lh.Files) != 1 {
		t.Errorf("implicit localhost: %+v", lh)
	}
}
