package ansible

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tlRepo writes a one-host repository (local connection) with the given
// playbook and extra files, and opens it with opts' tags.
func tlRepo(t *testing.T, playbook string, files map[string]string, opts Options) *Repo {
	t.Helper()
	root := t.TempDir()
	files["inventory/hosts.yml"] = "all:\n  vars: {ansible_connection: local}\n  hosts:\n    h1:\n    h2:\n"
	files["playbooks/site.yml"] = playbook
	for rel, content := range files {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts.Repo = root
	r, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func tlDests(t *testing.T, r *Repo, host string) []string {
	t.Helper()
	w, err := r.RenderHost(host, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range w.Files {
		out = append(out, f.Dest)
	}
	return out
}

const tlTagsPlay = `- hosts: all
  gather_facts: false
  tasks:
    - {name: a, copy: {content: a, dest: /o/a}, tags: [web]}
    - {name: b, copy: {content: b, dest: /o/b}, tags: [db]}
    - {name: c, copy: {content: c, dest: /o/c}, tags: [always]}
    - {name: d, copy: {content: d, dest: /o/d}, tags: [never, debug]}
    - {name: e, copy: {content: e, dest: /o/e}}
    - name: block
      tags: web
      block:
        - {name: f, copy: {content: f, dest: /o/f}}
`

// TestTagsSelectTasks: --tags and --skip-tags with Ansible's special tags;
// a block's tags reach its tasks.
func TestTagsSelectTasks(t *testing.T) {
	cases := []struct {
		tags, skip []string
		want       string
	}{
		{nil, nil, "/o/a /o/b /o/c /o/e /o/f"},
		{[]string{"web"}, nil, "/o/a /o/c /o/f"},
		{[]string{"debug"}, nil, "/o/c /o/d"},
		{nil, []string{"web,always"}, "/o/b /o/e"},
		{[]string{"untagged"}, nil, "/o/c /o/e"},
		{[]string{"tagged"}, []string{"db"}, "/o/a /o/c /o/f"},
	}
	for _, c := range cases {
		r := tlRepo(t, tlTagsPlay, map[string]string{}, Options{Tags: c.tags, SkipTags: c.skip})
		if got := strings.Join(tlDests(t, r, "h1"), " "); got != c.want {
			t.Errorf("--tags %v --skip-tags %v: %s, want %s", c.tags, c.skip, got, c.want)
		}
	}
}

// TestRunOnceAndRegister: run_once writes on the play's first host only.
func TestRunOnceAndRegister(t *testing.T) {
	r := tlRepo(t, "- hosts: all\n  gather_facts: false\n  tasks:\n    - {name: once, copy: {content: x, dest: /o/once}, run_once: true}\n", map[string]string{}, Options{})
	if !slices.Equal(tlDests(t, r, "h1"), []string{"/o/once"}) || len(tlDests(t, r, "h2")) != 0 {
		t.Errorf("run_once: h1 %v, h2 %v", tlDests(t, r, "h1"), tlDests(t, r, "h2"))
	}
}

// TestOnlyAnsibleDecides: a task that reads the result of a task
// straylight does not run (in its condition, `is defined` included, its
// arguments, its loop, or through a fact set from it), or uses a lookup
// straylight does not run, is handed to Ansible with the reason, and so is
// what reads its own result; the file tasks that read nothing unknown stay
// straylight's. An include or a fact with another value straylight would
// read instead is an error naming the task.
func TestOnlyAnsibleDecides(t *testing.T) {
	const head = "- hosts: all\n  gather_facts: false\n  tasks:\n    - {name: probe, find: {paths: /etc, patterns: x}, register: probe_out}\n"
	cases := []struct {
		name, tasks string
		wantFiles   string
		wantHanded  map[string]string // task → part of its reason
		wantErr     string
	}{
		{"condition", "    - {name: after, copy: {content: x, dest: /o/x}, when: probe_out.rc == 0}\n    - {name: free, copy: {content: y, dest: /o/y}}\n",
			"/o/y", map[string]string{"after": `its condition reads "probe_out", the result of "probe"`}, ""},
		{"is defined", "    - {name: after, copy: {content: x, dest: /o/x}, when: probe_out is defined}\n",
			"", map[string]string{"after": `condition reads "probe_out"`}, ""},
		{"arguments, and what reads the handed task's result", "    - {name: after, copy: {content: \"{{ probe_out.stdout }}\", dest: /o/x}, register: w}\n    - {name: then, copy: {content: y, dest: /o/y}, when: w is changed}\n",
			"", map[string]string{"after": `it reads "probe_out"`, "then": `reads "w", the result of "after"`}, ""},
		{"loop", "    - {name: each, copy: {content: x, dest: \"/o/{{ item }}\"}, loop: \"{{ probe_out.stdout_lines }}\"}\n",
			"", map[string]string{"each": `its loop: it reads "probe_out"`}, ""},
		{"fact set from it", "    - {name: fact, set_fact: {ver: \"{{ probe_out.stdout }}\"}}\n    - {name: after, template: {src: t.j2, dest: /o/t}}\n",
			"", map[string]string{"fact": `it reads "probe_out"`, "after": `it reads "ver", the result of "fact"`}, ""},
		{"lookup straylight does not run", "    - {name: pw, lineinfile: {path: /o/env, line: \"K={{ lookup('password', '/dev/null', length=16) }}\", create: true}}\n",
			"", map[string]string{"pw": `lookup plugin "password" is not supported by straylight`}, ""},
		{"fact with another value", "    - {name: fact, set_fact: {shadow: \"{{ probe_out.stdout }}\"}}\n",
			"", nil, `task "fact" sets "shadow" from what only Ansible knows`},
		{"include", "    - {name: inc, include_tasks: other.yml, when: probe_out.rc == 0}\n",
			"", nil, `the include_tasks brings in without it`},
	}
	for _, c := range cases {
		files := map[string]string{"playbooks/templates/t.j2": "v={{ ver }}\n", "playbooks/other.yml": "- debug: msg=x\n",
			"inventory/group_vars/all.yml": "shadow: inventory\n"}
		r := tlRepo(t, head+c.tasks, files, Options{})
		w, err := r.RenderHost("h1", false)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var dests []string
		for _, f := range w.Files {
			dests = append(dests, f.Dest)
		}
		if got := strings.Join(dests, " "); got != c.wantFiles {
			t.Errorf("%s: files %q, want %q", c.name, got, c.wantFiles)
		}
		handed := map[string]string{}
		for _, u := range w.Unsupported {
			handed[u.Task] = u.Reason
		}
		for task, want := range c.wantHanded {
			if !strings.Contains(handed[task], want) {
				t.Errorf("%s: task %q reason %q, want it to say %q (all: %v)", c.name, task, handed[task], want, handed)
			}
		}
	}
}

// TestAnsibleHostDefault: a task sees ansible_host as Ansible's
// PlayContext gives it: the inventory's, else ansible_ssh_host, else the
// host's inventory name; hostvars[host] has none of its own.
func TestAnsibleHostDefault(t *testing.T) {
	r := tlRepo(t, `- hosts: all
  gather_facts: false
  tasks:
    - {name: a, copy: {content: "{{ ansible_host }} {{ hostvars[inventory_hostname].ansible_host | default('none') }}", dest: /o/a}}
`, map[string]string{"inventory/host_vars/h2.yml": "ansible_ssh_host: 127.0.0.2\n"}, Options{})
	for host, want := range map[string]string{"h1": "h1 none", "h2": "127.0.0.2 none"} {
		w, err := r.RenderHost(host, false)
		if err != nil || len(w.Files) != 1 || string(w.Files[0].Content) != want {
			t.Errorf("%s: %v %v, want %q", host, err, w, want)
		}
	}
}

// TestImportPlaybookMissing names the file and line of the import.
func TestImportPlaybookMissing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "site.yml")
	if err := os.WriteFile(path, []byte("- import_playbook: nosuch.yml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadPlaybook(dir, path)
	if err == nil || !strings.Contains(err.Error(), "site.yml:1: import_playbook: ") || !strings.Contains(err.Error(), "nosuch.yml") {
		t.Errorf("missing import: %v", err)
	}
}

// TestCoreVersionAskedOnlyWhenAConditionNeedsIt: the ansible-core version
// (a Python start to detect) is asked for at most once per repository, and
// not at all when no condition depends on it; the given version wins over
// the detected one, the detected one over straylight.yml's.
func TestCoreVersionAskedOnlyWhenAConditionNeedsIt(t *testing.T) {
	const noCondition = "- hosts: all\n  gather_facts: false\n  tasks:\n    - {name: a, copy: {content: a, dest: /o/a}, when: true}\n"
	const strCondition = "- hosts: all\n  gather_facts: false\n  vars: {model: llama}\n  tasks:\n    - {name: a, copy: {content: a, dest: /o/a}, when: model}\n"
	cases := []struct {
		name, playbook, given, detected, configured string
		wantAsked                                   int
		wantDests                                   string // "error": the 2.19 boolean rule refuses
	}{
		{"no condition needs it", noCondition, "", "2.14", "", 0, "/o/a"},
		{"detected 2.14: truthy string", strCondition, "", "2.14", "", 1, "/o/a"},
		{"detected 2.19: must be a boolean", strCondition, "", "2.19", "2.14", 1, "error"},
		{"given wins, nothing detected", strCondition, "2.14", "2.19", "", 0, "/o/a"},
		{"nothing detected: straylight.yml's", strCondition, "", "", "2.14", 1, "/o/a"},
	}
	for _, c := range cases {
		asked := 0
		files := map[string]string{}
		if c.configured != "" {
			files["straylight.yml"] = "ansible_core_version: \"" + c.configured + "\"\n"
		}
		detect := func() string { asked++; return c.detected }
		r := tlRepo(t, c.playbook, files, Options{CoreVersion: c.given, DetectCoreVersion: detect})
		var got []string
		for _, host := range []string{"h1", "h2"} {
			w, err := r.RenderHost(host, false)
			if err != nil {
				if !strings.Contains(err.Error(), "Conditionals must have a boolean result") {
					t.Errorf("%s: %v", c.name, err)
				}
				got = append(got, "error")
				continue
			}
			for _, f := range w.Files {
				got = append(got, f.Dest)
			}
		}
		if want := c.wantDests + " " + c.wantDests; strings.Join(got, " ") != want || asked != c.wantAsked {
			t.Errorf("%s: %v, asked %d times; want %s, asked %d", c.name, got, asked, want, c.wantAsked)
		}
	}
}

// TestImplicitLocalhost: a play on localhost, which the inventory does not
// define, runs on Ansible's implicit localhost (local connection, the vars
// of 'all', no group), with no "could not match" warning; other unmatched
// names are still warned about.
func TestImplicitLocalhost(t *testing.T) {
	pb := "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy:\n        content: \"{{ inventory_hostname }} {{ group_names }} {{ groups['all'] }} {{ flag }}\"\n        dest: /tmp/x\n" +
		"- hosts: nosuchgroup\n  tasks: []\n"
	r := tlRepo(t, pb, map[string]string{"inventory/group_vars/all.yml": "flag: from-all\n"}, Options{})
	if !slices.Contains(r.PlannedHosts(), "localhost") || !r.Inventory.IsImplicit("localhost") {
		t.Fatalf("planned %v, implicit %v", r.PlannedHosts(), r.Inventory.IsImplicit("localhost"))
	}
	if slices.Contains(r.Inventory.Hosts(), "localhost") {
		t.Error("the implicit localhost is listed among the inventory's hosts")
	}
	w, err := r.RenderHost("localhost", false)
	if err != nil {
		t.Fatal(err)
	}
	if w.Conn.Kind != "local" || len(w.Files) != 1 || string(w.Files[0].Content) != "localhost [] ['h1', 'h2'] from-all" {
		t.Errorf("connection %s, files %d, content %q", w.Conn.Kind, len(w.Files), w.Files[0].Content)
	}
	var warned []string
	for _, f := range r.Findings {
		warned = append(warned, f.Message)
	}
	if joined := strings.Join(warned, "\n"); strings.Contains(joined, "ignoring: localhost") || !strings.Contains(joined, "ignoring: nosuchgroup") {
		t.Errorf("findings: %s", joined)
	}
}

// TestPlaybooksFoundThroughLinksAndAnsibleCfg: a playbooks -> deploy link
// is followed (and deploy/group_vars is read through it, not called
// unread), and ansible.cfg's playbook_dir is searched too.
func TestPlaybooksFoundThroughLinksAndAnsibleCfg(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ansible.cfg", "[defaults]\ninventory = hosts.yml\nplaybook_dir = ops/plays\n")
	write("hosts.yml", "all:\n  hosts:\n    h1: {ansible_connection: local}\n")
	write("deploy/site.yml", "- hosts: all\n  tasks: []\n")
	write("deploy/group_vars/all.yml", "x: 1\n")
	write("ops/plays/nested/other.yml", "- hosts: all\n  tasks: []\n")
	write("ops/plays/vars.yml", "not: a playbook\n")
	if err := os.Symlink("deploy", filepath.Join(root, "playbooks")); err != nil {
		t.Fatal(err)
	}
	r, err := Open(Options{Repo: root})
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, pb := range r.Playbooks {
		found = append(found, pb.Path)
	}
	if want := []string{"ops/plays/nested/other.yml", "playbooks/site.yml"}; !slices.Equal(found, want) {
		t.Errorf("playbooks %v, want %v", found, want)
	}
	for _, f := range r.Findings {
		if strings.Contains(f.Message, "group_vars") {
			t.Errorf("finding: %s", f.Message)
		}
	}
}

// TestRolesPathFromTheEnvironment: ANSIBLE_ROLES_PATH beats ansible.cfg's
// roles_path, as in Ansible (a role kept outside the repository).
func TestRolesPathFromTheEnvironment(t *testing.T) {
	shared := t.TempDir()
	if err := os.MkdirAll(filepath.Join(shared, "outside", "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shared, "outside", "tasks", "main.yml"), []byte("- copy: {content: x, dest: /tmp/x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ANSIBLE_ROLES_PATH", shared)
	r := tlRepo(t, "- hosts: h1\n  roles: [outside]\n", map[string]string{"ansible.cfg": "[defaults]\nroles_path = roles\n"}, Options{})
	if got := tlDests(t, r, "h1"); !slices.Equal(got, []string{"/tmp/x"}) {
		t.Errorf("dests %v", got)
	}
}

// TestHandOverReasonQuotesNoValue: a task handed to Ansible because a
// variable it reads uses a lookup straylight does not run gives as reason
// the lookup's clause alone, not the variable's value that the renderer's
// message quotes (it may hold a secret).
func TestHandOverReasonQuotesNoValue(t *testing.T) {
	r := tlRepo(t, "- hosts: all\n  gather_facts: false\n  tasks:\n    - {name: db, copy: {content: \"{{ db.host }}\", dest: /o/db}}\n",
		map[string]string{"inventory/group_vars/all.yml": "db:\n  password: hunter2-S3CRET\n  host: \"{{ lookup('pipe', 'op read db') }}\"\n"}, Options{})
	w, err := r.RenderHost("h1", false)
	if err != nil || len(w.Unsupported) != 1 {
		t.Fatalf("%v %+v", err, w)
	}
	reason := w.Unsupported[0].Reason
	if !strings.Contains(reason, `lookup plugin "pipe" is not supported by straylight`) || strings.Contains(reason, "hunter2") {
		t.Errorf("reason %q", reason)
	}
}

// TestCommandTasks: a command or shell task is planned from the host (its
// arguments in FileTask.Command, its constant changed_when kept); what it
// registers is known as changed or not (a later when on it is settled by
// the planner), while a task reading its rc or stdout is handed to
// Ansible; changed_when reading anything, changed_when on another module
// and module keywords in a free-form line are refused by name. A
// win_command task is planned too (FileTask.WinCommand, its line's words).
func TestCommandTasks(t *testing.T) {
	tasks := "- hosts: all\n  gather_facts: false\n  tasks:\n" +
		"    - {name: probe, command: \"cat '/etc/a b'\", register: out, args: {creates: /o/made}}\n" +
		"    - {name: quiet, shell: \"echo $HOME | tee /o/home\", changed_when: false, args: {chdir: /o}}\n" +
		"    - {name: settled, copy: {content: x, dest: /o/a}, when: out is changed}\n" +
		"    - {name: rc, copy: {content: x, dest: /o/b}, when: out.rc == 0}\n" +
		"    - {name: stdout, copy: {content: \"{{ out.stdout }}\", dest: /o/c}}\n" +
		"    - {name: decided, command: \"true\", changed_when: \"out.rc == 1\"}\n" +
		"    - {name: not here, copy: {content: x, dest: /o/d}, changed_when: false}\n" +
		"    - {name: inline, command: \"touch /o/x creates=/o/x\"}\n" +
		"    - {name: windows, win_command: whoami}\n"
	r := tlRepo(t, tasks, map[string]string{}, Options{})
	w, err := r.RenderHost("h1", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 4 || w.Files[0].Command == nil || !slices.Equal(w.Files[0].Command.Argv, []string{"cat", "/etc/a b"}) ||
		w.Files[0].Command.Creates != "/o/made" || w.Files[1].ChangedWhen == nil || *w.Files[1].ChangedWhen ||
		w.Files[1].Command.Line != "echo $HOME | tee /o/home" || w.Files[2].OnlyIf == nil || w.Files[2].OnlyIf.Register != "out" ||
		w.Files[3].WinCommand == nil || !slices.Equal(w.Files[3].WinCommand.Words, []string{"whoami"}) {
		t.Fatalf("files %+v", w.Files)
	}
	handed := map[string]string{}
	for _, u := range w.Unsupported {
		handed[u.Task] = u.Reason
	}
	for task, want := range map[string]string{
		"rc":       `its condition reads "out", the result of "probe", which only Ansible knows`,
		"stdout":   `it reads "out", the result of "probe"`,
		"decided":  "changed_when out.rc == 1 reads what straylight cannot know",
		"not here": `task keyword "changed_when" is not supported`,
		"inline":   "creates= in the free-form line",
	} {
		if !strings.Contains(handed[task], want) {
			t.Errorf("%s: %q, want %q", task, handed[task], want)
		}
	}
}

// TestFailedWhenTasks: a command, shell or systemd task whose failed_when
// is the constant false (a boolean, or a string Jinja2 reads as false) is
// planned (FileTask.NeverFails); any other failed_when — reading a
// result, the constant true, on another module or a block — is handed to
// Ansible, saying why.
func TestFailedWhenTasks(t *testing.T) {
	tasks := "- hosts: all\n  gather_facts: false\n  tasks:\n" +
		"    - {name: probe, command: nvidia-smi, register: out, changed_when: false, failed_when: false}\n" +
		"    - {name: quoted, shell: \"exit 3\", failed_when: \" False \"}\n" +
		"    - {name: plain, command: \"true\"}\n" +
		"    - {name: reads, command: \"true\", failed_when: \"out.rc > 1\"}\n" +
		"    - {name: always, command: \"true\", failed_when: true}\n" +
		"    - {name: unit, systemd: {name: x, state: stopped}, failed_when: false}\n" +
		"    - {name: file, copy: {content: x, dest: /o/x}, failed_when: false}\n" +
		"    - {name: whole block, failed_when: false, block: [{command: \"true\"}]}\n"
	r := tlRepo(t, tasks, map[string]string{}, Options{})
	w, err := r.RenderHost("h1", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 4 || !w.Files[0].NeverFails || !w.Files[1].NeverFails || w.Files[2].NeverFails || !w.Files[3].NeverFails || w.Files[3].Service == nil {
		t.Fatalf("files %+v", w.Files)
	}
	handed := map[string]string{}
	for _, u := range w.Unsupported {
		handed[u.Task] = u.Reason
	}
	for task, want := range map[string]string{
		"reads":       "failed_when out.rc > 1 reads what straylight cannot know",
		"always":      "failed_when true fails the task whatever it does",
		"file":        `task keyword "failed_when" is not supported`,
		"whole block": `block keyword "failed_when" is not supported`,
	} {
		if !strings.Contains(handed[task], want) {
			t.Errorf("%s: %q, want %q", task, handed[task], want)
		}
	}
}

// TestResolveNotificationsLeavesTheListAlone: a name that is both a
// handler's name and another's listen topic runs both, and resolving it
// leaves the caller's handler list as it was (the handler found by name
// once shared the list's array, and the listener appended to it replaced
// the handler after it).
func TestResolveNotificationsLeavesTheListAlone(t *testing.T) {
	play := "- hosts: all\n  gather_facts: false\n  tasks:\n    - {copy: {content: x, dest: /o/a}, notify: restart}\n" +
		"  handlers:\n" +
		"    - {name: restart, command: \"true\"}\n" +
		"    - {name: between, command: \"true\"}\n" +
		"    - {name: listener, command: \"true\", listen: restart}\n"
	w, err := tlRepo(t, play, map[string]string{}, Options{}).RenderHost("h1", false)
	if err != nil {
		t.Fatal(err)
	}
	hs := w.Scopes[0]
	handlers := hs.Handlers()
	before := slices.Clone(handlers)
	answered, missing := hs.ResolveNotifications(handlers, map[string][]string{"restart": {"/o/a"}})
	if !slices.Equal(handlers, before) || len(missing) > 0 || len(answered) != 2 || answered[before[0]] == nil || answered[before[2]] == nil {
		t.Errorf("handlers %v (were %v), answered %v, missing %v", handlers, before, answered, missing)
	}
}

// TestStatTasks: a stat is planned from the host (its path, follow), and
// a task whose condition reads what is at its path waits for it (OnlyIf,
// with the answer for each kind of path, and the kinds for which the
// condition asks what straylight does not know). What else straylight
// does not know of a stat's result — a looped stat's results, a path the
// host expands, a fact set from it — is handed to Ansible, saying why.
func TestStatTasks(t *testing.T) {
	tasks := "- hosts: all\n  gather_facts: false\n  tasks:\n" +
		"    - {name: probe, stat: {path: /o/bin, follow: yes}, register: st}\n" +
		"    - {name: on exists, copy: {content: x, dest: /o/a}, when: not st.stat.exists}\n" +
		"    - {name: either way, copy: {content: x, dest: /o/b}, when: st.stat.exists or true}\n" +
		"    - {name: on isdir, copy: {content: x, dest: /o/c}, when: st.stat.exists and st.stat.isdir}\n" +
		"    - {name: on mode, copy: {content: x, dest: /o/e}, when: st.stat.exists and st.stat.mode == '0644'}\n" +
		"    - {name: reads it, set_fact: {there: \"{{ st.stat.exists }}\"}}\n" +
		"    - {name: looped, stat: {path: \"/o/{{ item }}\"}, loop: [x], register: many}\n" +
		"    - {name: on looped, copy: {content: x, dest: /o/d}, when: many.stat.exists}\n" +
		"    - {name: home, stat: {path: ~/x}}\n" +
		"    - {name: md5, stat: {path: /o/x, get_md5: true}}\n"
	r := tlRepo(t, tasks, map[string]string{}, Options{})
	w, err := r.RenderHost("h1", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 6 || w.Files[0].Stat == nil || w.Files[0].Dest != "/o/bin" || !w.Files[0].Stat.Follow || w.Files[2].OnlyIf != nil {
		t.Fatalf("files %+v", w.Files)
	}
	onExists, onDir, onMode := w.Files[1].OnlyIf, w.Files[3].OnlyIf, w.Files[4].OnlyIf
	if onExists == nil || !onExists.Kinds["absent"] || onExists.Kinds["file"] || onExists.Kinds["other"] ||
		onDir == nil || !onDir.Kinds["directory"] || onDir.Kinds["file"] || onDir.Kinds["absent"] ||
		onMode == nil || onMode.Kinds["absent"] || !strings.Contains(onMode.Unknown["file"], `its condition reads "st", the result of "probe", which only Ansible knows`) {
		t.Errorf("conditions: on exists %+v, on isdir %+v, on mode %+v", onExists, onDir, onMode)
	}
	handed := map[string]string{}
	for _, u := range w.Unsupported {
		handed[u.Task] = u.Reason
	}
	for task, want := range map[string]string{
		"reads it":  `it reads "st", the result of "probe", which only Ansible knows`,
		"on looped": `its condition reads "many", the results of a stat with a loop`,
		"home":      `the module expands ~ and $VAR on the host`,
		"md5":       `argument "get_md5" of stat is not supported`,
	} {
		if !strings.Contains(handed[task], want) {
			t.Errorf("%s: %q, want %q", task, handed[task], want)
		}
	}
}
