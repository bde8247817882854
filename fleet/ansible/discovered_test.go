package ansible

import (
	"bytes"
	"reflect"
	"sync"
	"testing"
)

// discoveredFixture: a role's template looped over items, a copy with a
// keyword straylight does not run (discovery still reads it), a copy into
// a directory, and a copy of content.
func discoveredFixture(t *testing.T) *Repo {
	pb := `- hosts: all
  gather_facts: false
  roles: [app]
  tasks:
    - copy: {src: start.sh, dest: "/srv/{{ inventory_hostname }}/start.sh"}
      retries: 3
    - copy: {src: start.sh, dest: "/srv/{{ inventory_hostname }}/bin/"}
    - copy: {content: "port {{ inventory_hostname }}\n", dest: /srv/port.conf}
`
	return tlRepo(t, pb, map[string]string{
		"playbooks/files/start.sh":                  "vllm serve m --port 8000\n",
		"playbooks/roles/app/tasks/main.yml":        "- template: {src: app.conf.j2, dest: \"/etc/{{ item }}.conf\"}\n  loop: [a, b]\n",
		"playbooks/roles/app/templates/app.conf.j2": "{{ item }} on {{ inventory_hostname }}\n",
	}, Options{})
}

// discoveredFile is what discovery reports of a file task.
type discoveredFile struct {
	Dest, Src, Label string
	Module           Module
	Content          []byte
	Vaulted          bool
}

func discoveredFiles(t *testing.T, r *Repo, host string) []discoveredFile {
	t.Helper()
	r.RenderHost(host, false)
	files, problems := r.DiscoveryFiles(host)
	if len(problems) > 0 {
		t.Errorf("%s: %v", host, problems)
	}
	var out []discoveredFile
	for _, f := range files {
		out = append(out, discoveredFile{f.Dest, f.Src, f.Task.Label(), f.Task.Module, f.Content, f.Vaulted})
	}
	return out
}

// TestDiscoveryTasksAreSharedReadOnly: discovery on one repository, its
// hosts walked in parallel (run with -race), reads what a repository of
// its own gives each host; a task straylight does not run is read with
// its module set, and the repository's task keeps its own.
func TestDiscoveryTasksAreSharedReadOnly(t *testing.T) {
	shared := discoveredFixture(t)
	hosts := []string{"h1", "h2"}
	got := make([][]discoveredFile, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Go(func() { got[i] = discoveredFiles(t, shared, h) })
	}
	wg.Wait()
	for i, h := range hosts {
		want := discoveredFiles(t, discoveredFixture(t), h)
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("%s: shared %+v\nalone %+v", h, got[i], want)
		}
		if len(want) != 5 {
			t.Errorf("%s: %d files discovered, want 5: %+v", h, len(want), want)
		}
		for _, f := range got[i] {
			if f.Module == "" || (f.Src == "" && !bytes.HasPrefix(f.Content, []byte("port"))) {
				t.Errorf("%s: %+v is read without its module or source", h, f)
			}
		}
	}
	unsupported := 0
	for _, run := range shared.Runs {
		for _, task := range run.Play.Tasks {
			if task.Unsupported != "" {
				unsupported++
			}
			if task.Unsupported != "" && task.Module != "" {
				t.Errorf("task %s: discovery set its module %q", task.Label(), task.Module)
			}
		}
	}
	if unsupported != 1 {
		t.Errorf("%d tasks straylight does not run; the test needs one", unsupported)
	}
}
