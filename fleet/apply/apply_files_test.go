package apply_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
)

// TestApplyFileAndLineInFileTasks applies a plan of file-module and
// lineinfile tasks on a local host (a directory with a mode and a file in
// it, a link, lineinfile edits chained on one file, a task on a registered
// result), then plans again: everything is as planned, and nothing is left
// to change.
func TestApplyFileAndLineInFileTasks(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	files := map[string]string{
		"inventory/hosts.yml": "all:\n  hosts:\n    box:\n      ansible_connection: local\n      out: " + out + "\n",
		"playbooks/site.yml": `- hosts: all
  gather_facts: false
  tasks:
    - file: {path: "{{ out }}/d", state: directory, mode: "0750"}
    - lineinfile: {path: "{{ out }}/d/app.conf", regexp: "^a=", line: "a=2", create: true}
      register: edited
    - lineinfile: {path: "{{ out }}/d/app.conf", line: "b=3", insertbefore: BOF}
    - file: {src: "{{ out }}/d", dest: "{{ out }}/link", state: link}
    - copy: {content: "edited\n", dest: "{{ out }}/marker"}
      when: edited is changed
`,
	}
	for rel, content := range files {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	repo, plan := planLocal(t, root)
	if plan.Summary.Unsupported != 0 || !plan.HasChanges() {
		t.Fatalf("plan: %s %+v", plan.Summary.Line(), plan.Host("box").Unsupported)
	}
	eng := &apply.Engine{Repo: repo, Transports: fleetplan.DefaultTransports}
	rec := &recorder{}
	sum, err := eng.Apply(context.Background(), plan, rec.observe)
	if err != nil || sum.OK != 1 {
		t.Fatalf("apply: %v %+v %+v", err, sum, rec.events())
	}
	if got, _ := os.ReadFile(filepath.Join(out, "d", "app.conf")); string(got) != "b=3\na=2\n" {
		t.Errorf("app.conf %q", got)
	}
	if st, err := os.Stat(filepath.Join(out, "d")); err != nil || st.Mode().Perm() != 0o750 {
		t.Errorf("d: %v %v", st, err)
	}
	if target, _ := os.Readlink(filepath.Join(out, "link")); target != filepath.Join(out, "d") {
		t.Errorf("link -> %q", target)
	}
	if _, err := os.Stat(filepath.Join(out, "marker")); err != nil {
		t.Errorf("the task on the registered result did not run: %v", err)
	}
	if _, again := planLocal(t, root); again.HasChanges() {
		t.Errorf("after the apply: %s", again.Summary.Line())
	}
}

func planLocal(t *testing.T, root string) (*ansible.Repo, *fleetplan.Plan) {
	t.Helper()
	repo, err := ansible.Open(ansible.Options{Repo: root})
	if err != nil {
		t.Fatal(err)
	}
	p := &fleetplan.Planner{Repo: repo, Transports: fleetplan.DefaultTransports}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return repo, plan
}

// TestApplyAttrsValidateAndRollback: a task that changes a file's mode
// alone chmods it; a later task's validate fails on the host, so its file
// is not replaced, the host fails, and the rollback gives the first file
// its old mode back. Applied again without the failing task, the modes are
// the task's and a backup is kept only where the task asks for one.
func TestApplyAttrsValidateAndRollback(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	writeLocalRepo(t, root, out, `    - copy: {content: "same\n", dest: "{{ out }}/mode.txt", mode: "u+x,g=r"}
    - copy: {content: "bad\n", dest: "{{ out }}/checked.txt", validate: "grep -q good %s"}
`)
	for name, mode := range map[string]os.FileMode{"mode.txt": 0o600, "checked.txt": 0o644} {
		old := map[string]string{"mode.txt": "same\n", "checked.txt": "good\n"}[name]
		if err := os.WriteFile(filepath.Join(out, name), []byte(old), mode); err != nil {
			t.Fatal(err)
		}
	}
	repo, plan := planLocal(t, root)
	if f := plan.Host("box").Files[0]; !f.AttrsOnly() || f.SetMode != "0740" || f.AttrsBefore.Mode != "0600" {
		t.Fatalf("mode.txt planned as %+v", f)
	}
	rec := &recorder{}
	sum, err := (&apply.Engine{Repo: repo, Transports: fleetplan.DefaultTransports}).Apply(context.Background(), plan, rec.observe)
	if err != nil || sum.Failed != 1 || !slices.ContainsFunc(rec.events(), func(ev apply.Event) bool {
		return ev.Kind == apply.EvHostResult && strings.Contains(ev.Message, "validation failed") && strings.Contains(ev.Message, "rolled back")
	}) {
		t.Fatalf("apply: %v %+v %+v", err, sum, rec.events())
	}
	assertMode(t, filepath.Join(out, "mode.txt"), "same\n", 0o600)
	assertMode(t, filepath.Join(out, "checked.txt"), "good\n", 0o644)

	writeLocalRepo(t, root, out, `    - copy: {content: "same\n", dest: "{{ out }}/mode.txt", mode: "u+x,g=r"}
    - copy: {content: "new\n", dest: "{{ out }}/checked.txt", validate: "grep -q new %s", mode: "0600", backup: yes}
`)
	repo, plan = planLocal(t, root)
	if sum, err := (&apply.Engine{Repo: repo, Transports: fleetplan.DefaultTransports}).Apply(context.Background(), plan, (&recorder{}).observe); err != nil || sum.OK != 1 {
		t.Fatalf("apply: %v %+v", err, sum)
	}
	assertMode(t, filepath.Join(out, "mode.txt"), "same\n", 0o740)
	assertMode(t, filepath.Join(out, "checked.txt"), "new\n", 0o600)
	entries, _ := os.ReadDir(out)
	if len(entries) != 3 || !strings.HasPrefix(entries[1].Name(), "checked.txt.") {
		t.Errorf("files in out: %v, want checked.txt's backup beside the two", entries)
	}
	if _, again := planLocal(t, root); again.HasChanges() {
		t.Errorf("after the apply: %s", again.Summary.Line())
	}
}

func writeLocalRepo(t *testing.T, root, out, tasks string) {
	t.Helper()
	files := map[string]string{
		"inventory/hosts.yml": "all:\n  hosts:\n    box:\n      ansible_connection: local\n      out: " + out + "\n",
		"playbooks/site.yml":  "- hosts: all\n  gather_facts: false\n  tasks:\n" + tasks,
	}
	for rel, content := range files {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func assertMode(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	st, statErr := os.Stat(path)
	if err != nil || statErr != nil || string(got) != content || st.Mode().Perm() != mode {
		t.Errorf("%s: %q %v %v, want %q mode %04o", filepath.Base(path), got, st.Mode(), err, content, mode)
	}
}

// TestApplyFollowsHandlerFlushPoints: a pre_tasks file notifies a handler,
// which runs at the end of pre_tasks, before the tasks' file is written
// (Ansible's order); the tasks' handler runs after it. The handlers record
// whether the later file existed when they ran.
func TestApplyFollowsHandlerFlushPoints(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	look := `shell: "if [ -e {{ out }}/later.txt ]; then echo present; else echo absent; fi >> {{ out }}/seen"`
	writeLocalRepo(t, root, out, `    - copy: {content: "later\n", dest: "{{ out }}/later.txt"}
      notify: Look again
  pre_tasks:
    - copy: {content: "pre\n", dest: "{{ out }}/pre.txt"}
      notify: Look
  handlers:
    - name: Look
      `+look+`
    - name: Look again
      `+look+`
`)
	repo, plan := planLocal(t, root)
	rec := &recorder{}
	if sum, err := (&apply.Engine{Repo: repo, Transports: fleetplan.DefaultTransports}).Apply(context.Background(), plan, rec.observe); err != nil || sum.OK != 1 {
		t.Fatalf("apply: %v %+v %+v", err, sum, rec.events())
	}
	if seen, _ := os.ReadFile(filepath.Join(out, "seen")); string(seen) != "absent\npresent\n" {
		t.Errorf("the handlers saw later.txt %q, want absent then present", seen)
	}
	var order []string
	for _, ev := range rec.events() {
		switch {
		case ev.Kind != apply.EvStep || ev.Status != apply.StatusOK:
		case ev.Step == apply.StepWrite:
			order = append(order, filepath.Base(ev.Dest))
		case ev.Step == apply.StepHandler:
			order = append(order, ev.Message)
		}
	}
	if want := []string{"pre.txt", "Look", "later.txt", "Look again"}; !slices.Equal(order, want) {
		t.Errorf("writes and handlers in the order %q, want %q", order, want)
	}
}
