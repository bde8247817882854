package main

// End-to-end tests of `straylight --check` run in-process through run():
// the homelab example limited to its local proxy, the seed's stale upstream
// name caught by the route lint, and bad input — each a clear message, the
// right exit code, and nothing written.
//
// Network: `--check` probes the live fleet at each planned host's address.
// The example's proxy motoko is addressed by its name, so these tests run a
// copy whose motoko has ansible_host 127.0.0.1, always with --limit motoko
// (the WinRM hosts wintermute and armitage are never planned nor probed).

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
)

// chkResult is one in-process run of the command line.
type chkResult struct {
	code           int
	stdout, stderr string
}

func chkRun(t *testing.T, args ...string) chkResult {
	t.Helper()
	for _, name := range []string{"ANSIBLE_CONFIG", "ANSIBLE_VAULT_PASSWORD_FILE"} {
		t.Setenv(name, "")
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	t.Logf("straylight %s → exit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	return chkResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func chkWantExit(t *testing.T, r chkResult, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

// chkWantMatch: text matches every pattern (regular expressions).
func chkWantMatch(t *testing.T, what, text string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(text) {
			t.Errorf("%s does not match %q:\n%s", what, p, text)
		}
	}
}

// ---- the homelab example ----

const chkProxyDest = "/opt/litellm/config.yaml"

func TestCheckHomelabLimitMotoko(t *testing.T) {
	dir := chkHomelabCopy(t)
	r := chkRun(t, "-C", dir, "--check", "--limit", "motoko")
	if _, err := os.Stat(chkProxyDest); err == nil {
		t.Skipf("%s exists on this machine: the create this test expects cannot happen", chkProxyDest)
	}
	chkWantExit(t, r, exitChanges)
	chkWantMatch(t, "stdout", r.stdout, `HOST \[motoko\] \(local `, `TASK \[litellm-deploy : Deploy LiteLLM config.yaml\] /opt/litellm/config.yaml`,
		`(?m)^changed: \[motoko\]$`, `(?m)^ok +local/reasoner -> openai/llama31-8b-wintermute: `, `routes ok 2/2`)
	if regexp.MustCompile(`(?m)^error|[1-9][0-9]* error\(s\)`).MatchString(r.stdout + r.stderr) {
		t.Errorf("the lint is not clean:\n%s%s", r.stdout, r.stderr)
	}
	plan := chkJSONPlan(t, "-C", dir, "--check", "--limit", "motoko", "--json")
	chkHomelabPlan(t, plan)
	if withDiff := chkRun(t, "-C", dir, "--check", "--diff", "--limit", "motoko"); withDiff.stdout != r.stdout || withDiff.code != r.code {
		t.Errorf("--check --diff (an operator's ansible-playbook habit) printed otherwise than --check:\n%s%s", withDiff.stdout, withDiff.stderr)
	}
}

// chkHomelabPlan: one host, one create of the proxy config, its restart,
// both routes ok, and the master key masked.
func chkHomelabPlan(t *testing.T, plan fleetplan.Plan) {
	t.Helper()
	if len(plan.Hosts) != 1 || plan.Hosts[0].Host != "motoko" || len(plan.Hosts[0].Files) != 1 {
		t.Fatalf("plan hosts: %+v", plan.Hosts)
	}
	h := plan.Hosts[0]
	f := h.Files[0]
	if h.Connection != "local" || h.Unreachable != "" || f.Dest != chkProxyDest || f.Action != fleetplan.ActionCreate {
		t.Errorf("motoko: connection %q unreachable %q, file %s %s", h.Connection, h.Unreachable, f.Dest, f.Action)
	}
	if !strings.Contains(f.NewContent, "master_key: "+fleet.SecretMask) || len(h.Handlers) != 1 {
		t.Errorf("master key not masked or restart missing: %+v\n%s", h.Handlers, f.NewContent)
	}
	if plan.Summary.Errors != 0 || plan.Summary.RoutesOK != 2 || plan.Summary.Routes != 2 {
		t.Errorf("summary: %+v routes %+v", plan.Summary, plan.Routes)
	}
}

// TestCheckHomelabStaleUpstreamNameFailsLint is the seed's bug: LiteLLM asks
// wintermute for the model's repository name while wintermute serves
// llama31-8b-wintermute.
func TestCheckHomelabStaleUpstreamNameFailsLint(t *testing.T) {
	dir := chkHomelabCopy(t)
	chkEdit(t, dir, "group_vars/motoko.yml", "\nwintermute_model_display: openai/llama31-8b-wintermute\n",
		"\nwintermute_model_display: openai/casperhansen/llama-3-8b-instruct-awq\n")
	before := chkSnapshot(t, dir)
	r := chkRun(t, "-C", dir, "--check", "--limit", "motoko")
	chkWantExit(t, r, exitFailure)
	chkWantMatch(t, "output", r.stdout+r.stderr,
		`(?m)^error .*casperhansen/llama-3-8b-instruct-awq.*llama31-8b-wintermute`, `routes ok 1/2`)
	chkSameSnapshot(t, "repository", before, chkSnapshot(t, dir))
}

// chkHomelabCopy copies examples/homelab (symlinks kept) and gives motoko a
// loopback address for the live probe.
func chkHomelabCopy(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "homelab")
	if err := chkCopyTree(filepath.Join("examples", "homelab"), dir); err != nil {
		t.Fatal(err)
	}
	chkEdit(t, dir, "inventory/hosts.yml", "        motoko:\n          ansible_connection: local\n",
		"        motoko:\n          ansible_connection: local\n          ansible_host: 127.0.0.1\n")
	return dir
}

func chkCopyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.Type()&fs.ModeSymlink != 0 {
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return chkCopyFile(p, target)
	})
}

func chkCopyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, st.Mode().Perm())
}

// chkEdit replaces old by new in a repository file; old must be there.
func chkEdit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	path := filepath.Join(dir, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s no longer contains %q: update the test", rel, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

func chkJSONPlan(t *testing.T, args ...string) fleetplan.Plan {
	t.Helper()
	r := chkRun(t, args...)
	var plan fleetplan.Plan
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil {
		t.Fatalf("--json output is not a plan: %v\n%s", err, r.stdout)
	}
	return plan
}

// ---- bad input ----

// chkRepo is a small local repository: one GPU host, alpha, whose vLLM
// config is deployed into out (where an old version already is).
type chkRepo struct {
	root, out string
}

func newChkRepo(t *testing.T) chkRepo {
	t.Helper()
	base := t.TempDir()
	c := chkRepo{root: filepath.Join(base, "repo"), out: filepath.Join(base, "out")}
	files := map[string]string{
		"inventory/hosts.yml":                          chkInventory,
		"inventory/group_vars/all.yml":                 "out_dir: " + c.out + "\n",
		"inventory/host_vars/alpha.yml":                chkHostVars,
		"playbooks/deploy.yml":                         chkPlaybook,
		"playbooks/roles/vllm/tasks/main.yml":          chkTasks,
		"playbooks/roles/vllm/handlers/main.yml":       "- name: Restart vLLM\n  command: /bin/true\n",
		"playbooks/roles/vllm/templates/config.yml.j2": chkTemplate,
	}
	files[filepath.Join("..", "out", "alpha.yml")] = "# deployed earlier\nmodel: old\n"
	for rel, content := range files {
		chkWrite(t, c.root, rel, content)
	}
	return c
}

func chkWrite(t *testing.T, root, rel, content string) {
	t.Helper()
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const chkInventory = `all:
  vars:
    ansible_connection: local
    ansible_host: 127.0.0.1
  children:
    gpu:
      hosts:
        alpha:
`

const chkHostVars = `# vLLM Configuration
vllm:
  model: "Qwen/Qwen2.5-7B-Instruct-AWQ"
  served_model_name: "qwen-alpha"
  port: 8011
  gpu_memory_utilization: 0.85
`

const chkPlaybook = `- name: Deploy vLLM
  hosts: gpu
  gather_facts: false
  roles:
    - vllm
`

const chkTasks = `- name: Deploy config.yml
  template:
    src: config.yml.j2
    dest: "{{ out_dir }}/{{ inventory_hostname }}.yml"
  notify: Restart vLLM
`

const chkTemplate = `# {{ ansible_managed }}
model: {{ vllm.model }}
served_model_name: {{ vllm.served_model_name }}
port: {{ vllm.port }}
`

// chkBadInput is one kind of bad input: what to change, how to run, and what
// stderr must say.
type chkBadInput struct {
	name   string
	file   string // repository file to replace ("" for none)
	with   string
	args   []string          // beyond -C and --check
	stderr []string          // patterns
	core   string            // the ansible-core straylight.yml names, with no Ansible on PATH
	more   map[string]string // further repository files to replace
}

func chkBadInputs() []chkBadInput {
	return []chkBadInput{
		{name: "malformed YAML in host_vars", file: "inventory/host_vars/alpha.yml",
			with:   "vllm:\n  model: \"x\"\n   port: 8011\n",
			stderr: []string{`(?m)^error: inventory/host_vars/alpha\.yml:3: `}},
		{name: "malformed YAML in a playbook", file: "playbooks/deploy.yml",
			with:   "- name: Deploy vLLM\n  hosts: gpu\n  roles:\n    - vllm\n   - oops\n",
			stderr: []string{`(?m)^straylight: playbooks/deploy\.yml:5: malformed YAML`}},
		{name: "unknown --limit host", args: []string{"--limit", "nosuchhost"},
			stderr: []string{`--limit "nosuchhost": .*nosuchhost`}},
		{name: "undefined template variable", file: "playbooks/roles/vllm/templates/config.yml.j2",
			with:   "# {{ ansible_managed }}\nmodel: {{ vllm.model }}\n\nport: {{ vllm_port_typo }}\n",
			stderr: []string{`playbooks/roles/vllm/templates/config\.yml\.j2:4: .*undefined variable 'vllm_port_typo'`}},
		{name: "out-of-range value", file: "inventory/host_vars/alpha.yml",
			with:   strings.Replace(chkHostVars, "0.85", "1.5", 1),
			stderr: []string{`(?m)^error: inventory/host_vars/alpha\.yml:6: \[alpha\] vllm\.gpu_memory_utilization: 1\.5 is out of range`}},
		{name: "a condition that is not a boolean under ansible-core 2.19", file: "playbooks/roles/vllm/tasks/main.yml",
			with: chkTasks + "\n- name: Conditional\n  copy: {content: x, dest: \"{{ out_dir }}/c.txt\"}\n  when: vllm.model\n", core: "2.19",
			stderr: []string{`(?m)^error: playbooks/roles/vllm/tasks/main\.yml:7: \[alpha\] when: .*Conditional result \(True\) was derived from value of type 'str'\. Conditionals must have a boolean result\.`}},
		{name: "an include of a missing file", file: "playbooks/roles/vllm/tasks/main.yml",
			with:   chkTasks + "\n- name: More tasks\n  include_tasks: nosuch.yml\n",
			stderr: []string{`(?m)^error: playbooks/roles/vllm/tasks/main\.yml:7: \[alpha\] include_tasks: Could not find or access 'nosuch\.yml'`}},
		{name: "a loop over an undefined variable", file: "playbooks/roles/vllm/tasks/main.yml",
			with:   chkTasks + "\n- name: Looped\n  copy: {content: x, dest: \"{{ out_dir }}/{{ item }}.txt\"}\n  loop: \"{{ nosuch_list }}\"\n",
			stderr: []string{`(?m)^error: playbooks/roles/vllm/tasks/main\.yml:7: \[alpha\] loop: .*undefined variable 'nosuch_list'`}},
		{name: "a fact needed from an unreachable host", file: "playbooks/deploy.yml",
			with:   "- name: Deploy vLLM\n  hosts: gpu\n  vars:\n    ansible_connection: ssh\n    ansible_port: 1\n    ansible_user: nobody\n  roles:\n    - vllm\n",
			more:   map[string]string{"playbooks/roles/vllm/templates/config.yml.j2": chkTemplate + "host: {{ ansible_fqdn }}\n"},
			stderr: []string{`(?m)^error: playbooks/roles/vllm/tasks/main\.yml:1: \[alpha\] task "vllm : Deploy config\.yml" needs gathered facts: gathering facts from alpha: .*connection refused`}},
		{name: "missing role", file: "playbooks/deploy.yml",
			with:   chkPlaybook + "    - nosuchrole\n",
			stderr: []string{`(?m)^straylight: playbooks/deploy\.yml:6: roles: the role "nosuchrole" was not found`}},
	}
}

// TestCheckBadInput: each bad input fails with exit 1 and a message naming
// the file, line and key (or the pattern), and writes nothing: neither the
// repository nor the dest files change.
func TestCheckBadInput(t *testing.T) {
	for _, bad := range chkBadInputs() {
		t.Run(bad.name, func(t *testing.T) {
			c := newChkRepo(t)
			if bad.file != "" {
				chkWrite(t, c.root, bad.file, bad.with)
			}
			for file, content := range bad.more {
				chkWrite(t, c.root, file, content)
			}
			if bad.core != "" {
				chkWrite(t, c.root, "straylight.yml", "ansible_core_version: \""+bad.core+"\"\n")
				t.Setenv("PATH", t.TempDir())
			}
			repoBefore, outBefore := chkSnapshot(t, c.root), chkSnapshot(t, c.out)
			r := chkRun(t, append([]string{"-C", c.root, "--check"}, bad.args...)...)
			chkWantExit(t, r, exitFailure)
			chkWantMatch(t, "stderr", r.stderr, bad.stderr...)
			chkSameSnapshot(t, "repository", repoBefore, chkSnapshot(t, c.root))
			chkSameSnapshot(t, "dest files", outBefore, chkSnapshot(t, c.out))
		})
	}
}

const chkUnsupportedTasks = chkTasks + `
- name: Install curl
  ansible.builtin.pip:
    name: curl

- name: Deploy extra
  template:
    src: config.yml.j2
    dest: "{{ out_dir }}/extra.yml"
  until: false
`

// TestCheckListsUnsupportedTasks: --check lists each task straylight cannot
// run with its reason and file:line. An unsupported task is a plan entry,
// not an error: the exit code is the rest of the plan's (2 here: the config
// changes). --apply refuses the host and writes nothing. (No Ansible on
// PATH: with one, these tasks run via ansible, delegate_cli_test.go.)
func TestCheckListsUnsupportedTasks(t *testing.T) {
	withoutAnsible(t)
	c := newChkRepo(t)
	chkWrite(t, c.root, "playbooks/roles/vllm/tasks/main.yml", chkUnsupportedTasks)
	repoBefore, outBefore := chkSnapshot(t, c.root), chkSnapshot(t, c.out)
	r := chkRun(t, "-C", c.root, "--check")
	chkWantExit(t, r, exitChanges)
	chkWantMatch(t, "stdout", r.stdout,
		`(?m)^unsupported: \[alpha\] vllm : Install curl \(playbooks/roles/vllm/tasks/main\.yml:7\): module "ansible\.builtin\.pip" is not supported$`,
		`(?m)^unsupported: \[alpha\] vllm : Deploy extra \(playbooks/roles/vllm/tasks/main\.yml:11\): task keyword "until" is not supported$`,
		`2 unsupported on 1 host`)
	plan := chkJSONPlan(t, "-C", c.root, "--check", "--json")
	if u := plan.Hosts[0].Unsupported; len(u) != 2 || u[0].At.Line != 7 || u[0].Reason == "" {
		t.Errorf("JSON plan's unsupported tasks: %+v", u)
	}
	a := chkRun(t, "-C", c.root, "--apply", "--yes")
	chkWantExit(t, a, exitFailure)
	chkWantMatch(t, "--apply output", a.stdout+a.stderr, `unsupported task "vllm : Install curl".*--skip-unsupported`)
	chkSameSnapshot(t, "repository", repoBefore, chkSnapshot(t, c.root))
	chkSameSnapshot(t, "dest files", outBefore, chkSnapshot(t, c.out))
}

// chkSnapshot records every file (content) and symlink (target) under root,
// except straylight's own state directory (apply's audit log and lock).
func chkSnapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.IsDir() && d.Name() == ".straylight":
			return filepath.SkipDir
		case d.IsDir():
			snap[rel] = "dir"
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			snap[rel] = "-> " + link
			return err
		default:
			data, err := os.ReadFile(p)
			snap[rel] = string(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func chkSameSnapshot(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for path, content := range before {
		if got, ok := after[path]; !ok || got != content {
			t.Errorf("%s: %s changed or disappeared", what, path)
		}
	}
	for path := range after {
		if _, ok := before[path]; !ok {
			t.Errorf("%s: %s was written", what, path)
		}
	}
}

// TestCheckNothingPlannedExits1: a repository whose play targets no host, or
// whose tasks straylight runs none of (and no Ansible to run them for it),
// is a warning and exit 1, never a silent success.
func TestCheckNothingPlannedExits1(t *testing.T) {
	for name, playbook := range map[string]string{
		"no host":         strings.Replace(chkPlaybook, "hosts: gpu", "hosts: nosuchgroup", 1),
		"no task it runs": "- hosts: gpu\n  gather_facts: false\n  tasks:\n    - name: Install curl\n      pip: {name: curl}\n",
	} {
		t.Run(name, func(t *testing.T) {
			withoutAnsible(t) // with Ansible, the pip task is planned via ansible (delegate_cli_test.go)
			c := newChkRepo(t)
			chkWrite(t, c.root, "playbooks/deploy.yml", playbook)
			r := chkRun(t, "-C", c.root, "--check")
			chkWantExit(t, r, exitFailure)
			chkWantMatch(t, "stderr", r.stderr, `(?m)^warning: nothing planned: `)
		})
	}
}
