package sim

import (
	"strings"
	"testing"
)

// TestPSServicesChangeState: sc.exe and the *-Service cmdlets read and
// change the host's services; a disabled service does not start, a
// missing one is sc.exe's 1060 and the cmdlet's "no such service".
func TestPSServicesChangeState(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	h.services = newPSServices([]WindowsService{{Name: "vllm", Status: "Stopped", StartMode: "manual"}})
	steps := []struct {
		script       string
		code         int
		stdout, errs string
	}{
		{"sc.exe query 'vllm'\nexit $LASTEXITCODE", 0, "STATE              : 1  STOPPED", ""},
		{"sc.exe qc vllm\nexit $LASTEXITCODE", 0, "START_TYPE         : 3   DEMAND_START", ""},
		{"sc.exe query 'other'\nexit $LASTEXITCODE", 1060, "FAILED 1060", ""},
		{"sc.exe config 'vllm' start= disabled\nif ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\nStart-Service -Name 'vllm' -ErrorAction Stop\nexit 0", 1, "ChangeServiceConfig SUCCESS", "cannot be started"},
		{"sc.exe config 'other' start= auto\nif ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\nexit 0", 1060, "FAILED 1060", ""},
		{"sc.exe config 'vllm' start= delayed-auto\nStart-Service -Name 'vllm' -ErrorAction Stop\nsc.exe qc 'vllm'\nsc.exe query 'vllm'", 0, "AUTO_START  (DELAYED)", ""},
		{"Stop-Service -Name 'VLLM' -Force -ErrorAction Stop\nsc.exe query 'vllm'", 0, "1  STOPPED", ""},
		{"Restart-Service -Name 'vllm' -ErrorAction Stop\nsc.exe query 'vllm'", 0, "4  RUNNING", ""},
		{"sc query vllm", 1, "", "not simulated"},
	}
	for _, st := range steps {
		code, out := psRun(h, psScriptLine(st.script), "")
		if code != st.code || !strings.Contains(out.stdout.String(), st.stdout) || !strings.Contains(out.stderr.String(), st.errs) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %d, %q, %q", st.script, code, out.stdout.String(), out.stderr.String(), st.code, st.stdout, st.errs)
		}
	}
	if svc, _ := h.services.get("vllm"); svc != (WindowsService{Name: "vllm", Status: "Running", StartMode: "delayed"}) {
		t.Errorf("vllm ends %+v", svc)
	}
}

// TestPSEnvironmentReachesTheScript: SetEnvironmentVariable sets a
// variable $env: reads (a quote doubled in the literal), $null removes
// it, and Set-Content writes what it reads into an existing folder.
func TestPSEnvironmentReachesTheScript(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	h.fs.WriteFile(`C:\app\config.yml`, []byte("x"))
	script := "[System.Environment]::SetEnvironmentVariable('GREETING', 'it''s here')\n" +
		"[System.Environment]::SetEnvironmentVariable('GONE', 'x')\n[System.Environment]::SetEnvironmentVariable('GONE', $null)\n" +
		"Set-Location -LiteralPath 'C:\\app' -ErrorAction Stop\nSet-Content -LiteralPath 'C:\\app\\greeting.txt' -Value \"$env:GREETING/$env:GONE\"\n" +
		"Set-Content -Path 'C:\\missing\\x.txt' -Value $env:greeting\nSet-Content -Path here.txt -Value relative\nexit 0"
	code, out := psRun(h, psScriptLine(script), "")
	if code != 0 || !strings.Contains(out.stderr.String(), `Could not find a part of the path &#39;C:\missing\x.txt&#39;`) {
		t.Fatalf("exit %d, stderr %q", code, out.stderr.String())
	}
	if got, _ := h.fs.ReadFile(`C:\app\here.txt`); string(got) != "relative\r\n" {
		t.Errorf("a relative Set-Content after Set-Location wrote %q", got)
	}
	if got, _ := h.fs.ReadFile(`C:\app\greeting.txt`); string(got) != "it's here/\r\n" {
		t.Errorf("greeting.txt holds %q", got)
	}
	code, out = psRun(h, psScriptLine("Set-Location -LiteralPath 'C:\\nowhere' -ErrorAction Stop\nexit 0"), "")
	if code != 1 || !strings.Contains(out.stderr.String(), "Cannot find path") {
		t.Errorf("Set-Location to a missing folder: exit %d, stderr %q", code, out.stderr.String())
	}
}

