package plan_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/facts"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/straylight-fleet/straylight/bench/benchrepo"
	"github.com/straylight-fleet/straylight/fleet/inventory"
)

// End-to-end parity with real Ansible (docs/ansible-semantics.md): the same repositories are
// deployed by ansible-playbook (local connection, one run per repository)
// and planned by straylight; every file straylight would write must be the
// bytes Ansible wrote, and a check of what Ansible wrote must find nothing
// to change. A second test compares the variables straylight merges for
// each host and play with ansible-inventory's.

// TestE2EParityWithAnsiblePlaybook deploys each repository with every
// ansible-playbook available (Debian's and pip's newest, e2eOracles), then
// plans it with straylight under that version's semantics. Before the
// deploy, straylight's plan must say changed for exactly the tasks Ansible
// then reports changed; after it, the bytes must be Ansible's and nothing
// must change. One ansible-playbook run per repository and version.
func TestE2EParityWithAnsiblePlaybook(t *testing.T) {
	oracles := e2eOracles(t)
	e2eIsolateEnv(t)
	t.Setenv("STRAYLIGHT_E2E_LOOKUP", "from-the-environment") // lookup('env') in the task-language repository
	base := t.TempDir()
	bin := e2eBuildStraylight(t, base)
	for _, o := range oracles {
		for _, name := range e2eRepoNames {
			t.Run("ansible-core "+o.version+"/"+name, func(t *testing.T) {
				dir := filepath.Join(base, o.version, name)
				repo, root, out := e2eSetUp(t, dir, name)
				before := e2ePlan(t, e2eOpenCore(t, root, "", o.version))
				log := e2eRunAnsiblePlaybook(t, o, dir, root, repo)
				e2eCompareStatus(t, before, e2eTaskStatus(log))
				e2eCompareHandlers(t, before, e2eHandlerOrder(log))
				r := e2eOpenCore(t, root, "", o.version)
				plan := e2ePlan(t, r)
				e2eCheckEveryHostPlanned(t, r, plan)
				e2eCompareWithAnsible(t, plan, out)
				e2eCheckClean(t, plan)
				e2eCheckCLIClean(t, bin, root, o)
			})
		}
	}
}

// e2eRepoNames are the parity repositories (e2e_testrepos_test.go,
// e2e_tasklang_test.go, e2e_fileflush_test.go, e2e_facts_test.go).
var e2eRepoNames = []string{"ini-layered", "seed-layout", "task-language", "files-flush", "facts"}

// e2eOracle is one ansible-core to compare with.
type e2eOracle struct {
	version string // major.minor, as straylight takes it
	full    string // as ansible-playbook --version prints it
	bin     string // the directory of ansible-playbook and ansible-inventory
}

// e2eEachCore runs body once per installed ansible-core (e2eOracles), in a
// subtest named for it, with straylight built once and the environment
// isolated: each core gets its own folder dir, with the repository under
// root (dir/repo) and the hosts' files under out (dir/out).
func e2eEachCore(t *testing.T, body func(t *testing.T, o e2eOracle, bin, dir, root, out string)) {
	oracles := e2eOracles(t)
	e2eIsolateEnv(t)
	base := t.TempDir()
	bin := e2eBuildStraylight(t, base)
	for _, o := range oracles {
		t.Run("ansible-core "+o.version, func(t *testing.T) {
			dir := filepath.Join(base, o.version)
			body(t, o, bin, dir, filepath.Join(dir, "repo"), filepath.Join(dir, "out"))
		})
	}
}

