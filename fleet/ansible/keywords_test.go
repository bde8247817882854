package ansible

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// renderKeywordsRepo renders host box of a repository of one playbook
// (and the extra files given) and returns its tasks, or the error.
func renderKeywordsRepo(t *testing.T, playbook string, files map[string]string) (*HostTasks, error) {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"hosts.yml": "all:\n  hosts:\n    box: {ansible_connection: local}\n", "site.yml": playbook}
	for name, body := range files {
		all[name] = body
	}
	for name, body := range all {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(Options{Repo: dir, Inventory: filepath.Join(dir, "hosts.yml")})
	if err != nil {
		return nil, err
	}
	return r.RenderHost("box", false)
}

// Each keyword is the innermost one set, keyword by keyword.
func TestKeywordsUnderTakeTheInnermostSet(t *testing.T) {
	yes, no := true, false
	outer := Keywords{Become: BecomeSpec{Set: true, Become: true, User: "svc"}, NoLog: &yes, CheckMode: &yes}
	inner := Keywords{Become: BecomeSpec{User: "root"}, NoLog: &no, IgnoreErrors: &yes}
	got := outer.Under(inner)
	if got.Become != (BecomeSpec{Set: true, Become: true, User: "root"}) || got.HidesOutput() || !got.IgnoresErrors() || !got.ChecksOnly() || got.OnceOnly() {
		t.Errorf("under: %+v", got)
	}
}

// include_tasks and include_role refuse the keywords Ansible refuses on
// them, with its message, naming the file and line.
func TestIncludesRefuseKeywordsAnsibleRefuses(t *testing.T) {
	for _, kw := range []string{"become: true", "become_user: svc", "check_mode: true"} {
		key, _, _ := strings.Cut(kw, ":")
		for module, class := range map[string]string{"include_tasks: t.yml": "TaskInclude", "include_role: {name: r}": "IncludeRole"} {
			play := "- hosts: box\n  gather_facts: false\n  tasks:\n    - " + module + "\n      " + kw + "\n"
			_, err := renderKeywordsRepo(t, play, map[string]string{"t.yml": "[]\n", "roles/r/tasks/main.yml": "[]\n"})
			var ie *InputError
			if !errors.As(err, &ie) || ie.Key != key || ie.At.Line != 4 || !strings.Contains(err.Error(), "'"+key+"' is not a valid attribute for a "+class) {
				t.Errorf("%s with %s: %v", module, kw, err)
			}
		}
	}
}

// A keyword written as a template, and a role entry keyword straylight
// does not honour, list each task they reach with the reason; the other
// tasks are planned.
func TestKeywordsStraylightCannotHonourAreListed(t *testing.T) {
	play := `- hosts: box
  gather_facts: false
  roles:
    - role: r
      any_errors_fatal: true
  tasks:
    - block:
        - copy: {content: "a\n", dest: /tmp/straylight-never/a}
      no_log: "{{ hide }}"
    - copy: {content: "b\n", dest: /tmp/straylight-never/b}
`
	w, err := renderKeywordsRepo(t, play, map[string]string{"roles/r/tasks/main.yml": "- copy: {content: \"r\\n\", dest: /tmp/straylight-never/r}\n"})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 1 || w.Files[0].Dest != "/tmp/straylight-never/b" || len(w.Unsupported) != 2 {
		t.Fatalf("files %+v, unsupported %+v", w.Files, w.Unsupported)
	}
	reasons := w.Unsupported[0].Reason + "\n" + w.Unsupported[1].Reason
	for _, want := range []string{"sets any_errors_fatal, which straylight does not honour", "its no_log keyword (its own or inherited) is a template"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("reasons lack %q:\n%s", want, reasons)
		}
	}
}

