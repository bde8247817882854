package unitparity_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// Parity of file tasks owned by accounts that earlier user and group
// tasks of the same run add (the service account a model server runs
// as, then its directories and configuration). Here the real account
// tools run: each run — ansible-playbook's, then straylight's --apply —
// happens in a private mount namespace over a fresh copy of this
// machine's /etc, so useradd and groupadd change the copy and nothing of
// the machine's accounts (the files the tasks own are under the test's
// temporary folder).

// ownersPlay: o1 adds a group, a user with its own group (login.defs'
// USERGROUPS_ENAB), a user with a uid, then sets them on paths that exist
// already (attributes only: the lookup the plan could not do before the
// accounts exist) and on a new one.
const ownersPlay = `- name: Owners
  hosts: o1
  gather_facts: false
  tasks:
    - name: group added
      group: {name: sl-own-g}
    - name: user added with its own group
      user: {name: sl-own-u, create_home: false, shell: /usr/sbin/nologin}
    - name: user added with a uid in the new group
      user: {name: sl-own-v, uid: 64911, group: sl-own-g, create_home: false}
    - name: its own group as is
      group: {name: sl-own-u}
    - name: directory owned by the new user
      file: {path: "{{ out }}/dir", state: directory, owner: sl-own-u, group: sl-own-g}
    - name: template owned by the new user and its group
      template: {src: conf.j2, dest: "{{ out }}/conf", owner: sl-own-u, group: sl-own-u, mode: "0640"}
    - name: copy owned by the user with a uid
      copy: {content: "same\n", dest: "{{ out }}/copied", owner: sl-own-v}
    - name: lineinfile in the new group
      lineinfile: {path: "{{ out }}/lines", line: present, group: sl-own-g}
    - name: new file owned by the new user
      copy: {content: "new\n", dest: "{{ out }}/new", owner: sl-own-u, group: sl-own-g}
`

// ownersStart is out as each run finds it: every path but new exists,
// with the content the tasks give it, owned by root.
var ownersStart = map[string]string{"conf": "port {{ 8000 }}\n", "copied": "same\n", "lines": "present\n"}

// TestE2EFilesOwnedByNewAccountsParity: straylight plans natively, from
// this machine's accounts, file tasks owned by accounts that earlier
// tasks add, with the verdicts a real ansible-playbook run gives; its
// --apply leaves the accounts (/etc/passwd and /etc/group lines, ids
// included) and the files (ids, mode, content) as that run does; and
// straylight --check after Ansible's run finds nothing to change.
// Against both ansible-cores.
func TestE2EFilesOwnedByNewAccountsParity(t *testing.T) {
	oracles := parity.Oracles(t)
	parity.IsolateEnv(t)
	base := t.TempDir()
	if err := sandboxed(base, "", "true").Run(); err != nil {
		parity.MissingOracle(t, fmt.Sprintf("the account sandbox needs root and unshare --mount (util-linux): %v", err))
		return
	}
	bin := parity.SharedStraylight(t, base)
	for _, o := range oracles {
		t.Run("ansible-core "+o.Version, func(t *testing.T) {
			dir := filepath.Join(base, o.Version)
			root, out, etc := filepath.Join(dir, "repo"), filepath.Join(dir, "out"), filepath.Join(dir, "etc")
			repo := parity.LocalRepo("owners", "o1", out, map[string]string{"site.yml": ownersPlay, "templates/conf.j2": ownersStart["conf"]})
			parity.WriteTree(t, root, repo.Files)
			ownersReset(t, out)
			before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
			ownersPlannedAll(t, before.Host("o1"))
			freshEtc(t, etc)
			real := runOK(t, sandboxed(etc, root, filepath.Join(o.Bin, "ansible-playbook"), "-i", repo.Inventory, "site.yml"), parity.AnsibleEnv(t, dir))
			parity.CompareStatus(t, before, parity.TaskStatus(real))
			byAnsible := ownersSnapshot(t, etc, out)
			runOK(t, sandboxed(etc, root, bin, "-C", root, "--check"), oracleFirst(o))
			ownersReset(t, out)
			freshEtc(t, etc)
			log := runOK(t, sandboxed(etc, root, bin, "-C", root, "--apply", "--yes"), oracleFirst(o))
			if got := ownersSnapshot(t, etc, out); got != byAnsible {
				t.Errorf("%s: after straylight --apply (-) and ansible-playbook (+):\n%s\n%s", o.Full, parity.LineDiff(got, byAnsible), log)
			}
		})
	}
}

