package apply_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
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
`

// TestApplyWindowsTasksOnTheLab: on the lab's wintermute, whose WinRM
// server interprets the PowerShell straylight sends, the win_service task
// is planned from sc.exe's answer (the helper service is Stopped, manual)
// and --apply changes the lab's service to Running, auto; the win_shell
// task's environment reaches its PowerShell, which writes the value into
// the lab's filesystem; the win_command is skipped by its creates. A
// second plan finds the service as asked.
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

func winTask(files []*fleetplan.FileChange, name string) *fleetplan.FileChange {
	for _, f := range files {
		if f.Task == name {
			return f
		}
	}
	return nil
}
