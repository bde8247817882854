package plan_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/ansible"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"

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
// ansible-playbook available (Debian's and pip's newest, parity.Oracles), then
// plans it with straylight under that version's semantics. Before the
// deploy, straylight's plan must say changed for exactly the tasks Ansible
// then reports changed; after it, the bytes must be Ansible's and nothing
// must change. One ansible-playbook run per repository and version.
func TestE2EParityWithAnsiblePlaybook(t *testing.T) {
	oracles := parity.Oracles(t)
	parity.IsolateEnv(t)
	t.Setenv("STRAYLIGHT_E2E_LOOKUP", "from-the-environment") // lookup('env') in the task-language repository
	base := t.TempDir()
	bin := parity.BuildStraylight(t, base)
	for _, o := range oracles {
		for _, name := range e2eRepoNames {
			t.Run("ansible-core "+o.Version+"/"+name, func(t *testing.T) {
				t.Parallel() // its own folder; two at a time on two CPUs (-parallel)
				dir := filepath.Join(base, o.Version, name)
				repo, root, out := e2eSetUp(t, dir, name)
				before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
				log := parity.RunAnsiblePlaybook(t, o, dir, root, repo)
				parity.CompareStatus(t, before, parity.TaskStatus(log))
				e2eCompareHandlers(t, before, e2eHandlerOrder(log))
				r := parity.OpenCore(t, root, "", o.Version)
				plan := parity.Plan(t, r)
				e2eCheckEveryHostPlanned(t, r, plan)
				e2eCompareWithAnsible(t, plan, out)
				e2eCheckClean(t, plan)
				parity.CheckCLIClean(t, bin, root, o)
			})
		}
	}
}

// e2eRepoNames are the parity repositories (e2e_testrepos_test.go,
// e2e_tasklang_test.go, e2e_fileflush_test.go, e2e_facts_test.go).
var e2eRepoNames = []string{"ini-layered", "seed-layout", "task-language", "files-flush", "facts"}

// e2eSetUp writes the named repository under dir/repo with its output
// directory dir/out, and checks straylight discovers its playbooks.
func e2eSetUp(t *testing.T, dir, name string) (parity.Repo, string, string) {
	t.Helper()
	root, out := filepath.Join(dir, "repo"), filepath.Join(dir, "out")
	repo := e2eRepoNamed(t, name, out)
	parity.WriteTree(t, root, repo.Files)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, pb := range parity.Open(t, root, "").Playbooks {
		found = append(found, pb.Path)
	}
	if strings.Join(found, ",") != strings.Join(repo.Discovered, ",") {
		t.Errorf("playbooks found: %v, want %v", found, repo.Discovered)
	}
	return repo, root, out
}

func e2eRepoNamed(t *testing.T, name, out string) parity.Repo {
	t.Helper()
	for _, r := range e2eRepos(out) {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no test repository %q", name)
	return parity.Repo{}
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

// TestE2EMergedVarsMatchAnsibleInventory compares, for every host of every
// play, the variables straylight merges from the inventory's layers (through
// ansible.Open, with the play's playbook dir) with
// `ansible-inventory --host H --playbook-dir DIR`. Values are raw.
func TestE2EMergedVarsMatchAnsibleInventory(t *testing.T) {
	oracles := parity.Oracles(t)
	parity.IsolateEnv(t)
	base := t.TempDir()
	for _, o := range oracles {
		for _, name := range e2eRepoNames {
			t.Run("ansible-core "+o.Version+"/"+name, func(t *testing.T) {
				t.Parallel()
				dir := filepath.Join(base, o.Version, name)
				_, root, _ := e2eSetUp(t, dir, name)
				e2eCompareMergedVars(t, o, dir, root)
			})
		}
		t.Run("ansible-core "+o.Version+"/examples-homelab", func(t *testing.T) {
			t.Parallel()
			root := filepath.Join(parity.ModuleRoot(t), "examples", "homelab")
			e2eCompareMergedVars(t, o, t.TempDir(), root)
		})
	}
}

func e2eCompareMergedVars(t *testing.T, o parity.Oracle, tmp, root string) {
	t.Helper()
	r := parity.Open(t, root, "")
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

func e2eCompareHostVars(t *testing.T, o parity.Oracle, tmp string, r *ansible.Repo, run *ansible.PlayRun, host string) {
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
		if !notInventory[v.Origin(name).Layer] {
			out[name] = value
		}
	}
	return out
}

func e2eAnsibleInventoryHost(t *testing.T, o parity.Oracle, tmp string, r *ansible.Repo, host, pbDir string) map[string]any {
	t.Helper()
	cmd := exec.Command(filepath.Join(o.Bin, "ansible-inventory"), "-i", r.InventoryPath, "--host", host, "--playbook-dir", pbDir)
	cmd.Dir = r.Root // so that ansible.cfg (vault_password_file) is read
	cmd.Env = parity.AnsibleEnv(t, tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: ansible-inventory --host %s: %v\n%s", o.Full, host, err, stderr.String())
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
