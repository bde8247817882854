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

// An explicit setup task in a play with gather_facts: false gathers the
// facts there, once: the tasks after it read them, those before it do
// not (ansible_hostname is undefined there), and a later play keeps them.
func TestSetupTaskGathersForTheTasksAfterIt(t *testing.T) {
	for _, module := range []string{"setup", "ansible.builtin.gather_facts"} {
		r, dial := openRepo(t, map[string]string{"site.yml": "- hosts: box\n  gather_facts: false\n  tasks:\n" +
			"    - {name: before, copy: {content: \"{{ ansible_hostname | default('none') }}\", dest: /o/before}}\n" +
			"    - {name: Gather, " + module + ": {gather_timeout: 5}}\n" +
			"    - {name: after, copy: {content: \"{{ ansible_hostname }}\", dest: /o/after}, when: ansible_os_family is defined}\n" +
			"- hosts: box\n  gather_facts: false\n  tasks:\n    - {name: later, copy: {content: \"{{ ansible_facts.hostname }}\", dest: /o/later}}\n"})
		w, err := r.RenderHost("box", false)
		if err != nil {
			t.Fatalf("%s: %v", module, err)
		}
		host := localFacts(t)["hostname"]
		got := map[string]string{}
		for _, f := range w.Files {
			got[f.Dest] = string(f.Content)
		}
		if got["/o/before"] != "none" || got["/o/after"] != host || got["/o/later"] != host || len(w.Unsupported) > 0 {
			t.Errorf("%s: %v, unsupported %+v", module, got, w.Unsupported)
		}
		if dial.n.Load() != 1 {
			t.Errorf("%s: dialled %d times, want once", module, dial.n.Load())
		}
	}
}

// A setup task straylight cannot run exactly is Ansible's, with the
// reason, and so is what reads the facts it would gather; a gather_subset
// it can select is not.
func TestSetupTaskStraylightCannotRun(t *testing.T) {
	const reads = "    - {name: reads, copy: {content: \"{{ ansible_os_family }}\", dest: /o/r}}\n"
	for _, c := range []struct{ gather, want string }{
		{"{setup: {gather_subset: [virtual, '!all']}}", ""},
		{"{setup: {gather_subset: [bogus]}}", `gather_subset "bogus": straylight does not know which facts it gives`},
		{"{setup: {filter: 'ansible_os*', nosuch: 1}}", `setup argument "nosuch" is not supported`},
		{"{setup: {}, delegate_to: otherhost}", `delegate_to "otherhost": the facts would be another host's`},
	} {
		r, _ := openRepo(t, map[string]string{"site.yml": "- hosts: box\n  gather_facts: false\n  tasks:\n    - " + strings.Replace(c.gather, "{", "{name: Gather, ", 1) + "\n" + reads})
		w, err := r.RenderHost("box", false)
		if err != nil {
			t.Fatalf("%s: %v", c.gather, err)
		}
		reasons := map[string]string{}
		for _, u := range w.Unsupported {
			reasons[u.Task] = u.Reason
		}
		if c.want == "" {
			if len(w.Unsupported) > 0 || len(w.Files) != 1 || string(w.Files[0].Content) != localFacts(t)["os_family"] {
				t.Errorf("%s: %+v, unsupported %v", c.gather, w.Files, reasons)
			}
			continue
		}
		if !strings.Contains(reasons["Gather"], c.want) || !strings.Contains(reasons["reads"], `it reads "ansible_os_family", a fact of "Gather", which only Ansible runs`) {
			t.Errorf("%s: reasons %q", c.gather, reasons)
		}
	}
}