// TestPSServicesByDisplayName: sc.exe query and qc take a service's name
// only, GetKeyName its display name only (case aside); the cmdlets' -Name
// finds a service by either, as a ServiceController does, and their
// errors name the service as "display (name)"; a service with no display
// name given has its name as one.
func TestPSServicesByDisplayName(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	h.services = newPSServices([]WindowsService{{Name: "helper", DisplayName: "vLLM Helper", Status: "Stopped", StartMode: "manual"},
		{Name: "cache", Status: "Running", StartMode: "disabled"}, {Name: "gpu-agent", DisplayName: "Intel(R) GPU Agent", Status: "Stopped", StartMode: "auto"}})
	steps := []struct {
		script       string
		code         int
		stdout, errs string
	}{
		{"sc.exe query 'vLLM Helper'\nexit $LASTEXITCODE", 1060, "FAILED 1060", ""},
		{"sc.exe qc 'helper'\nexit $LASTEXITCODE", 0, "DISPLAY_NAME       : vLLM Helper\r\n", ""},
		{"sc.exe qc 'VLLM HELPER'\nif ($LASTEXITCODE -eq 1060) { sc.exe GetKeyName 'VLLM HELPER'; Write-Output \"@@rc $LASTEXITCODE\" }\nexit 0", 0,
			"[SC] GetServiceKeyName SUCCESS\r\nName = helper\r\n@@rc 0\r\n", ""},
		{"sc.exe GetKeyName 'helper'\nexit $LASTEXITCODE", 1060, "GetServiceKeyName FAILED 1060", ""},
		{"sc.exe GetKeyName 'cache'\nexit $LASTEXITCODE", 0, "Name = cache", ""},
		{"sc.exe GetKeyName 'Intel(R) GPU Agent'\nStart-Service -Name 'Intel(R) GPU Agent' -ErrorAction Stop\nsc.exe query 'gpu-agent'", 0, "Name = gpu-agent\r\n", ""},
		{"sc.exe query 'gpu-agent'", 0, "4  RUNNING", ""},
		{"Start-Service -Name 'vllm helper' -ErrorAction Stop\nsc.exe query 'helper'", 0, "4  RUNNING", ""},
		{"Restart-Service -Name 'cache' -ErrorAction Stop\nexit 0", 1, "", "Service &#39;cache (cache)&#39; cannot be started"},
		{"Stop-Service -Name 'Helper Service' -ErrorAction Stop\nexit 0", 1, "", "Cannot find any service with service name &#39;Helper Service&#39;."},
	}
	for _, st := range steps {
		code, out := psRun(h, psScriptLine(st.script), "")
		if code != st.code || !strings.Contains(out.stdout.String(), st.stdout) || !strings.Contains(out.stderr.String(), st.errs) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %d, %q, %q", st.script, code, out.stdout.String(), out.stderr.String(), st.code, st.stdout, st.errs)
		}
	}
	if _, out := psRun(h, psScriptLine("sc.exe qc 'helper'\nif ($LASTEXITCODE -eq 1060) { sc.exe GetKeyName 'helper'; Write-Output \"@@rc $LASTEXITCODE\" }\nexit 0"), ""); strings.Contains(out.stdout.String(), "GetServiceKeyName") {
		t.Errorf("GetKeyName ran after qc found the service: %q", out.stdout.String())
	}
	if svc, _ := h.services.get("helper"); svc.Status != "Running" {
		t.Errorf("helper ends %+v", svc)
	}
	h.services.set(WindowsService{Name: "helper", DisplayName: "vLLM Helper", Status: "Stopped", StartMode: "disabled"})
	if _, out := psRun(h, psScriptLine("Start-Service -Name 'helper' -ErrorAction Stop"), ""); !strings.Contains(out.stderr.String(), "Service &#39;vLLM Helper (helper)&#39; cannot be started") {
		t.Errorf("starting a disabled service: %q", out.stderr.String())
	}
}
