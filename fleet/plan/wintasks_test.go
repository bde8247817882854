package plan_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/vault"
	"github.com/straylight-fleet/straylight/internal/parity"
	"github.com/straylight-fleet/straylight/remote"
)

// winFake is a WinRM host's transport that answers scripts from a table
// (by the script's first line) and records every command sent.
type winFake struct {
	mu      sync.Mutex
	sent    []remote.Command
	answers map[string]remote.CommandResult
}

func (f *winFake) Run(_ context.Context, cmd remote.Command) (remote.CommandResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, cmd)
	first, _, _ := strings.Cut(cmd.Script, "\n")
	return f.answers[first], nil
}
func (f *winFake) ReadFile(context.Context, string) (remote.FileState, error) {
	return remote.FileState{}, nil
}
func (f *winFake) WriteFile(context.Context, string, []byte) (remote.WriteResult, error) {
	return remote.WriteResult{}, nil
}
func (f *winFake) Snapshot(context.Context, string) (remote.HostSnapshot, error) {
	return remote.HostSnapshot{}, nil
}
func (f *winFake) Describe() string { return "fake winrm" }
func (f *winFake) Close() error     { return nil }

// scSection is sc.exe's answer about one service as the query script
// collects it.
func scSection(name, state, startType string) string {
	return "@@service " + name + "\r\n\r\nSERVICE_NAME: " + name + "\r\n        STATE              : " + state + "\r\n@@rc 0\r\n" +
		"[SC] QueryServiceConfig SUCCESS\r\n\r\nSERVICE_NAME: " + name + "\r\n        START_TYPE         : " + startType + "\r\n@@rc 0\r\n"
}

// scQuery is WinServiceQueryScript's lines for one service.
func scQuery(name string) string {
	return "Write-Output '@@service " + name + "'\nsc.exe query '" + name + "'\nWrite-Output \"@@rc $LASTEXITCODE\"\nsc.exe qc '" + name + "'\nWrite-Output \"@@rc $LASTEXITCODE\"\n" +
		"if ($LASTEXITCODE -eq 1060) { sc.exe GetKeyName '" + name + "'; Write-Output \"@@rc $LASTEXITCODE\" }\n"
}

// scByDisplayName is sc.exe's answers about a name that is a service's
// display name alone: query and qc find no service, GetKeyName names it.
func scByDisplayName(name, key string) string {
	none := "[SC] OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n"
	return "@@service " + name + "\r\n" + none + "@@rc 1060\r\n" + none + "@@rc 1060\r\n[SC] GetServiceKeyName SUCCESS\r\nName = " + key + "\r\n@@rc 0\r\n"
}

// TestWinServiceByDisplayName: a win_service task may name the service
// by its display name, as win_service.ps1's Get-ServiceFromName finds it
// (:264-283 at a1e2a842): the first query's GetKeyName gives the
// service's name, a second query asks about the services found so that
// no task names by their name (the exact scripts asserted), and the
// tasks act on the service's name; a task naming it by display name and
// one naming it by name share its state.
func TestWinServiceByDisplayName(t *testing.T) {
	root := t.TempDir()
	parity.WriteTree(t, root, map[string]string{
		"inventory.yml": "all:\n  hosts:\n    wm:\n      ansible_connection: winrm\n      ansible_host: 127.0.0.1\n      ansible_user: mdt\n      ansible_password: pw\n",
		"ansible.cfg":   "[defaults]\ninventory = inventory.yml\n",
		"site.yml": "- hosts: wm\n  gather_facts: false\n  tasks:\n" +
			"    - {name: by display name, win_service: {name: vLLM Helper, state: started}}\n" +
			"    - {name: by name, win_service: {name: helper, state: started, start_mode: auto}}\n" +
			"    - {name: cache by display name, win_service: {name: Model Cache, state: stopped, force_dependent_services: true}}\n",
	})
	first := scQuery("vLLM Helper") + scQuery("helper") + scQuery("Model Cache") + "exit 0\n"
	second := scQuery("cache") + "exit 0\n"
	fake := &winFake{answers: map[string]remote.CommandResult{
		"Write-Output '@@service vLLM Helper'": {Stdout: scByDisplayName("vLLM Helper", "helper") + scSection("helper", "1  STOPPED", "3   DEMAND_START") + scByDisplayName("Model Cache", "cache")},
		"Write-Output '@@service cache'":       {Stdout: scSection("cache", "4  RUNNING", "2   AUTO_START")},
	}}
	p := &fleetplan.Planner{Repo: parity.Open(t, root, ""), Transports: func(fleetplan.Connection) (remote.Transport, error) { return fake, nil }}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.sent) != 2 || fake.sent[0].Script != first || fake.sent[1].Script != second {
		t.Fatalf("sent %+v", fake.sent)
	}
	wm := plan.Host("wm")
	want := []struct{ unit, summary, script string }{
		{"helper", "service helper: start (Stopped → Running)", "Start-Service -Name 'helper' -ErrorAction Stop\n"},
		{"helper", "start_mode auto (manual → auto)", "sc.exe config 'helper' start= auto\nif ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\n"},
		{"cache", "service cache: stop (Running → Stopped)", "Stop-Service -Name 'cache' -Force -ErrorAction Stop\n"},
	}
	if len(wm.Files) != len(want) || len(wm.Unsupported) > 0 {
		t.Fatalf("files %+v, unsupported %+v", wm.Files, wm.Unsupported)
	}
	for i, w := range want {
		f := wm.Files[i]
		if f.Service == nil || f.Service.Unit != w.unit || f.Service.Summary != w.summary || f.Script != w.script || f.Action != fleetplan.ActionUpdate {
			t.Errorf("task %d: %+v %+v", i, f, f.Service)
		}
	}
	if wm.Files[0].OldSHA256 == "" || wm.Files[1].OldSHA256 != "" || wm.Files[2].OldSHA256 == "" {
		t.Errorf("staleness hashes: helper's answer on its first task only, cache's on its task: %q %q %q", wm.Files[0].OldSHA256, wm.Files[1].OldSHA256, wm.Files[2].OldSHA256)
	}
}