// An include's apply key straylight does not honour is an error naming it.
func TestIncludeApplyRefusesWhatItDoesNotHonour(t *testing.T) {
	play := "- hosts: box\n  gather_facts: false\n  tasks:\n    - include_tasks: {file: t.yml, apply: {delegate_to: other}}\n"
	_, err := renderKeywordsRepo(t, play, map[string]string{"t.yml": "[]\n"})
	if err == nil || !strings.Contains(err.Error(), `apply keyword "delegate_to" is not supported`) {
		t.Errorf("err = %v", err)
	}
}

// import_tasks and import_role refuse a non-empty apply, with Ansible's
// message (TaskInclude.check_options, IncludeRole.load), naming the file
// and line; an include takes it, and an empty one is no apply.
func TestImportsRefuseApply(t *testing.T) {
	files := map[string]string{"t.yml": "[]\n", "roles/r/tasks/main.yml": "[]\n"}
	for module, want := range map[string]string{
		"import_tasks: {file: t.yml, apply: {become: true}}": "site.yml:4: apply: Invalid options for import_tasks: apply",
		"import_role: {name: r, apply: {tags: [x]}}":         "site.yml:4: apply: Invalid options for import_role: apply",
		"include_tasks: {file: t.yml, apply: {tags: [x]}}":   "",
		"import_tasks: {file: t.yml, apply: {}}":             "",
	} {
		play := "- hosts: box\n  gather_facts: false\n  tasks:\n    - " + module + "\n"
		_, err := renderKeywordsRepo(t, play, files)
		if got := fmt.Sprint(err); (want == "" && err != nil) || (want != "" && got != want) {
			t.Errorf("%s: %v, want %q", module, err, want)
		}
	}
}

