package ansible

import (
	"slices"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/filemod"
)

// winTasksPlay: win_service, win_shell and win_command as plain tasks,
// with the play's and the task's environment.
const winTasksPlay = `- hosts: all
  gather_facts: false
  environment: {A: play}
  tasks:
    - name: service
      ansible.windows.win_service: {name: "{{ svc }}", state: started, start_mode: auto}
      environment: {B: "{{ inventory_hostname }}", NONE: null}
    - name: shell
      win_shell: Set-Content -LiteralPath C:\out.txt -Value $env:B
      args: {creates: 'C:\out.txt', chdir: 'C:\work'}
      environment: {B: shell}
    - name: command
      ansible.windows.win_command: C:\tools\prep.exe "two words"
      changed_when: false
    - name: absent
      win_service: {name: vllm, state: absent}
`

// TestWindowsTasksArePlannedFromTheHost: each task's arguments reach its
// FileTask with the merged environment (a null value kept as null); a
// state straylight leaves to Ansible is listed with the reason.
func TestWindowsTasksArePlannedFromTheHost(t *testing.T) {
	r := tlRepo(t, winTasksPlay, map[string]string{"inventory/group_vars/all.yml": "svc: vllm\n"}, Options{})
	w, err := r.RenderHost("h1", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 3 {
		t.Fatalf("files %+v, unsupported %+v", w.Files, w.Unsupported)
	}
	svc, sh, cmd := w.Files[0], w.Files[1], w.Files[2]
	if svc.WinService == nil || svc.Dest != "vllm" || svc.WinService.State != "started" || svc.WinService.StartMode != "auto" ||
		len(svc.WinService.Env) != 3 || svc.WinService.Env[0] != (filemod.EnvVar{Name: "A", Value: "play"}) || !svc.WinService.Env[2].Null {
		t.Errorf("win_service: %+v %+v", svc, svc.WinService)
	}
	if sh.WinCommand == nil || !sh.WinCommand.Shell || sh.WinCommand.Creates != `C:\out.txt` || sh.WinCommand.Chdir != `C:\work` ||
		len(sh.WinCommand.Env) != 2 || sh.WinCommand.Env[1].Value != "shell" {
		t.Errorf("win_shell: %+v", sh.WinCommand)
	}
	if cmd.WinCommand == nil || !slices.Equal(cmd.WinCommand.Words, []string{`C:\tools\prep.exe`, "two words"}) || cmd.ChangedWhen == nil || *cmd.ChangedWhen {
		t.Errorf("win_command: %+v", cmd.WinCommand)
	}
	if len(w.Unsupported) != 1 || !strings.Contains(w.Unsupported[0].Reason, `state "absent": straylight runs started, stopped and restarted`) {
		t.Errorf("unsupported %+v", w.Unsupported)
	}
}

// TestWindowsTaskEnvironmentRefusals: a list value is refused with the
// file, line and key (as for POSIX modules), and so is a value with a
// line break, which straylight's PowerShell does not carry.
func TestWindowsTaskEnvironmentRefusals(t *testing.T) {
	for value, want := range map[string]string{
		"[1, 2]":       "playbooks/site.yml:6: environment: environment variable B is a list or a mapping",
		`"two\nlines"`: "playbooks/site.yml:6: environment: environment variable B holds a line break",
	} {
		play := "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: shell\n      win_shell: echo\n      environment: {B: " + value + "}\n"
		_, err := envRender(t, play)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", value, err, want)
		}
	}
}
