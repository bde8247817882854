package unitparity_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// Parity of user and group tasks with ansible-core's user and group
// modules. Both read this machine's account databases (the modules with
// Python's pwd and grp, straylight with getent: the same NSS databases),
// and both run the account tools through PATH (the modules' get_bin_path
// looks on PATH first, lib/ansible/module_utils/common/process.py), where
// stand-ins record each command's words and change nothing: no account of
// the machine is touched. Every case is on an account as the machine has
// it, so each task is decided from the same databases by both.

// accountTools are the tools the stand-ins replace.
var accountTools = []string{"groupadd", "groupmod", "groupdel", "useradd", "usermod", "userdel"}

// accountPrelude answers usermod --help as shadow's usermod does about
// -a; the account stand-ins record every other command.
const accountPrelude = `if [ "$(basename "$0")" = usermod ] && [ "$1" = --help ]; then
  echo "  -a, --append                  append the user to the supplemental GROUPS"; exit 0
fi
`

// recordingStub is a stand-in script: prelude (lines that may answer or
// exit first), then a line appending its words to log, one command a
// line, each word in brackets (readLog reads them).
func recordingStub(prelude, log string) string {
	return "#!/bin/sh\n" + prelude + `{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >> ` + log + "\n"
}

// accountCases are u1's tasks: each reads the databases as they are (no
// case reads an account an earlier case changes: the stand-ins change
// nothing, where the plan goes on from what each command leaves). The
// machine's accounts they name are Debian's base ones.
func accountCases(member, memberGroup string) string {
	cases := `    - name: group added system
      group: {name: sl-parity-g1, system: true}
    - name: group added gid
      group: {name: sl-parity-g2, gid: 64901}
    - name: group added gid non_unique
      ansible.builtin.group: {name: sl-parity-g3, gid: 0, non_unique: true}
    - name: group as is
      group: {name: root}
    - name: group gid as is
      group: {name: daemon, gid: 1}
    - name: group gid changed
      group: {name: daemon, gid: 64902}
    - name: group absent already
      group: {name: sl-parity-g4, state: absent}
    - name: group removed
      group: {name: uucp, state: absent}
    - name: user added
      user: {name: sl-parity-u1, group: root, groups: [sys, adm], comment: "Parity user", shell: /usr/sbin/nologin, system: true, create_home: false}
    - name: user added with home
      user: {name: sl-parity-u2, home: /tmp/sl-parity-home, uid: 64903}
    - name: user added where a group has its name
      user: {name: adm, create_home: false}
    - name: user added by gid
      ansible.builtin.user: {name: sl-parity-u3, group: "0", groups: "sys,adm", create_home: no}
    - name: user as is
      user: {name: root, shell: /bin/bash, home: /root}
    - name: user shell changed
      user: {name: daemon, shell: /bin/bash, create_home: false}
    - name: user fields changed
      user: {name: bin, comment: "Binaries", uid: 64904, group: sys, home: /tmp, move_home: true, create_home: false}
    - name: user groups appended
      user: {name: sys, groups: [sys, adm], append: true, create_home: false}
    - name: user groups replaced
      user: {name: sync, groups: [adm], create_home: false}
    - name: user groups as is
      user: {name: man, groups: [], create_home: false}
    - name: user absent already
      user: {name: sl-parity-u4, state: absent}
    - name: user removed
      user: {name: games, state: absent, remove: true, force: true}
`
	if member != "" {
		cases += fmt.Sprintf(`    - name: member groups kept by append
      user: {name: %s, groups: [%s], append: true, create_home: false}
    - name: member groups cleared
      user: {name: %s, groups: [], create_home: false}
`, member, memberGroup, member)
	}
	return cases
}