// A meta dependency's tasks are listed when a role it is a dependency of
// sets an entry keyword straylight does not honour, naming that entry; a
// dependency's tasks inherit its dependents' no_log.
func TestDependencyInheritsItsDependentsEntries(t *testing.T) {
	play := `- hosts: box
  gather_facts: false
  roles:
    - role: r
      any_errors_fatal: true
    - role: quiet
      no_log: true
`
	w, err := renderKeywordsRepo(t, play, map[string]string{
		"roles/r/meta/main.yml":      "dependencies: [d]\n",
		"roles/r/tasks/main.yml":     "[]\n",
		"roles/d/tasks/main.yml":     "- copy: {content: \"d\\n\", dest: /tmp/straylight-never/d}\n",
		"roles/quiet/meta/main.yml":  "dependencies: [e]\n",
		"roles/quiet/tasks/main.yml": "[]\n",
		"roles/e/tasks/main.yml":     "- copy: {content: \"e\\n\", dest: /tmp/straylight-never/e}\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Unsupported) != 1 || !strings.Contains(w.Unsupported[0].Reason, "its role entry (site.yml:4) sets any_errors_fatal") {
		t.Errorf("unsupported: %+v", w.Unsupported)
	}
	if len(w.Files) != 1 || !w.Files[0].NoLog {
		t.Errorf("files: %+v", w.Files)
	}
}

// The task's file carries its keywords as it runs with them.
func TestFileTaskCarriesInheritedKeywords(t *testing.T) {
	play := `- hosts: box
  gather_facts: false
  check_mode: true
  tasks:
    - block:
        - copy: {content: "a\n", dest: /tmp/straylight-never/a}
          check_mode: false
      no_log: true
      ignore_errors: true
`
	w, err := renderKeywordsRepo(t, play, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 1 || !w.Files[0].NoLog || !w.Files[0].IgnoreErrors || w.Files[0].CheckOnly {
		t.Fatalf("files %+v", w.Files)
	}
}

// A copy whose absolute src is missing fails with the copy action's
// message at the task; one whose src is a directory is listed (Ansible
// copies the tree, straylight copies files).
func TestCopySourcesAnsibleWouldNotCopyAsAFile(t *testing.T) {
	dir := t.TempDir()
	play := "- hosts: box\n  gather_facts: false\n  tasks:\n    - copy: {src: " + dir + "/tree, dest: /tmp/straylight-never/}\n"
	if err := os.MkdirAll(filepath.Join(dir, "tree"), 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := renderKeywordsRepo(t, play, nil)
	if err != nil || len(w.Files) != 0 || len(w.Unsupported) != 1 || !strings.Contains(w.Unsupported[0].Reason, "is a directory: straylight copies single files") {
		t.Errorf("directory src: %v, %+v", err, w)
	}
	missing := "- hosts: box\n  gather_facts: false\n  tasks:\n    - copy: {src: " + dir + "/nothing, dest: /tmp/straylight-never/x}\n"
	_, err = renderKeywordsRepo(t, missing, nil)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Key != "src" || ie.At.Line != 4 || !strings.Contains(err.Error(), "Could not find or access '"+dir+"/nothing' on the Ansible Controller.") {
		t.Errorf("missing src: %v", err)
	}
}

// A role named ns.coll.role is found under ansible_collections; a plain
// name is not looked for there, and a missing one names every path.
func TestRolesNamedByTheirCollection(t *testing.T) {
	dir := t.TempDir()
	coll := filepath.Join(dir, "collections", "ansible_collections", "ns", "coll", "roles", "r")
	if err := os.MkdirAll(coll, 0o755); err != nil {
		t.Fatal(err)
	}
	search := (&Repo{Config: AnsibleConfig{CollectionsPath: []string{filepath.Join(dir, "elsewhere")}}}).roleSearchPath(dir)
	if got, err := findRole(RoleRef{Name: "ns.coll.r"}, search); err != nil || got != coll {
		t.Errorf("ns.coll.r: %q, %v", got, err)
	}
	if _, err := findRole(RoleRef{Name: "r"}, search); err == nil {
		t.Error("a plain name was found under ansible_collections")
	}
	_, err := findRole(RoleRef{Name: "ns.coll.missing"}, search)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "elsewhere", "ansible_collections")) {
		t.Errorf("missing: %v", err)
	}
}

// A task reading the facts of a fact module straylight does not run
// (getent's getent_<db>, service_facts' services, ansible_facts) is
// Ansible's to decide, like one reading a setup task's facts.
func TestFactModulesFactsAreAnsibles(t *testing.T) {
	play := `- hosts: box
  gather_facts: false
  tasks:
    - getent: {database: group}
    - service_facts:
    - copy: {content: "{{ getent_group | length }}", dest: /tmp/straylight-never/a}
    - copy: {content: "{{ services | length }}", dest: /tmp/straylight-never/b}
    - copy: {content: "{{ ansible_facts.getent_group | length }}", dest: /tmp/straylight-never/c}
    - copy: {content: "{{ other | default('x') }}", dest: /tmp/straylight-never/d}
`
	w, err := renderKeywordsRepo(t, play, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 1 || len(w.Unsupported) != 5 {
		t.Fatalf("files %+v, unsupported %+v", w.Files, w.Unsupported)
	}
	for i, want := range []string{`"getent_group", a fact of "getent"`, `"services", a fact of "service_facts"`, `"ansible_facts", a fact of "service_facts"`} {
		if reason := w.Unsupported[2+i].Reason; !strings.Contains(reason, "it reads "+want) {
			t.Errorf("task %d: %s", 2+i, reason)
		}
	}
}

// With facts gathered, a fact module's fact read from ansible_facts is a
// missing key, not an undefined variable: Ansible's to decide too.
func TestFactModuleFactMissingFromGatheredFacts(t *testing.T) {
	play := `- hosts: box
  gather_facts: false
  tasks:
    - set_fact: {ansible_facts_like: {}}
    - getent: {database: group}
    - copy: {content: "{{ {'other': 1}.getent_group | length }}", dest: /tmp/straylight-never/a}
`
	w, err := renderKeywordsRepo(t, play, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Unsupported) != 2 || !strings.Contains(w.Unsupported[1].Reason, `it reads "getent_group", a fact of "getent"`) {
		t.Fatalf("unsupported %+v", w.Unsupported)
	}
}
