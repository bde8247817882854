package moduleparity_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eBlockPlaybook: blockinfile in its forms — at EOF and BOF, after and
// before a pattern, replacing a block, absent, an empty block, create,
// custom markers (two blocks in one file, the second planned on the
// first's result), a CRLF file, a file without a final newline, a mode,
// the FQCN and the content/dest aliases. e2eBlockNewer is added for
// ansible-core 2.16 and later (append_newline, prepend_newline).
const e2eBlockPlaybook = `- name: Blocks
  hosts: blocks
  gather_facts: false
  tasks:
    - name: At EOF
      blockinfile: {path: "{{ out }}/eof.conf", block: "x={{ n }}\ny=2"}
    - name: At BOF
      ansible.builtin.blockinfile: {path: "{{ out }}/bof.conf", block: "# top", insertbefore: BOF}
    - name: After a section
      blockinfile: {path: "{{ out }}/ini.conf", block: "k=v\n", insertafter: '^\[main\]'}
    - name: Before a section
      blockinfile: {dest: "{{ out }}/before.conf", content: "z=1", insertbefore: '^\[other\]$'}
    - name: Replace the block
      blockinfile: {path: "{{ out }}/replace.conf", block: "new"}
    - name: Block already there
      blockinfile: {path: "{{ out }}/same.conf", block: "old"}
    - name: Remove the block
      blockinfile: {path: "{{ out }}/absent.conf", state: absent}
    - name: Empty block removes
      blockinfile: {path: "{{ out }}/empty.conf", block: ""}
    - name: Create
      blockinfile: {path: "{{ out }}/new.conf", block: "first", create: true, mode: "0640"}
    - name: Custom markers, first block
      blockinfile: {path: "{{ out }}/two.yml", block: "a: 1", marker: "# {mark} vllm"}
    - name: Custom markers, second block
      blockinfile: {path: "{{ out }}/two.yml", block: "b: 2", marker: ";; {mark} litellm", marker_begin: start, marker_end: stop}
    - name: CRLF file
      blockinfile: {path: "{{ out }}/crlf.conf", block: "x", insertafter: "^a"}
    - name: No final newline
      blockinfile: {path: "{{ out }}/nonl.conf", block: "x"}
    - name: Create in a new directory, with a backup of nothing
      blockinfile: {path: "{{ out }}/sub/dir/new.conf", block: "deep", create: yes, backup: yes}
    - name: Mode only
      blockinfile: {path: "{{ out }}/mode.conf", block: "old", mode: "0600"}
`

const e2eBlockNewer = `    - name: Blank lines around
      blockinfile: {path: "{{ out }}/blank.conf", block: "x", insertafter: "^a", append_newline: true, prepend_newline: true}
`

const e2eManaged = "# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\n"

// e2eBlockBefore are the dests before each run (mode 0644).
var e2eBlockBefore = map[string]string{
	"eof.conf": "a\n", "bof.conf": "a\n", "ini.conf": "[main]\nx=1\n[other]\n", "before.conf": "[main]\n[other]\ny\n",
	"replace.conf": "top\n" + e2eManaged + "bottom\n", "same.conf": e2eManaged, "absent.conf": "a\n" + e2eManaged + "b\n",
	"empty.conf": e2eManaged, "two.yml": "k: v\n", "crlf.conf": "a\r\nb\r\n", "nonl.conf": "a\nb", "mode.conf": e2eManaged,
	"blank.conf": "a\nb\n",
}

func e2eBlockRepo(out, version string) parity.Repo {
	playbook := e2eBlockPlaybook
	if e2eAtLeast216(version) {
		playbook += e2eBlockNewer
	}
	return parity.Repo{Name: "blocks", Inventory: "inventory.yml", Playbooks: []string{"blocks.yml"}, Discovered: []string{"blocks.yml"},
		Files: map[string]string{
			"ansible.cfg":        "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":      "all:\n  children:\n    blocks:\n      hosts:\n        at1:\n          ansible_connection: local\n          ansible_host: 127.0.0.1\n",
			"group_vars/all.yml": "out: " + out + "\nn: 7\n",
			"blocks.yml":         playbook,
			"straylight.yml":     "",
		}}
}

func e2eAtLeast216(version string) bool { return version != "2.14" && version != "2.15" }