const winTasksRepoPlay = `- hosts: wm
  gather_facts: false
  tasks:
    - name: Start the helper
      ansible.windows.win_service: {name: helper, state: started, start_mode: auto}
      notify: note
    - name: Keep vLLM running
      win_service: {name: vllm, state: started}
    - name: Stop it again
      win_service: {name: helper, state: stopped}
    - name: A missing service
      win_service: {name: gone, state: restarted}
    - name: Write the token
      win_shell: Set-Content -LiteralPath C:\app\token.txt -Value $env:TOKEN
      args: {chdir: 'C:\app'}
      environment: {TOKEN: "{{ vault_token }}", MODE: "it's"}
    - name: Prepare once
      win_command: C:\tools\prep.exe --all
      args: {creates: 'C:\app\prepared'}
    - name: As another user
      win_shell: whoami
      become: true
  handlers:
    - name: note
      win_shell: Write-Output noted
`

// TestWindowsTasksPlannedOverWinRM: win_service tasks are planned from
// one sc.exe round trip for every service the host's tasks name (the
// exact script asserted), each deciding from the state the tasks before
// it leave; a missing service is the module's failure at its file:line;
// a changed task notifies its handler; a win_shell task's script sets its
// environment first, its vaulted value masked in the plan and present in
// the script the apply runs; a win_command with creates is tested on the
// host first (its guard script asserted) and skipped as the module skips;
// a task asking for become (runas) is listed, not run as the WinRM user.
func TestWindowsTasksPlannedOverWinRM(t *testing.T) {
	root := t.TempDir()
	secret, err := vault.Encrypt([]byte("vault_token: tok-S3CRET-42\n"), []byte("pw-win"), "")
	if err != nil {
		t.Fatal(err)
	}
	parity.WriteTree(t, root, map[string]string{
		"ansible.cfg":              "[defaults]\ninventory = inventory.yml\nvault_password_file = vault-pass.txt\n",
		"vault-pass.txt":           "pw-win\n",
		"inventory.yml":            "all:\n  hosts:\n    wm:\n      ansible_connection: winrm\n      ansible_host: 127.0.0.1\n      ansible_user: mdt\n      ansible_password: pw\n",
		"group_vars/all/vault.yml": string(secret),
		"site.yml":                 winTasksRepoPlay,
	})
	query := scQuery("helper") + scQuery("vllm") + scQuery("gone") + "exit 0\n"
	guard := "if (Test-Path -LiteralPath 'C:\\app\\prepared') { Write-Output 'creates'; exit 0 }\nWrite-Output 'run'\nexit 0\n"
	fake := &winFake{answers: map[string]remote.CommandResult{
		"Write-Output '@@service helper'": {Stdout: scSection("helper", "1  STOPPED", "3   DEMAND_START") + scSection("vllm", "4  RUNNING", "2   AUTO_START") +
			"@@service gone\r\n[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n@@rc 1060\r\n[SC] OpenService FAILED 1060:\r\n@@rc 1060\r\n" +
			"[SC] GetServiceKeyName FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n@@rc 1060\r\n"},
		"if (Test-Path -LiteralPath 'C:\\app\\prepared') { Write-Output 'creates'; exit 0 }": {Stdout: "creates\r\n"},
	}}
	p := &fleetplan.Planner{Repo: parity.Open(t, root, ""), Transports: func(fleetplan.Connection) (remote.Transport, error) { return fake, nil }}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wm := plan.Host("wm")
	if len(fake.sent) != 2 || fake.sent[0].Script != query || fake.sent[0].Shell != remote.PowerShell || fake.sent[1].Script != guard || fake.sent[1].Shell != remote.PowerShell {
		t.Fatalf("sent %+v", fake.sent)
	}
	if len(wm.Files) != 5 {
		t.Fatalf("files %+v, unsupported %+v", wm.Files, wm.Unsupported)
	}
	want := []struct {
		summary, script string
		action          fleetplan.Action
	}{
		{"start_mode auto, start (Stopped → Running)", "sc.exe config 'helper' start= auto\nif ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\nStart-Service -Name 'helper' -ErrorAction Stop\n", fleetplan.ActionUpdate},
		{"ok (Running, auto)", "", fleetplan.ActionNone},
		{"stop (Running → Stopped)", "Stop-Service -Name 'helper' -ErrorAction Stop\n", fleetplan.ActionUpdate},
	}
	for i, w := range want {
		f := wm.Files[i]
		if f.Service == nil || f.Service.Summary != w.summary || f.Script != w.script || f.Action != w.action {
			t.Errorf("task %d: %+v %+v", i, f, f.Service)
		}
	}
	if wm.Files[0].OldSHA256 == "" || wm.Files[2].OldSHA256 != "" {
		t.Errorf("staleness hashes: the first task on helper keeps sc.exe's answer, the second (after it) none: %q %q", wm.Files[0].OldSHA256, wm.Files[2].OldSHA256)
	}
	if len(wm.Unsupported) != 2 || wm.Unsupported[0].At.String() != "site.yml:11" ||
		wm.Unsupported[0].Reason != "win_service would fail: Service 'gone' is not installed, need to set 'path' to create a new service" ||
		!strings.Contains(wm.Unsupported[1].Reason, "become on win_shell: straylight runs Windows tasks as the WinRM user") {
		t.Errorf("unsupported %+v", wm.Unsupported)
	}
	if len(wm.Handlers) != 1 || wm.Handlers[0].Name != "note" {
		t.Errorf("handlers %+v", wm.Handlers)
	}
	shell, cmd := wm.Files[3], wm.Files[4]
	runs := "[System.Environment]::SetEnvironmentVariable('MODE', 'it''s')\n[System.Environment]::SetEnvironmentVariable('TOKEN', 'tok-S3CRET-42')\n" +
		"Set-Location -LiteralPath 'C:\\app' -ErrorAction Stop\nSet-Content -LiteralPath C:\\app\\token.txt -Value $env:TOKEN\n"
	if shell.Command == nil || !shell.Command.Runs || shell.Action != fleetplan.ActionUpdate || shell.RunScript() != runs ||
		shell.Script != strings.Replace(runs, "tok-S3CRET-42", fleetplan.SecretMask, 1) {
		t.Errorf("win_shell: %+v\n%s", shell, shell.RunScript())
	}
	if cmd.Command == nil || cmd.Command.Runs || cmd.Command.Summary != `skipped, since C:\app\prepared exists` || cmd.Action != fleetplan.ActionNone {
		t.Errorf("win_command: %+v %+v", cmd, cmd.Command)
	}
	var human, js strings.Builder
	plan.WriteHuman(&human, io.Discard)
	if err := plan.WriteJSON(&js); err != nil || strings.Contains(human.String()+js.String(), "tok-S3CRET-42") {
		t.Errorf("the plan shows the vaulted value (%v)", err)
	}
	for _, line := range []string{"TASK [Start the helper] win_service helper: start_mode auto, start (Stopped → Running)\nchanged: [wm]",
		"TASK [Keep vLLM running] win_service vllm: ok (Running, auto)\nok: [wm]",
		"TASK [Prepare once] win_command \"C:\\\\tools\\\\prep.exe --all\": skipped, since C:\\app\\prepared exists\nskipping: [wm]"} {
		if !strings.Contains(human.String(), line) {
			t.Errorf("the plan lacks %q:\n%s", line, human.String())
		}
	}
}
