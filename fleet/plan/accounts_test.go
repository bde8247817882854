package plan_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/vault"
	"github.com/straylight-fleet/straylight/internal/parity"
	"github.com/straylight-fleet/straylight/remote"
)

const accountsPlay = `- hosts: gpu
  gather_facts: false
  become: true
  tasks:
    - name: vllm group
      group: {name: vllm, system: true}
    - name: vllm user
      user: {name: vllm, group: vllm, comment: "{{ vault_comment }}", home: /srv/vllm, shell: /usr/sbin/nologin, system: true}
    - name: ops joins the group
      user: {name: ops, groups: [vllm], append: true}
    - name: ops again
      user: {name: ops, shell: /bin/sh}
    - name: root kept
      user: {name: root, create_home: false}
    - name: ops group kept
      group: {name: ops}
    - name: root joins ops
      user: {name: root, groups: [ops], append: true, create_home: false}
    - name: ops group still kept
      group: {name: ops}
`

// TestAccountTasksPlannedFromGetent: the user and group tasks of a host
// are planned from one getent round trip (the exact script asserted),
// each from what the tasks before it leave: the user joins the group an
// earlier task adds, a second task on a user an earlier one modifies is
// Ansible's; a task reading an account an earlier task changes keeps no
// hash for the apply's staleness check, the others keep what they read;
// a vaulted comment is masked in the plan, present in what the apply
// runs.
func TestAccountTasksPlannedFromGetent(t *testing.T) {
	root := t.TempDir()
	secret, err := vault.Encrypt([]byte("vault_comment: vLLM S3CRET\n"), []byte("pw"), "")
	if err != nil {
		t.Fatal(err)
	}
	parity.WriteTree(t, root, map[string]string{
		"ansible.cfg":              "[defaults]\ninventory = inventory.yml\nvault_password_file = vault-pass.txt\n",
		"vault-pass.txt":           "pw\n",
		"inventory.yml":            "all:\n  hosts:\n    gpu: {ansible_connection: local, ansible_host: 127.0.0.1}\n",
		"group_vars/all/vault.yml": string(secret),
		"site.yml":                 accountsPlay,
	})
	query := filemod.AccountsQueryScript([]string{"vllm", "ops", "root"}, []string{"/srv/vllm"})
	answer := "@@groups\nroot:x:0:\nops:x:1000:\n@@end\n@@user vllm\n@@end\n@@user ops\nops:x:1000:1000::/home/ops:/bin/bash\n@@end\n" +
		"@@path /home/ops\nexists\nparent\n@@end\n@@user root\nroot:x:0:0:root:/root:/bin/bash\n@@end\n@@path /root\nexists\nparent\n@@end\n" +
		"@@path /srv/vllm\nparent\n@@end\n@@usermod\nappend\n@@end\n@@suse\n@@end\n" + "@@system\nLinux\ndebian\n@@end\n@@tools\ngroupadd\ngroupmod\ngroupdel\nuseradd\nusermod\nuserdel\n@@end\n"
	fake := &winFake{answers: map[string]remote.CommandResult{strings.Split(query, "\n")[0]: {Stdout: answer}}}
	p := &fleetplan.Planner{Repo: parity.Open(t, root, ""), Transports: func(fleetplan.Connection) (remote.Transport, error) { return fake, nil }}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.sent) != 1 || fake.sent[0].Script != query {
		t.Fatalf("sent %+v", fake.sent)
	}
	h := plan.Host("gpu")
	want := []struct{ summary, hashed string }{
		{"add (groupadd -r vllm)", "kept"},
		{"add (useradd -g vllm -c '" + fleetplan.SecretMask + "' -d /srv/vllm -s /usr/sbin/nologin -m -r vllm)", ""},
		{"modify (usermod -a -G vllm ops)", ""},
		{"present", "kept"},
		{"present", "kept"},
		{"modify (usermod -a -G ops root)", "kept"},
		{"present", ""}, // root joined it: getent lists root among its members at the apply
	}
	if len(h.Files) != len(want) || len(h.Unsupported) != 1 || !strings.Contains(h.Unsupported[0].Reason, "an earlier task of the run adds or modifies user ops") {
		t.Fatalf("files %d, unsupported %+v", len(h.Files), h.Unsupported)
	}
	for i, w := range want {
		f := h.Files[i]
		if f.Account == nil || f.Account.Summary != w.summary || (f.OldSHA256 != "") != (w.hashed != "") {
			t.Errorf("task %d: %+v %+v", i, f, f.Account)
		}
	}
	if runs := h.Files[1].RunScript(); !strings.Contains(runs, "-c 'vLLM S3CRET'") || strings.Contains(h.Files[1].Script, "S3CRET") {
		t.Errorf("the apply runs %q; the plan shows %q", runs, h.Files[1].Script)
	}
	var human, js strings.Builder
	plan.WriteHuman(&human, io.Discard)
	if err := plan.WriteJSON(&js); err != nil || strings.Contains(human.String()+js.String(), "S3CRET") {
		t.Errorf("the plan shows the vaulted value (%v)", err)
	}
	if !strings.Contains(human.String(), "TASK [vllm group] group vllm: add (groupadd -r vllm)\nchanged: [gpu]") {
		t.Errorf("human plan:\n%s", human.String())
	}
}

// TestAccountTasksWithoutGetent: a host where getent cannot be asked
// hands its account tasks to Ansible, with the reason, and plans the rest.
func TestAccountTasksWithoutGetent(t *testing.T) {
	root := t.TempDir()
	parity.WriteTree(t, root, map[string]string{
		"ansible.cfg":   "[defaults]\ninventory = inventory.yml\n",
		"inventory.yml": "all:\n  hosts:\n    gpu: {ansible_connection: local, ansible_host: 127.0.0.1}\n",
		"site.yml":      "- hosts: gpu\n  gather_facts: false\n  tasks:\n    - {name: grp, group: {name: vllm}}\n    - {name: note, command: {cmd: /bin/true, creates: /etc/hostname}}\n",
	})
	query := filemod.AccountsQueryScript(nil, nil)
	fake := &winFake{answers: map[string]remote.CommandResult{
		strings.Split(query, "\n")[0]:   {ExitCode: 127, Stderr: "getent not found on PATH\n"},
		"if [ -e /etc/hostname ]; then": {Stdout: "creates\n"},
	}}
	p := &fleetplan.Planner{Repo: parity.Open(t, root, ""), Transports: func(fleetplan.Connection) (remote.Transport, error) { return fake, nil }}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h := plan.Host("gpu")
	if len(h.Unsupported) != 1 || h.Unsupported[0].Reason != "group vllm: asking getent about accounts exited 127 (getent not found on PATH); Ansible runs it" || len(h.Files) != 1 {
		t.Errorf("files %+v, unsupported %+v", h.Files, h.Unsupported)
	}
}
