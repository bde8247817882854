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

// Parity of apt tasks with ansible-core's apt module (and of package
// tasks, which its action plugin runs as apt here), on this machine's
// dpkg database and apt lists: the module reads them with python3-apt,
// straylight with dpkg-query and apt-cache policy. ansible-playbook
// --check runs as it is (its apt-get --simulate changes nothing). The
// real runs — ansible-playbook's and straylight's --apply — run in a
// private mount namespace where stand-ins are bind-mounted over
// /usr/bin/apt-get and /usr/bin/apt-mark (whatever PATH says, no real
// one can run there): they record their words and change nothing. The
// apt-mark stand-in answers showauto with a copy of the real one and
// records a manual only for a package it lists as automatically
// installed (a manual that changes nothing is the module's no-op, which
// straylight does not run). No case reads a package an earlier case
// changes: the stand-ins change nothing, where the plan goes on from what
// each command leaves.

// aptPackages are this machine's packages the cases use, each found from
// dpkg and apt as they are: "" when the machine has none such (its case
// is left out, said in the log).
type aptPackages struct {
	manual, auto, missing, upgradable, removable, missingToo string
}

// aptCases are p1's tasks (real runs and checks), p3's refresh of old
// lists (checks only: the real module would fetch the lists with
// python3-apt) and p2's unknown package (both fail it; last, as
// ansible-playbook ends the run when every host of a play has failed).
func aptCases(p aptPackages) string {
	cases := "- name: Packages\n  hosts: p1\n  gather_facts: false\n  tasks:\n"
	add := func(pkg, task string) {
		if pkg != "" {
			cases += "    - " + fmt.Sprintf(task, pkg) + "\n"
		}
	}
	add(p.manual, "{name: installed, apt: {name: %s}}")
	add(p.auto, "{name: installed automatically, ansible.builtin.apt: {name: [%s], state: present}}")
	add(p.missing, "{name: missing, apt: {name: %s, install_recommends: false}}")
	add(p.upgradable, "{name: upgradable, apt: {name: %s, state: latest}}")
	add(p.manual, "{name: latest already, apt: {name: %s, state: latest, update_cache: true, cache_valid_time: 999999999}}")
	add(p.removable, "{name: removed, apt: {pkg: %s, state: absent, autoremove: true}}")
	add(p.missingToo, "{name: package module, package: {name: %s, state: present}}")
	add(p.manual, "{name: package module as asked, ansible.builtin.package: {name: %s, use: auto}}")
	add("sl-parity-no-such", "{name: absent already, apt: {name: %s, state: absent, purge: true}}")
	return cases + `- name: Lists
  hosts: p3
  gather_facts: false
  tasks:
    - {name: old lists, apt: {update_cache: true}}
- name: Unknown
  hosts: p2
  gather_facts: false
  tasks:
    - {name: unknown, apt: {name: sl-parity-no-such}}
`
}

// findAptPackages picks the packages the cases use, from one dpkg-query
// and one apt-cache policy over every name it considers (each loads the
// cache: half a second).
func findAptPackages(t *testing.T) aptPackages {
	t.Helper()
	auto := strings.Fields(aptOut(t, "apt-mark", "showauto"))
	auto = auto[:min(len(auto), 40)]
	upgradable := upgradablePackages()
	upgradable = upgradable[:min(len(upgradable), 40)]
	missing, manual := []string{"hello", "sl", "cowsay", "fortune-mod"}, []string{"coreutils", "tar", "file", "less", "ed", "bc"}
	st := aptStatuses(slices.Concat(auto, upgradable, missing, manual))
	first := func(names []string, ok func(aptStatus) bool) string {
		for _, n := range names {
			if ok(st[n]) {
				return n
			}
		}
		return ""
	}
	isManual := func(s aptStatus) bool { return s.installed && !s.auto }
	p := aptPackages{
		manual:     first(manual[:4], isManual),
		auto:       first(auto, func(s aptStatus) bool { return s.installed && s.candidate == s.version }),
		missing:    first(missing, func(s aptStatus) bool { return !s.installed && s.candidate != "" }),
		upgradable: first(upgradable, func(s aptStatus) bool { return s.installed && s.candidate != "" && s.candidate != s.version }),
		removable:  first([]string{"ed", "bc", "less"}, isManual),
	}
	p.missingToo = first(missing, func(s aptStatus) bool { return s.name != p.missing && !s.installed && s.candidate != "" })
	t.Logf("packages of this machine the cases use: %+v", p)
	return p
}