// e2eBlockReset writes the dests as e2eBlockBefore has them.
func e2eBlockReset(t *testing.T, out string) {
	t.Helper()
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range e2eBlockBefore {
		if err := os.WriteFile(filepath.Join(out, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestE2EBlockInFileParityWithAnsiblePlaybook: straylight plans changed
// exactly the blockinfile tasks ansible-playbook --check --diff reports
// changed; the content it plans for each dest is the bytes Ansible then
// writes; after Ansible's deploy straylight plans no change; and
// straylight --apply on the same starting files leaves what Ansible left,
// which ansible-playbook --check then finds unchanged. Both ansible-cores.
func TestE2EBlockInFileParityWithAnsiblePlaybook(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eBlockRepo(out, o.Version)
		parity.WriteTree(t, root, repo.Files)
		e2eBlockReset(t, out)
		before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		planned := e2eBlockPlanned(t, before)
		parity.CompareStatus(t, before, parity.TaskStatus(e2eAttrsAnsibleCheck(t, o, dir, root, repo)))
		parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		byAnsible := e2eBlockFiles(t, out)
		for dest, content := range planned {
			rel, _ := filepath.Rel(out, dest)
			if got := byAnsible[rel]; !strings.HasPrefix(got, strconv.Quote(content)+" mode ") {
				t.Errorf("%s: straylight plans %q, Ansible wrote %q", dest, content, got)
			}
		}
		if after := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)); after.HasChanges() {
			t.Errorf("after ansible-playbook: %s", after.Summary.Line())
		}
		e2eBlockReset(t, out)
		parity.Apply(t, bin, root, o)
		for name, want := range byAnsible {
			if got := e2eBlockFiles(t, out)[name]; got != want {
				t.Errorf("%s after straylight --apply: %q; after ansible-playbook: %q", name, got, want)
			}
		}
		e2eAttrsAnsibleUnchanged(t, o, dir, root, repo)
		if !e2eAtLeast216(o.Version) {
			e2eBlockOlderCoreRefuses(t, o, dir)
		}
	})
}

// e2eBlockOlderCoreRefuses: under an ansible-core before 2.16 a task
// giving append_newline fails in ansible-playbook, and straylight lists it
// as one that would fail, with Ansible's words.
func e2eBlockOlderCoreRefuses(t *testing.T, o parity.Oracle, dir string) {
	t.Helper()
	root, out := filepath.Join(dir, "newer"), filepath.Join(dir, "newer-out")
	repo := e2eBlockRepo(out, o.Version)
	repo.Files["blocks.yml"] += e2eBlockNewer
	parity.WriteTree(t, root, repo.Files)
	e2eBlockReset(t, out)
	cmd := exec.Command(filepath.Join(o.Bin, "ansible-playbook"), "--check", "-i", repo.Inventory, "blocks.yml")
	cmd.Dir, cmd.Env = root, parity.AnsibleEnv(t, dir)
	if log, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(log), "Unsupported parameters") {
		t.Errorf("%s accepts append_newline: %v\n%s", o.Full, err, log)
	}
	h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("at1")
	if h == nil || len(h.Unsupported) != 1 || !strings.Contains(h.Unsupported[0].Reason, "Unsupported parameters for (blockinfile) module: append_newline, prepend_newline") {
		t.Errorf("plan under %s: %+v", o.Full, h)
	}
}

// e2eBlockPlanned checks every task is planned (none unsupported) and
// returns the content planned for each dest (the last task's on it).
func e2eBlockPlanned(t *testing.T, p *fleetplan.Plan) map[string]string {
	t.Helper()
	h := p.Host("at1")
	if h == nil || len(h.Unsupported) > 0 {
		t.Fatalf("plan of at1: %+v", h)
	}
	planned := map[string]string{}
	for _, f := range h.Files {
		planned[f.Dest] = f.NewContent
	}
	if len(planned) < len(e2eBlockBefore)-1 {
		t.Fatalf("%d dests planned: %v", len(planned), planned)
	}
	return planned
}

// e2eBlockFiles is every file under out, by its path there: content and
// mode (backups, which carry a date, left out).
func e2eBlockFiles(t *testing.T, out string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(d.Name(), "~") {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		files[rel] = e2eFileAttrs(t, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
