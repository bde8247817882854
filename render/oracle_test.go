package render

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// The oracle tests render templates with the real ansible-playbook (local
// connection, template tasks writing into a temporary directory) and
// compare its bytes with the engine's. One playbook run serves all the
// cases of a test function.

// oracleCase is one template task.
type oracleCase struct {
	name string
	src  string
	// opts are the task's arguments; the zero value means TemplateDefaults.
	opts *TemplateOptions
	// taskVars is the task's vars: block (YAML mapping), if any.
	taskVars string
	// wantError: Ansible fails the task (the engine must fail too).
	wantError bool
	// failsUnder is the one ansible-core version ("2.19") whose task fails
	// (the engine must fail too, rendering as that core).
	failsUnder string
}

// oracleRepo is the repository the cases run in. localhost runs the play;
// the other hosts are in the inventory only (never connected to).
type oracleRepo struct {
	roleDefaults string
	groupVarsAll string
	hostVars     map[string]string
	// templates are more files of the role's templates/ folder, by path
	// in it: what the cases include and import.
	templates map[string]string
}

// inventory of every oracle repository.
const oracleInventory = `localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3

[gpu]
wintermute
armitage

[proxy]
motoko
`

// oracleGroups is what Ansible computes from oracleInventory.
func oracleGroups() map[string][]string {
	return map[string][]string{
		"all":       {"localhost", "wintermute", "armitage", "motoko"},
		"ungrouped": {"localhost"},
		"gpu":       {"wintermute", "armitage"},
		"proxy":     {"motoko"},
	}
}

// runOracle runs all cases with core's ansible-playbook and returns each
// case's output (nil when the task failed).
func runOracle(t *testing.T, core oracle.Core, repo oracleRepo, cases []oracleCase) map[string][]byte {
	t.Helper()
	playbook := filepath.Join(core.Bin, "ansible-playbook")
	dir := t.TempDir()
	writeOracleRepo(t, dir, repo, cases)
	out := filepath.Join(dir, "out")
	cmd := exec.Command(playbook, "-i", "inventory", "site.yml", "-e", "oracle_out="+out)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_CONFIG="+filepath.Join(dir, "ansible.cfg"),
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "tmp-local"), "ANSIBLE_REMOTE_TEMP="+filepath.Join(dir, "tmp-remote"),
		"ANSIBLE_HOME="+filepath.Join(dir, "home"))
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ansible-playbook: %v\n%s", err, log)
	}
	results := map[string][]byte{}
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join(out, c.name+".out"))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		results[c.name] = data
	}
	return results
}