// upgradablePackages are the installed packages apt lists as upgradable
// ("name/suite version arch [upgradable from: version]").
func upgradablePackages() []string {
	var names []string
	for _, line := range strings.Split(aptOutOK("apt", "list", "--upgradable"), "\n") {
		if name, _, ok := strings.Cut(line, "/"); ok {
			names = append(names, name)
		}
	}
	return names
}

type aptStatus struct {
	name, version, candidate string
	installed, auto          bool
}

var (
	dpkgLine      = regexp.MustCompile(`(?m)^(\S+) (\S+) (\S*)$`)
	policyPackage = regexp.MustCompile(`(?m)^(\S+):\n  Installed: .*\n  Candidate: (\S+)$`)
)

// aptStatuses are the names' dpkg states and apt candidates, each name
// with its own status (zero for a name neither knows).
func aptStatuses(names []string) map[string]aptStatus {
	st := map[string]aptStatus{}
	for _, n := range names {
		st[n] = aptStatus{name: n}
	}
	for _, m := range dpkgLine.FindAllStringSubmatch(aptOutOK("dpkg-query", append([]string{"-W", "-f=${Package} ${db:Status-Status} ${Version}\n"}, names...)...), -1) {
		if s, ok := st[m[1]]; ok && m[2] == "installed" {
			s.installed, s.version = true, m[3]
			st[m[1]] = s
		}
	}
	for _, m := range policyPackage.FindAllStringSubmatch(aptOutOK("apt-cache", append([]string{"policy"}, names...)...), -1) {
		if s, ok := st[m[1]]; ok && m[2] != "(none)" {
			s.candidate = m[2]
			st[m[1]] = s
		}
	}
	for _, n := range strings.Fields(aptOutOK("apt-mark", append([]string{"showauto"}, names...)...)) {
		if s, ok := st[n]; ok {
			s.auto = true
			st[n] = s
		}
	}
	return st
}

