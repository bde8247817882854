package main

// Delegation to Ansible (fleet/ansible/delegate): the tasks straylight does
// not run itself are planned through the operator's ansible-playbook
// --check --diff and applied through ansible-playbook, on a small
// repository written here whose hosts are reached with the local
// connection. The apply runs against a lab backend (remote/sim's vLLM) and
// the lab's LiteLLM, both on loopback.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/vault"
	"github.com/straylight-fleet/straylight/internal/parity"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// dlgSecret is the vault value (the proxy's master key): it must never
// reach a plan, a diff or an event.
const dlgSecret = "sk-delegate-S3CRET-7781"

// dlgRepo is the repository: alpha (a GPU host) gets a template straylight
// runs and tasks it does not (get_url, find, replace — one of them no_log,
// one whose diff holds the vault value); px (the proxy) gets the LiteLLM
// config, already deployed.
type dlgRepo struct {
	root, out, vaultPass string
	vllmPort, proxyPort  int
}

func newDlgRepo(t *testing.T) dlgRepo {
	t.Helper()
	base := t.TempDir()
	r := dlgRepo{root: filepath.Join(base, "repo"), out: filepath.Join(base, "out"), vaultPass: filepath.Join(base, "vault-pass.txt"),
		vllmPort: freePort(t), proxyPort: freePort(t)}
	for rel, content := range r.files(t) {
		chkWrite(t, r.root, rel, content)
	}
	chkWrite(t, base, "vault-pass.txt", "delegate-vault-pw\n")
	chkWrite(t, r.out, "card-source.txt", "Qwen2.5 7B, AWQ\n")
	chkWrite(t, r.out, "token.txt", "token=PLACEHOLDER\n")
	chkWrite(t, r.out, "proxy.env", "KEY=PLACEHOLDER\n")
	chkWrite(t, r.out, "litellm.yaml", r.proxyConfig()) // deployed earlier: px is in sync
	return r
}

