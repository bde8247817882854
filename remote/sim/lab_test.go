package sim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

const labStartScript = `C:\Users\mdt\dev\wintermute\scripts\Start-VLLM.ps1`

// labSeedHandler is the seed's restart handler, as win_shell sends it.
const labSeedHandler = `$scriptPath = "C:\Users\mdt\dev\wintermute\scripts\Start-VLLM.ps1"
if (Test-Path $scriptPath) {
  & $scriptPath -Action Restart
}
`

func TestLabHostsHaveTheirOwnLoopbackAddresses(t *testing.T) {
	l := startFixtureLab(t)
	seen := map[string]bool{}
	for _, h := range l.Hosts() {
		ip := net.ParseIP(h.IP)
		if ip == nil || !ip.IsLoopback() || seen[h.IP] {
			t.Fatalf("host %s: address %q not a fresh loopback address", h.Name, h.IP)
		}
		seen[h.IP] = true
		checkHostURLs(t, h)
	}
	if len(seen) != 3 {
		t.Fatalf("hosts %+v", l.Hosts())
	}
}

func checkHostURLs(t *testing.T, h HostInfo) {
	t.Helper()
	switch h.Role {
	case RoleGPU:
		if h.VLLMURL != "http://"+h.IP+":8000" || h.WinRMHTTPURL != "http://"+h.IP+":5985/wsman" ||
			h.WinRMHTTPSURL != "https://"+h.IP+":5986/wsman" || h.User != "mdt" || h.ContainerName != "vllm-"+h.Name {
			t.Errorf("GPU host %+v", h)
		}
	case RoleProxy:
		if h.ProxyURL != "http://"+h.IP+":8000" || h.RestartURL != h.ProxyURL+LabRestartPath || h.MasterKey != labMasterKey {
			t.Errorf("proxy %+v", h)
		}
	}
}

func TestLabWinRMOverHTTPSTrustsTheLabCA(t *testing.T) {
	l := startFixtureLab(t)
	h, _ := l.Host("wintermute")
	for _, serverName := range []string{h.IP, "wintermute"} {
		conn, err := tls.Dial("tcp", hostPort(h.WinRMHTTPSURL), &tls.Config{RootCAs: l.CertPool(), ServerName: serverName})
		if err != nil {
			t.Fatalf("TLS to %s as %s: %v", h.WinRMHTTPSURL, serverName, err)
		}
		conn.Close()
	}
	if _, err := tls.Dial("tcp", hostPort(h.WinRMHTTPSURL), &tls.Config{ServerName: h.IP}); err == nil {
		t.Fatal("the lab certificate must not verify without the lab CA")
	}
}

