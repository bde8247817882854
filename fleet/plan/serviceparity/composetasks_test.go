package serviceparity_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// Parity of plain docker_compose_v2 tasks with the real module
// (community.docker 3.13.3) against the docker stand-in of compose_test.go:
// the module decides changed from compose's events for its action, with
// --dry-run in check mode; straylight's plan runs the same action with
// --dry-run on the host and reads the events the same way
// (fleet/filemod/compose.go), and its apply runs the action.

// e2eComposeTaskCases: present on a project that is up (ok), has no
// containers or a stopped one (changed), recreate always; stopped on a
// running and on a stopped project; absent on a project that is up and
// on one with no containers; restarted. Each case's project is its own.
var e2eComposeTaskCases = []e2eComposeCase{
	{name: "upok", args: "", start: []string{"up"}, task: true},
	{name: "upnew", args: ", pull: missing", task: true},
	{name: "upidle", args: ", services: [b]", start: []string{"up", "stop -- b"}, task: true},
	{name: "upalways", args: ", recreate: always, services: [a]", start: []string{"up"}, task: true},
	{name: "stoprun", args: ", state: stopped", start: []string{"up"}, task: true},
	{name: "stopidle", args: ", state: stopped", start: []string{"up", "stop"}, task: true},
	{name: "downup", args: ", state: absent, remove_orphans: true", start: []string{"up", "orphan"}, task: true},
	{name: "downnone", args: ", state: absent", task: true},
	{name: "restart", args: ", state: restarted, services: [c]", start: []string{"up"}, task: true},
}

// e2eComposeTasksPlaybook: each case's task notifies a handler that notes
// the case in out/notified, in the handlers' order.
func e2eComposeTasksPlaybook() string {
	var b strings.Builder
	b.WriteString("- name: Compose tasks\n  hosts: c1\n  gather_facts: false\n  tasks:\n")
	for _, c := range e2eComposeTaskCases {
		fmt.Fprintf(&b, "    - name: compose %s\n      %s\n      notify: notified %s\n", c.name, e2eComposeModule(c), c.name)
	}
	b.WriteString("  handlers:\n")
	for _, c := range e2eComposeTaskCases {
		fmt.Fprintf(&b, "    - name: notified %s\n      shell: echo %s >> {{ out }}/notified\n", c.name, c.name)
	}
	return b.String()
}

// TestE2EComposeTasksParityWithModule: for every plain docker_compose_v2
// task, straylight's plan says changed exactly where ansible-playbook
// --check --diff does (and neither changes a container); ansible-playbook
// and straylight --apply, from the same starting containers, run the same
// compose actions in the same order, leave the same containers and notify
// the same handlers; after them, straylight's plan says ok for every task
// but recreate always and restarted, which the module always changes
// (the compose actions' events: Recreate, Restarting). Against both
// ansible-cores.
func TestE2EComposeTasksParityWithModule(t *testing.T) {
	collections := e2ePinnedCollection(t, "community/docker", e2eCommunityDocker, "STRAYLIGHT_COMMUNITY_DOCKER")
	parity.EachCoreInTurn(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		docker, state := e2eComposeInstallStub(t, dir)
		repo := e2eComposeRepo(out)
		repo.Files["compose.yml"] = e2eComposeTasksPlaybook()
		parity.WriteTree(t, root, repo.Files)
		start := func() string {
			e2eComposeStartCases(t, docker, state, out, e2eComposeTaskCases)
			parity.WriteTree(t, out, map[string]string{"notified": ""})
			return e2eComposeContainers(t, state)
		}
		before := start()
		plan := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		e2eComposeTasksPlanned(t, plan)
		e2eTasksChanged(t, o, plan, "compose upnew", "compose upidle", "compose upalways", "compose stoprun", "compose downup", "compose restart")
		e2eComposeTasksCheck(t, o, plan, parity.TaskStatus(e2eComposeAnsible(t, o, dir, root, collections, "--check", "--diff")))
		if now := e2eComposeContainers(t, state); now != before {
			t.Errorf("%s: a check changed containers (-) before, (+) after:\n%s", o.Full, parity.LineDiff(before, now))
		}
		start()
		e2eComposeAnsible(t, o, dir, root, collections)
		byAnsible := e2eComposeSnapshot(t, state) + e2eNotified(t, out)
		start()
		parity.Apply(t, bin, root, o)
		if got := e2eComposeSnapshot(t, state) + e2eNotified(t, out); bin != "" && got != byAnsible {
			t.Errorf("%s, community.docker %s: after straylight --apply (-) and ansible-playbook (+):\n%s", o.Full, e2eCommunityDocker, parity.LineDiff(got, byAnsible))
		}
		after := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		e2eComposeTasksPlanned(t, after)
		e2eTasksChanged(t, o, after, "compose upalways", "compose restart")
		t.Logf("%s, community.docker %s:\n%s", o.Full, e2eCommunityDocker, byAnsible)
	})
}

// e2eComposeTasksPlanned: every task is planned natively, and only the
// notified handlers are.
func e2eComposeTasksPlanned(t *testing.T, p *fleetplan.Plan) {
	t.Helper()
	h := p.Host("c1")
	if h == nil {
		t.Fatal("no plan of c1")
	}
	if len(h.Unsupported) > 0 || len(h.ViaAnsible) > 0 || len(h.Files) != len(e2eComposeTaskCases) {
		t.Fatalf("plan of c1: %d tasks, unsupported %+v, via ansible %+v; want %d", len(h.Files), h.Unsupported, h.ViaAnsible, len(e2eComposeTaskCases))
	}
}

