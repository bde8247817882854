// Package parity is the harness of the tests that compare straylight with
// real Ansible (docs/ansible-semantics.md): it finds the installed
// ansible-cores (Debian's and pip's newest, .ci/venvs), runs a test once per
// core, writes test repositories, runs ansible-playbook in an isolated
// environment and reads its per-task verdicts, builds straylight, and opens
// and plans repositories under a core's semantics. The parity tests of
// fleet/plan, fleet/plan/moduleparity, unitparity and serviceparity share
// it; it is for tests only.
package parity

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/facts"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/oracle"
)

// Oracle is one ansible-core to compare with.
type Oracle struct {
	Version string // major.minor, as straylight takes it
	Full    string // as ansible-playbook --version prints it
	Bin     string // the directory of ansible-playbook and ansible-inventory
}

// EachCore runs body once per installed ansible-core (Oracles), in a
// subtest named for it, with straylight built once and the environment
// isolated: each core gets its own folder dir, with the repository under
// root (dir/repo) and the hosts' files under out (dir/out). The cores run
// side by side (t.Parallel): an ansible-playbook run keeps one CPU busy
// and the test machines have two. A body that sets the process's
// environment (t.Setenv: a stand-in first on PATH) uses EachCoreInTurn.
func EachCore(t *testing.T, body func(t *testing.T, o Oracle, bin, dir, root, out string)) {
	eachCore(t, true, body)
}

// EachCoreInTurn is EachCore with the cores one after the other, for a
// body that sets the environment of the process (t.Setenv).
func EachCoreInTurn(t *testing.T, body func(t *testing.T, o Oracle, bin, dir, root, out string)) {
	eachCore(t, false, body)
}

func eachCore(t *testing.T, sideBySide bool, body func(t *testing.T, o Oracle, bin, dir, root, out string)) {
	oracles := Oracles(t)
	IsolateEnv(t)
	base := t.TempDir()
	bin := SharedStraylight(t, base)
	for _, o := range oracles {
		t.Run("ansible-core "+o.Version, func(t *testing.T) {
			if sideBySide {
				t.Parallel()
			}
			dir := filepath.Join(base, o.Version)
			body(t, o, bin, dir, filepath.Join(dir, "repo"), filepath.Join(dir, "out"))
		})
	}
}

// Oracles are the ansible-cores installed (oracle.Cores): Debian's and
// pip's newest from .ci/venvs, oldest first.
func Oracles(t *testing.T) []Oracle {
	t.Helper()
	var out []Oracle
	for _, c := range oracle.Cores(t) {
		out = append(out, Oracle(c))
	}
	return out
}

// MissingOracle notes a missing oracle and lets the test go on with the
// others (oracle.Note).
func MissingOracle(t *testing.T, msg string) {
	t.Helper()
	oracle.Note(t, "%s", msg)
}