// labWinRMClient is masterzen/winrm against a lab host over HTTPS.
func labWinRMClient(t *testing.T, l *Lab, host string) *winrm.Client {
	t.Helper()
	h, _ := l.Host(host)
	endpoint := winrm.NewEndpoint(h.IP, h.WinRMSPort, true, false, l.CACertPEM(), nil, nil, 30*time.Second)
	client, err := winrm.NewClientWithParameters(endpoint, h.User, h.Password, winrm.NewParameters("PT5S", "en-US", 153600))
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestLabSeedRestartOverWinRMChangesTheServedName(t *testing.T) {
	spec := seedLabSpec(t, string(wireFixture(t, "litellm_config.yaml")))
	spec.GPUHosts[0].Files[labStartScript] = psKnownScript("Start-VLLM.ps1")
	l, err := StartLab(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := labWinRMClient(t, l, "wintermute")
	stdout, stderr, code, err := client.RunWithContextWithString(ctx, "nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw --format=csv,noheader,nounits", "")
	if err != nil || code != 0 || !strings.Contains(stdout, "NVIDIA GeForce RTX 4090") {
		t.Fatalf("nvidia-smi over WinRM: %v %d %q %q", err, code, stdout, stderr)
	}
	l.FS("wintermute").WriteFile(labWintermuteConfig, []byte(vllmConfigYAML(labAWQModel, []string{wintermuteServed})))
	if _, stderr, code, err = client.RunPSWithContext(ctx, labSeedHandler); err != nil || code != 0 {
		t.Fatalf("handler: %v %d %q", err, code, stderr)
	}
	waitState(t, l.VLLM("wintermute"), VLLMServing)
	resp, body := httpPost(t, l.Proxy().URL()+"/v1/chat/completions", chatBody("local/reasoner", false, false), bearer...)
	if resp.StatusCode != 200 || !strings.Contains(body, wintermuteServed) {
		t.Fatalf("the seed's route after the fix: %d %s", resp.StatusCode, body)
	}
}

func TestLabDownFaultSilencesEveryPort(t *testing.T) {
	l := startFixtureLab(t)
	h, _ := l.Host("wintermute")
	ports := []string{hostPort(h.VLLMURL), hostPort(h.WinRMHTTPURL), hostPort(h.WinRMHTTPSURL)}
	if err := l.SetFault("wintermute", FaultDown); err != nil {
		t.Fatal(err)
	}
	for _, addr := range ports {
		if !isRefused(addr) {
			t.Errorf("%s still answers on a down host", addr)
		}
	}
	if got := l.Faults("wintermute"); len(got) != 1 || got[0] != FaultDown {
		t.Errorf("faults %v", got)
	}
	if err := l.ClearFault("wintermute", FaultDown); err != nil {
		t.Fatal(err)
	}
	if isRefused(ports[1]) || isRefused(ports[2]) {
		t.Error("WinRM must answer as soon as the host is back")
	}
	waitState(t, l.VLLM("wintermute"), VLLMServing)
}

func TestLabProxyDownFault(t *testing.T) {
	l := startFixtureLab(t)
	_ = l.SetFault("motoko", FaultDown)
	if !isRefused(hostPort(l.proxyURL)) || l.Proxy().Restart() == nil {
		t.Fatal("a down proxy must refuse connections and restarts")
	}
	_ = l.ClearFault("motoko", FaultDown)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.Proxy().WaitState(ctx, ProxyServing); err != nil {
		t.Fatal(err)
	}
}

func TestLabWinRMFaults(t *testing.T) {
	spec := seedLabSpec(t, string(wireFixture(t, "litellm_config.yaml")))
	spec.SlowWinRMDelay = 5 * time.Second
	spec.GPUHosts[0].WinRMAllowUnencrypted = true // Basic over HTTP, for the probes below
	l, err := StartLab(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h, _ := l.Host("wintermute")
	if got := wsmanStatus(t, h, time.Minute); got == http.StatusUnauthorized || got == 0 {
		t.Fatalf("good credentials: status %d", got)
	}
	_ = l.SetFault("wintermute", FaultWinRMAuth)
	if got := wsmanStatus(t, h, time.Minute); got != http.StatusUnauthorized {
		t.Errorf("winrm-auth: status %d, want 401", got)
	}
	_ = l.ClearFault("wintermute", FaultWinRMAuth)
	_ = l.SetFault("wintermute", FaultSlowWinRM)
	if got := wsmanStatus(t, h, 100*time.Millisecond); got != 0 {
		t.Errorf("slow-winrm: answered (%d) within a tenth of a second", got)
	}
}

// Lab hosts refuse Basic over plain HTTP as Windows does by default
// (AllowUnencrypted=false); TestLabWinRMFaults turns the setting on.
func TestLabRefusesBasicOverHTTPByDefault(t *testing.T) {
	l, err := StartLab(seedLabSpec(t, string(wireFixture(t, "litellm_config.yaml"))))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h, _ := l.Host("wintermute")
	if got := wsmanStatus(t, h, time.Minute); got != http.StatusUnauthorized {
		t.Errorf("Basic over HTTP: status %d, want 401", got)
	}
}

// wsmanStatus posts an empty envelope with the right credentials; 0 means no
// answer within timeout.
func wsmanStatus(t *testing.T, h HostInfo, timeout time.Duration) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.WinRMHTTPURL, strings.NewReader(""))
	req.SetBasicAuth(h.User, h.Password)
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	client := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: timeout}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestLabFaultErrors(t *testing.T) {
	l := startFixtureLab(t)
	bad := []struct {
		host string
		kind FaultKind
	}{
		{"nohost", FaultDown},
		{"wintermute", FaultLiteLLM500Midstream},
		{"motoko", FaultNeverHealthy},
		{"wintermute", FaultKind("meltdown")},
	}
	for _, b := range bad {
		if err := l.SetFault(b.host, b.kind); err == nil {
			t.Errorf("SetFault(%s, %s) accepted", b.host, b.kind)
		}
	}
	if host, kind, err := ParseHostFault("wintermute:never-healthy"); err != nil || host != "wintermute" || kind != FaultNeverHealthy {
		t.Errorf("ParseHostFault: %q %q %v", host, kind, err)
	}
	if _, _, err := ParseHostFault("wintermute"); err == nil {
		t.Error("ParseHostFault without a kind")
	}
}

func TestLabListensOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{":8000", "localhost:8000", "example.invalid:8000", "8000"} {
		if ln, err := listenLoopback(addr); err == nil {
			ln.Close()
			t.Errorf("listened on %q", addr)
		}
	}
	s, err := NewVLLMServer(VLLMOptions{FS: fsWith(labWintermuteConfig, vllmConfigYAML(labAWQModel, nil)), ConfigPath: labWintermuteConfig})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); !errors.Is(err, errNotLoopback) {
		s.Close()
		t.Fatalf("a vLLM server without a loopback IP: %v", err)
	}
	config := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte(routeConfig("a", "openai/b", "http://wintermute:8000/v1")), 0o600); err != nil {
		t.Fatal(err)
	}
	p := NewLiteLLMProxy(LiteLLMOptions{ConfigPath: config, Env: map[string]string{"LITELLM_MASTER_KEY": "k"}})
	if err := p.Start(); !errors.Is(err, errNotLoopback) {
		p.Close()
		t.Fatalf("a proxy without a loopback IP: %v", err)
	}
}

