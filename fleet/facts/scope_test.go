package facts_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/facts"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/render"
)

// countingDial opens plan's default transports (local here) and counts
// the hosts dialled for facts.
type countingDial struct{ n atomic.Int32 }

func (c *countingDial) dial(conn ansible.Connection) (remote.Transport, error) {
	c.n.Add(1)
	return plan.DefaultTransports(conn)
}

// openRepo writes a one-host repository (local connection) and opens it
// with a fact gatherer counting its dials.
func openRepo(t *testing.T, files map[string]string) (*ansible.Repo, *countingDial) {
	t.Helper()
	t.Setenv("ANSIBLE_CONFIG", "")
	t.Setenv("ANSIBLE_GATHERING", "")
	root := t.TempDir()
	files["inventory.yml"] = "all:\n  hosts:\n    box:\n      ansible_connection: local\n"
	for name, content := range files {
		writeFile(t, filepath.Join(root, name), content)
	}
	dial := &countingDial{}
	r, err := ansible.Open(ansible.Options{Repo: root, Inventory: filepath.Join(root, "inventory.yml"),
		Facts: facts.New(dial.dial, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return r, dial
}

const factsTemplate = "{{ ansible_hostname }}|{{ ansible_facts['distribution_release'] }}|{{ ansible_facts.os_family }}|" +
	"{{ ansible_env.HOME }}|{{ ansible_memtotal_mb }}|{{ ansible_processor_vcpus * 2 }}|{{ ansible_default_ipv4.address | default('none') }}\n"

func localFacts(t *testing.T) map[string]any {
	t.Helper()
	f, err := facts.Gather(context.Background(), remote.NewLocal(remote.LocalConfig{}), false)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func wantFactsNote(t *testing.T) string {
	f := localFacts(t)
	addr := "none"
	if a, ok := f["default_ipv4"].(*render.Map).Values["address"]; ok {
		addr = a.(string)
	}
	return fmt.Sprintf("%s|%s|%s|%s|%d|%d|%s\n", f["hostname"], f["distribution_release"], f["os_family"],
		os.Getenv("HOME"), f["memtotal_mb"], f["processor_vcpus"].(int)*2, addr)
}

// A play that gathers facts (Ansible's default) renders a template and a
// condition reading them, with one round trip to the host for all its
// tasks.
func TestTemplateAndConditionReadGatheredFacts(t *testing.T) {
	r, dial := openRepo(t, map[string]string{
		"site.yml": "- hosts: box\n  tasks:\n" +
			"    - {name: note, template: {src: note.j2, dest: /o/note}, when: \"ansible_os_family == ansible_facts['os_family']\"}\n" +
			"    - {name: second, copy: {content: \"{{ ansible_fqdn }}\", dest: /o/fqdn}}\n",
		"templates/note.j2": factsTemplate,
	})
	w, err := r.RenderHost("box", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 2 {
		t.Fatalf("%d files rendered, want 2", len(w.Files))
	}
	if got, want := string(w.Files[0].Content), wantFactsNote(t); got != want {
		t.Errorf("note: %q, want %q", got, want)
	}
	if got := string(w.Files[1].Content); got != localFacts(t)["fqdn"] {
		t.Errorf("fqdn: %q, want %q", got, localFacts(t)["fqdn"])
	}
	if n := dial.n.Load(); n != 1 {
		t.Errorf("the host was dialled %d times for its facts, want once", n)
	}
}

// No fact read, no round trip: a repository whose plays gather facts (by
// default) but whose tasks never read one does not reach the host.
func TestNoFactReadNoRoundTrip(t *testing.T) {
	r, dial := openRepo(t, map[string]string{
		"site.yml": "- hosts: box\n  tasks:\n    - {name: plain, copy: {content: \"{{ inventory_hostname }} {{ ansible_connection }}\", dest: /o/plain}}\n",
	})
	if _, err := r.RenderHost("box", false); err != nil {
		t.Fatal(err)
	}
	if n := dial.n.Load(); n != 0 {
		t.Errorf("the host was dialled %d times, want none", n)
	}
}

// Plays that do not gather: gather_facts: false, and gathering = explicit
// without gather_facts: true. The fact is then undefined, as in Ansible,
// and nobody is asked. A later play's gather_facts: false still sees the
// facts an earlier play gathered.
func TestPlaysThatDoNotGather(t *testing.T) {
	const reads = "    - {name: reads, copy: {content: \"{{ ansible_hostname }}\", dest: /o/h}}\n"
	for name, files := range map[string]map[string]string{
		"gather_facts false": {"site.yml": "- hosts: box\n  gather_facts: false\n  tasks:\n" + reads},
		"gathering explicit": {"site.yml": "- hosts: box\n  tasks:\n" + reads, "ansible.cfg": "[defaults]\ngathering = explicit\n"},
	} {
		t.Run(name, func(t *testing.T) {
			r, dial := openRepo(t, files)
			_, err := r.RenderHost("box", false)
			if err == nil || !strings.Contains(err.Error(), "undefined variable 'ansible_hostname'") {
				t.Errorf("error %v, want ansible_hostname undefined", err)
			}
			if dial.n.Load() != 0 {
				t.Errorf("dialled %d times", dial.n.Load())
			}
		})
	}
	t.Run("a later play gathers, an included role reads", func(t *testing.T) {
		r, dial := openRepo(t, map[string]string{"roles/reader/tasks/main.yml": reads[4:],
			"site.yml": "- hosts: box\n  gather_facts: false\n  tasks:\n    - include_role: {name: reader}\n- hosts: box\n  tasks: []\n"})
		_, err := r.RenderHost("box", false)
		if err == nil || !strings.Contains(err.Error(), "undefined variable 'ansible_hostname'") || dial.n.Load() != 0 {
			t.Errorf("error %v, %d dials: the facts of a later play were seen", err, dial.n.Load())
		}
	})
	t.Run("an earlier play gathered", func(t *testing.T) {
		r, dial := openRepo(t, map[string]string{"ansible.cfg": "[defaults]\ngathering = explicit\n",
			"site.yml": "- hosts: box\n  gather_facts: yes\n  tasks: []\n- hosts: box\n  gather_facts: false\n  tasks:\n" + reads})
		w, err := r.RenderHost("box", false)
		if err != nil || len(w.Files) != 1 || string(w.Files[0].Content) != localFacts(t)["hostname"] {
			t.Fatalf("render: %v, %+v", err, w)
		}
		if dial.n.Load() != 1 {
			t.Errorf("dialled %d times, want once", dial.n.Load())
		}
	})
}

// inject_facts_as_vars = False: facts only under ansible_facts.
func TestInjectFactsAsVarsOff(t *testing.T) {
	r, _ := openRepo(t, map[string]string{"ansible.cfg": "[defaults]\ninject_facts_as_vars = False\n",
		"site.yml": "- hosts: box\n  tasks:\n    - {name: a, copy: {content: \"{{ ansible_facts.hostname }}\", dest: /o/a}}\n" +
			"    - {name: b, copy: {content: \"{{ ansible_hostname | default('not injected') }}\", dest: /o/b}}\n"})
	w, err := r.RenderHost("box", false)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := string(w.Files[0].Content), string(w.Files[1].Content); a != localFacts(t)["hostname"] || b != "not injected" {
		t.Errorf("a %q, b %q", a, b)
	}
}

// A fact Ansible's setup gives that straylight does not gather is an
// error naming it, not an undefined value default() would hide.
func TestUngatheredFactIsNamed(t *testing.T) {
	r, _ := openRepo(t, map[string]string{
		"site.yml": "- hosts: box\n  tasks:\n    - {name: lsb, copy: {content: \"{{ ansible_lsb | default('') }}\", dest: /o/l}}\n"})
	_, err := r.RenderHost("box", false)
	if err == nil || !strings.Contains(err.Error(), "ansible_lsb is a fact Ansible's setup module gives that straylight does not gather") {
		t.Errorf("error %v", err)
	}
}

// An unreachable host: the task that needed the fact, the host and the
// reason, and a rescue does not swallow it.
func TestUnreachableHostNamesTaskHostAndReason(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now: connection refused
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "inventory.yml"), fmt.Sprintf("all:\n  hosts:\n    gone:\n      ansible_host: 127.0.0.1\n      ansible_port: %d\n      ansible_user: nobody\n", port))
	writeFile(t, filepath.Join(root, "site.yml"), "- hosts: gone\n  tasks:\n    - block:\n        - name: Needs a fact\n          copy: {content: \"{{ ansible_hostname }}\", dest: /o/x}\n      rescue:\n        - {name: rescued, copy: {content: r, dest: /o/r}}\n")
	trs := plan.NewTransports(remote.SSHEnv{Home: t.TempDir(), ConfigFile: "none"})
	defer trs.Close()
	t.Setenv("ANSIBLE_CONFIG", "")
	r, err := ansible.Open(ansible.Options{Repo: root, Inventory: filepath.Join(root, "inventory.yml"), Facts: facts.New(trs.Open, 0)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.RenderHost("gone", false)
	t.Logf("%v", err)
	for _, want := range []string{"site.yml:4:", `task "Needs a fact"`, "gathering facts from gone", "connection refused"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

// Prefetch asks every host of a gathering play at once when a file reads a
// fact, and the render then makes no round trip of its own; when no file
// reads one, nobody is asked.
func TestPrefetch(t *testing.T) {
	const inventory = "all:\n  vars: {ansible_connection: local}\n  hosts:\n    h1:\n    h2:\n    h3:\n"
	for name, c := range map[string]struct {
		task  string
		dials int32
	}{
		"a fact read":  {"    - {name: t, copy: {content: \"{{ ansible_facts.hostname }}\", dest: /o/t}}\n", 3},
		"no fact read": {"    - {name: t, copy: {content: \"{{ inventory_hostname }}\", dest: /o/t}}\n", 0},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("ANSIBLE_CONFIG", "")
			t.Setenv("ANSIBLE_GATHERING", "")
			root := t.TempDir()
			writeFile(t, filepath.Join(root, "inventory.yml"), inventory)
			writeFile(t, filepath.Join(root, "site.yml"), "- hosts: all\n  tasks:\n"+c.task)
			dial := &countingDial{}
			g := facts.New(dial.dial, 0)
			r, err := ansible.Open(ansible.Options{Repo: root, Inventory: filepath.Join(root, "inventory.yml"), Facts: g})
			if err != nil {
				t.Fatal(err)
			}
			g.Prefetch(r, 2)
			if n := dial.n.Load(); n != c.dials {
				t.Errorf("prefetch dialled %d hosts, want %d", n, c.dials)
			}
			for _, h := range []string{"h1", "h2", "h3"} {
				if _, err := r.RenderHost(h, false); err != nil {
					t.Fatal(err)
				}
			}
			if n := dial.n.Load(); n != c.dials {
				t.Errorf("after the render: %d dials, want %d (the prefetched answers are used)", n, c.dials)
			}
			if got := len(g.Gathered()); got != int(c.dials) {
				t.Errorf("Gathered lists %d hosts", got)
			}
		})
	}
}

// Another host's facts through hostvars: gathered over that host's
// connection; when it cannot be reached, the task reading them is named.
func TestHostvarsFactsOfAnotherHost(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "inventory.yml"), fmt.Sprintf("all:\n  hosts:\n    box: {ansible_connection: local}\n    twin: {ansible_connection: local}\n"+
		"    gone: {ansible_host: 127.0.0.1, ansible_port: %d, ansible_user: nobody}\n", port))
	writeFile(t, filepath.Join(root, "site.yml"), "- hosts: twin:gone\n  tasks: []\n- hosts: box\n  gather_facts: false\n  tasks:\n"+
		"    - {name: twin, copy: {content: \"{{ hostvars['twin'].ansible_facts.hostname }}\", dest: /o/twin}}\n"+
		"    - {name: Reads gone, copy: {content: \"{{ hostvars['gone']['ansible_hostname'] }}\", dest: /o/gone}}\n")
	trs := plan.NewTransports(remote.SSHEnv{Home: t.TempDir(), ConfigFile: "none"})
	defer trs.Close()
	t.Setenv("ANSIBLE_CONFIG", "")
	r, err := ansible.Open(ansible.Options{Repo: root, Inventory: filepath.Join(root, "inventory.yml"), Facts: facts.New(trs.Open, 0)})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.RenderHost("box", false)
	if len(w.Files) != 1 || string(w.Files[0].Content) != localFacts(t)["hostname"] {
		t.Errorf("twin's hostname through hostvars: %+v", w.Files)
	}
	for _, want := range []string{"site.yml:7:", `task "Reads gone" needs gathered facts`, "gathering facts from gone", "connection refused"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}