// A setup task on a host that cannot be reached fails the plan there,
// naming the task, its file and line, the host and the reason.
func TestSetupTaskOnAnUnreachableHost(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "inventory.yml"), "all:\n  hosts:\n    gone:\n      ansible_connection: local\n")
	writeFile(t, filepath.Join(root, "site.yml"), "- hosts: gone\n  gather_facts: false\n  tasks:\n    - name: Gather\n      setup:\n    - {name: x, copy: {content: x, dest: /o/x}}\n")
	t.Setenv("ANSIBLE_CONFIG", "")
	refuse := func(ansible.Connection) (remote.Transport, error) {
		return nil, fmt.Errorf("dial gone: connection refused")
	}
	r, err := ansible.Open(ansible.Options{Repo: root, Inventory: filepath.Join(root, "inventory.yml"), Facts: facts.New(refuse, 0)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.RenderHost("gone", false)
	for _, want := range []string{"site.yml:4:", `task "Gather"`, "gathering facts from gone", "connection refused"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

// The facts a setup task gathers in a play with gather_facts: false are
// the host's for the handlers too, as they stand where each handler runs
// (Ansible gets a handler's variables when it runs): a handler flushed
// after pre_tasks, before the setup task, sees none; one flushed at the
// end of the tasks sees what the setup's gather_subset selected. A fact a
// handler needs of a host that cannot be reached names the handler; one
// of a setup task Ansible runs names that task (a later play keeps the
// facts an earlier one's setup gave: distribution_release, of '!all').
func TestHandlersSeeASetupTasksFacts(t *testing.T) {
	out := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r, _ := openRepo(t, map[string]string{"site.yml": fmt.Sprintf(`- hosts: gone
  tasks: []
- hosts: box
  gather_facts: false
  pre_tasks:
    - {name: early, copy: {content: "early\n", dest: %[1]s/early}, notify: before setup}
  tasks:
    - {name: Gather, setup: {gather_subset: ['!all']}}
    - {name: late, copy: {content: "late\n", dest: %[1]s/late}, notify: [after setup, reads gone]}
  handlers:
    - {name: before setup, shell: "echo {{ ansible_hostname | default('UNDEF') }}"}
    - {name: after setup, shell: "echo {{ ansible_hostname }} {{ ansible_distribution }} {{ ansible_memtotal_mb | default('UNDEF') }}"}
    - {name: reads gone, shell: "echo {{ hostvars['gone']['ansible_hostname'] }}"}
- hosts: box
  gather_facts: false
  tasks:
    - {name: Gather, setup: {gather_subset: [bogus]}}
    - {name: later, copy: {content: "later\n", dest: %[1]s/later}, notify: after bogus}
  handlers:
    - {name: after bogus, shell: "echo {{ ansible_distribution_release }} {{ ansible_memtotal_mb }}"}
`, out)})
	writeFile(t, filepath.Join(r.Root, "inventory.yml"), fmt.Sprintf("all:\n  hosts:\n    box: {ansible_connection: local}\n"+
		"    gone: {ansible_host: 127.0.0.1, ansible_port: %d, ansible_user: nobody}\n", port))
	trs := plan.NewTransports(remote.SSHEnv{Home: t.TempDir(), ConfigFile: "none"})
	defer trs.Close()
	r, err = ansible.Open(ansible.Options{Repo: r.Root, Inventory: filepath.Join(r.Root, "inventory.yml"), Limit: "box", Facts: facts.New(trs.Open, 0)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := (&plan.Planner{Repo: r, Transports: trs.Open}).Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	box, f := p.Host("box"), localFacts(t)
	cmds := map[string]string{}
	for _, h := range box.Handlers {
		cmds[h.Name] = h.Command
	}
	want := map[string]string{"before setup": "echo UNDEF", "after setup": fmt.Sprintf("echo %s %s UNDEF", f["hostname"], f["distribution"])}
	if len(cmds) != len(want) || cmds["before setup"] != want["before setup"] || cmds["after setup"] != want["after setup"] {
		t.Errorf("handlers %v, want %v", cmds, want)
	}
	reasons := map[string]string{}
	for _, u := range box.Unsupported {
		reasons[u.Task] = u.At.String() + ": " + u.Reason
	}
	for task, parts := range map[string][]string{
		"reads gone":  {"site.yml:13: ", `handler "reads gone" needs gathered facts: gathering facts from gone`, "connection refused"},
		"after bogus": {"site.yml:20: ", `it reads "ansible_memtotal_mb", a fact of "Gather", which only Ansible runs`},
	} {
		for _, part := range parts {
			if !strings.Contains(reasons[task], part) {
				t.Errorf("%s: %q does not say %q", task, reasons[task], part)
			}
		}
	}
}