func writeOracleRepo(t *testing.T, dir string, repo oracleRepo, cases []oracleCase) {
	t.Helper()
	files := map[string]string{
		"ansible.cfg":                    "[defaults]\nretry_files_enabled = False\ninterpreter_python = /usr/bin/python3\n",
		"inventory":                      oracleInventory,
		"site.yml":                       "- hosts: localhost\n  gather_facts: false\n  roles:\n    - oracle\n",
		"group_vars/all.yml":             repo.groupVarsAll + "\n",
		"roles/oracle/defaults/main.yml": repo.roleDefaults + "\n",
		"roles/oracle/tasks/main.yml":    oracleTasks(cases),
	}
	for _, sub := range []string{"out", "tmp-local", "tmp-remote", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for host, vars := range repo.hostVars {
		files["host_vars/"+host+".yml"] = vars + "\n"
	}
	for _, c := range cases {
		files["roles/oracle/templates/"+c.name+".j2"] = c.src
	}
	for name, content := range repo.templates {
		files["roles/oracle/templates/"+name] = content
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// oracleTasks is the role's tasks: one template task per case.
func oracleTasks(cases []oracleCase) string {
	var b strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&b, "- name: %s\n  ignore_errors: true\n  template:\n    src: %s.j2\n    dest: \"{{ oracle_out }}/%s.out\"\n", c.name, c.name, c.name)
		if c.opts != nil {
			fmt.Fprintf(&b, "    newline_sequence: %q\n    trim_blocks: %t\n    lstrip_blocks: %t\n", c.opts.NewlineSequence, c.opts.TrimBlocks, c.opts.LstripBlocks)
			for _, option := range sortedKeys(c.opts.Markers) {
				fmt.Fprintf(&b, "    %s: %q\n", option, c.opts.Markers[option])
			}
		}
		if c.taskVars != "" {
			b.WriteString("  vars:\n")
			for _, line := range strings.Split(strings.TrimRight(c.taskVars, "\n"), "\n") {
				b.WriteString("    " + line + "\n")
			}
		}
	}
	return b.String()
}

// oracleScopes builds the engine's view of repo: localhost's scope (role
// defaults, group_vars/all, host_vars, inventory vars) and, for hostvars,
// the other hosts' scopes (no role defaults: hostvars has no play).
type oracleScopes struct {
	t       *testing.T
	repo    oracleRepo
	scopes  map[string]*Scope
	magicFn func(host string) Magic
}

func newOracleScopes(t *testing.T, repo oracleRepo) *oracleScopes {
	o := &oracleScopes{t: t, repo: repo, scopes: map[string]*Scope{}}
	groups := oracleGroups()
	hostGroups := map[string][]string{"localhost": {"ungrouped"}, "wintermute": {"gpu"}, "armitage": {"gpu"}, "motoko": {"proxy"}}
	o.magicFn = func(host string) Magic {
		return Magic{InventoryHostname: host, GroupNames: hostGroups[host], Groups: groups, HostVars: o.hostScope}
	}
	for _, host := range groups["all"] {
		o.scopes[host] = NewScope(o.inventoryVars(host), o.magicFn(host))
	}
	return o
}

func (o *oracleScopes) inventoryVars(host string) map[string]any {
	sets := []map[string]any{parseVars(o.t, o.repo.groupVarsAll), parseVars(o.t, o.repo.hostVars[host])}
	if host == "localhost" {
		sets = append(sets, map[string]any{"ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3"})
	}
	return merged(sets...)
}

func (o *oracleScopes) hostScope(host string) (*Scope, bool) {
	scope, ok := o.scopes[host]
	return scope, ok
}

// play is localhost's scope in the play: with role defaults underneath and
// the task's vars on top.
func (o *oracleScopes) play(c oracleCase) *Scope {
	raw := merged(parseVars(o.t, o.repo.roleDefaults), o.inventoryVars("localhost"))
	scope := NewScope(raw, o.magicFn("localhost"))
	if c.taskVars != "" {
		scope = scope.With(parseVars(o.t, c.taskVars))
	}
	return scope
}

// oracleSuite is a repository and the template cases run in it.
type oracleSuite struct {
	name  string
	repo  oracleRepo
	cases []oracleCase
}

func oracleSuites(t *testing.T) []oracleSuite {
	return []oracleSuite{seedSuite(t), whitespaceSuite(t), variablesSuite(t), filtersSuite(t), constructsSuite(t), includesSuite(t), rangesSuite(t), lookupsSuite(t), nativeSuite(t), versionsSuite(t), filesSuite(t), strMethodsSuite(t), collectionsSuite(t),
		iterSuite(t),
		comparisonsSuite(t),
		jinjaSuite(t),
		mathSuite(t),
		randomSuite(t),
		pathURLSuite(t),
		gaps2Suite(t),
	}
}

// recordedDir holds Ansible's outputs from the last recording, so the
// comparison also runs where Ansible is not installed.
const recordedDir = "testdata/oracle"

// TestOracle runs each suite with each installed ansible-core's
// ansible-playbook (one run per suite and core) and compares every
// template's bytes with the engine's, rendering as that core's template
// module does. With STRAYLIGHT_RECORD_ORACLE=1 it also records the oldest
// core's outputs (Debian's 2.14) for TestRecordedOracle. The cores run
// side by side: each suite's ansible-playbook run mostly waits on one CPU.
func TestOracle(t *testing.T) {
	for i, core := range oracle.Cores(t) {
		t.Run("ansible-core "+core.Version, func(t *testing.T) {
			t.Parallel()
			for _, suite := range oracleSuites(t) {
				t.Run(suite.name, func(t *testing.T) {
					want := runOracle(t, core, suite.repo, suite.cases)
					if i == 0 && os.Getenv("STRAYLIGHT_RECORD_ORACLE") == "1" {
						recordOracle(t, suite, want)
					}
					compareSuite(t, suite, want, core.Version)
				})
			}
		})
	}
}

// TestRecordedOracle compares the engine with Ansible's recorded outputs
// (ansible-core 2.14's).
func TestRecordedOracle(t *testing.T) {
	for _, suite := range oracleSuites(t) {
		t.Run(suite.name, func(t *testing.T) {
			compareSuite(t, suite, loadRecorded(t, suite), "2.14")
		})
	}
}

// knownDifferences are the cases whose bytes ansible-core 2.19 writes
// differently from straylight's engine, by version and case, with why:
// straylight templates with 2.14's data model under both cores, but for
// the template module's own rules (TemplateOptions.DataTagging). A listed
// case that matches fails the test, so that the list shrinks with the
// engine (docs/ansible-semantics.md §7).
var knownDifferences = map[string]map[string]string{
	"2.14": {
		"native_omit_printed":          "2.14's omit placeholder ends in a random hash, straylight's in straylight",
		"native_omit_alone":            "2.14's omit placeholder ends in a random hash, straylight's in straylight",
		"wordwrap_variable":            "2.14 templates a template's variables in the task's environment, so wordwrap in a variable wraps with the task's newline_sequence; straylight templates variables apart (and caches them per host) with \"\\n\"",
		"version_pep440_folded_letter": "packaging 23.0 (Debian's, under 2.14) reads 1.0.poſt1, its post-release letter poſt kept as it is; 26 refuses it; straylight refuses it under both (render/versiontest.go, pep440Invalid)",
	},
}

func recordOracle(t *testing.T, suite oracleSuite, outputs map[string][]byte) {
	dir := filepath.Join(recordedDir, suite.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range suite.cases {
		path, content := filepath.Join(dir, c.name+".out"), outputs[c.name]
		if content == nil {
			path, content = filepath.Join(dir, c.name+".failed"), []byte("Ansible failed on this template\n")
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func loadRecorded(t *testing.T, suite oracleSuite) map[string][]byte {
	outputs := map[string][]byte{}
	for _, c := range suite.cases {
		data, err := os.ReadFile(filepath.Join(recordedDir, suite.name, c.name+".out"))
		if err == nil {
			outputs[c.name] = data
			continue
		}
		if _, failed := os.Stat(filepath.Join(recordedDir, suite.name, c.name+".failed")); failed != nil {
			t.Fatalf("%s: no recorded Ansible output; run TestOracle with STRAYLIGHT_RECORD_ORACLE=1", c.name)
		}
	}
	return outputs
}

// compareSuite renders every case with the engine as core's template
// module does and compares.
func compareSuite(t *testing.T, suite oracleSuite, want map[string][]byte, core string) {
	t.Helper()
	scopes := newOracleScopes(t, suite.repo)
	tagged := core >= "2.19"
	e := NewEngine(Options{DataTagging: func() bool { return tagged }})
	search, lookupDirs := oracleSearchPath(t, suite.repo)
	for _, c := range suite.cases {
		opts := TemplateDefaults()
		if c.opts != nil {
			opts = *c.opts
		}
		opts.SearchPath = search
		opts.DataTagging = tagged
		got, err := e.RenderTemplate(c.name+".j2", []byte(c.src), scopes.play(c).WithSearchPath(lookupDirs), opts)
		c.wantError = c.wantError || c.failsUnder == core
		if why, known := knownDifferences[core][c.name]; known {
			checkKnownDifference(t, c, want[c.name], got, err, why)
			continue
		}
		checkOracleCase(t, c, want[c.name], got, err)
	}
}

// checkKnownDifference fails when a listed case renders as Ansible does.
func checkKnownDifference(t *testing.T, c oracleCase, want, got []byte, err error, why string) {
	t.Helper()
	bothFail := want == nil && c.wantError && err != nil
	if bothFail || (err == nil && want != nil && bytes.Equal(want, got)) {
		t.Errorf("%s: listed as a known difference (%s) but renders as Ansible does: remove it from knownDifferences", c.name, why)
		return
	}
	t.Logf("%s: known difference (%s)\nansible: %q\nengine:  %q (%v)", c.name, why, want, got, err)
}

// oracleSearchPath writes the repository's extra templates into a folder
// laid out as the oracle's and returns the template module's searchpath
// there (TemplateSearchPath, as fleet/ansible builds it for a role task)
// and the lookups' search path (the role's folder, the playbook's).
func oracleSearchPath(t *testing.T, repo oracleRepo) (search, lookupDirs []string) {
	t.Helper()
	if len(repo.templates) == 0 {
		return nil, nil
	}
	dir := t.TempDir()
	role := filepath.Join(dir, "roles", "oracle")
	for name, content := range repo.templates {
		path := filepath.Join(role, "templates", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return TemplateSearchPath(role, filepath.Join(role, "tasks"), dir, dir, filepath.Join(role, "templates")), []string{role, dir}
}

func checkOracleCase(t *testing.T, c oracleCase, want, got []byte, err error) {
	t.Helper()
	switch {
	case want == nil && !c.wantError:
		t.Errorf("%s: Ansible failed on this template (see the playbook run)", c.name)
	case want != nil && c.wantError:
		t.Errorf("%s: Ansible rendered %q, the case expects a failure", c.name, want)
	case c.wantError && err == nil:
		t.Errorf("%s: Ansible fails, the engine rendered %q", c.name, got)
	case !c.wantError && err != nil:
		t.Errorf("%s: engine error: %v (Ansible: %q)", c.name, err, want)
	case !bytes.Equal(want, got):
		t.Errorf("%s: differs from Ansible\nansible: %q\nengine:  %q", c.name, want, got)
	}
}