// accountMember is a user some group of this machine lists as a member,
// and that group ("" when none does: the member cases are left out).
func accountMember(t *testing.T) (user, group string) {
	out, err := exec.Command("getent", "group").Output()
	if err != nil {
		t.Fatalf("getent group: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, ":")
		if len(f) == 4 && f[3] != "" {
			return strings.Split(f[3], ",")[0], f[0]
		}
	}
	t.Log("no group of this machine lists a member: the member cases are left out")
	return "", ""
}

// accountsRepo is the repository: u1 runs the cases, u2 one that fails
// (a group that does not exist, for an existing user: both check and real
// runs fail), u3 a new user in a missing group (check mode says changed
// before looking; the real run fails).
func accountsRepo(member, memberGroup string) parity.Repo {
	pb := "- name: Accounts\n  hosts: u1\n  gather_facts: false\n  tasks:\n" + accountCases(member, memberGroup) + `- name: Missing group
  hosts: u2
  gather_facts: false
  tasks:
    - name: user in a missing group
      user: {name: daemon, group: sl-parity-missing, create_home: false}
`
	return parity.Repo{Name: "accounts", Inventory: "inventory.yml", Playbooks: []string{"accounts.yml"},
		Files: map[string]string{
			"ansible.cfg":    "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":  "all:\n  hosts:\n    u1: {ansible_connection: local, ansible_host: 127.0.0.1}\n    u2: {ansible_connection: local, ansible_host: 127.0.0.1}\n",
			"accounts.yml":   pb,
			"straylight.yml": "",
		}}
}

// TestE2EAccountTasksParityWithAnsiblePlaybook: on this machine's
// accounts, straylight's plan says changed for exactly the user and group
// tasks ansible-playbook --check and a real run report changed, fails the
// missing group with the module's message, and its --apply runs the same
// commands with the same words as the modules' real run (a -G list
// compared as a set: the module joins a Python set). Against both
// ansible-cores.
func TestE2EAccountTasksParityWithAnsiblePlaybook(t *testing.T) {
	oracles := parity.Oracles(t)
	parity.IsolateEnv(t)
	base := t.TempDir()
	bin := parity.SharedStraylight(t, base)
	log, stub := filepath.Join(base, "commands"), filepath.Join(base, "stub")
	accountStubs(t, stub, log)
	member, memberGroup := accountMember(t)
	for _, o := range oracles {
		t.Run("ansible-core "+o.Version, func(t *testing.T) {
			dir := filepath.Join(base, o.Version)
			root := filepath.Join(dir, "repo")
			repo := accountsRepo(member, memberGroup)
			parity.WriteTree(t, root, repo.Files)
			before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
			accountsPlannedAll(t, before)
			check := parity.RunPlaybookExiting(t, o, dir, root, repo, 2, "--check")
			parity.CompareStatus(t, hostOnly(before, "u1"), parity.TaskStatus(check))
			accountsMissingFails(t, before, check)
			if got := readLog(t, log); got != "" {
				t.Fatalf("the checks ran commands:\n%s", got)
			}
			real := parity.RunPlaybookExiting(t, o, dir, root, repo, 0, "--limit", "u1")
			parity.CompareStatus(t, hostOnly(before, "u1"), parity.TaskStatus(real))
			byAnsible := readLog(t, log)
			e2eUnitsApply(t, bin, root, stub, o)
			if got := readLog(t, log); got != byAnsible {
				t.Errorf("%s: commands of straylight --apply (-) and ansible-playbook (+):\n%s", o.Full, parity.LineDiff(got, byAnsible))
			}
		})
	}
}

// accountStubs writes the stand-ins into dir, first on PATH, and checks
// that each tool is found there, before any case can run a real one.
func accountStubs(t *testing.T, dir, log string) {
	t.Helper()
	files := map[string]string{}
	for _, tool := range accountTools {
		files[tool] = recordingStub(accountPrelude, log)
	}
	parity.WriteTree(t, dir, files)
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, tool := range accountTools {
		if err := os.Chmod(filepath.Join(dir, tool), 0o755); err != nil {
			t.Fatal(err)
		}
		if found, err := exec.LookPath(tool); err != nil || found != filepath.Join(dir, tool) {
			t.Fatalf("%s is found at %q (%v), not the stand-in", tool, found, err)
		}
	}
}

// readLog is the commands the stand-ins recorded, each -G list sorted,
// and empties the log.
func readLog(t *testing.T, log string) string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.RemoveAll(log); err != nil {
		t.Fatal(err)
	}
	return groupList.ReplaceAllStringFunc(string(b), func(m string) string {
		list := strings.Split(m[len("[-G] ["):len(m)-1], ",")
		slices.Sort(list)
		return "[-G] [" + strings.Join(list, ",") + "]"
	})
}

var groupList = regexp.MustCompile(`\[-G\] \[[^\]]*\]`)

// accountsPlannedAll: every task of u1 is planned natively with an
// account decision.
func accountsPlannedAll(t *testing.T, p *fleetplan.Plan) {
	t.Helper()
	h := p.Host("u1")
	if h == nil || len(h.Unsupported) > 0 || len(h.ViaAnsible) > 0 {
		t.Fatalf("plan of u1: %+v", h)
	}
	for _, f := range h.Files {
		if f.Account == nil {
			t.Errorf("u1: %s planned without an account decision", f.Task)
		}
	}
}

// hostOnly is the plan of one host.
func hostOnly(p *fleetplan.Plan, host string) *fleetplan.Plan {
	out := *p
	out.Hosts = slices.DeleteFunc(slices.Clone(p.Hosts), func(h *fleetplan.HostPlan) bool { return h.Host != host })
	return &out
}

var accountsFatal = regexp.MustCompile(`fatal: \[u2\]: FAILED! => .*"msg": "([^"]*)"`)

// accountsMissingFails: Ansible's check fails u2's task on the missing
// group, and straylight lists it as failing with the module's message.
func accountsMissingFails(t *testing.T, p *fleetplan.Plan, log string) {
	t.Helper()
	m := accountsFatal.FindStringSubmatch(log)
	h := p.Host("u2")
	if m == nil || h == nil || len(h.Unsupported) != 1 || !strings.HasSuffix(h.Unsupported[0].Reason, ": "+m[1]) {
		t.Errorf("missing group: Ansible says %q; straylight's plan of u2: %+v", m, h)
	}
}