func (r dlgRepo) files(t *testing.T) map[string]string {
	kr := vault.NewKeyring()
	if err := kr.Add("", []byte("delegate-vault-pw")); err != nil {
		t.Fatal(err)
	}
	vaulted, err := kr.Encrypt([]byte("vault_master_key: "+dlgSecret+"\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"ansible.cfg":                         "[defaults]\ninventory = inventory/hosts.yml\ngathering = explicit\nretry_files_enabled = False\n",
		"straylight.yml":                      "health_timeout_seconds: 20\nansible_timeout_seconds: 240\n",
		"inventory/hosts.yml":                 dlgInventory,
		"inventory/group_vars/all/main.yml":   "out: " + r.out + "\n",
		"inventory/group_vars/all/vault.yml":  string(vaulted),
		"inventory/host_vars/alpha.yml":       fmt.Sprintf("vllm:\n  model: \"Qwen/Qwen2.5-7B-Instruct-AWQ\"\n  served_model_name: \"qwen-alpha\"\n  port: %d\n", r.vllmPort),
		"inventory/host_vars/px.yml":          fmt.Sprintf("litellm:\n  port: %d\n  master_key: \"{{ vault_master_key }}\"\n", r.proxyPort),
		"playbooks/gpu.yml":                   dlgGPUPlaybook,
		"playbooks/proxy.yml":                 "- name: LiteLLM\n  hosts: proxy\n  gather_facts: false\n  tasks:\n    - name: LiteLLM config\n      template:\n        src: litellm.yaml.j2\n        dest: \"{{ out }}/litellm.yaml\"\n",
		"playbooks/templates/vllm.yml.j2":     "vllm:\n  model: {{ vllm.model }}\n  served_model_name: {{ vllm.served_model_name }}\n  port: {{ vllm.port }}\n",
		"playbooks/templates/litellm.yaml.j2": dlgProxyTemplate,
	}
}

const dlgInventory = `all:
  vars:
    ansible_connection: local
    ansible_host: 127.0.0.1
    ansible_python_interpreter: /usr/bin/python3
  children:
    gpu:
      hosts:
        alpha:
    proxy:
      hosts:
        px:
`

const dlgGPUPlaybook = `- name: vLLM on alpha
  hosts: gpu
  gather_facts: false
  tasks:
    - name: vLLM config
      template:
        src: vllm.yml.j2
        dest: "{{ out }}/alpha-vllm.yml"
      notify: Restart vLLM
    - name: Fetch the model card
      ansible.builtin.get_url:
        url: "file://{{ out }}/card-source.txt"
        dest: "{{ out }}/model-card.txt"
    - name: Look at the card source
      ansible.builtin.find:
        paths: "{{ out }}"
        patterns: card-source.txt
    - name: Store the token
      ansible.builtin.replace:
        path: "{{ out }}/token.txt"
        regexp: PLACEHOLDER
        replace: "{{ hostvars['px'].vault_master_key }}"
      no_log: true
    - name: Point the client at the proxy
      ansible.builtin.replace:
        path: "{{ out }}/proxy.env"
        regexp: PLACEHOLDER
        replace: "{{ hostvars['px'].vault_master_key }}"
  handlers:
    - name: Restart vLLM
      shell: "echo restarted >> {{ out }}/alpha-restarts"
`

const dlgProxyTemplate = `model_list:
  - model_name: local/alpha
    litellm_params:
      model: openai/{{ hostvars['alpha'].vllm.served_model_name }}
      api_base: http://{{ hostvars['alpha'].ansible_host }}:{{ hostvars['alpha'].vllm.port }}/v1
      api_key: "none"
general_settings:
  master_key: {{ litellm.master_key }}
`

// proxyConfig is what the proxy's template renders.
func (r dlgRepo) proxyConfig() string {
	return fmt.Sprintf("model_list:\n  - model_name: local/alpha\n    litellm_params:\n      model: openai/qwen-alpha\n      api_base: http://127.0.0.1:%d/v1\n      api_key: \"none\"\ngeneral_settings:\n  master_key: %s\n",
		r.vllmPort, dlgSecret)
}

// freePort is a loopback TCP port free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// withAnsible puts the oracle's ansible-playbook first on PATH.
func withAnsible(t *testing.T, o parity.Oracle) {
	t.Setenv("PATH", o.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// withoutAnsible leaves on PATH only a few tools, none of them Ansible.
func withoutAnsible(t *testing.T) {
	dir := t.TempDir()
	for _, tool := range []string{"sh", "cat", "env", "true"} {
		if path, err := exec.LookPath(tool); err == nil {
			if err := os.Symlink(path, filepath.Join(dir, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("PATH", dir)
}

func dlgCheckJSON(t *testing.T, r dlgRepo) (chkResult, fleetplan.Plan) {
	t.Helper()
	res := chkRun(t, "-C", r.root, "--check", "--json", "--vault-password-file", r.vaultPass)
	var plan fleetplan.Plan
	if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil {
		t.Fatalf("--json output is not a plan: %v\n%s", err, res.stdout)
	}
	return res, plan
}

func delegated(p fleetplan.Plan, host, task string) *fleetplan.DelegatedTask {
	if h := p.Host(host); h != nil {
		for i := range h.ViaAnsible {
			if h.ViaAnsible[i].Task == task {
				return &h.ViaAnsible[i]
			}
		}
	}
	return nil
}

// TestCheckPlansViaAnsible: with ansible-playbook installed, each of the
// two ansible-cores, --check plans the template natively and every other
// task via ansible, each with the status Ansible's own --check reported
// (get_url would fetch: changed; find: ok), nothing is left unsupported,
// and no secret (vault value, no_log result) is in the plan.
func TestCheckPlansViaAnsible(t *testing.T) {
	for _, o := range parity.Oracles(t) {
		t.Run("ansible-core "+o.Version, func(t *testing.T) {
			withAnsible(t, o)
			r := newDlgRepo(t)
			res, plan := dlgCheckJSON(t, r)
			chkWantExit(t, res, exitChanges)
			alpha := plan.Host("alpha")
			if alpha == nil || len(alpha.Files) != 1 || alpha.Files[0].Dest != filepath.Join(r.out, "alpha-vllm.yml") || alpha.Files[0].Action != fleetplan.ActionCreate {
				t.Fatalf("ansible-core %s: alpha's template is not planned natively: %+v", o.Version, alpha)
			}
			want := map[string]string{"Fetch the model card": "changed", "Look at the card source": "ok",
				"Store the token": "changed", "Point the client at the proxy": "changed"}
			for task, status := range want {
				d := delegated(plan, "alpha", task)
				if d == nil || string(d.Status) != status {
					t.Errorf("ansible-core %s: %q via ansible: %+v, want status %s", o.Version, task, d, status)
				}
			}
			if d := delegated(plan, "alpha", "Fetch the model card"); d != nil && (d.Module != "ansible.builtin.get_url" || d.At.File != "playbooks/gpu.yml" || d.At.Line != 10) {
				t.Errorf("ansible-core %s: get_url task: %+v", o.Version, d)
			}
			if plan.Summary.Unsupported != 0 || plan.Summary.ViaAnsible != 4 || plan.Summary.ViaAnsibleChanged != 3 {
				t.Errorf("ansible-core %s: summary %+v", o.Version, plan.Summary)
			}
			dlgNoSecret(t, o.Version+": --check --json", res.stdout+res.stderr)
			if d := delegated(plan, "alpha", "Point the client at the proxy"); d == nil || !strings.Contains(d.Diff, fleetplan.SecretMask) {
				t.Errorf("ansible-core %s: the replace task's diff does not show the masked key: %+v", o.Version, d)
			}
			if d := delegated(plan, "alpha", "Store the token"); d == nil || !d.NoLog || d.Diff != "" {
				t.Errorf("ansible-core %s: the no_log task shows its result: %+v", o.Version, d)
			}
		})
	}
}

// TestCheckHumanMarksViaAnsible: the human report prints each delegated
// task as Ansible would, marked "via ansible".
func TestCheckHumanMarksViaAnsible(t *testing.T) {
	o := parity.Oracles(t)[0]
	withAnsible(t, o)
	r := newDlgRepo(t)
	res := chkRun(t, "-C", r.root, "--check", "--vault-password-file", r.vaultPass)
	chkWantExit(t, res, exitChanges)
	chkWantMatch(t, "ansible-core "+o.Version+": stdout", res.stdout,
		`(?m)^TASK \[Fetch the model card\] via ansible \(ansible\.builtin\.get_url, playbooks/gpu\.yml:10\)$`,
		`(?m)^changed: \[alpha\]$`,
		`(?m)^ok: \[alpha\]$`,
		`(?m)^TASK \[Store the token\] via ansible \(ansible\.builtin\.replace, playbooks/gpu\.yml:18\)\n\(the result of a no_log task is not shown\)\nchanged: \[alpha\]$`,
		`; 4 via ansible \(3 to change\)`)
	dlgNoSecret(t, o.Version+": --check", res.stdout+res.stderr)
}

// TestCheckWithoutAnsibleLeavesUnsupported: with no ansible-playbook on
// PATH, the same tasks are unsupported, each with its reason, and --check
// exits as before (2: the template would change).
func TestCheckWithoutAnsibleLeavesUnsupported(t *testing.T) {
	r := newDlgRepo(t)
	withoutAnsible(t)
	res, plan := dlgCheckJSON(t, r)
	chkWantExit(t, res, exitChanges)
	alpha := plan.Host("alpha")
	if alpha == nil || len(alpha.ViaAnsible) != 0 || plan.Summary.ViaAnsible != 0 {
		t.Fatalf("without Ansible, tasks were delegated: %+v", alpha)
	}
	reasons := map[string]string{}
	for _, u := range alpha.Unsupported {
		reasons[u.Task] = u.Reason
	}
	for _, task := range []string{"Fetch the model card", "Look at the card source", "Store the token", "Point the client at the proxy"} {
		if !strings.Contains(reasons[task], "is not supported") {
			t.Errorf("%q: reason %q", task, reasons[task])
		}
	}
	if plan.Summary.Unsupported != 4 {
		t.Errorf("summary %+v", plan.Summary)
	}
}

// TestCheckBadAnsiblePlaybookSetting: straylight.yml naming an
// ansible-playbook that does not exist is an error naming the key.
func TestCheckBadAnsiblePlaybookSetting(t *testing.T) {
	r := newDlgRepo(t)
	chkWrite(t, r.root, "straylight.yml", "ansible_playbook: "+filepath.Join(r.out, "no-such-ansible-playbook")+"\n")
	res := chkRun(t, "-C", r.root, "--check", "--vault-password-file", r.vaultPass)
	chkWantExit(t, res, exitFailure)
	chkWantMatch(t, "stderr", res.stderr, `straylight\.yml: ansible_playbook: .*no-such-ansible-playbook`)
}

func dlgNoSecret(t *testing.T, what, text string) {
	t.Helper()
	if strings.Contains(text, dlgSecret) {
		t.Errorf("%s shows the vault value %q", what, dlgSecret)
	}
}

// dlgLab serves alpha's vLLM (a lab backend already serving what the
// repository names) and the proxy's LiteLLM on its deployed config.
func dlgLab(t *testing.T, r dlgRepo) {
	t.Helper()
	fs := sim.NewFS()
	fs.WriteFile("/lab/alpha/config.yml", fmt.Appendf(nil, "vllm:\n  model: Qwen/Qwen2.5-7B-Instruct-AWQ\n  served_model_name: qwen-alpha\n  port: %d\n", r.vllmPort))
	vllm, err := sim.NewVLLMServer(sim.VLLMOptions{Hostname: "alpha", FS: fs, ConfigPath: "/lab/alpha/config.yml", IP: "127.0.0.1",
		TokenRate: 2000, LoadDelay: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vllm.Close() })
	if err := vllm.Start(); err != nil {
		t.Fatal(err)
	}
	proxy := sim.NewLiteLLMProxy(sim.LiteLLMOptions{Name: "px", ConfigPath: filepath.Join(r.out, "litellm.yaml"), IP: "127.0.0.1", Port: r.proxyPort})
	t.Cleanup(func() { proxy.Close() })
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
}

// TestApplyDelegatesToAnsibleOnTheLab is the delegation on the lab:
// alpha's play (a template straylight plans, a get_url it does not) is run
// by ansible-playbook --limit alpha; its task results stream as events;
// the files it wrote are the plan's; its handler ran once (Ansible's, not
// straylight's as well); the health gate and the route test through
// LiteLLM ran after it; the audit log records the tasks Ansible ran; and
// the vault value is in none of it.
func TestApplyDelegatesToAnsibleOnTheLab(t *testing.T) {
	o := parity.Oracles(t)[len(parity.Oracles(t))-1]
	withAnsible(t, o)
	r := newDlgRepo(t)
	dlgLab(t, r)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	res := runCLIWith(t, ctx, nil, "-C", r.root, "--apply", "--yes", "--json", "--vault-password-file", r.vaultPass)
	wantExit(t, res, exitOK)
	evs := dlgEvents(t, res.stdout)
	iTask := dlgIndex(evs, func(e dlgEvent) bool {
		return e.Host == "alpha" && e.Step == "via-ansible" && e.Dest == "Fetch the model card" && e.Status == "ok" && strings.HasPrefix(e.Message, "via ansible: changed")
	})
	iDone := dlgIndex(evs, func(e dlgEvent) bool {
		return e.Host == "alpha" && e.Step == "via-ansible" && e.Dest == "playbooks/gpu.yml" && e.Status == "ok"
	})
	iHealth := dlgIndex(evs, func(e dlgEvent) bool { return e.Host == "alpha" && e.Step == "health" && e.Status == "ok" })
	iRoute := dlgIndex(evs, func(e dlgEvent) bool {
		return e.Host == "alpha" && e.Step == "route-test" && e.Status == "ok" && strings.Contains(e.Message, "local/alpha")
	})
	if iTask < 0 || iDone < iTask || iHealth < iDone || iRoute < iHealth {
		t.Errorf("ansible-core %s: events out of order or missing: task %d, play done %d, health %d, route %d", o.Version, iTask, iDone, iHealth, iRoute)
	}
	if got, err := os.ReadFile(filepath.Join(r.out, "model-card.txt")); err != nil || string(got) != "Qwen2.5 7B, AWQ\n" {
		t.Errorf("ansible-core %s: get_url did not fetch the card: %q %v", o.Version, got, err)
	}
	wantFile(t, filepath.Join(r.out, "alpha-vllm.yml"), fmt.Sprintf("vllm:\n  model: Qwen/Qwen2.5-7B-Instruct-AWQ\n  served_model_name: qwen-alpha\n  port: %d\n", r.vllmPort))
	wantFile(t, filepath.Join(r.out, "alpha-restarts"), "restarted\n")
	wantFile(t, filepath.Join(r.out, "token.txt"), "token="+dlgSecret+"\n")
	dlgNoSecret(t, o.Version+": --apply --json", res.stdout+res.stderr)
	audit, err := os.ReadFile(filepath.Join(r.root, ".straylight", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(audit), `"via_ansible":[`) || !strings.Contains(string(audit), `"task":"Fetch the model card","module":"ansible.builtin.get_url","at":"playbooks/gpu.yml:10"`) {
		t.Errorf("the audit log does not record the tasks Ansible ran:\n%s", audit)
	}
	dlgNoSecret(t, "the audit log", string(audit))
	if _, again := dlgCheckJSON(t, r); again.HasChanges() {
		t.Errorf("ansible-core %s: after the apply: %s", o.Version, again.Summary.Line())
	}
}

func wantFile(t *testing.T, path, want string) {
	t.Helper()
	if got, err := os.ReadFile(path); err != nil || string(got) != want {
		t.Errorf("%s: %q (%v), want %q", path, got, err, want)
	}
}

// dlgEvent is what a test reads of a JSON Lines event.
type dlgEvent struct {
	Kind    string `json:"event"`
	Host    string `json:"host"`
	Step    string `json:"step"`
	Status  string `json:"status"`
	Dest    string `json:"dest"`
	Message string `json:"message"`
}

func dlgEvents(t *testing.T, out string) []dlgEvent {
	t.Helper()
	var evs []dlgEvent
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev dlgEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

func dlgIndex(evs []dlgEvent, match func(dlgEvent) bool) int {
	for i, e := range evs {
		if match(e) {
			return i
		}
	}
	return -1
}

// TestApplyViaAnsibleFailureRollsBack: a task that fails under
// ansible-playbook fails its host like a failed native step: the host's
// result names the task, and the file Ansible had already written is
// restored from the backup straylight took.
func TestApplyViaAnsibleFailureRollsBack(t *testing.T) {
	o := parity.Oracles(t)[0]
	withAnsible(t, o)
	r := newDlgRepo(t)
	dlgLab(t, r)
	deployed := fmt.Sprintf("vllm:\n  model: Qwen/Qwen2.5-7B-Instruct-AWQ\n  served_model_name: qwen-alpha\n  port: %d\n  max_model_len: 4096\n", r.vllmPort)
	chkWrite(t, r.out, "alpha-vllm.yml", deployed)
	if err := os.Remove(filepath.Join(r.out, "card-source.txt")); err != nil { // get_url has nothing to fetch
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	res := runCLIWith(t, ctx, nil, "-C", r.root, "--apply", "--yes", "--json", "--vault-password-file", r.vaultPass)
	wantExit(t, res, exitFailure)
	evs := dlgEvents(t, res.stdout)
	failed := dlgIndex(evs, func(e dlgEvent) bool {
		return e.Kind == "host_result" && e.Host == "alpha" && e.Status == "failed" &&
			strings.Contains(e.Message, `via ansible: task "Fetch the model card" (playbooks/gpu.yml:10) failed`) && strings.Contains(e.Message, "rolled back")
	})
	rollback := dlgIndex(evs, func(e dlgEvent) bool { return e.Host == "alpha" && e.Step == "rollback" && e.Status == "ok" })
	if failed < 0 || rollback < 0 || rollback > failed {
		t.Errorf("ansible-core %s: no failed host result naming the task after a rollback (result %d, rollback %d)", o.Version, failed, rollback)
	}
	wantFile(t, filepath.Join(r.out, "alpha-vllm.yml"), deployed)
	dlgNoSecret(t, o.Version+": --apply --json", res.stdout+res.stderr)
}

// TestCheckViaAnsibleThroughImportPlaybook: a playbook named on the command
// line that imports the plays: the delegated tasks' play is run from the
// imported playbook that holds it, and each gets Ansible's status.
func TestCheckViaAnsibleThroughImportPlaybook(t *testing.T) {
	o := parity.Oracles(t)[0]
	withAnsible(t, o)
	r := newDlgRepo(t)
	chkWrite(t, r.root, "site.yml", "- import_playbook: playbooks/gpu.yml\n- import_playbook: playbooks/proxy.yml\n")
	res := chkRun(t, "-C", r.root, "--check", "--json", "--vault-password-file", r.vaultPass, filepath.Join(r.root, "site.yml"))
	chkWantExit(t, res, exitChanges)
	var plan fleetplan.Plan
	if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil {
		t.Fatal(err)
	}
	d := delegated(plan, "alpha", "Fetch the model card")
	if d == nil || d.Status != "changed" || d.Playbook != "playbooks/gpu.yml" || plan.Summary.Unsupported != 0 {
		t.Errorf("ansible-core %s: %+v, summary %+v", o.Version, d, plan.Summary)
	}
}