// OpenCore opens a repository with the semantics of one ansible-core.
func OpenCore(t *testing.T, root, limit, version string) *ansible.Repo {
	t.Helper()
	dec, _, err := fleet.LoadVault(root, fleet.VaultOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ansible.Open(ansible.Options{Repo: root, Limit: limit, Decrypter: dec, CoreVersion: version,
		Facts: facts.New(fleetplan.DefaultTransports, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Open opens a repository with the vault password its ansible.cfg names.
func Open(t *testing.T, root, limit string) *ansible.Repo {
	t.Helper()
	dec, _, err := fleet.LoadVault(root, fleet.VaultOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ansible.Open(ansible.Options{Repo: root, Limit: limit, Decrypter: dec, Facts: facts.New(fleetplan.DefaultTransports, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func Plan(t *testing.T, r *ansible.Repo) *fleetplan.Plan {
	t.Helper()
	p := &fleetplan.Planner{Repo: r, Transports: fleetplan.DefaultTransports}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// TaskStatus reads ansible-playbook's default output: per host, each
// task (as "TASK [label]" names it) that reported changed (for a loop, any
// item), and the tasks that ran at all.
func TaskStatus(log string) map[string]map[string]bool {
	status := map[string]map[string]bool{}
	task := ""
	for _, line := range strings.Split(log, "\n") {
		if rest, ok := strings.CutPrefix(line, "TASK ["); ok {
			task, _, _ = strings.Cut(rest, "] ")
			continue
		}
		if strings.HasPrefix(line, "RUNNING HANDLER [") || strings.HasPrefix(line, "PLAY ") {
			task = "" // handlers are compared by the plan's handler tests
		}
		if task == "" {
			continue
		}
		for _, verdict := range []string{"changed", "ok"} {
			if rest, ok := strings.CutPrefix(line, verdict+": ["); ok {
				host, _, _ := strings.Cut(rest, "]")
				if status[host] == nil {
					status[host] = map[string]bool{}
				}
				status[host][task] = status[host][task] || verdict == "changed"
			}
		}
	}
	return status
}

// CompareStatus: a task straylight plans to change before the deploy is
// a task Ansible reports changed, and the reverse.
func CompareStatus(t *testing.T, before *fleetplan.Plan, ansibleStatus map[string]map[string]bool) {
	t.Helper()
	mine := map[string]map[string]bool{}
	for _, h := range before.Hosts {
		mine[h.Host] = map[string]bool{}
		for _, f := range h.Files {
			mine[h.Host][f.Task] = mine[h.Host][f.Task] || f.Action != fleetplan.ActionNone
		}
	}
	for host, tasks := range ansibleStatus {
		for task, changed := range tasks {
			if changed && !mine[host][task] {
				t.Errorf("[%s] %q: Ansible reports changed, straylight's plan does not", host, task)
			}
		}
	}
	for host, tasks := range mine {
		for task, changed := range tasks {
			if changed && !ansibleStatus[host][task] {
				t.Errorf("[%s] %q: straylight plans a change, Ansible reports ok or did not run it", host, task)
			}
		}
	}
}

// RunAnsiblePlaybook deploys the repository for real, once, and
// returns what ansible-playbook printed.
func RunAnsiblePlaybook(t *testing.T, o Oracle, dir, root string, repo Repo) string {
	t.Helper()
	args := append([]string{"-i", repo.Inventory}, repo.Playbooks...)
	cmd := exec.Command(filepath.Join(o.Bin, "ansible-playbook"), args...)
	cmd.Dir = root
	cmd.Env = AnsibleEnv(t, dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: ansible-playbook %v: %v\n%s", o.Full, args, err, out)
	}
	return string(out)
}

// CheckCLIClean runs `straylight --check` on what Ansible wrote: exit 0.
// The oracle's ansible comes first on PATH: straylight follows the version
// `ansible --version` reports.
func CheckCLIClean(t *testing.T, bin, root string, o Oracle) {
	t.Helper()
	if bin == "" {
		return
	}
	cmd := exec.Command(bin, "-C", root, "--check")
	cmd.Env = append(os.Environ(), "PATH="+o.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if code := ExitCode(err); code != 0 {
		t.Errorf("straylight --check after ansible-playbook: exit %d, want 0\n%s%s", code, verdicts(stdout.String()), stderr.String())
	}
}

// verdicts keeps the lines of human plan output that say what changes:
// each changed task and the summary.
func verdicts(out string) string {
	var b strings.Builder
	task := ""
	for _, line := range strings.SplitAfter(out, "\n") {
		switch {
		case strings.HasPrefix(line, "TASK ["):
			task = line
		case strings.HasPrefix(line, "changed:"):
			b.WriteString(task + line)
		case strings.HasPrefix(line, "Plan:"):
			b.WriteString(line)
		}
	}
	return b.String()
}

func ExitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	return -1
}

// IsolateEnv keeps the caller's Ansible settings out of straylight's
// reading of the test repositories (ansible-playbook's are in AnsibleEnv).
func IsolateEnv(t *testing.T) {
	for _, name := range []string{"ANSIBLE_CONFIG", "ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_INVENTORY", "ANSIBLE_ROLES_PATH"} {
		t.Setenv(name, "")
	}
}

// AnsibleEnv runs Ansible with its temporary and home directories inside
// dir, no colour, and none of the caller's ANSIBLE_* settings.
func AnsibleEnv(t *testing.T, dir string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANSIBLE_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	return append(env, "HOME="+home, "ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0",
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "ansible-local"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(dir, "ansible-remote"),
		"ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3", "ANSIBLE_RETRY_FILES_ENABLED=False",
		"ANSIBLE_LOCALHOST_WARNING=False", "ANSIBLE_HOST_KEY_CHECKING=False", "ANSIBLE_PIPELINING=True")
}

// sharedBuildEnv names the folder Main makes for the straylight that the
// tests of one test binary share.
const sharedBuildEnv = "STRAYLIGHT_PARITY_BUILD"

// Main runs the tests of a parity test binary (its TestMain is
// os.Exit(parity.Main(m))) with one straylight for all of them
// (SharedStraylight), built by the first test that needs it in a folder
// removed when they are done: a build per test cost each 2-4 s.
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "straylight-parity-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "parity.Main:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := os.Setenv(sharedBuildEnv, dir); err != nil {
		fmt.Fprintln(os.Stderr, "parity.Main:", err)
		return 1
	}
	return m.Run()
}

// SharedStraylight is the straylight built once for the test binary when
// its TestMain is Main, else one built for this test under dir
// (BuildStraylight). A build is renamed into place whole, so a test
// never runs a half-written one.
func SharedStraylight(t *testing.T, dir string) string {
	t.Helper()
	shared := os.Getenv(sharedBuildEnv)
	if shared == "" {
		return BuildStraylight(t, dir)
	}
	bin := filepath.Join(shared, "straylight")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	scratch, err := os.MkdirTemp(shared, "build-")
	if err != nil {
		t.Fatal(err)
	}
	built := BuildStraylight(t, scratch)
	if built == "" {
		return ""
	}
	if err := os.Rename(built, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// BuildStraylight builds the command for the --check runs; "" (and a
// test error) when it does not build.
func BuildStraylight(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Errorf("go not found: the straylight --check part is not run")
		return ""
	}
	bin := filepath.Join(dir, "straylight")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Dir = ModuleRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("building straylight: %v\n%s", err, out)
		return ""
	}
	statSources(cmd.Dir)
	return bin
}

// statSources stats the module's Go sources and go.mod, so that go test's
// cache, which records the files a test opens or stats (their size and
// time), holds a result of tests driving this binary only while the code
// it was built from is unchanged: the build runs in another process,
// which the cache does not see, and a package whose imports did not change
// would otherwise replay a result from an older binary.
func statSources(root string) {
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")):
			return filepath.SkipDir
		case !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod"):
			_, _ = os.Stat(path)
		}
		return nil
	})
}

// ModuleRoot walks up from the test's directory to go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// Repo is a generated repository.
type Repo struct {
	Name      string
	Files     map[string]string // path -> content; "->target" makes a symlink
	Inventory string            // -i for ansible-playbook and ansible-inventory
	Playbooks []string          // what ansible-playbook runs, in order
	// Discovered is every playbook straylight should find (imports included).
	Discovered []string
}

// SymlinkPrefix marks a files entry as a symbolic link to its target.
const SymlinkPrefix = "->"

// WriteTree writes files (and symlinks) under root.
func WriteTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for _, rel := range sortedPaths(files) {
		if err := writeEntry(root, rel, files[rel]); err != nil {
			t.Fatal(err)
		}
	}
}

func writeEntry(root, rel, content string) error {
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if target, ok := strings.CutPrefix(content, SymlinkPrefix); ok {
		return os.Symlink(target, path)
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

func sortedPaths(files map[string]string) []string {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// RunPlaybookExiting runs ansible-playbook with args on the repository's
// inventory and playbooks, and fails the test unless it exits with code
// want (2: a host failed); it returns what ansible-playbook printed.
func RunPlaybookExiting(t *testing.T, o Oracle, dir, root string, repo Repo, want int, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(o.Bin, "ansible-playbook"), append(append(args, "-i", repo.Inventory), repo.Playbooks...)...)
	cmd.Dir = root
	cmd.Env = AnsibleEnv(t, dir)
	out, err := cmd.CombinedOutput()
	if code := ExitCode(err); code != want {
		t.Fatalf("%s: ansible-playbook %v: exit %d, want %d\n%s", o.Full, args, code, want, out)
	}
	return string(out)
}

// LineDiff lists the lines only in a (-) or only in b (+).
func LineDiff(a, b string) string {
	var out strings.Builder
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out.WriteString("- " + l + "\n")
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out.WriteString("+ " + l + "\n")
		}
	}
	if out.Len() == 0 {
		return "(the same lines, in another order)\n--- straylight\n" + a + "--- ansible\n" + b
	}
	return out.String()
}

// Apply runs straylight --apply --yes on the repository (with args), the
// oracle's ansible first on PATH, and returns what it printed; it fails
// the test when the apply fails. With no straylight built (bin "") it
// does nothing.
func Apply(t *testing.T, bin, root string, o Oracle, args ...string) string {
	t.Helper()
	if bin == "" {
		return ""
	}
	cmd := exec.Command(bin, append([]string{"-C", root, "--apply", "--yes"}, args...)...)
	cmd.Env = append(os.Environ(), "PATH="+o.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("straylight --apply: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// LocalRepo is a repository of one playbook, site.yml, and one host that
// runs locally, with out as its out variable; files adds to or replaces
// its ansible.cfg, inventory.yml and site.yml.
func LocalRepo(name, host, out string, files map[string]string) Repo {
	all := map[string]string{
		"ansible.cfg":   "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
		"inventory.yml": "all:\n  hosts:\n    " + host + ": {ansible_connection: local, ansible_python_interpreter: /usr/bin/python3, out: \"" + out + "\"}\n",
	}
	maps.Copy(all, files)
	return Repo{Name: name, Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Files: all}
}

// Emptier empties dir, making it if it is missing, for a run to start
// from (SameAfterRuns' reset); it empties it once before it returns.
func Emptier(t *testing.T, dir string) func() {
	t.Helper()
	empty := func() {
		if err := os.RemoveAll(dir); err != nil || os.MkdirAll(dir, 0o755) != nil {
			t.Fatalf("emptying %s: %v", dir, err)
		}
	}
	empty()
	return empty
}

// PlannedThenSame writes repo under root, fails the test unless
// straylight's plan of host (from an emptied out) satisfies planned, then
// runs SameAfterRuns with out's files as the snapshot: the common body of
// a one-host local parity test (LocalRepo).
func PlannedThenSame(t *testing.T, o Oracle, bin, dir, root, out string, repo Repo, host string, planned func(*fleetplan.HostPlan) bool) {
	t.Helper()
	WriteTree(t, root, repo.Files)
	reset := Emptier(t, out)
	if h := Plan(t, OpenCore(t, root, "", o.Version)).Host(host); h == nil || !planned(h) {
		t.Fatalf("%s: plan of %s: %+v", o.Full, host, h)
	}
	SameAfterRuns(t, o, bin, dir, root, repo, reset, func() string { return FilesIn(t, out) })
}

// SameAfterRuns runs ansible-playbook on repo for real (with args), then,
// after reset, straylight --apply (with args) from the same start, and
// fails the test unless snapshot reads the same after both. It returns
// what ansible-playbook printed. With no straylight built (bin "") only
// Ansible runs.
func SameAfterRuns(t *testing.T, o Oracle, bin, dir, root string, repo Repo, reset func(), snapshot func() string, args ...string) string {
	t.Helper()
	reset()
	ansibleLog := RunPlaybookExiting(t, o, dir, root, repo, 0, args...)
	byAnsible := snapshot()
	if bin == "" {
		return ansibleLog
	}
	reset()
	log := Apply(t, bin, root, o, args...)
	if got := snapshot(); got != byAnsible {
		t.Errorf("%s %v: after straylight --apply (-) and ansible-playbook (+):\n%s\n%s", o.Full, args, LineDiff(got, byAnsible), log)
	}
	return ansibleLog
}

// Verdicts reads each task's verdict in ansible-playbook's output:
// changed, ok, skipping or fatal, by the label "TASK [label]" gives it.
func Verdicts(log string) map[string]string {
	out := map[string]string{}
	task := ""
	for _, line := range strings.Split(log, "\n") {
		if rest, ok := strings.CutPrefix(line, "TASK ["); ok {
			task, _, _ = strings.Cut(rest, "] ")
			continue
		}
		for _, v := range []string{"changed", "ok", "skipping", "fatal"} {
			if strings.HasPrefix(line, v+": [") && task != "" {
				out[task], task = v, ""
			}
		}
	}
	return out
}

// FilesIn is every file in dir with its content, a line each.
func FilesIn(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		fmt.Fprintf(&b, "%s: %q\n", e.Name(), data)
	}
	return b.String()
}
