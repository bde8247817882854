package moduleparity_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eLinksPlaybook: file state=link whose source exists on the host, is
// written or made by an earlier task of the run, or exists nowhere (a
// missing path, and an existing link whose target is gone). Without force
// the module fails the last two, in check mode too (ensure_symlink).
const e2eLinksPlaybook = `- hosts: all
  gather_facts: false
  tasks:
    - name: Link to a missing source
      file: {src: "{{ out }}/nowhere", dest: "{{ out }}/missing-link", state: link}
      ignore_errors: true
    - name: Link beside
      file: {src: present.txt, dest: "{{ out }}/beside-link", state: link}
    - name: Written first
      copy: {content: "x\n", dest: "{{ out }}/written.txt"}
    - name: Link to what an earlier task writes
      file: {src: "{{ out }}/written.txt", dest: "{{ out }}/written-link", state: link}
    - name: Made first
      file: {path: "{{ out }}/made", state: directory}
    - name: Link to what an earlier task makes
      file: {src: made, dest: "{{ out }}/made-link", state: link}
    - name: Link whose target is gone
      file: {src: "{{ out }}/gone.txt", dest: "{{ out }}/stale-link", state: link}
      ignore_errors: true
`

func e2eLinksRepo(out string) parity.Repo {
	return parity.Repo{Name: "links", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Files: map[string]string{
		"ansible.cfg":   "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
		"inventory.yml": "all:\n  hosts:\n    l1: {ansible_connection: local, ansible_python_interpreter: /usr/bin/python3, out: \"" + out + "\"}\n",
		"site.yml":      e2eLinksPlaybook,
	}}
}

// e2eLinksReset leaves out with present.txt and a link to a missing
// gone.txt.
func e2eLinksReset(t *testing.T, out string) {
	t.Helper()
	if err := os.RemoveAll(out); err != nil || os.MkdirAll(out, 0o755) != nil {
		t.Fatal(err)
	}
	parity.WriteTree(t, out, map[string]string{"present.txt": "here\n"})
	if err := os.Symlink(filepath.Join(out, "gone.txt"), filepath.Join(out, "stale-link")); err != nil {
		t.Fatal(err)
	}
}

// TestE2ELinksToMissingSourcesFailAsInAnsible: the tasks the real module
// fails are the ones the plan lists as failing, with the module's
// message; the others are planned; after ansible-playbook and after
// straylight --apply from the same start, out holds the same paths.
func TestE2ELinksToMissingSourcesFailAsInAnsible(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eLinksRepo(out)
		parity.WriteTree(t, root, repo.Files)
		e2eLinksReset(t, out)
		h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("l1")
		real := parity.SameAfterRuns(t, o, bin, dir, root, repo, func() { e2eLinksReset(t, out) }, func() string { return e2eLinksIn(t, out) })
		if got, want := e2eLinkVerdicts(h), e2eLinkVerdictsBy(real); got != want {
			t.Errorf("%s: verdicts: straylight\n%sansible-playbook\n%s", o.Full, got, want)
		}
	})
}

// e2eLinkVerdicts is the plan's verdict on each task: failed (with the
// module's message) or changed.
func e2eLinkVerdicts(h *fleetplan.HostPlan) string {
	var b strings.Builder
	for _, u := range h.Unsupported {
		if strings.Contains(u.Reason, `src file does not exist, use "force=yes" if you really want to create the link`) {
			fmt.Fprintf(&b, "%s: fatal\n", u.Task)
		}
	}
	for _, f := range h.Files {
		if f.Changes() {
			fmt.Fprintf(&b, "%s: changed\n", f.Task)
		}
	}
	return sortedLines(b.String())
}

// e2eLinkVerdictsBy is ansible-playbook's verdict on each task.
func e2eLinkVerdictsBy(log string) string {
	var b strings.Builder
	for task, verdict := range parity.Verdicts(log) {
		fmt.Fprintf(&b, "%s: %s\n", task, verdict)
	}
	return sortedLines(b.String())
}

func sortedLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	slices.Sort(lines)
	return strings.Join(lines, "")
}

// e2eLinksIn lists out's paths: each link with its target, each
// directory, each file with its content.
func e2eLinksIn(t *testing.T, out string) string {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		p := filepath.Join(out, e.Name())
		switch {
		case e.Type()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			fmt.Fprintf(&b, "%s -> %s\n", e.Name(), target)
		case e.IsDir():
			fmt.Fprintf(&b, "%s/\n", e.Name())
		default:
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "%s: %q\n", e.Name(), data)
		}
	}
	return b.String()
}
