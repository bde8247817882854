package keywordparity_test

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// Keyword inheritance with ansible-playbook as the oracle: a task runs
// with become, no_log, ignore_errors, run_once and check_mode as its
// play, role entry, blocks, import_tasks and an include's apply set them,
// its own winning (lib/ansible/playbook/task.py _get_parent_attribute);
// an include_tasks' own keywords stay the include's.

// e2eBecomePlaybook: each task records the user it runs as in a file
// named for it; which user that is, is Ansible's decision.
const e2eBecomePlaybook = `- name: Become
  hosts: k1
  gather_facts: false
  roles:
    - role: who
      become: true
      become_user: nobody
    - role: who-outer
      become: true
      become_user: nobody
  tasks:
    - block:
        - name: block
          shell: whoami > {{ out }}/block
        - name: block-override
          shell: whoami > {{ out }}/block-override
          become_user: root
      become: true
      become_user: nobody
    - import_tasks: who-import.yml
      become: true
      become_user: nobody
    - include_tasks: {file: who-apply.yml, apply: {become: true, become_user: nobody}}
    - block:
        - include_tasks: who-include-in-block.yml
      become: true
      become_user: nobody
    - name: plain
      shell: whoami > {{ out }}/plain
`

func e2eBecomeRepo(out string) parity.Repo {
	return e2eRepo(out, e2eBecomePlaybook, map[string]string{
		"who-import.yml":                 whoTask("import"),
		"who-apply.yml":                  whoTask("apply"),
		"who-include-in-block.yml":       whoTask("include-in-block"),
		"roles/who/tasks/main.yml":       "- name: role\n  shell: whoami > {{ out }}/role\n",
		"roles/who/defaults/main.yml":    "{}\n",
		"roles/who-outer/tasks/main.yml": whoTask("outer"),
		"roles/who-outer/meta/main.yml":  "dependencies: [who-dep]\n",
		"roles/who-dep/tasks/main.yml":   whoTask("dep"),
	})
}

// whoTask is a task file of one task writing whoami into out/name.
func whoTask(name string) string {
	return "- name: " + name + "\n  shell: whoami > {{ out }}/" + name + "\n"
}

// TestE2EInheritedBecomeMatchesAnsible: the user each task of the
// playbook runs as under ansible-playbook (root, or nobody through sudo)
// is the one straylight's plan gives it. straylight runs local tasks as
// itself (root here), so it plans the root ones and lists each nobody one
// with the user it would become.
func TestE2EInheritedBecomeMatchesAnsible(t *testing.T) {
	if os.Geteuid() != 0 || exec.Command("sudo", "-n", "-u", "nobody", "true").Run() != nil {
		parity.MissingOracle(t, "the become oracle runs as root with sudo to nobody")
		return
	}
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eBecomeRepo(out)
		parity.WriteTree(t, root, repo.Files)
		e2eOpenTo(t, out, filepath.Dir(filepath.Dir(dir)))
		parity.RunPlaybookExiting(t, o, dir, root, repo, 0)
		byAnsible := e2eUsersIn(t, out)
		if len(byAnsible) != 9 || byAnsible["plain"] != "root" || byAnsible["role"] != "nobody" || byAnsible["dep"] != "nobody" {
			t.Fatalf("%s: users by task: %v", o.Full, byAnsible)
		}
		h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("k1")
		if got := e2eUsersPlanned(h); !maps.Equal(got, byAnsible) {
			t.Errorf("%s: users by task: straylight %v, ansible-playbook %v", o.Full, got, byAnsible)
		}
	})
}

// e2eOpenTo makes out writable by every user, and the folders from it up
// to top (the test's temporary folders, 0700) passable: nobody writes
// there.
func e2eOpenTo(t *testing.T, out, top string) {
	t.Helper()
	if err := os.MkdirAll(out, 0o777); err != nil || os.Chmod(out, 0o777) != nil {
		t.Fatal(err)
	}
	for dir := filepath.Dir(out); strings.HasPrefix(dir, top); dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// e2eUsersIn reads the user each task wrote into its file.
func e2eUsersIn(t *testing.T, out string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		users[e.Name()] = strings.TrimSpace(string(data))
	}
	return users
}

// e2eUsersPlanned is the user straylight gives each task: root where it
// plans it, the user named where it lists it for becoming another.
func e2eUsersPlanned(h *fleetplan.HostPlan) map[string]string {
	users := map[string]string{}
	for _, f := range h.Files {
		users[taskName(f.Task)] = "root"
	}
	for _, u := range h.Unsupported {
		if rest, ok := strings.CutPrefix(u.Reason, "it becomes "); ok {
			users[taskName(u.Task)], _, _ = strings.Cut(rest, " ")
		}
	}
	return users
}