// sandboxed runs name with args in a private mount namespace where etc
// is bind-mounted over /etc ("": /etc itself, to try the sandbox).
func sandboxed(etc, dir, name string, args ...string) *exec.Cmd {
	if etc == "" {
		return inSandbox(nil, dir, name, args...)
	}
	return inSandbox([][2]string{{etc, "/etc"}}, dir, name, args...)
}

// inSandbox runs name with args in a private mount namespace where each
// bind's source is mounted over its target: it runs only if every target
// then reads as its source (cmp for files, the same listing for folders).
func inSandbox(binds [][2]string, dir, name string, args ...string) *exec.Cmd {
	script := ""
	for i := range binds {
		src, dst := fmt.Sprintf(`"$%d"`, 2*i+1), fmt.Sprintf(`"$%d"`, 2*i+2)
		script += "mount --bind " + src + " " + dst + " && { [ -d " + dst + " ] || cmp -s " + src + " " + dst + "; } && "
	}
	words := []string{"--mount", "--propagation", "private", "--", "sh", "-c", script + "shift " + fmt.Sprint(2*len(binds)) + ` && exec "$@"`, "sandbox"}
	for _, b := range binds {
		words = append(words, b[0], b[1])
	}
	cmd := exec.Command("unshare", append(append(words, name), args...)...)
	cmd.Dir = dir
	return cmd
}

// freshEtc makes etc a copy of this machine's /etc, as it is now.
func freshEtc(t *testing.T, etc string) {
	t.Helper()
	if err := os.RemoveAll(etc); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", "/etc", etc).CombinedOutput(); err != nil {
		t.Fatalf("copying /etc: %v\n%s", err, out)
	}
}

// runOK runs cmd with env and fails the test unless it exits 0.
func runOK(t *testing.T, cmd *exec.Cmd, env []string) string {
	t.Helper()
	cmd.Env = env
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, b.String())
	}
	return b.String()
}

// oracleFirst is the environment straylight runs in: the oracle's ansible
// first on PATH (straylight follows its version).
func oracleFirst(o parity.Oracle) []string {
	return append(os.Environ(), "PATH="+o.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// ownersReset empties out and writes the paths that exist before a run.
func ownersReset(t *testing.T, out string) {
	t.Helper()
	parity.Emptier(t, out)()
	files := map[string]string{"dir/.keep": ""}
	for name, content := range ownersStart {
		files[name] = strings.ReplaceAll(content, "{{ 8000 }}", "8000")
	}
	parity.WriteTree(t, out, files)
}

// ownersPlannedAll: every task of o1 is planned natively, the file tasks
// on existing paths as attribute changes.
func ownersPlannedAll(t *testing.T, h *fleetplan.HostPlan) {
	t.Helper()
	if h == nil || len(h.Unsupported) > 0 || len(h.ViaAnsible) > 0 || len(h.Files) != 9 {
		t.Fatalf("plan of o1: %+v", h)
	}
	for _, f := range h.Files {
		if strings.HasPrefix(f.Task, "template") && (!f.AttrsOnly() || f.AttrsAfter == nil || f.AttrsAfter.Owner != "sl-own-u" || f.AttrsAfter.UID != nil) {
			t.Errorf("%s: attributes after %+v, want the new user by name alone", f.Task, f.AttrsAfter)
		}
	}
}

// ownersSnapshot is what a run leaves: the sandbox's passwd and group
// lines of the test's accounts, and each path under out with its uid,
// gid, mode and content.
func ownersSnapshot(t *testing.T, etc, out string) string {
	t.Helper()
	var lines []string
	for _, db := range []string{"passwd", "group"} {
		b, err := os.ReadFile(filepath.Join(etc, db))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "sl-own-") {
				lines = append(lines, db+": "+l)
			}
		}
	}
	err := filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		st := info.Sys().(*syscall.Stat_t)
		content, _ := os.ReadFile(p)
		lines = append(lines, fmt.Sprintf("%s %d:%d %o %q", strings.TrimPrefix(p, out), st.Uid, st.Gid, info.Mode(), content))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}
