package apply_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// winTasksPlaybook adds plain Windows tasks to the seed's Windows play,
// after its role: a win_service task, a win_shell task writing its
// environment's value into a file, and a win_command its creates skips.
const winTasksPlaybook = `- name: Deploy vLLM on the Windows GPU hosts
  hosts: windows_vllm
  gather_facts: false
  roles:
    - windows-vllm-deploy
  tasks:
    - name: Run the model helper
      ansible.windows.win_service: {name: vllm-helper, state: started, start_mode: auto}
    - name: Note the helper's token
      ansible.windows.win_shell: Set-Content -LiteralPath '{{ vllm_base_dir }}\helper-token.txt' -Value $env:HELPER_TOKEN
      args: {chdir: "{{ vllm_base_dir }}"}
      environment: {HELPER_TOKEN: "tok-{{ inventory_hostname }}"}
    - name: Only once
      ansible.windows.win_command: hostname
      args: {creates: "{{ vllm_base_dir }}\\config.yml"}
    - name: Say the host's name
      win_command: hostname
`

// TestApplyWindowsTasksOnTheLab: on the lab's wintermute, whose WinRM
// server interprets the PowerShell straylight sends, the win_service task
// is planned from sc.exe's answer (the helper service is Stopped, manual)
// and --apply changes the lab's service to Running, auto; the win_shell
// task's environment reaches its PowerShell, which writes the value into
// the lab's filesystem; one win_command is skipped by its creates, the
// other runs. A second plan finds the service as asked.
func TestApplyWindowsTasksOnTheLab(t *testing.T) {
	d := startLab(t)
	d.Lab.WinRM("wintermute").SetService(sim.WindowsService{Name: "vllm-helper", Status: "Stopped", StartMode: "manual"})
	path := filepath.Join(d.Dir, "playbooks", "windows-vllm-deploy.yml")
	if err := os.WriteFile(path, []byte(winTasksPlaybook), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, plan := planLimited(t, d.Dir, "wintermute")
	files := plan.Host("wintermute").Files
	svc, shell, cmd := winTask(files, "Run the model helper"), winTask(files, "Note the helper's token"), winTask(files, "Only once")
	if svc == nil || svc.Action != fleetplan.ActionUpdate || svc.Service.Summary != "start_mode auto, start (Stopped → Running)" {
		t.Fatalf("the win_service task: %+v (unsupported %+v)", svc, plan.Host("wintermute").Unsupported)
	}
	if shell == nil || shell.Action != fleetplan.ActionUpdate || cmd == nil || cmd.Action != fleetplan.ActionNone ||
		cmd.Command.Summary != `skipped, since C:\Users\mdt\dev\wintermute\config.yml exists` {
		t.Fatalf("the command tasks: %+v %+v", shell, cmd)
	}
	run := applyPlan(t, context.Background(), repo, plan, apply.Options{}, nil)
	wantResult(t, run.evs, "wintermute", "ok")
	services := d.Lab.WinRM("wintermute").Services()
	if !hasStep(run.evs, "wintermute", apply.StepWrite, apply.StatusOK, "win_command hostname") {
		t.Errorf("no event of the win_command that runs: %+v", run.evs)
	}
	if !slices.Contains(services, sim.WindowsService{Name: "vllm-helper", Status: "Running", StartMode: "auto"}) {
		t.Errorf("the lab's services after the apply: %+v", services)
	}
	if got, _ := d.Lab.FS("wintermute").ReadFile(`C:\Users\mdt\dev\wintermute\helper-token.txt`); string(got) != "tok-wintermute\r\n" {
		t.Errorf("helper-token.txt holds %q", got)
	}
	_, again := planLimited(t, d.Dir, "wintermute")
	if svc := winTask(again.Host("wintermute").Files, "Run the model helper"); svc == nil || svc.Action != fleetplan.ActionNone || svc.Service.Summary != "ok (Running, auto)" {
		t.Errorf("the second plan's win_service task: %+v", svc)
	}
}

// TestApplyWinServiceByDisplayNameOnTheLab: a win_service task and a
// win_service handler name their services by display name, as
// win_service.ps1 finds them (Get-ServiceFromName, :264-283 at
// a1e2a842): the plan finds the helper's name through sc.exe GetKeyName
// on the lab and acts on it, the handler's Restart-Service -Name takes the
// display name as Windows PowerShell's cmdlets do, and the lab's services
// change; a second plan finds the helper as asked.
func TestApplyWinServiceByDisplayNameOnTheLab(t *testing.T) {
	d := startLab(t)
	wm := d.Lab.WinRM("wintermute")
	wm.SetService(sim.WindowsService{Name: "vllm-helper", DisplayName: "vLLM Helper", Status: "Stopped", StartMode: "manual"})
	wm.SetService(sim.WindowsService{Name: "model-cache", DisplayName: "Model Cache", Status: "Running", StartMode: "auto"})
	playbook := "- hosts: windows_vllm\n  gather_facts: false\n  roles: [windows-vllm-deploy]\n  tasks:\n" +
		"    - name: Run the model helper\n      ansible.windows.win_service: {name: vLLM Helper, state: started}\n      notify: stop the cache\n" +
		"  handlers:\n    - name: stop the cache\n      ansible.windows.win_service: {name: Model Cache, state: stopped}\n"
	if err := os.WriteFile(filepath.Join(d.Dir, "playbooks", "windows-vllm-deploy.yml"), []byte(playbook), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, plan := planLimited(t, d.Dir, "wintermute")
	svc, hs := winTask(plan.Host("wintermute").Files, "Run the model helper"), plan.Host("wintermute").Handlers
	if svc == nil || svc.Service.Unit != "vllm-helper" || svc.Service.Summary != "service vllm-helper: start (Stopped → Running)" || svc.Script != "Start-Service -Name 'vllm-helper' -ErrorAction Stop\n" {
		t.Fatalf("the win_service task: %+v (unsupported %+v)", svc, plan.Host("wintermute").Unsupported)
	}
	if len(hs) != 2 || hs[1].Command != "Stop-Service -Name 'Model Cache' -ErrorAction Stop" {
		t.Fatalf("handlers %+v", hs)
	}
	run := applyPlan(t, context.Background(), repo, plan, apply.Options{}, nil)
	wantResult(t, run.evs, "wintermute", "ok")
	services := wm.Services()
	for _, want := range []sim.WindowsService{{Name: "vllm-helper", DisplayName: "vLLM Helper", Status: "Running", StartMode: "manual"},
		{Name: "model-cache", DisplayName: "Model Cache", Status: "Stopped", StartMode: "auto"}} {
		if !slices.Contains(services, want) {
			t.Errorf("the lab's services after the apply: %+v, want %+v among them", services, want)
		}
	}
	_, again := planLimited(t, d.Dir, "wintermute")
	if svc := winTask(again.Host("wintermute").Files, "Run the model helper"); svc == nil || svc.Action != fleetplan.ActionNone || svc.Service.Summary != "service vllm-helper: ok (Running, manual)" {
		t.Errorf("the second plan's win_service task: %+v", svc)
	}
}

func winTask(files []*fleetplan.FileChange, name string) *fleetplan.FileChange {
	for _, f := range files {
		if f.Task == name {
			return f
		}
	}
	return nil
}

// winWire is a WinRM host's transport for the wire tests: it answers
// scripts by their first line and records every command sent.
type winWire struct {
	mu      sync.Mutex
	sent    []remote.Command
	answers map[string]string
}

func (f *winWire) Run(_ context.Context, cmd remote.Command) (remote.CommandResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, cmd)
	first, _, _ := strings.Cut(cmd.Script, "\n")
	return remote.CommandResult{Stdout: f.answers[first]}, nil
}
func (f *winWire) ReadFile(context.Context, string) (remote.FileState, error) {
	return remote.FileState{}, nil
}
func (f *winWire) WriteFile(context.Context, string, []byte) (remote.WriteResult, error) {
	return remote.WriteResult{}, errors.New("no file is written in this test")
}
func (f *winWire) Snapshot(context.Context, string) (remote.HostSnapshot, error) {
	return remote.HostSnapshot{}, nil
}
func (f *winWire) Describe() string { return "winrm wire" }
func (f *winWire) Close() error     { return nil }

// TestApplyWindowsTasksOnTheWire: --apply sends, in task order and in
// PowerShell, sc.exe's query again (the service is as planned), the
// win_service task's script, then the win_shell task's script with its
// environment set first and its creates tested again — each exactly.
func TestApplyWindowsTasksOnTheWire(t *testing.T) {
	root := t.TempDir()
	parity.WriteTree(t, root, map[string]string{
		"inventory.yml": "all:\n  hosts:\n    wm:\n      ansible_connection: winrm\n      ansible_host: 127.0.0.1\n      ansible_user: mdt\n      ansible_password: pw\n",
		"ansible.cfg":   "[defaults]\ninventory = inventory.yml\n",
		"site.yml": "- hosts: wm\n  gather_facts: false\n  tasks:\n" +
			"    - {name: svc, win_service: {name: helper, state: restarted, force_dependent_services: true}}\n" +
			"    - name: sh\n      win_shell: Set-Content -LiteralPath C:\\o.txt -Value $env:X\n      args: {creates: 'C:\\done'}\n      environment: {X: \"a'b\"}\n",
	})
	query := "Write-Output '@@service helper'\nsc.exe query 'helper'\nWrite-Output \"@@rc $LASTEXITCODE\"\nsc.exe qc 'helper'\nWrite-Output \"@@rc $LASTEXITCODE\"\n" +
		"if ($LASTEXITCODE -eq 1060) { sc.exe GetKeyName 'helper'; Write-Output \"@@rc $LASTEXITCODE\" }\nexit 0\n"
	wire := &winWire{answers: map[string]string{
		"Write-Output '@@service helper'":                                           "@@service helper\r\n        STATE              : 4  RUNNING\r\n@@rc 0\r\n        START_TYPE         : 2   AUTO_START\r\n@@rc 0\r\n",
		"if (Test-Path -LiteralPath 'C:\\done') { Write-Output 'creates'; exit 0 }": "run\r\n",
	}}
	transports := func(fleetplan.Connection) (remote.Transport, error) { return wire, nil }
	repo, err := ansible.Open(ansible.Options{Repo: root})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := (&fleetplan.Planner{Repo: repo, Transports: transports}).Plan(context.Background())
	if err != nil || len(plan.Host("wm").Files) != 2 {
		t.Fatalf("plan: %v %+v", err, plan.Host("wm"))
	}
	wire.sent = nil
	sum, err := (&apply.Engine{Repo: repo, Transports: transports}).Apply(context.Background(), plan, (&recorder{}).observe)
	if err != nil || sum.OK != 1 {
		t.Fatalf("apply: %v %+v", err, sum)
	}
	want := []string{query, "Restart-Service -Name 'helper' -Force -ErrorAction Stop\n",
		"[System.Environment]::SetEnvironmentVariable('X', 'a''b')\nif (Test-Path -LiteralPath 'C:\\done') { Write-Output 'skipped: creates'; exit 0 }\nSet-Content -LiteralPath C:\\o.txt -Value $env:X\n"}
	if len(wire.sent) != len(want) {
		t.Fatalf("sent %d commands, want %d: %+v", len(wire.sent), len(want), wire.sent)
	}
	for i, w := range want {
		if wire.sent[i].Script != w || wire.sent[i].Shell != remote.PowerShell {
			t.Errorf("command %d: %s %q, want powershell %q", i, wire.sent[i].Shell, wire.sent[i].Script, w)
		}
	}
}

// TestApplyWinServiceByDisplayNameOnTheWire: a task naming the service
// by display name is applied by the service's name: --apply asks sc.exe
// about 'helper' (not the display name) to see it is as planned, then
// starts 'helper'.
func TestApplyWinServiceByDisplayNameOnTheWire(t *testing.T) {
	root := t.TempDir()
	parity.WriteTree(t, root, map[string]string{
		"inventory.yml": "all:\n  hosts:\n    wm:\n      ansible_connection: winrm\n      ansible_host: 127.0.0.1\n      ansible_user: mdt\n      ansible_password: pw\n",
		"ansible.cfg":   "[defaults]\ninventory = inventory.yml\n",
		"site.yml":      "- hosts: wm\n  gather_facts: false\n  tasks:\n    - {name: svc, win_service: {name: vLLM Helper, state: started}}\n",
	})
	helper := "@@service helper\r\n        STATE              : 1  STOPPED\r\n@@rc 0\r\n        START_TYPE         : 3   DEMAND_START\r\n@@rc 0\r\n"
	wire := &winWire{answers: map[string]string{
		"Write-Output '@@service vLLM Helper'": "@@service vLLM Helper\r\n@@rc 1060\r\n@@rc 1060\r\n[SC] GetServiceKeyName SUCCESS\r\nName = helper\r\n@@rc 0\r\n",
		"Write-Output '@@service helper'":      helper,
	}}
	transports := func(fleetplan.Connection) (remote.Transport, error) { return wire, nil }
	repo, err := ansible.Open(ansible.Options{Repo: root})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := (&fleetplan.Planner{Repo: repo, Transports: transports}).Plan(context.Background())
	if err != nil || len(plan.Host("wm").Files) != 1 {
		t.Fatalf("plan: %v %+v", err, plan.Host("wm"))
	}
	wire.sent = nil
	sum, err := (&apply.Engine{Repo: repo, Transports: transports}).Apply(context.Background(), plan, (&recorder{}).observe)
	if err != nil || sum.OK != 1 {
		t.Fatalf("apply: %v %+v", err, sum)
	}
	want := []string{"Write-Output '@@service helper'", "Start-Service -Name 'helper' -ErrorAction Stop"}
	if len(wire.sent) != len(want) {
		t.Fatalf("sent %+v, want %q", wire.sent, want)
	}
	for i, w := range want {
		if first, _, _ := strings.Cut(wire.sent[i].Script, "\n"); first != w {
			t.Errorf("command %d: %q, want %q first", i, wire.sent[i].Script, w)
		}
	}
}

// TestApplyWinServiceChangedSincePlan: a service sc.exe answers about
// otherwise at apply time than at plan time is not acted on: the host
// fails with "plan again" and no cmdlet is sent.
func TestApplyWinServiceChangedSincePlan(t *testing.T) {
	root := t.TempDir()
	parity.WriteTree(t, root, map[string]string{
		"inventory.yml": "all:\n  hosts:\n    wm:\n      ansible_connection: winrm\n      ansible_host: 127.0.0.1\n      ansible_user: mdt\n      ansible_password: pw\n",
		"ansible.cfg":   "[defaults]\ninventory = inventory.yml\n",
		"site.yml":      "- hosts: wm\n  gather_facts: false\n  tasks:\n    - {name: svc, win_service: {name: helper, state: started}}\n",
	})
	first := "Write-Output '@@service helper'"
	wire := &winWire{answers: map[string]string{first: "@@service helper\r\n        STATE              : 1  STOPPED\r\n@@rc 0\r\n        START_TYPE         : 3   DEMAND_START\r\n@@rc 0\r\n"}}
	transports := func(fleetplan.Connection) (remote.Transport, error) { return wire, nil }
	repo, err := ansible.Open(ansible.Options{Repo: root})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := (&fleetplan.Planner{Repo: repo, Transports: transports}).Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wire.answers[first] = strings.Replace(wire.answers[first], "1  STOPPED", "4  RUNNING", 1)
	wire.sent = nil
	rec := &recorder{}
	if _, err := (&apply.Engine{Repo: repo, Transports: transports}).Apply(context.Background(), plan, rec.observe); err != nil {
		t.Fatal(err)
	}
	wantResult(t, rec.events(), "wm", "failed", "service helper changed on the host since the plan: plan again")
	if len(wire.sent) != 1 {
		t.Errorf("sent %+v, want the query alone", wire.sent)
	}
}
