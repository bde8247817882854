package keywordparity_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// Meta dependencies with ansible-playbook as the oracle. A dependency's
// tasks run with the keywords, conditions, tags, environment and params
// of the roles it is a dependency of (Block._get_parent_attribute walks
// the dep chain; Role.get_role_params combines the chain's params), and
// an included or imported role's dependencies run before its tasks,
// each once per host unless its meta allows duplicates (Role.has_run).
// An imported role's defaults and vars are the whole play's, before the
// import too (IncludeRole.get_block_list adds it to the play's roles).

// e2eDepsPlaybook: each role of the play's roles has a dependency that
// inherits one thing from it; the tasks section reads an imported role's
// variables before the import, and includes and imports roles whose
// dependencies already ran, or not.
const e2eDepsPlaybook = `- name: Dependencies
  hosts: k1
  gather_facts: false
  vars: {secret: hunter2}
  roles:
    - role: quiet
      no_log: true
    - role: dry
      check_mode: true
    - role: gated
      when: false
    - role: given
      p: outer
      environment: {ENVX: outer}
    - role: tagged
      tags: [t1]
  tasks:
    - name: imported vars
      copy: {content: "{{ imported_default }} {{ imported_var }}\n", dest: "{{ out }}/imported-vars"}
    - include_role: {name: included}
    - import_role: {name: imported}
    - include_role: {name: again}
`

// e2eDepsRepo: role R depends on R-dep; included and imported depend
// on shared, which runs once, and on their own dependency; again depends
// on shared and on twice, which allows duplicates and runs again.
func e2eDepsRepo(out string) parity.Repo {
	files := map[string]string{
		"roles/quiet-dep/tasks/main.yml":   "- name: quiet dep\n  copy: {content: \"dep {{ secret }}\\n\", dest: \"{{ out }}/quiet-dep\"}\n",
		"roles/dry-dep/tasks/main.yml":     "- name: dry dep\n  copy: {content: \"never\\n\", dest: \"{{ out }}/dry-dep\"}\n",
		"roles/gated-dep/tasks/main.yml":   "- name: gated dep\n  copy: {content: \"never\\n\", dest: \"{{ out }}/gated-dep\"}\n",
		"roles/given-dep/tasks/main.yml":   "- name: given dep\n  copy: {content: \"p={{ p | default('undef') }}\\n\", dest: \"{{ out }}/given-dep\"}\n- name: given dep env\n  shell: echo \"ENVX=$ENVX\" > {{ out }}/given-dep-env\n",
		"roles/tagged-dep/tasks/main.yml":  "- name: tagged dep\n  copy: {content: \"tagged\\n\", dest: \"{{ out }}/tagged-dep\"}\n",
		"roles/shared/tasks/main.yml":      "- name: shared\n  shell: echo ran >> {{ out }}/shared\n",
		"roles/twice/tasks/main.yml":       "- name: twice\n  shell: echo ran >> {{ out }}/twice\n",
		"roles/twice/meta/main.yml":        "allow_duplicates: true\n",
		"roles/own-dep/tasks/main.yml":     "- name: own dep\n  shell: echo ran >> {{ out }}/own-dep\n",
		"roles/included/meta/main.yml":     "dependencies: [shared, twice, own-dep]\n",
		"roles/imported/meta/main.yml":     "dependencies: [shared, twice]\n",
		"roles/again/meta/main.yml":        "dependencies: [shared, twice]\n",
		"roles/imported/defaults/main.yml": "imported_default: from-defaults\n",
		"roles/imported/vars/main.yml":     "imported_var: from-vars\n",
	}
	for _, r := range []string{"quiet", "dry", "gated", "given", "tagged"} {
		files["roles/"+r+"/meta/main.yml"] = "dependencies: [" + r + "-dep]\n"
	}
	for _, r := range []string{"quiet", "dry", "gated", "given", "tagged", "included", "imported", "again"} {
		files["roles/"+r+"/tasks/main.yml"] = "- name: " + r + "\n  shell: echo ran >> {{ out }}/" + r + "\n"
	}
	return e2eRepo(out, e2eDepsPlaybook, files)
}

// TestE2EDependencyRolesParityWithAnsiblePlaybook: the tasks whose diff
// ansible-playbook --check --diff hides are the ones the plan hides; the
// tasks a real run runs, in order, are the plan's; after that run and
// after straylight --apply from the same empty folder the files are the
// same (a task run twice appends twice), and so they are under
// --tags t1, which selects the tagged role's dependency too.
func TestE2EDependencyRolesParityWithAnsiblePlaybook(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eDepsRepo(out)
		parity.WriteTree(t, root, repo.Files)
		e2eEmpty(t, out)
		h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("k1")
		checkLog := parity.RunPlaybookExiting(t, o, dir, root, repo, 0, "--check", "--diff")
		if got, want := e2eHiddenPlanned(h), e2eHiddenBy(checkLog); !slices.Equal(got, want) {
			t.Errorf("%s: tasks whose content is hidden: straylight %v, ansible-playbook --check --diff %v", o.Full, got, want)
		}
		for _, args := range [][]string{nil, {"--tags", "t1"}} {
			real := parity.SameAfterRuns(t, o, bin, dir, root, repo, func() { e2eEmpty(t, out) }, func() string { return parity.FilesIn(t, out) }, args...)
			if got, want := e2eTasksPlanned(h), e2eTasksRun(real); args == nil && !slices.Equal(got, want) {
				t.Errorf("%s: tasks run, in order: straylight %v, ansible-playbook %v", o.Full, got, want)
			}
		}
	})
}

// e2eEmpty leaves out an empty folder.
func e2eEmpty(t *testing.T, out string) {
	t.Helper()
	if err := os.RemoveAll(out); err != nil || os.MkdirAll(out, 0o755) != nil {
		t.Fatal(err)
	}
}

// e2eTasksPlanned are the tasks the plan runs, in order: a command that
// check mode skips is left out, as Ansible reports it skipped.
func e2eTasksPlanned(h *fleetplan.HostPlan) []string {
	var out []string
	for _, f := range h.Files {
		if f.Command == nil || !f.Command.Skipped {
			out = append(out, taskName(f.Task))
		}
	}
	return out
}

// e2eTasksRun are the tasks of ansible-playbook's output that changed or
// were ok, in order.
func e2eTasksRun(log string) []string {
	var out []string
	task := ""
	for _, line := range strings.Split(log, "\n") {
		if rest, ok := strings.CutPrefix(line, "TASK ["); ok {
			task, _, _ = strings.Cut(rest, "] ")
		}
		if (strings.HasPrefix(line, "changed: [") || strings.HasPrefix(line, "ok: [")) && task != "" {
			out, task = append(out, taskName(task)), ""
		}
	}
	return out
}