func fsWith(path, content string) *FS {
	fs := NewFS()
	fs.WriteFile(path, []byte(content))
	return fs
}

func TestLabSpecValidation(t *testing.T) {
	good := seedLabSpec(t, string(wireFixture(t, "litellm_config.yaml")))
	dup := good
	dup.GPUHosts = append([]GPUHostSpec{}, good.GPUHosts...)
	dup.GPUHosts[1].Name = "wintermute"
	noConfig := good
	noConfig.GPUHosts = []GPUHostSpec{{Name: "x", WinRMUser: "u"}}
	missingFile := good
	missingFile.GPUHosts = []GPUHostSpec{{Name: "x", WinRMUser: "u", ConfigPath: `C:\absent.yml`}}
	for name, spec := range map[string]LabSpec{"duplicate": dup, "no config path": noConfig, "missing config": missingFile} {
		if l, err := StartLab(spec); err == nil {
			l.Close()
			t.Errorf("%s: started", name)
		}
	}
}

// manyHostsSpec is n GPU hosts with no proxy, each serving its own name.
func manyHostsSpec(n int) LabSpec {
	spec := LabSpec{}
	for i := range n {
		name := fmt.Sprintf("gpu%03d", i)
		path := `C:\Users\mdt\dev\` + name + `\config.yml`
		spec.GPUHosts = append(spec.GPUHosts, GPUHostSpec{Name: name, WinRMUser: "mdt", WinRMPassword: "pw", ConfigPath: path,
			Files: map[string]string{path: vllmConfigYAML(labAWQModel, []string{name})}, LoadDelay: labTestLoadDelay})
	}
	return spec
}

func TestLab200HostsStartAndStopCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("200 hosts: skipped with -short")
	}
	baseline := runtime.NumGoroutine()
	l, err := StartLab(manyHostsSpec(200))
	if err != nil {
		t.Fatal(err)
	}
	hosts := l.Hosts()
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, Timeout: 10 * time.Second}
	for _, h := range hosts {
		resp, err := client.Get(h.VLLMURL + "/health")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v", h.Name, err)
		}
		resp.Body.Close()
	}
	_ = l.Close()
	for _, h := range hosts {
		for _, addr := range []string{hostPort(h.VLLMURL), hostPort(h.WinRMHTTPURL), hostPort(h.WinRMHTTPSURL)} {
			if !isRefused(addr) {
				t.Fatalf("%s still listening after Close", addr)
			}
		}
	}
	eventually(t, "goroutines to wind down", func() bool { return runtime.NumGoroutine() <= baseline+5 })
}

func BenchmarkStartLab200(b *testing.B) {
	spec := manyHostsSpec(200)
	for b.Loop() {
		l, err := StartLab(spec)
		if err != nil {
			b.Fatal(err)
		}
		_ = l.Close()
	}
}
