package moduleparity_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eAttrsPlaybook: template and copy tasks setting mode (octal strings, a
// YAML octal integer, symbolic), owner and group (the user's own: the
// test runs unprivileged), mode: preserve, force: no, validate, backup,
// directory_mode,
// and lineinfile with a mode. e2eAttrsBefore pre-creates the dests. (Symbolic clauses
// reading an earlier clause's class, "u=rwx,g=u-w", are left to filemod's
// oracle test: ansible-core 2.14 resolves them from the file's old mode,
// so its own second run changes the file again.)
const e2eAttrsPlaybook = `- name: Attributes
  hosts: attrs
  gather_facts: false
  tasks:
    - name: Same content, octal mode
      copy: {content: "same\n", dest: "{{ out }}/octal.txt", mode: "0644"}
    - name: Same content, symbolic mode
      template: {src: same.j2, dest: "{{ out }}/symbolic.txt", mode: "u=rw,g=r,o=r"}
    - name: Same content, YAML octal integer
      copy: {content: "same\n", dest: "{{ out }}/yamlint.txt", mode: 0640}
    - name: Same content, add execute
      copy: {content: "same\n", dest: "{{ out }}/plusx.txt", mode: "u+x"}
    - name: New content and mode
      template: {src: same.j2, dest: "{{ out }}/content.txt", mode: "0600"}
    - name: Already right
      copy: {content: "same\n", dest: "{{ out }}/right.txt", mode: "0644", owner: "{{ me }}", group: "{{ my_group }}"}
    - name: Owner and group by id
      copy: {content: "same\n", dest: "{{ out }}/ids.txt", owner: "{{ my_uid }}", group: "{{ my_gid }}", mode: "0600"}
    - name: Force no
      copy: {content: "replaced\n", dest: "{{ out }}/kept.txt", mode: "0600", force: no}
    - name: New file, validated
      copy: {content: "valid\n", dest: "{{ out }}/new.txt", mode: "0640", validate: "grep -q valid %s"}
    - name: Backup
      copy: {content: "after\n", dest: "{{ out }}/backup.txt", backup: yes, mode: "0644"}
    - name: Line with a mode
      lineinfile: {path: "{{ out }}/line.txt", line: "same", mode: "0600"}
    - name: The template's own mode
      template: {src: same.j2, dest: "{{ out }}/preserve.txt", mode: preserve}
    - name: Into new directories
      copy: {src: sub.txt, dest: "{{ out }}/nd/sub/", directory_mode: "0750", mode: "0640"}
`

// e2eAttrsBefore are the dests as the test leaves them before each run:
// content and mode.
var e2eAttrsBefore = map[string]struct {
	content string
	mode    fs.FileMode
}{
	"octal.txt": {"same\n", 0o600}, "symbolic.txt": {"same\n", 0o600}, "yamlint.txt": {"same\n", 0o644},
	"plusx.txt": {"same\n", 0o644}, "content.txt": {"old\n", 0o644},
	"right.txt": {"same\n", 0o644}, "ids.txt": {"same\n", 0o644}, "kept.txt": {"kept\n", 0o644},
	"backup.txt": {"before\n", 0o644}, "line.txt": {"same\n", 0o644}, "preserve.txt": {"same\n", 0o600},
}

func e2eAttrsRepo(t *testing.T, out string) parity.Repo {
	t.Helper()
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	group, err := user.LookupGroupId(me.Gid)
	if err != nil {
		t.Fatal(err)
	}
	vars := fmt.Sprintf("out: %s\nme: %s\nmy_group: %s\nmy_uid: \"%s\"\nmy_gid: \"%s\"\n", out, me.Username, group.Name, me.Uid, me.Gid)
	return parity.Repo{Name: "attrs", Inventory: "inventory.yml", Playbooks: []string{"attrs.yml"}, Discovered: []string{"attrs.yml"},
		Files: map[string]string{
			"ansible.cfg":        "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":      "all:\n  children:\n    attrs:\n      hosts:\n        at1:\n          ansible_connection: local\n          ansible_host: 127.0.0.1\n",
			"group_vars/all.yml": vars,
			"attrs.yml":          e2eAttrsPlaybook,
			"templates/same.j2":  "same\n",
			"files/sub.txt":      "sub\n",
			"straylight.yml":     "",
		}}
}

// e2eAttrsReset writes the dests as e2eAttrsBefore has them, removing
// what a run created.
func e2eAttrsReset(t *testing.T, out string) {
	t.Helper()
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, f := range e2eAttrsBefore {
		p := filepath.Join(out, name)
		if err := os.WriteFile(p, []byte(f.content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.mode); err != nil {
			t.Fatal(err)
		}
	}
}

// e2eAttrsOf is every dest's content, mode and owner after a run.
func e2eAttrsOf(t *testing.T, out string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for name := range e2eAttrsBefore {
		got[name] = e2eFileAttrs(t, filepath.Join(out, name))
	}
	for _, name := range []string{"new.txt", "nd", "nd/sub", "nd/sub/sub.txt"} {
		got[name] = e2eFileAttrs(t, filepath.Join(out, name))
	}
	return got
}

func e2eFileAttrs(t *testing.T, path string) string {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		return "missing"
	}
	content, _ := os.ReadFile(path)
	st := info.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%q mode %04o owner %d:%d", content, st.Mode&0o7777, st.Uid, st.Gid)
}

// TestE2EAttrsParityWithAnsiblePlaybook: on dests pre-created with other
// modes, straylight plans changed exactly the tasks ansible-playbook then
// reports changed; after Ansible's deploy, straylight --check exits 0;
// after straylight --apply on the same starting files, every dest has the
// content, mode and owner Ansible gave it, and ansible-playbook --check
// reports changed=0. Against both ansible-cores.
func TestE2EAttrsParityWithAnsiblePlaybook(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eAttrsRepo(t, out)
		parity.WriteTree(t, root, repo.Files)
		e2eAttrsReset(t, out)
		before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		e2eAttrsPlannedAll(t, before)
		e2eAttrsDiffsAreAnsibles(t, before, e2eAttrsAnsibleCheck(t, o, dir, root, repo))
		log := parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		parity.CompareStatus(t, before, parity.TaskStatus(log))
		byAnsible := e2eAttrsOf(t, out)
		if after := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)); after.HasChanges() {
			t.Errorf("after ansible-playbook: %s", after.Summary.Line())
		}
		parity.CheckCLIClean(t, bin, root, o)
		e2eAttrsReset(t, out)
		parity.Apply(t, bin, root, o)
		for name, want := range byAnsible {
			if got := e2eFileAttrs(t, filepath.Join(out, name)); got != want {
				t.Errorf("%s after straylight --apply: %s; after ansible-playbook: %s", name, got, want)
			}
		}
		e2eAttrsAnsibleUnchanged(t, o, dir, root, repo)
	})
}