// taskName drops a role's prefix ("who : role").
func taskName(label string) string {
	_, name, ok := strings.Cut(label, " : ")
	if !ok {
		return label
	}
	return name
}

// e2eKeywordsPlaybook: no_log, check_mode and ignore_errors where a
// task inherits them, a no_log handler (its command, holding the secret,
// not shown), and a role entry's vars (below the role's own vars and
// exported to the play before ansible-core 2.15, above them and the
// role's alone since); every task runs on the local connection as root.
const e2eKeywordsPlaybook = `- name: Keywords
  hosts: k1
  gather_facts: false
  vars: {secret: hunter2}
  roles:
    - role: quiet
      no_log: true
    - role: dry
      check_mode: true
    - role: scoped
      vars: {x: entry, y: entry}
  tasks:
    - name: play vars
      copy: {content: "play x={{ x | default('undef') }} y={{ y | default('undef') }}\n", dest: "{{ out }}/play-vars"}
    - block:
        - name: nolog block
          copy: {content: "block {{ secret }}\n", dest: "{{ out }}/nolog-block"}
        - name: nolog override
          copy: {content: "shown {{ secret }}\n", dest: "{{ out }}/nolog-override"}
          no_log: false
      no_log: true
    - import_tasks: quiet.yml
      no_log: true
    - include_tasks: quiet-include.yml
      no_log: true
    - block:
        - name: check block
          copy: {content: "never\n", dest: "{{ out }}/check-block"}
        - name: check override
          copy: {content: "written\n", dest: "{{ out }}/check-override"}
          check_mode: false
        - name: probe
          lineinfile: {path: "{{ out }}/existing", line: probed}
          register: probe
          notify: handled
        - name: probe command
          command: touch {{ out }}/never-touched
      check_mode: true
    - name: after probe
      copy: {content: "probe changed\n", dest: "{{ out }}/after-probe"}
      when: probe is changed
    - name: existing untouched
      lineinfile: {path: "{{ out }}/existing", line: real}
    - block:
        - name: failing
          shell: exit 3
        - name: after failing
          copy: {content: "went on\n", dest: "{{ out }}/after-failing"}
      ignore_errors: true
    - name: notify quiet
      copy: {content: "notify\n", dest: "{{ out }}/notify-quiet"}
      notify: quiet handler
  handlers:
    - name: handled
      shell: echo handled > {{ out }}/handled
    - name: quiet handler
      shell: echo {{ secret }} > {{ out }}/quiet-handler
      no_log: true
- name: Checked play
  hosts: k1
  gather_facts: false
  check_mode: true
  tasks:
    - name: play check
      copy: {content: "never\n", dest: "{{ out }}/play-check"}
    - name: play check override
      copy: {content: "written\n", dest: "{{ out }}/play-check-override"}
      check_mode: false
`

func e2eKeywordsRepo(out string) parity.Repo {
	return e2eRepo(out, e2eKeywordsPlaybook, map[string]string{
		"quiet.yml":                      "- name: nolog import\n  copy: {content: \"import {{ secret }}\\n\", dest: \"{{ out }}/nolog-import\"}\n",
		"quiet-include.yml":              "- name: include own nolog\n  copy: {content: \"include {{ secret }}\\n\", dest: \"{{ out }}/include\"}\n",
		"roles/quiet/tasks/main.yml":     "- name: nolog role\n  copy: {content: \"role {{ secret }}\\n\", dest: \"{{ out }}/nolog-role\"}\n",
		"roles/dry/tasks/main.yml":       "- name: check role\n  copy: {content: \"never\\n\", dest: \"{{ out }}/check-role\"}\n",
		"roles/scoped/tasks/main.yml":    "- name: entry vars\n  copy: {content: \"role x={{ x }} y={{ y }}\\n\", dest: \"{{ out }}/entry-vars\"}\n",
		"roles/scoped/vars/main.yml":     "x: rolevar\n",
		"roles/scoped/defaults/main.yml": "y: roledefault\n",
	})
}

// e2eKeywordsReset leaves out with the one file the tasks find.
func e2eKeywordsReset(t *testing.T, out string) {
	t.Helper()
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	parity.WriteTree(t, out, map[string]string{"existing": "first\n"})
}

