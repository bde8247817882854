package doctor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/fleet/doctor"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/sim"
)

const (
	labUser      = "mdt"
	labPassword  = "lab-password"
	labServed    = "llama31-8b-wintermute"
	labMasterKey = "sk-doctor-master"
	labConfig    = `C:\Users\mdt\dev\wintermute\config.yml`
)

func vllmConfig() string {
	return strings.Join([]string{"# Ansible managed", "vllm:", "  enabled: true",
		`  model: "casperhansen/llama-3-8b-instruct-awq"`, `  served_model_name: "` + labServed + `"`,
		"  port: 8000", `  container_name: "vllm-wintermute"`, "  max_model_len: 9000",
		"  gpu_memory_utilization: 0.88"}, "\r\n") + "\r\n"
}

const proxyConfig = `model_list:
  - model_name: local/reasoner
    litellm_params:
      model: openai/` + labServed + `
      api_base: http://wintermute:8000/v1
      api_key: "none"
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
`

// startLab starts wintermute and the proxy with the given faults on
// wintermute, and waits for vLLM to serve (unless the host is down).
func startLab(t *testing.T, faults ...sim.FaultKind) *sim.Lab {
	t.Helper()
	configPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(configPath, []byte(proxyConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := sim.StartLab(sim.LabSpec{
		GPUHosts: []sim.GPUHostSpec{{Name: "wintermute", WinRMUser: labUser, WinRMPassword: labPassword,
			ConfigPath: labConfig, Files: map[string]string{labConfig: vllmConfig()},
			LoadDelay: 10 * time.Millisecond, Faults: faults}},
		Proxy:          &sim.ProxySpec{Name: "motoko", ConfigPath: configPath, Env: map[string]string{"LITELLM_MASTER_KEY": labMasterKey}},
		SlowWinRMDelay: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if !hasFault(faults, sim.FaultDown) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := l.VLLM("wintermute").WaitState(ctx, sim.VLLMServing); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func hasFault(faults []sim.FaultKind, kind sim.FaultKind) bool {
	for _, f := range faults {
		if f == kind {
			return true
		}
	}
	return false
}

// labInput is what the CLI builds for wintermute: WinRM over https with the
// lab's CA, its vLLM, and the proxy.
func labInput(t *testing.T, l *sim.Lab, stepTimeout time.Duration) doctor.Input {
	t.Helper()
	host, _ := l.Host("wintermute")
	return labInputOver(t, l, remote.WinRMConfig{Host: host.IP, Port: host.WinRMSPort, Scheme: "https",
		CATrustPEM: l.CACertPEM()}, stepTimeout)
}

// labInputOver uses NTLM with the given scheme, port and trust.
func labInputOver(t *testing.T, l *sim.Lab, cfg remote.WinRMConfig, stepTimeout time.Duration) doctor.Input {
	t.Helper()
	host, _ := l.Host("wintermute")
	proxy, _ := l.Host("motoko")
	cfg.Transport, cfg.User, cfg.Password = "ntlm", labUser, labPassword
	cfg.ConnectTimeout, cfg.ReadTimeout = 2*time.Second, 20*time.Second
	w, err := remote.NewWinRM(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return doctor.Input{Host: "wintermute", Transport: w, Container: host.ContainerName,
		Backend: &doctor.Backend{BaseURL: host.VLLMURL, ExpectedModel: labServed},
		Proxy: &doctor.Proxy{BaseURL: proxy.ProxyURL, Key: labMasterKey, Routes: []doctor.Route{
			{Alias: "local/reasoner", APIBase: host.VLLMURL + "/v1", UpstreamModel: labServed}}},
		StepTimeout: stepTimeout}
}

func runDoctor(t *testing.T, in doctor.Input) doctor.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := doctor.Run(ctx, in)
	var table bytes.Buffer
	if err := doctor.WriteTable(&table, []doctor.Report{r}); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())
	return r
}

func TestDoctorPassesOnAHealthyLabHost(t *testing.T) {
	l := startLab(t)
	r := runDoctor(t, labInput(t, l, 0))
	if !r.OK() || !doctor.AllOK([]doctor.Report{r}) {
		t.Fatal("a step failed on a healthy host")
	}
	for _, s := range r.Steps {
		if s.Status != doctor.Pass {
			t.Errorf("%s: %s (%s)", s.Name, s.Status, s.Detail)
		}
	}
	noScratchLeft(t, l)
	var out bytes.Buffer
	if err := doctor.WriteJSON(&out, []doctor.Report{r}); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		OK    bool
		Hosts []doctor.Report
	}
	if err := json.Unmarshal(out.Bytes(), &decoded); err != nil || !decoded.OK || len(decoded.Hosts[0].Steps) != len(r.Steps) {
		t.Errorf("json: %v %s", err, out.String())
	}
}

// Over plain HTTP, NTLM is sealed: every step passes against the lab, which
// refuses unsealed messages as Windows does by default; the connect step
// says the connection is not protected by a certificate.
func TestDoctorOverSealedHTTP(t *testing.T) {
	l := startLab(t)
	host, _ := l.Host("wintermute")
	r := runDoctor(t, labInputOver(t, l, remote.WinRMConfig{Host: host.IP, Port: host.WinRMPort, Scheme: "http"}, 0))
	if !r.OK() {
		t.Fatal("a step failed over sealed HTTP")
	}
	if !strings.Contains(r.Steps[0].Detail, "winrm+ntlm http://") || !strings.Contains(r.Steps[0].Detail, "INSECURE") {
		t.Errorf("connect detail %q", r.Steps[0].Detail)
	}
	noScratchLeft(t, l)
}

// Each lab fault fails the step it concerns, names the cause, and leaves
// no scratch file behind.
func TestDoctorNamesEachLabFault(t *testing.T) {
	tests := []struct {
		fault       sim.FaultKind
		step, cause string
		stepTimeout time.Duration
	}{
		{sim.FaultDown, doctor.StepConnect, "the host does not answer", 0},
		{sim.FaultWinRMAuth, doctor.StepConnect, "the host refused the credentials", 0},
		{sim.FaultSlowWinRM, doctor.StepConnect, "no answer before the step's deadline", time.Second},
		{sim.FaultBadGPUCSV, doctor.StepNvidiaSMI, "nvidia-smi printed output straylight cannot read", 0},
		{sim.FaultDockerNotRunning, doctor.StepDocker, "Docker Desktop is not running for user mdt", 0},
		{sim.FaultNvidiaSMIMissing, doctor.StepNvidiaSMI, "nvidia-smi not found", 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			l := startLab(t, tt.fault)
			r := runDoctor(t, labInput(t, l, tt.stepTimeout))
			if r.OK() {
				t.Fatal("every step passed")
			}
			for _, s := range r.Steps {
				switch {
				case s.Name == tt.step && (s.Status != doctor.Fail || !strings.Contains(s.Cause, tt.cause) || s.Fix == ""):
					t.Errorf("%s: %s, cause %q, fix %q; want fail with %q", s.Name, s.Status, s.Cause, s.Fix, tt.cause)
				case s.Name != tt.step && s.Status == doctor.Fail && !dependsOnTheHost(tt.fault, s.Name):
					t.Errorf("%s failed too: %s", s.Name, s.Cause)
				}
			}
			if tt.fault != sim.FaultDown {
				noScratchLeft(t, l)
			}
		})
	}
}

// With the host down, its vLLM and the proxy's route to it fail as well.
func dependsOnTheHost(fault sim.FaultKind, step string) bool {
	return fault == sim.FaultDown && (step == doctor.StepBackendModels || step == doctor.StepBackendMetrics ||
		step == doctor.StepProxyRoutes)
}

func noScratchLeft(t *testing.T, l *sim.Lab) {
	t.Helper()
	for _, p := range l.FS("wintermute").List() {
		if strings.Contains(strings.ToLower(p), "straylight-doctor-") {
			t.Errorf("left behind: %s", p)
		}
	}
}

// Several hosts at once, in order; the exit code is 1 when any failed.
func TestDoctorRunAllAndExitCode(t *testing.T) {
	healthy, broken := startLab(t), startLab(t, sim.FaultNvidiaSMIMissing)
	in := []doctor.Input{labInput(t, healthy, 0), labInput(t, broken, 0)}
	in[1].Host = "wintermute-broken"
	reports := doctor.RunAll(context.Background(), in, 1)
	if len(reports) != 2 || reports[0].Host != "wintermute" || !reports[0].OK() || reports[1].OK() {
		t.Fatalf("reports: %+v", reports)
	}
	var out bytes.Buffer
	code, err := doctor.Print(&out, reports, false)
	if err != nil || code != 1 || !strings.Contains(out.String(), "doctor: 1 of 2 host(s) failed a step") {
		t.Errorf("exit %d, %v:\n%s", code, err, out.String())
	}
	if code, _ := doctor.Print(&out, reports[:1], true); code != 0 {
		t.Errorf("a healthy host alone: exit %d", code)
	}
}
