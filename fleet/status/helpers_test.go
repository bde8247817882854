package status

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/api"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// The seed's fleet: wintermute still serves the HF path although the
// repository already names it llama31-8b-wintermute; armitage and riviera
// serve the names the repository gives them.
const (
	awqModel        = "casperhansen/llama-3-8b-instruct-awq"
	wintermuteName  = "llama31-8b-wintermute"
	armitageName    = "qwen2.5-7b-armitage"
	rivieraName     = "mistral-7b-riviera"
	labMasterKey    = "sk-lab-master-key"
	labPassword     = "lab-password"
	labLoadDelay    = 200 * time.Millisecond
	fastTokenRate   = 2000.0
	streamTokenRate = 40.0 // slow enough that a stream spans several refreshes
)

func configPath(host string) string { return `C:\Users\mdt\dev\` + host + `\config.yml` }

// vllmConfigYAML is a config.yml as the seed's template renders it (CRLF).
func vllmConfigYAML(model, served string) string {
	lines := []string{"# Ansible managed", "vllm:", "  enabled: true", `  model: "` + model + `"`}
	if served != "" {
		lines = append(lines, `  served_model_name: "`+served+`"`)
	}
	lines = append(lines, "  port: 8000", "  max_model_len: 9000", "  gpu_memory_utilization: 0.88")
	return strings.Join(lines, "\r\n") + "\r\n"
}

func gpuHost(name, model, served string, tweak func(*sim.GPUHostSpec)) sim.GPUHostSpec {
	spec := sim.GPUHostSpec{Name: name, WinRMUser: "mdt", WinRMPassword: labPassword, ConfigPath: configPath(name),
		Files:     map[string]string{configPath(name): vllmConfigYAML(model, served)},
		TokenRate: fastTokenRate, LoadDelay: labLoadDelay}
	if tweak != nil {
		tweak(&spec)
	}
	return spec
}

// proxyConfig routes local/reasoner to wintermute's future name and
// local/fast to armitage.
const proxyConfig = `model_list:
  - model_name: local/reasoner
    litellm_params:
      model: openai/llama31-8b-wintermute
      api_base: http://wintermute:8000/v1
      api_key: none
  - model_name: local/fast
    litellm_params:
      model: openai/qwen2.5-7b-armitage
      api_base: http://armitage:8000/v1
      api_key: none
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
`

// labRoutes are the routes the repository configures (local/new is not in
// the proxy's running config).
var labRoutes = []Route{
	{Alias: "local/reasoner", Upstream: wintermuteName, Host: "wintermute"},
	{Alias: "local/fast", Upstream: armitageName, Host: "armitage"},
}

// testLab is the seed's lab with a third host, riviera.
type testLab struct {
	*sim.Lab
	t        testing.TB
	expected map[string][]string
}

type labTweaks struct {
	hosts     map[string]func(*sim.GPUHostSpec)
	proxy     func(*sim.ProxySpec)
	slowWinRM time.Duration
}

func startLab(t testing.TB, tweaks labTweaks) *testLab {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(proxyConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	proxy := &sim.ProxySpec{Name: "motoko", ConfigPath: path, RestartDelay: labLoadDelay,
		Env: map[string]string{"LITELLM_MASTER_KEY": labMasterKey}}
	if tweaks.proxy != nil {
		tweaks.proxy(proxy)
	}
	lab, err := sim.StartLab(sim.LabSpec{GPUHosts: []sim.GPUHostSpec{
		gpuHost("wintermute", awqModel, "", tweaks.hosts["wintermute"]),
		gpuHost("armitage", "Qwen/Qwen2.5-7B-Instruct-AWQ", armitageName, tweaks.hosts["armitage"]),
		gpuHost("riviera", "mistralai/Mistral-7B-Instruct-v0.3", rivieraName, tweaks.hosts["riviera"]),
	}, Proxy: proxy, SlowWinRMDelay: tweaks.slowWinRM})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	return &testLab{Lab: lab, t: t, expected: map[string][]string{
		"wintermute": {wintermuteName}, "armitage": {armitageName}, "riviera": {rivieraName}}}
}

// targets describes the lab's GPU hosts as the repository would, each with
// the real WinRM transport over HTTPS, trusting the lab CA.
func (l *testLab) targets(idle time.Duration) []Target {
	var out []Target
	for _, h := range l.Hosts() {
		if h.Role != sim.RoleGPU {
			continue
		}
		out = append(out, Target{Host: h.Name, VLLMURL: h.VLLMURL, Expected: l.expected[h.Name],
			Container: h.ContainerName, IdleThreshold: idle, Transport: l.winrm(h)})
	}
	return out
}

func (l *testLab) winrm(h sim.HostInfo) func() (remote.Transport, error) {
	ca := l.CACertPEM()
	return func() (remote.Transport, error) {
		return remote.NewWinRM(remote.WinRMConfig{Host: h.IP, Port: h.WinRMSPort, Scheme: "https",
			Transport: "basic", User: h.User, Password: h.Password, CATrustPEM: ca})
	}
}

func (l *testLab) proxyTarget(routes []Route) *ProxyTarget {
	h, _ := l.Host("motoko")
	return &ProxyTarget{Host: h.Name, URL: h.ProxyURL, MasterKey: h.MasterKey, Routes: routes}
}

// patientTimeout is the probe timeout of tests in which nothing hangs: a
// probe cut short by a starved test machine would fail them for nothing.
const patientTimeout = 30 * time.Second

// monitor starts a monitor on cfg, with patientTimeout unless cfg sets one,
// and a host probe on every refresh unless cfg spaces them: the lab's tests
// watch the host side change from one refresh to the next.
func (l *testLab) monitor(cfg Config) *Monitor {
	if cfg.Timeout == 0 {
		cfg.Timeout = patientTimeout
	}
	if cfg.HostProbeInterval == 0 {
		cfg.HostProbeInterval = time.Nanosecond
	}
	m := New(cfg)
	l.t.Cleanup(func() { m.Close() })
	return m
}

// deploy writes a new config.yml on the host and runs its restart handler.
func (l *testLab) deploy(host, config string) {
	l.t.Helper()
	l.FS(host).WriteFile(configPath(host), []byte(config))
	if err := l.VLLM(host).RestartVLLM(); err != nil {
		l.t.Fatal(err)
	}
}

func (l *testLab) waitServing(host string) {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.VLLM(host).WaitState(ctx, sim.VLLMServing); err != nil {
		l.t.Fatal(err)
	}
}

func refresh(t testing.TB, m *Monitor) Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return m.Refresh(ctx)
}

func row(t testing.TB, s Snapshot, host string) HostStatus {
	t.Helper()
	if h := findHost(s.Hosts, host); h != nil {
		return *h
	}
	t.Fatalf("no row for %s in %+v", host, s.Hosts)
	return HostStatus{}
}

func findHost(hosts []HostStatus, name string) *HostStatus {
	for i := range hosts {
		if hosts[i].Host == name {
			return &hosts[i]
		}
	}
	return nil
}

func route(t testing.TB, s Snapshot, alias string) RouteStatus {
	t.Helper()
	for _, r := range s.Routes {
		if r.Route.Alias == alias {
			return r
		}
	}
	t.Fatalf("no route %s in %+v", alias, s.Routes)
	return RouteStatus{}
}

// streamer streams chats through the proxy, one after another, until stopped.
type streamer struct {
	cancel  context.CancelFunc
	done    chan struct{}
	started chan struct{}
}

func startStreaming(t testing.TB, l *testLab, alias string) *streamer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &streamer{cancel: cancel, done: make(chan struct{}), started: make(chan struct{})}
	proxy, _ := l.Host("motoko")
	var once sync.Once
	go func() {
		defer close(s.done)
		for ctx.Err() == nil {
			_, err := api.StreamChat(ctx, nil, proxy.ProxyURL, api.ChatRequest{Model: alias, APIKey: labMasterKey},
				func(api.Chunk) { once.Do(func() { close(s.started) }) })
			if err != nil && ctx.Err() == nil {
				t.Errorf("stream through %s: %v", alias, err)
				return
			}
		}
	}()
	t.Cleanup(s.stop)
	select {
	case <-s.started:
	case <-s.done:
		t.Fatal("the stream ended before its first chunk")
	case <-time.After(20 * time.Second):
		t.Fatal("no chunk streamed")
	}
	return s
}

func (s *streamer) stop() {
	s.cancel()
	<-s.done
}

// silentListener accepts connections and never answers: a host that hangs.
func silentListener(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	stop := make(chan struct{})
	go holdConnections(ln, stop, &conns)
	t.Cleanup(func() {
		close(stop)
		ln.Close()
		conns.Wait()
	})
	return "http://" + ln.Addr().String()
}

func holdConnections(ln net.Listener, stop <-chan struct{}, conns *sync.WaitGroup) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		conns.Go(func() {
			<-stop
			conn.Close()
		})
	}
}

// refusedURL is a loopback port nothing listens on.
func refusedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// engineDeadServer answers /health with 503 and the rest as a vLLM would.
func engineDeadServer(t testing.TB) string {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"dead-model","object":"model"}]}`))
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func sprintAll(s Snapshot) string { return fmt.Sprintf("%+v %+v", s, *s.Proxy) }
