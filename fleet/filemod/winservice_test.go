package filemod

import (
	"strings"
	"testing"
)

// scAnswer is sc.exe's output as WinServiceQueryScript collects it, for
// one service.
func scAnswer(name, state, startType string) string {
	return "@@service " + name + "\r\n\r\nSERVICE_NAME: " + name + " \r\n        TYPE               : 10  WIN32_OWN_PROCESS  \r\n" +
		"        STATE              : " + state + " \r\n@@rc 0\r\n[SC] QueryServiceConfig SUCCESS\r\n\r\nSERVICE_NAME: " + name + "\r\n" +
		"        START_TYPE         : " + startType + "\r\n@@rc 0\r\n"
}

func TestWinServiceQueryScriptAndParse(t *testing.T) {
	want := "Write-Output '@@service vllm'\nsc.exe query 'vllm'\nWrite-Output \"@@rc $LASTEXITCODE\"\nsc.exe qc 'vllm'\nWrite-Output \"@@rc $LASTEXITCODE\"\n" +
		"if ($LASTEXITCODE -eq 1060) { sc.exe GetKeyName 'vllm'; Write-Output \"@@rc $LASTEXITCODE\" }\nexit 0\n"
	if got := WinServiceQueryScript([]string{"vllm"}); got != want {
		t.Errorf("query script:\n%s\nwant:\n%s", got, want)
	}
	out := scAnswer("vllm", "4  RUNNING", "2   AUTO_START  (DELAYED)") + scAnswer("helper", "1  STOPPED", "3   DEMAND_START") +
		"@@service gone\r\n[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n@@rc 1060\r\n[SC] OpenService FAILED 1060:\r\n@@rc 1060\r\n" +
		"@@service locked\r\n[SC] OpenService FAILED 5:\r\n\r\nAccess is denied.\r\n@@rc 5\r\n@@rc 5\r\n" +
		"@@service vLLM Helper\r\n" + scNoService + "@@rc 1060\r\n" + scNoService + "@@rc 1060\r\n[SC] GetServiceKeyName SUCCESS\r\nName = vllm-helper\r\n@@rc 0\r\n" +
		"@@service nowhere\r\n" + scNoService + "@@rc 1060\r\n" + scNoService + "@@rc 1060\r\n[SC] GetServiceKeyName FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n@@rc 1060\r\n"
	states, sections, err := ParseWinServiceQuery(out)
	if err != nil {
		t.Fatal(err)
	}
	wantStates := map[string]WinServiceState{
		"vllm":   {Installed: true, Status: "Running", StartMode: "delayed"},
		"helper": {Installed: true, Status: "Stopped", StartMode: "manual"},
		"gone":   {},
		"locked": {Installed: true, Failure: "sc.exe exited 5, 5: [SC] OpenService FAILED 5:"},
		// a display name: the service's name, asked about next
		"vLLM Helper": {KeyName: "vllm-helper"},
		"nowhere":     {},
	}
	for name, w := range wantStates {
		if states[name] != w || sections[name] == "" {
			t.Errorf("%s: %+v, want %+v", name, states[name], w)
		}
	}
	if keys := WinServiceKeyNames(states); len(keys) != 1 || keys["vLLM Helper"] != "vllm-helper" {
		t.Errorf("key names: %v", keys)
	}
	for _, bad := range []string{"@@service x\r\nnothing\r\n", "@@service x\r\n@@rc 1060\r\n@@rc 1060\r\n[SC] GetServiceKeyName SUCCESS\r\n@@rc 0\r\n",
		"@@service x\r\n@@rc 1060\r\n@@rc 1060\r\nName = it's\r\n@@rc 0\r\n", "@@service x\r\n@@rc 0\r\n@@rc x\r\n"} {
		if _, _, err := ParseWinServiceQuery(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// scNoService is sc.exe's answer for a name no service has (the lab's,
// remote/sim/ps_services.go).
const scNoService = "[SC] OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n"

// TestWinServiceDecides: win_service.ps1's Set-ServiceStartMode and
// Set-ServiceState (:758-869 at a1e2a842) against each state.
func TestWinServiceDecides(t *testing.T) {
	running := WinServiceState{Installed: true, Status: "Running", StartMode: "auto"}
	stopped := WinServiceState{Installed: true, Status: "Stopped", StartMode: "manual"}
	paused := WinServiceState{Installed: true, Status: "Paused", StartMode: "auto"}
	tests := []struct {
		args    WinServiceArgs
		st      WinServiceState
		actions string
		summary string
		script  string
	}{
		{WinServiceArgs{Name: "vllm", State: "started"}, running, "", "ok (Running, auto)", ""},
		{WinServiceArgs{Name: "vllm", State: "started"}, stopped, "start", "start (Stopped → Running)", "Start-Service -Name 'vllm' -ErrorAction Stop\n"},
		{WinServiceArgs{Name: "vllm", State: "started"}, paused, "resume", "resume (Paused → Running)", "Resume-Service -Name 'vllm' -ErrorAction Stop\n"},
		{WinServiceArgs{Name: "vllm", State: "stopped", Force: true}, running, "stop", "stop (Running → Stopped)", "Stop-Service -Name 'vllm' -Force -ErrorAction Stop\n"},
		{WinServiceArgs{Name: "vllm", State: "stopped"}, stopped, "", "ok (Stopped, manual)", ""},
		{WinServiceArgs{Name: "vllm", State: "restarted"}, running, "restart", "restart (Running → Running)", "Restart-Service -Name 'vllm' -ErrorAction Stop\n"},
		{WinServiceArgs{Name: "vllm", StartMode: "disabled"}, running, "start_mode disabled", "start_mode disabled (auto → disabled)",
			"sc.exe config 'vllm' start= disabled\nif ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\n"},
		{WinServiceArgs{Name: "vllm", StartMode: "delayed", State: "started", Env: []EnvVar{{Name: "A", Value: "it's"}}}, stopped, "start_mode delayed,start", "start_mode delayed, start (Stopped → Running)",
			"[System.Environment]::SetEnvironmentVariable('A', 'it''s')\nsc.exe config 'vllm' start= delayed-auto\nif ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\nStart-Service -Name 'vllm' -ErrorAction Stop\n"},
		{WinServiceArgs{Name: "vllm", StartMode: "auto", State: "started"}, running, "", "ok (Running, auto)", ""},
	}
	for _, tc := range tests {
		res, err := WinService(tc.args, tc.st)
		if err != nil {
			t.Fatalf("%+v: %v", tc.args, err)
		}
		script := WinServiceScript(tc.args, res.Actions)
		if strings.Join(res.Actions, ",") != tc.actions || res.Changed != (tc.actions != "") || res.Describe() != tc.summary || script != tc.script {
			t.Errorf("%+v on %+v: %q changed=%v %q\n%s", tc.args, tc.st, res.Actions, res.Changed, res.Describe(), script)
		}
	}
	_, err := WinService(WinServiceArgs{Name: "gone", State: "started"}, WinServiceState{})
	if err == nil || err.Error() != "Service 'gone' is not installed, need to set 'path' to create a new service" {
		t.Errorf("a missing service: %v", err)
	}
}

func TestParseWinServiceArgsRefuses(t *testing.T) {
	if a, err := ParseWinServiceArgs(map[string]any{"name": "Intel(R) Model Helper", "state": "started"}); err != nil || a.Name != "Intel(R) Model Helper" {
		t.Errorf("a display name with parentheses: %+v %v", a, err)
	}
	for args, want := range map[string]map[string]any{
		`argument "path" of win_service is not supported`: {"name": "x", "state": "started", "path": `C:\x.exe`},
		"name is required":                                   {"state": "started"},
		`not a service name`:                                 {"name": "v*", "state": "started"},
		`state "paused": straylight runs`:                    {"name": "x", "state": "paused"},
		`start_mode "boot" is not one of`:                    {"name": "x", "start_mode": "boot"},
		"neither state nor start_mode":                       {"name": "x"},
		`force_dependent_services: "maybe" is not a boolean`: {"name": "x", "state": "stopped", "force_dependent_services": "maybe"},
	} {
		if _, err := ParseWinServiceArgs(want); err == nil || !strings.Contains(err.Error(), args) {
			t.Errorf("%v: %v, want %q", want, err, args)
		}
	}
}

func TestWinCommandScripts(t *testing.T) {
	a, err := ParseWinCommandArgs(false, `C:\tools\prep.exe --model "Qwen 7B" -v`, map[string]any{"chdir": `C:\work`, "creates": `C:\work\done`})
	if err != nil {
		t.Fatal(err)
	}
	a.Env = []EnvVar{{Name: "TOKEN", Value: "s'cret"}, {Name: "OLD", Null: true, Value: "None"}}
	want := "[System.Environment]::SetEnvironmentVariable('TOKEN', 's''cret')\n[System.Environment]::SetEnvironmentVariable('OLD', $null)\n" +
		"if (Test-Path -LiteralPath 'C:\\work\\done') { Write-Output 'skipped: creates'; exit 0 }\n" +
		"Set-Location -LiteralPath 'C:\\work' -ErrorAction Stop\n$ErrorActionPreference = 'Stop'\n& 'C:\\tools\\prep.exe' '--model' 'Qwen 7B' '-v'\n"
	if got := a.RunScript(); got != want {
		t.Errorf("win_command run script:\n%s\nwant:\n%s", got, want)
	}
	if got := a.GuardScript(); got != "if (Test-Path -LiteralPath 'C:\\work\\done') { Write-Output 'creates'; exit 0 }\nWrite-Output 'run'\nexit 0\n" {
		t.Errorf("guard script:\n%s", got)
	}
	if a.Skipped("creates\r\n") != `skipped, since C:\work\done exists` || a.Skipped("run\r\n") != "" {
		t.Error("Skipped misreads the guard's answer")
	}
	sh, err := ParseWinCommandArgs(true, "Write-Output $env:TOKEN\n", map[string]any{"removes": `C:\x`})
	if err != nil || sh.RunScript() != "if (-not (Test-Path -LiteralPath 'C:\\x')) { Write-Output 'skipped: removes'; exit 0 }\nWrite-Output $env:TOKEN\n" {
		t.Errorf("win_shell run script %v:\n%s", err, sh.RunScript())
	}
	for line, args := range map[string]map[string]any{
		`prog "a\"b"`: nil,
		`prog "open`:  nil,
		"prog":        {"creates": `C:\%TEMP%\x`},
		"prog ":       {"stdin": "x"},
		"":            nil,
	} {
		if _, err := ParseWinCommandArgs(false, line, args); err == nil {
			t.Errorf("%q %v: accepted", line, args)
		}
	}
	if err := CheckPSEnv([]EnvVar{{Name: "A", Value: "two\nlines"}}); err == nil {
		t.Error("a line break in an environment value was accepted")
	}
}
