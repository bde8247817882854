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