// e2eOracles are the ansible-cores installed: Debian's (/usr/bin) and the
// newest from pip in the venv .ci/venvs creates. A missing one is skipped
// with a message, or fails the test under STRAYLIGHT_REQUIRE_ORACLES=1.
func e2eOracles(t *testing.T) []e2eOracle {
	t.Helper()
	if testing.Short() {
		// CI's race stage runs -short: these are Ansible parity checks, not
		// concurrency ones, and CI's full test stage has just run them.
		t.Skip("-short: the ansible-playbook parity runs are left to the full test run")
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		cache = filepath.Join(os.Getenv("HOME"), ".cache")
	}
	var out []e2eOracle
	for label, dir := range map[string]string{"Debian's ansible (apt-get install ansible)": "/usr/bin",
		"pip's newest ansible-core (run .ci/venvs)": filepath.Join(cache, "straylight", "venv-ansible-core", "bin")} {
		o, err := e2eOracleIn(dir)
		if err != nil {
			e2eMissingOracle(t, label+": "+err.Error())
			continue
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	if len(out) == 0 {
		t.Skip("no ansible-playbook installed: parity test skipped")
	}
	return out
}

func e2eOracleIn(dir string) (e2eOracle, error) {
	bin := filepath.Join(dir, "ansible-playbook")
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return e2eOracle{}, fmt.Errorf("%s --version: %v", bin, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	v := ansible.ParseCoreVersion(first)
	if v == "" {
		return e2eOracle{}, fmt.Errorf("%s --version: no core version in %q", bin, first)
	}
	return e2eOracle{version: v, full: strings.TrimSpace(first), bin: dir}, nil
}

func e2eMissingOracle(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("STRAYLIGHT_REQUIRE_ORACLES") == "1" {
		t.Fatalf("%s, and STRAYLIGHT_REQUIRE_ORACLES=1", msg)
	}
	t.Logf("skipped: %s", msg)
}

// e2eOpenCore opens a repository with the semantics of one ansible-core.
func e2eOpenCore(t *testing.T, root, limit, version string) *ansible.Repo {
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

// e2eTaskStatus reads ansible-playbook's default output: per host, each
// task (as "TASK [label]" names it) that reported changed (for a loop, any
// item), and the tasks that ran at all.
func e2eTaskStatus(log string) map[string]map[string]bool {
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

// e2eCompareStatus: a task straylight plans to change before the deploy is
// a task Ansible reports changed, and the reverse.
func e2eCompareStatus(t *testing.T, before *fleetplan.Plan, ansibleStatus map[string]map[string]bool) {
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

// e2eSetUp writes the named repository under dir/repo with its output
// directory dir/out, and checks straylight discovers its playbooks.
func e2eSetUp(t *testing.T, dir, name string) (e2eRepo, string, string) {
	t.Helper()
	root, out := filepath.Join(dir, "repo"), filepath.Join(dir, "out")
	repo := e2eRepoNamed(t, name, out)
	e2eWriteTree(t, root, repo.files)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, pb := range e2eOpen(t, root, "").Playbooks {
		found = append(found, pb.Path)
	}
	if strings.Join(found, ",") != strings.Join(repo.discovered, ",") {
		t.Errorf("playbooks found: %v, want %v", found, repo.discovered)
	}
	return repo, root, out
}

func e2eRepoNamed(t *testing.T, name, out string) e2eRepo {
	t.Helper()
	for _, r := range e2eRepos(out) {
		if r.name == name {
			return r
		}
	}
	t.Fatalf("no test repository %q", name)
	return e2eRepo{}
}

// e2eRunAnsiblePlaybook deploys the repository for real, once, and
// returns what ansible-playbook printed.
func e2eRunAnsiblePlaybook(t *testing.T, o e2eOracle, dir, root string, repo e2eRepo) string {
	t.Helper()
	args := append([]string{"-i", repo.inventory}, repo.playbooks...)
	cmd := exec.Command(filepath.Join(o.bin, "ansible-playbook"), args...)
	cmd.Dir = root
	cmd.Env = e2eAnsibleEnv(t, dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: ansible-playbook %v: %v\n%s", o.full, args, err, out)
	}
	return string(out)
}

// e2eCompareWithAnsible: every planned file is byte-equal to Ansible's, and
// Ansible wrote no file straylight does not plan.
func e2eCompareWithAnsible(t *testing.T, plan *fleetplan.Plan, out string) {
	t.Helper()
	planned := map[string]bool{}
	for _, h := range plan.Hosts {
		for _, f := range h.Files {
			planned[f.Dest] = true
			e2eCompareFile(t, h.Host, f)
		}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !planned[filepath.Join(out, e.Name())] {
			t.Errorf("Ansible wrote %s, which straylight does not plan", e.Name())
		}
	}
	if len(entries) == 0 {
		t.Error("Ansible wrote no file")
	}
}

func e2eCompareFile(t *testing.T, host string, f *fleetplan.FileChange) {
	t.Helper()
	if f.Module == ansible.ModFile || (f.Module == ansible.ModLineInFile && f.NewContent == "") {
		e2eComparePath(t, host, f)
		return
	}
	want, err := os.ReadFile(f.Dest)
	if err != nil {
		t.Errorf("[%s] %s: Ansible did not write it: %v", host, f.Task, err)
		return
	}
	if sum := sha256.Sum256(want); f.NewSHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(f.Content(), want) {
		t.Errorf("[%s] %s (%s) differs from Ansible's (lines quoted):\n%s", host, f.Task, filepath.Base(f.Dest),
			udiff.Unified("ansible-playbook", "straylight", e2eQuotedLines(want), e2eQuotedLines(f.Content())))
	}
	if !f.Secret && f.NewContent != string(f.Content()) {
		t.Errorf("[%s] %s: the plan's content is not what apply writes", host, filepath.Base(f.Dest))
	}
	if f.Action != fleetplan.ActionNone {
		t.Errorf("[%s] %s: action %s over Ansible's file, want none", host, filepath.Base(f.Dest), f.Action)
	}
}

// e2eQuotedLines shows each line quoted, so that CR and trailing spaces show.
func e2eQuotedLines(b []byte) string {
	var out strings.Builder
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line != "" {
			out.WriteString(strconv.Quote(line) + "\n")
		}
	}
	return out.String()
}

// e2eCheckClean: no errors, no unsupported task, every route ok, and no
// file secret left unmasked in the plan.
func e2eCheckClean(t *testing.T, plan *fleetplan.Plan) {
	t.Helper()
	for _, f := range plan.Findings {
		if f.Severity == fleetplan.SevError {
			t.Errorf("finding: %s", f.Text())
		}
	}
	for _, r := range plan.Routes {
		if r.Status != "ok" {
			t.Errorf("route %s: %s %s", r.Route, r.Status, r.Detail)
		}
	}
	if plan.Summary.Unsupported != 0 || plan.HasChanges() || len(plan.Routes) == 0 {
		t.Errorf("summary: %s", plan.Summary.Line())
	}
	for _, h := range plan.Hosts {
		for _, f := range h.Files {
			if strings.HasSuffix(f.Task, "A file not to log") && (!f.Secret || f.NewContent != fleetplan.SecretMask) {
				t.Errorf("[%s] %s: a no_log task's content is shown in the plan", h.Host, f.Dest)
			}
			if strings.Contains(f.NewContent, "sk-") {
				t.Errorf("[%s] %s: the master key is not masked in the plan", h.Host, f.Dest)
			}
		}
	}
}

// e2eCheckCLIClean runs `straylight --check` on what Ansible wrote: exit 0.
// The oracle's ansible comes first on PATH: straylight follows the version
// `ansible --version` reports.
func e2eCheckCLIClean(t *testing.T, bin, root string, o e2eOracle) {
	t.Helper()
	if bin == "" {
		return
	}
	cmd := exec.Command(bin, "-C", root, "--check")
	cmd.Env = append(os.Environ(), "PATH="+o.bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if code := e2eExitCode(err); code != 0 {
		t.Errorf("straylight --check after ansible-playbook: exit %d, want 0\n%s%s", code, e2eVerdicts(stdout.String()), stderr.String())
	}
}

// e2eVerdicts keeps the lines of human plan output that say what changes:
// each changed task and the summary.
func e2eVerdicts(out string) string {
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

func e2eExitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	return -1
}

// TestE2EMergedVarsMatchAnsibleInventory compares, for every host of every
// play, the variables straylight merges from the inventory's layers (through
// ansible.Open, with the play's playbook dir) with
// `ansible-inventory --host H --playbook-dir DIR`. Values are raw.
func TestE2EMergedVarsMatchAnsibleInventory(t *testing.T) {
	oracles := e2eOracles(t)
	e2eIsolateEnv(t)
	base := t.TempDir()
	for _, o := range oracles {
		for _, name := range e2eRepoNames {
			t.Run("ansible-core "+o.version+"/"+name, func(t *testing.T) {
				dir := filepath.Join(base, o.version, name)
				_, root, _ := e2eSetUp(t, dir, name)
				e2eCompareMergedVars(t, o, dir, root)
			})
		}
		t.Run("ansible-core "+o.version+"/examples-homelab", func(t *testing.T) {
			root := filepath.Join(e2eModuleRoot(t), "examples", "homelab")
			e2eCompareMergedVars(t, o, t.TempDir(), root)
		})
	}
}

func e2eCompareMergedVars(t *testing.T, o e2eOracle, tmp, root string) {
	t.Helper()
	r := e2eOpen(t, root, "")
	seen := map[string]bool{}
	for _, run := range r.Runs {
		for _, host := range run.AllHosts {
			if key := host + "\x00" + run.Playbook.Dir; !seen[key] {
				seen[key] = true
				e2eCompareHostVars(t, o, tmp, r, run, host)
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal("no play targets any host")
	}
}

func e2eCompareHostVars(t *testing.T, o e2eOracle, tmp string, r *ansible.Repo, run *ansible.PlayRun, host string) {
	t.Helper()
	hs, err := r.ScopeOf(host, run)
	if err != nil {
		t.Errorf("%s: %v", host, err)
		return
	}
	want := e2eAnsibleInventoryHost(t, o, tmp, r, host, run.Playbook.Dir)
	if r.Inventory.IsImplicit(host) {
		// Ansible gives the implicit localhost its own Python
		// (sys.executable), a fact of the controller straylight does not set.
		delete(want, "ansible_python_interpreter")
	}
	got := e2eInventoryLayers(hs.Vars())
	if err := e2eSameJSON(e2eOpenVaulted(t, r, want), got); err != nil {
		rel := ansible.RelTo(r.Root, run.Playbook.Dir)
		t.Errorf("host %s, playbook dir %s: %v\nansible-inventory: %v\nstraylight: %v", host, rel, err, want, got)
	}
}

// e2eInventoryLayers keeps the variables ansible-inventory knows: those set
// in the inventory and in group_vars/host_vars (not role or play vars).
func e2eInventoryLayers(v inventory.Vars) map[string]any {
	notInventory := map[string]bool{
		inventory.LayerRoleDefault: true, inventory.LayerPlayVars: true,
		inventory.LayerRoleVars: true, inventory.LayerExtraVars: true,
	}
	out := map[string]any{}
	for name, value := range v.Values {
		if !notInventory[v.Origins[name].Layer] {
			out[name] = value
		}
	}
	return out
}

func e2eAnsibleInventoryHost(t *testing.T, o e2eOracle, tmp string, r *ansible.Repo, host, pbDir string) map[string]any {
	t.Helper()
	cmd := exec.Command(filepath.Join(o.bin, "ansible-inventory"), "-i", r.InventoryPath, "--host", host, "--playbook-dir", pbDir)
	cmd.Dir = r.Root // so that ansible.cfg (vault_password_file) is read
	cmd.Env = e2eAnsibleEnv(t, tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: ansible-inventory --host %s: %v\n%s", o.full, host, err, stderr.String())
	}
	var vars map[string]any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&vars); err != nil {
		t.Fatalf("ansible-inventory output: %v\n%s", err, out)
	}
	return vars
}

// e2eOpenVaulted replaces the {"__ansible_vault": ciphertext} objects that
// ansible-inventory prints for inline vault values by their plaintext.
func e2eOpenVaulted(t *testing.T, r *ansible.Repo, v any) any {
	switch x := v.(type) {
	case map[string]any:
		if ct, ok := x["__ansible_vault"].(string); ok && len(x) == 1 {
			return e2eDecrypt(t, r, ct)
		}
		for k, e := range x {
			x[k] = e2eOpenVaulted(t, r, e)
		}
	case []any:
		for i, e := range x {
			x[i] = e2eOpenVaulted(t, r, e)
		}
	}
	return v
}

func e2eDecrypt(t *testing.T, r *ansible.Repo, ciphertext string) string {
	dec, _, err := fleet.LoadVault(r.Root, fleet.VaultOptions{})
	if err != nil || dec == nil {
		t.Fatalf("an inline vault value but no vault password: %v", err)
	}
	plain, err := dec.Decrypt([]byte(ciphertext), "ansible-inventory output")
	if err != nil {
		t.Fatal(err)
	}
	return string(plain)
}

// e2eSameJSON compares a value decoded from Python's JSON (numbers as
// json.Number) with one of straylight's, keeping ints and floats apart as
// Python does.
func e2eSameJSON(want, got any) error {
	switch w := want.(type) {
	case map[string]any:
		return e2eSameMap(w, got)
	case []any:
		return e2eSameList(w, got)
	case json.Number:
		return e2eSameNumber(w, got)
	}
	if want != got {
		return fmt.Errorf("got %#v, want %#v", got, want)
	}
	return nil
}

func e2eSameMap(want map[string]any, got any) error {
	g, ok := got.(map[string]any)
	if !ok {
		return fmt.Errorf("got %#v, want a mapping", got)
	}
	for _, k := range e2eUnionKeys(want, g) {
		w, inWant := want[k]
		v, inGot := g[k]
		if !inWant || !inGot {
			return fmt.Errorf("%s: straylight has it: %v, Ansible has it: %v", k, inGot, inWant)
		}
		if err := e2eSameJSON(w, v); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

func e2eUnionKeys(a, b map[string]any) []string {
	set := map[string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	return slices.Sorted(maps.Keys(set))
}

func e2eSameList(want []any, got any) error {
	g, ok := got.([]any)
	if !ok || len(g) != len(want) {
		return fmt.Errorf("got %#v, want %#v", got, want)
	}
	for i := range want {
		if err := e2eSameJSON(want[i], g[i]); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
	}
	return nil
}

func e2eSameNumber(want json.Number, got any) error {
	isFloat := strings.ContainsAny(want.String(), ".eEnN")
	switch g := got.(type) {
	case int:
		if !isFloat && want.String() == strconv.Itoa(g) {
			return nil
		}
	case int64:
		if !isFloat && want.String() == strconv.FormatInt(g, 10) {
			return nil
		}
	case float64:
		if f, err := want.Float64(); err == nil && isFloat && f == g {
			return nil
		}
	}
	return fmt.Errorf("got %#v, want %s", got, want)
}

// TestE2ESameJSONCatchesDifferences proves the comparator is not lenient.
func TestE2ESameJSONCatchesDifferences(t *testing.T) {
	want := map[string]any{"port": json.Number("8000"), "util": json.Number("0.9"), "on": true, "none": nil}
	same := map[string]any{"port": 8000, "util": 0.9, "on": true, "none": nil}
	if err := e2eSameJSON(want, same); err != nil {
		t.Errorf("equal values: %v", err)
	}
	for name, got := range map[string]map[string]any{
		"int as float":  {"port": 8000.0, "util": 0.9, "on": true, "none": nil},
		"float as text": {"port": 8000, "util": "0.9", "on": true, "none": nil},
		"missing key":   {"port": 8000, "util": 0.9, "on": true},
		"extra key":     {"port": 8000, "util": 0.9, "on": true, "none": nil, "x": 1},
		"bool as text":  {"port": 8000, "util": 0.9, "on": "true", "none": nil},
	} {
		if err := e2eSameJSON(want, got); err == nil {
			t.Errorf("%s: not caught", name)
		}
	}
}

// BenchmarkPlan1000 plans a generated repository of 1,000 GPU hosts and a
// proxy (the seed's role and template, local connection, dests absent).
func BenchmarkPlan1000(b *testing.B) { benchPlan(b, 1000) }

// BenchmarkPlan10 is the same at 10 GPU hosts, where what each run costs
// once (compiling templates, reading the repository) dominates.
func BenchmarkPlan10(b *testing.B) { benchPlan(b, 10) }

func benchPlan(b *testing.B, hosts int) {
	root := b.TempDir()
	if err := benchrepo.Write(root, benchrepo.Options{Hosts: hosts, OutDir: filepath.Join(root, "out")}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := ansible.Open(ansible.Options{Repo: root})
		if err != nil {
			b.Fatal(err)
		}
		p := &fleetplan.Planner{Repo: r, Transports: fleetplan.DefaultTransports, Parallel: 40}
		if _, err := p.Plan(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// ---- helpers ----

// e2eIsolateEnv keeps the caller's Ansible settings out of straylight's
// reading of the test repositories (ansible-playbook's are in e2eAnsibleEnv).
func e2eIsolateEnv(t *testing.T) {
	for _, name := range []string{"ANSIBLE_CONFIG", "ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_INVENTORY", "ANSIBLE_ROLES_PATH"} {
		t.Setenv(name, "")
	}
}

// e2eAnsibleEnv runs Ansible with its temporary and home directories inside
// dir, no colour, and none of the caller's ANSIBLE_* settings.
func e2eAnsibleEnv(t *testing.T, dir string) []string {
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

// e2eOpen opens a repository with the vault password its ansible.cfg names.
func e2eOpen(t *testing.T, root, limit string) *ansible.Repo {
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

func e2ePlan(t *testing.T, r *ansible.Repo) *fleetplan.Plan {
	t.Helper()
	p := &fleetplan.Planner{Repo: r, Transports: fleetplan.DefaultTransports}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// e2eBuildStraylight builds the command for the --check runs; "" (and a
// test error) when it does not build.
func e2eBuildStraylight(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Errorf("go not found: the straylight --check part is not run")
		return ""
	}
	bin := filepath.Join(dir, "straylight")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Dir = e2eModuleRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("building straylight: %v\n%s", err, out)
		return ""
	}
	return bin
}

// e2eModuleRoot walks up from the test's directory to go.mod.
func e2eModuleRoot(t testing.TB) string {
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

// e2eCheckEveryHostPlanned: every inventory host is targeted by some play.
func e2eCheckEveryHostPlanned(t *testing.T, r *ansible.Repo, plan *fleetplan.Plan) {
	t.Helper()
	var planned []string
	for _, h := range plan.Hosts {
		planned = append(planned, h.Host)
	}
	sort.Strings(planned)
	want := append([]string(nil), r.Inventory.Hosts()...)
	for _, run := range r.Runs {
		for _, h := range run.AllHosts {
			if r.Inventory.IsImplicit(h) && !slices.Contains(want, h) {
				want = append(want, h) // the implicit localhost
			}
		}
	}
	sort.Strings(want)
	if strings.Join(planned, ",") != strings.Join(want, ",") {
		t.Errorf("planned hosts %v, inventory hosts %v", planned, want)
	}
}