// e2eAttrsPlannedAll: every task is planned (none unsupported), and the
// ones changing attributes alone carry Ansible's before/after.
func e2eAttrsPlannedAll(t *testing.T, p *fleetplan.Plan) {
	t.Helper()
	h := p.Host("at1")
	if h == nil || len(h.Unsupported) > 0 || len(h.Files) != 13 {
		t.Fatalf("plan of at1: %+v", h)
	}
	for _, f := range h.Files {
		if f.Task == "Same content, octal mode" && (f.AttrsBefore == nil || f.AttrsBefore.Mode != "0600" || f.AttrsAfter.Mode != "0644" ||
			!strings.Contains(f.Diff, "-    \"mode\": \"0600\",\n+    \"mode\": \"0644\",")) {
			t.Errorf("%s: before %+v after %+v diff:\n%s", f.Task, f.AttrsBefore, f.AttrsAfter, f.Diff)
		}
	}
}

// e2eAttrsDiffsAreAnsibles: a change of attributes alone shows the diff
// ansible-playbook --check --diff prints for the task, byte for byte.
func e2eAttrsDiffsAreAnsibles(t *testing.T, p *fleetplan.Plan, log string) {
	t.Helper()
	diffs := e2eTaskDiffs(log)
	n := 0
	for _, f := range p.Host("at1").Files {
		if !f.AttrsOnly() {
			continue
		}
		n++
		if f.Diff != diffs[f.Task] {
			t.Errorf("%s: straylight's diff:\n%s\nansible-playbook --check --diff:\n%s", f.Task, f.Diff, diffs[f.Task])
		}
	}
	if n < 5 {
		t.Errorf("%d tasks change attributes alone, want at least 5", n)
	}
}

// e2eTaskDiffs are the lines each task printed between its TASK line and
// its verdict, without the blank line before the verdict.
func e2eTaskDiffs(log string) map[string]string {
	diffs := map[string]string{}
	task := ""
	for _, line := range strings.SplitAfter(log, "\n") {
		switch {
		case strings.HasPrefix(line, "TASK ["):
			task, _, _ = strings.Cut(strings.TrimPrefix(line, "TASK ["), "] ")
		case task != "" && (strings.HasPrefix(line, "changed: [") || strings.HasPrefix(line, "ok: [")):
			diffs[task] = strings.TrimSuffix(diffs[task], "\n") + ""
			task = ""
		case task != "":
			diffs[task] += line
		}
	}
	return diffs
}

// e2eAttrsAnsibleCheck runs ansible-playbook --check --diff and returns
// its output.
func e2eAttrsAnsibleCheck(t *testing.T, o parity.Oracle, dir, root string, repo parity.Repo) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(o.Bin, "ansible-playbook"), "--check", "--diff", "-i", repo.Inventory, repo.Playbooks[0])
	cmd.Dir = root
	cmd.Env = parity.AnsibleEnv(t, dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: ansible-playbook --check --diff: %v\n%s", o.Full, err, out)
	}
	return string(out)
}

var e2eRecapChanged = regexp.MustCompile(`(?m)^at1\s+:.*\bchanged=(\d+)`)

// e2eAttrsAnsibleUnchanged: ansible-playbook --check --diff on what
// straylight applied reports nothing to change.
func e2eAttrsAnsibleUnchanged(t *testing.T, o parity.Oracle, dir, root string, repo parity.Repo) {
	t.Helper()
	out := e2eAttrsAnsibleCheck(t, o, dir, root, repo)
	m := e2eRecapChanged.FindSubmatch([]byte(out))
	if m == nil || string(m[1]) != "0" {
		t.Errorf("%s: ansible-playbook --check after straylight --apply:\n%s", o.Full, out)
	}
}