// e2eComposeTasksCheck: the plan changes what ansible-playbook --check
// reports changed, task by task, and every task ran in the check.
func e2eComposeTasksCheck(t *testing.T, o parity.Oracle, p *fleetplan.Plan, status map[string]map[string]bool) {
	t.Helper()
	for _, c := range e2eComposeTaskCases {
		task := "compose " + c.name
		if _, ran := status["c1"][task]; !ran {
			t.Errorf("%s: ansible-playbook did not report %q", o.Full, task)
		}
		if planned := e2ePlannedChange(p.Host("c1"), task); planned != status["c1"][task] {
			t.Errorf("%s, community.docker %s: %q: ansible-playbook --check says changed %v, straylight's plan %v", o.Full, e2eCommunityDocker, task, status["c1"][task], planned)
		}
	}
}

// e2eTasksChanged: the plan changes exactly these tasks, so that the
// comparisons are not of plans that change nothing (or everything).
func e2eTasksChanged(t *testing.T, o parity.Oracle, p *fleetplan.Plan, tasks ...string) {
	t.Helper()
	var changed []string
	for _, f := range p.Host("c1").Files {
		if f.Action != fleetplan.ActionNone {
			changed = append(changed, f.Task)
		}
	}
	if strings.Join(changed, ", ") != strings.Join(tasks, ", ") {
		t.Errorf("%s: the plan changes %q, want %q", o.Full, changed, tasks)
	}
}

// e2eNotified is the handlers' notes in out/notified, in the order they
// ran.
func e2eNotified(t *testing.T, out string) string {
	t.Helper()
	notes, err := os.ReadFile(filepath.Join(out, "notified"))
	if err != nil {
		t.Fatal(err)
	}
	return "notified:\n" + string(notes)
}

// TestComposeTaskAfterWhatItReadsChanges: the plan decides a compose task
// from a dry run on the host before the apply, so a task whose compose
// file an earlier task of the plan changes, or whose project an earlier
// compose task acts on, is left to Ansible, saying why; one whose file an
// earlier task leaves as it is is planned. No Ansible runs here: the
// docker stand-in answers the dry runs.
func TestComposeTaskAfterWhatItReadsChanges(t *testing.T) {
	dir := t.TempDir()
	root, out := filepath.Join(dir, "repo"), filepath.Join(dir, "out")
	docker, state := e2eComposeInstallStub(t, dir)
	cases := []e2eComposeCase{{name: "rendered", start: []string{"up"}}, {name: "twice", start: []string{"up"}}, {name: "same", start: []string{"up"}}}
	e2eComposeStartCases(t, docker, state, out, cases)
	parity.WriteTree(t, filepath.Join(out, "same"), map[string]string{"compose.yaml": strings.ReplaceAll(e2eComposeTemplate, "{{ tag }}", "2")})
	e2eComposeStartCommand(t, docker, state, filepath.Join(out, "same"), cases[2], "up") // up to date with what the template renders
	playbook := "- hosts: c1\n  gather_facts: false\n  tasks:\n" +
		"    - {name: render rendered, template: {src: compose.yaml.j2, dest: \"{{ out }}/rendered/compose.yaml\"}}\n" +
		"    - {name: up rendered, community.docker.docker_compose_v2: {project_src: \"{{ out }}/rendered\"}}\n" +
		"    - {name: up twice, community.docker.docker_compose_v2: {project_src: \"{{ out }}/twice\"}}\n" +
		"    - {name: restart twice, community.docker.docker_compose_v2: {project_src: \"{{ out }}/twice\", state: restarted}}\n" +
		"    - {name: render same, template: {src: compose.yaml.j2, dest: \"{{ out }}/same/compose.yaml\"}}\n" +
		"    - {name: up same, community.docker.docker_compose_v2: {project_src: \"{{ out }}/same\"}}\n"
	repo := e2eComposeRepo(out)
	repo.Files["compose.yml"] = playbook
	parity.WriteTree(t, root, repo.Files)
	h := parity.Plan(t, parity.OpenCore(t, root, "", "")).Host("c1")
	var planned []string
	for _, f := range h.Files {
		planned = append(planned, fmt.Sprintf("%s %s", f.Task, f.Action))
	}
	want := []string{"render rendered update", "up twice none", "render same none", "up same none"}
	if strings.Join(planned, ", ") != strings.Join(want, ", ") {
		t.Errorf("planned %q, want %q", planned, want)
	}
	reasons := map[string]string{"up rendered": "an earlier task (render rendered) changes " + filepath.Join(out, "rendered", "compose.yaml") + ", which compose reads",
		"restart twice": "an earlier task acts on it"}
	if len(h.Unsupported) != len(reasons) {
		t.Fatalf("unsupported %+v, want %d", h.Unsupported, len(reasons))
	}
	for _, u := range h.Unsupported {
		if !strings.Contains(u.Reason, reasons[u.Task]) || !strings.Contains(u.Reason, "Ansible runs it") {
			t.Errorf("%q: %q; want %q", u.Task, u.Reason, reasons[u.Task])
		}
	}
}
