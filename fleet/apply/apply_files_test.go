package apply_test

import (
	"context"
	"os"
	"path/filepath"
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