// TestE2EInheritedKeywordsParityWithAnsiblePlaybook: under
// ansible-playbook --check --diff, the tasks whose diff Ansible hides
// (no_log, their own or inherited) are the ones straylight's plan hides,
// and each task's verdict is the plan's; after a real run of
// ansible-playbook and after straylight --apply from the same files
// (check_mode tasks writing nothing, their handler run, the failure
// ignored), the files are the same.
func TestE2EInheritedKeywordsParityWithAnsiblePlaybook(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eKeywordsRepo(out)
		parity.WriteTree(t, root, repo.Files)
		e2eKeywordsReset(t, out)
		h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("k1")
		if h == nil || len(h.Unsupported) > 0 || len(h.Files) != 19 {
			t.Fatalf("plan of k1: %+v", h)
		}
		e2eHandlerHidden(t, h, "quiet handler")
		checkLog := parity.RunPlaybookExiting(t, o, dir, root, repo, 0, "--check", "--diff")
		if got, want := e2eHiddenPlanned(h), e2eHiddenBy(checkLog); !slices.Equal(got, want) {
			t.Errorf("%s: tasks whose content is hidden: straylight %v, ansible-playbook --check --diff %v", o.Full, got, want)
		}
		e2eKeywordsReset(t, out) // the check run made the check_mode: false tasks' files
		real := parity.RunPlaybookExiting(t, o, dir, root, repo, 0)
		if got, want := e2eKeywordVerdicts(h), parity.Verdicts(real); !maps.Equal(got, e2eOnly(want, got)) {
			t.Errorf("%s: verdicts: straylight %v, ansible-playbook %v", o.Full, got, want)
		}
		byAnsible := parity.FilesIn(t, out)
		e2eKeywordsReset(t, out)
		log := parity.Apply(t, bin, root, o)
		if got := parity.FilesIn(t, out); got != byAnsible {
			t.Errorf("%s: files after straylight --apply (-) and ansible-playbook (+):\n%s\n%s", o.Full, parity.LineDiff(got, byAnsible), log)
		}
	})
}

// e2eHandlerHidden: the plan runs the no_log handler name and shows
// neither its command nor the secret in it.
func e2eHandlerHidden(t *testing.T, h *fleetplan.HostPlan, name string) {
	t.Helper()
	for _, hr := range h.Handlers {
		if hr.Name == name && (!hr.NoLog || hr.Command != fleetplan.SecretMask) {
			t.Errorf("no_log handler %q shows %q", name, hr.Command)
		}
		if hr.Name == name {
			return
		}
	}
	t.Errorf("no handler %q in the plan: %+v", name, h.Handlers)
}

// e2eHiddenPlanned are the tasks whose content the plan hides, sorted.
func e2eHiddenPlanned(h *fleetplan.HostPlan) []string {
	var out []string
	for _, f := range h.Files {
		if f.Secret && f.Command == nil {
			out = append(out, taskName(f.Task))
		}
	}
	slices.Sort(out)
	return out
}

// e2eHiddenBy are the file tasks of the check run that changed and
// printed no diff (no_log hides it), sorted.
func e2eHiddenBy(log string) []string {
	var out []string
	task, diff := "", false
	for _, line := range strings.Split(log, "\n") {
		if rest, ok := strings.CutPrefix(line, "TASK ["); ok {
			task, _, _ = strings.Cut(rest, "] ")
			task, diff = taskName(task), false
		}
		diff = diff || strings.HasPrefix(line, "+++ after")
		if strings.HasPrefix(line, "changed: [") && !diff && task != "failing" && !strings.HasPrefix(task, "probe command") {
			out = append(out, task)
		}
	}
	slices.Sort(out)
	return out
}

// e2eKeywordVerdicts is the plan's verdict on each task in a real run:
// a check_mode task reports what it would change.
func e2eKeywordVerdicts(h *fleetplan.HostPlan) map[string]string {
	out := map[string]string{}
	for _, f := range h.Files {
		name := taskName(f.Task)
		switch {
		case f.Command != nil && f.Command.Skipped:
			out[name] = "skipping"
		case f.Changes():
			out[name] = "changed"
		default:
			out[name] = "ok"
		}
	}
	delete(out, "failing") // it fails when it runs, which the plan does not know
	return out
}

// e2eOnly is want restricted to the keys of got, roles' prefixes
// dropped.
func e2eOnly(want, got map[string]string) map[string]string {
	named := map[string]string{}
	for k, v := range want {
		named[taskName(k)] = v
	}
	out := map[string]string{}
	for k := range got {
		out[k] = named[k]
	}
	return out
}