func aptOut(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

func aptOutOK(name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, _ := cmd.Output()
	return string(out)
}

// aptMarkPrelude answers showauto with the real apt-mark (copied beside
// the stand-in), and lets the apt-mark stand-in record a manual only when
// it changes something.
const aptMarkPrelude = `[ "$1" = showauto ] && exec %s "$@"
[ "$1" = manual ] && [ -z "$(shift; %s showauto "$@")" ] && exit 0
`

// aptStandIns writes the stand-ins into dir and returns the binds that
// put them over the real tools.
func aptStandIns(t *testing.T, dir, log string) [][2]string {
	t.Helper()
	real := filepath.Join(dir, "apt-mark.real")
	parity.WriteTree(t, dir, map[string]string{"apt-get": recordingStub("", log), "apt-mark": recordingStub(fmt.Sprintf(aptMarkPrelude, real, real), log)})
	if out, err := exec.Command("cp", "/usr/bin/apt-mark", real).CombinedOutput(); err != nil {
		t.Fatalf("copying apt-mark: %v\n%s", err, out)
	}
	var binds [][2]string
	for _, tool := range []string{"apt-get", "apt-mark"} {
		if err := os.Chmod(filepath.Join(dir, tool), 0o755); err != nil {
			t.Fatal(err)
		}
		binds = append(binds, [2]string{filepath.Join(dir, tool), "/usr/bin/" + tool})
	}
	return binds
}

// TestE2EAptTasksParityWithAnsiblePlaybook: on this machine's packages,
// straylight's plan says changed for exactly the apt tasks a real
// ansible-playbook run (p1) and its --check (p3's refresh, which the
// real module would fetch) report changed, fails the unknown package
// with the module's message as --check does, and its --apply runs the
// commands the module's real run runs, with the same words (the dpkg
// options of each core). Against both ansible-cores.
func TestE2EAptTasksParityWithAnsiblePlaybook(t *testing.T) {
	oracles := parity.Oracles(t)
	if exec.Command("/usr/bin/python3", "-c", "import apt").Run() != nil || exec.Command("apt-cache", "policy").Run() != nil {
		parity.MissingOracle(t, "the apt parity needs python3-apt and apt-cache (Debian)")
		return
	}
	parity.IsolateEnv(t)
	base := t.TempDir()
	binds := aptStandIns(t, filepath.Join(base, "stub"), filepath.Join(base, "commands"))
	if out, err := inSandbox(binds, "", "true").CombinedOutput(); err != nil {
		parity.MissingOracle(t, fmt.Sprintf("the apt parity's real runs need root and unshare --mount (util-linux) to put stand-ins over apt-get and apt-mark: %v %s", err, out))
		return
	}
	bin := parity.SharedStraylight(t, base)
	pkgs := findAptPackages(t)
	for _, o := range oracles {
		t.Run("ansible-core "+o.Version, func(t *testing.T) {
			dir := filepath.Join(base, o.Version)
			root := filepath.Join(dir, "repo")
			repo := aptRepo(pkgs)
			parity.WriteTree(t, root, repo.Files)
			before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
			aptPlannedAll(t, before)
			check := parity.RunPlaybookExiting(t, o, dir, root, repo, 2, "--check", "--limit", "p2,p3")
			parity.CompareStatus(t, hostOnly(before, "p3"), parity.TaskStatus(check))
			aptUnknownFails(t, before, check)
			real := runOK(t, inSandbox(binds, root, filepath.Join(o.Bin, "ansible-playbook"), "-i", repo.Inventory, "apt.yml", "--limit", "p1"), parity.AnsibleEnv(t, dir))
			parity.CompareStatus(t, hostOnly(before, "p1"), parity.TaskStatus(real))
			log := filepath.Join(base, "commands")
			byAnsible := readLog(t, log)
			applyLog := runOK(t, inSandbox(binds, root, bin, "-C", root, "--apply", "--yes", "--limit", "p1"), oracleFirst(o))
			if got := readLog(t, log); got != byAnsible || (pkgs.missing != "" && !strings.Contains(got, "[install] ["+pkgs.missing+"=")) {
				t.Errorf("%s: commands of straylight --apply (-) and ansible-playbook (+):\n%s\n%s", o.Full, parity.LineDiff(got, byAnsible), applyLog)
			}
		})
	}
}

func aptRepo(p aptPackages) parity.Repo {
	hosts := ""
	for _, h := range []string{"p1", "p2", "p3"} {
		hosts += "    " + h + ": {ansible_connection: local, ansible_host: 127.0.0.1}\n"
	}
	return parity.Repo{Name: "apt", Inventory: "inventory.yml", Playbooks: []string{"apt.yml"},
		Files: map[string]string{
			"ansible.cfg":    "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":  "all:\n  hosts:\n" + hosts,
			"apt.yml":        aptCases(p),
			"straylight.yml": "",
		}}
}

// aptPlannedAll: every task of p1 and p3 is planned natively with a
// package decision.
func aptPlannedAll(t *testing.T, p *fleetplan.Plan) {
	t.Helper()
	for _, host := range []string{"p1", "p3"} {
		h := p.Host(host)
		if h == nil || len(h.Unsupported) > 0 || len(h.ViaAnsible) > 0 {
			t.Fatalf("plan of %s: %+v", host, h)
		}
		for _, f := range h.Files {
			if f.Package == nil {
				t.Errorf("%s: %s planned without a package decision", host, f.Task)
			}
		}
	}
}

var aptFatal = regexp.MustCompile(`fatal: \[p2\]: FAILED! => .*"msg": "([^"]*)"`)

// aptUnknownFails: Ansible's check fails p2's unknown package, and
// straylight lists it as failing with the module's message.
func aptUnknownFails(t *testing.T, p *fleetplan.Plan, log string) {
	t.Helper()
	m := aptFatal.FindStringSubmatch(log)
	h := p.Host("p2")
	if m == nil || h == nil || len(h.Unsupported) != 1 || !strings.HasSuffix(h.Unsupported[0].Reason, ": "+m[1]) {
		t.Errorf("unknown package: Ansible says %q; straylight's plan of p2: %+v", m, h)
	}
}
