package apply_test

import (
	"context"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/filemod"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
	"github.com/straylight-fleet/straylight/remote"
)

// localOnTheWire is a repository of one local host, gpu, running tasks
// (a play's task lines), whose transport answers scripts from answers (by
// their first line) and records what is sent.
func localOnTheWire(t *testing.T, tasks string, answers map[string]string) (*ansible.Repo, func(fleetplan.Connection) (remote.Transport, error), *winWire) {
	t.Helper()
	root := t.TempDir()
	parity.WriteTree(t, root, map[string]string{
		"inventory.yml": "all:\n  hosts:\n    gpu: {ansible_connection: local, ansible_host: 127.0.0.1}\n",
		"ansible.cfg":   "[defaults]\ninventory = inventory.yml\n",
		"site.yml":      "- hosts: gpu\n  gather_facts: false\n  tasks:\n" + tasks,
	})
	wire := &winWire{answers: answers}
	transports := func(fleetplan.Connection) (remote.Transport, error) { return wire, nil }
	repo, err := ansible.Open(ansible.Options{Repo: root})
	if err != nil {
		t.Fatal(err)
	}
	return repo, transports, wire
}

// accountsApplyRepo is a host with a group task and a user task in it.
func accountsApplyRepo(t *testing.T) (*ansible.Repo, func(fleetplan.Connection) (remote.Transport, error), *winWire) {
	t.Helper()
	first := strings.Split(filemod.AccountsQueryScript(nil, nil), "\n")[0]
	return localOnTheWire(t, "    - {name: group, group: {name: vllm, system: true}}\n"+
		"    - {name: user, user: {name: ops, shell: /bin/sh, create_home: false}}\n", map[string]string{first: "@@groups\nroot:x:0:\n@@end\n@@user ops\nops:x:1000:1000::/home/ops:/bin/bash\n@@end\n@@usermod\nappend\n@@end\n@@suse\n@@end\n@@system\nLinux\ndebian\n@@end\n@@tools\ngroupadd\ngroupmod\ngroupdel\nuseradd\nusermod\nuserdel\n@@end\n"})
}

// TestApplyAccountTasksOnTheWire: --apply asks getent again about what
// each task read (the group alone, the user alone), then sends the
// module's command, in task order, with the sbin directories on PATH.
func TestApplyAccountTasksOnTheWire(t *testing.T) {
	repo, transports, wire := accountsApplyRepo(t)
	plan, err := (&fleetplan.Planner{Repo: repo, Transports: transports}).Plan(context.Background())
	if err != nil || len(plan.Host("gpu").Files) != 2 {
		t.Fatalf("plan: %v %+v", err, plan.Host("gpu"))
	}
	wire.sent = nil
	sum, err := (&apply.Engine{Repo: repo, Transports: transports}).Apply(context.Background(), plan, (&recorder{}).observe)
	if err != nil || sum.OK != 1 {
		t.Fatalf("apply: %v %+v", err, sum)
	}
	sbin := "PATH=\"$PATH:/sbin:/usr/sbin:/usr/local/sbin\"; export PATH; "
	want := []string{filemod.AccountsQueryScript(nil, nil), sbin + "groupadd -r vllm",
		filemod.AccountsQueryScript([]string{"ops"}, nil), sbin + "usermod -s /bin/sh ops"}
	wantSentSh(t, wire, want)
}

// wantSentSh: the wire carried exactly the scripts want, in order, each
// in sh.
func wantSentSh(t *testing.T, wire *winWire, want []string) {
	t.Helper()
	if len(wire.sent) != len(want) {
		t.Fatalf("sent %d commands, want %d: %+v", len(wire.sent), len(want), wire.sent)
	}
	for i, w := range want {
		if wire.sent[i].Script != w || wire.sent[i].Shell != remote.Sh {
			t.Errorf("command %d: %s %q, want sh %q", i, wire.sent[i].Shell, wire.sent[i].Script, w)
		}
	}
}

// TestApplyAccountChangedSincePlan: a group getent answers about
// otherwise at apply time than at plan time is not acted on: the host
// fails with "plan again", and nothing but the query is sent.
func TestApplyAccountChangedSincePlan(t *testing.T) {
	repo, transports, wire := accountsApplyRepo(t)
	wantPlanAgain(t, repo, transports, wire, "root:x:0:\n", "root:x:0:\nvllm:x:999:\n", "group vllm changed on the host since the plan: plan again")
}

// wantPlanAgain plans, then applies with old replaced by new in every
// answer the host gives: the host fails with msg, and nothing but the
// query is sent.
func wantPlanAgain(t *testing.T, repo *ansible.Repo, transports func(fleetplan.Connection) (remote.Transport, error), wire *winWire, old, new, msg string) {
	t.Helper()
	plan, err := (&fleetplan.Planner{Repo: repo, Transports: transports}).Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range wire.answers {
		wire.answers[k] = strings.Replace(v, old, new, 1)
	}
	wire.sent = nil
	rec := &recorder{}
	if _, err := (&apply.Engine{Repo: repo, Transports: transports}).Apply(context.Background(), plan, rec.observe); err != nil {
		t.Fatal(err)
	}
	wantResult(t, rec.events(), "gpu", "failed", msg)
	if len(wire.sent) != 1 {
		t.Errorf("sent %+v, want the query alone", wire.sent)
	}
}
