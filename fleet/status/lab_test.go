package status

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/remote/sim"
)

func TestServedVersusExpected(t *testing.T) {
	l := startLab(t, labTweaks{})
	s := refresh(t, l.monitor(Config{Hosts: l.targets(0)}))
	w := row(t, s, "wintermute")
	if w.State != StateUp || !w.Mismatch {
		t.Fatalf("wintermute serves the HF path, the repository a served name: want up with a mismatch, got %+v", w)
	}
	if !slices.Equal(w.Missing, []string{wintermuteName}) || !slices.Equal(w.Unexpected, []string{awqModel}) {
		t.Errorf("wintermute: missing %q, unexpected %q", w.Missing, w.Unexpected)
	}
	if a := row(t, s, "armitage"); a.State != StateUp || a.Mismatch || !slices.Equal(a.Served, []string{armitageName}) {
		t.Errorf("armitage serves what the repository says: %+v", a)
	}
}

func TestHostSideThroughWinRM(t *testing.T) {
	l := startLab(t, labTweaks{})
	a := row(t, refresh(t, l.monitor(Config{Hosts: l.targets(0)})), "armitage")
	if a.HostError != "" || a.GPUError != "" || len(a.GPUs) != 1 {
		t.Fatalf("armitage host side: %+v", a)
	}
	g := a.GPUs[0]
	if !g.MemTotalMiB.OK || g.MemTotalMiB.Value != 24564 || !g.MemUsedMiB.OK || !g.Util.OK || !g.TempC.OK || !g.PowerW.OK {
		t.Errorf("GPU figures: %+v", g)
	}
	if !a.Container.Found || a.Container.Name != "vllm-armitage" || a.Container.State != "running" {
		t.Errorf("container: %+v", a.Container)
	}
}

func TestUpLoadingDown(t *testing.T) {
	l := startLab(t, labTweaks{hosts: map[string]func(*sim.GPUHostSpec){
		"riviera": func(s *sim.GPUHostSpec) { s.LoadDelay = 3 * time.Second }}})
	m := l.monitor(Config{Hosts: l.targets(0)})
	for _, h := range refresh(t, m).Hosts {
		if h.State != StateUp || h.Reason != "" {
			t.Errorf("%s: want up, got %s (%s)", h.Host, h.State, h.Reason)
		}
	}
	l.deploy("riviera", vllmConfigYAML("mistralai/Mistral-7B-Instruct-v0.3", rivieraName))
	if err := l.SetFault("armitage", sim.FaultDown); err != nil {
		t.Fatal(err)
	}
	s := refresh(t, m)
	if l.VLLM("riviera").State() == sim.VLLMLoading { // still loading after the refresh: it was during it
		if riviera := row(t, s, "riviera"); riviera.State != StateLoading || !strings.Contains(riviera.Reason, "restarting") {
			t.Errorf("riviera restarting: want loading, got %s (%s)", riviera.State, riviera.Reason)
		}
	} else {
		t.Log("riviera finished loading before the refresh did: loading not checked")
	}
	a := untilDown(t, m, s, "armitage")
	if a.HostError == "" || a.Served != nil || a.Load.Known {
		t.Errorf("armitage powered off: want down with a host error, got %+v", a)
	}
	if !slices.ContainsFunc(a.Errors, func(e ErrorEvent) bool { return e.Source == "vllm" }) {
		t.Errorf("armitage's errors lack the vLLM failure: %+v", a.Errors)
	}
}

// untilDown refreshes until host is down. The first probes after a power
// cut may find WinRM's kept-alive connections dropped (EOF) rather than
// refused, which proves nothing about the host: it stays "loading" (vLLM
// refuses) until the transport dials afresh and is refused too.
func untilDown(t *testing.T, m *Monitor, s Snapshot, host string) HostStatus {
	t.Helper()
	for range 5 {
		r := row(t, s, host)
		if r.State == StateDown {
			return r
		}
		if r.State != StateLoading {
			t.Fatalf("%s powered off: want loading until down, got %s (%s)", host, r.State, r.Reason)
		}
		t.Logf("%s: %s (host side: %s)", host, r.State, r.HostError)
		s = refresh(t, m)
	}
	t.Fatalf("%s powered off never showed as down", host)
	return HostStatus{}
}

func TestRefusedWithoutTransportIsLoading(t *testing.T) {
	l := startLab(t, labTweaks{})
	if err := l.SetFault("riviera", sim.FaultDown); err != nil {
		t.Fatal(err)
	}
	targets := l.targets(0)
	for i := range targets {
		targets[i].Transport = nil
	}
	riviera := row(t, refresh(t, l.monitor(Config{Hosts: targets})), "riviera")
	if riviera.State != StateLoading || riviera.HostProbe || riviera.Reason != refusedReason {
		t.Errorf("refused, nothing else to ask: want loading, got %+v", riviera)
	}
}

func TestEngineDeadAndUnreachable(t *testing.T) {
	m := New(Config{Timeout: patientTimeout, Hosts: []Target{
		{Host: "dead-engine", VLLMURL: engineDeadServer(t), Expected: []string{"dead-model"}},
		{Host: "off", VLLMURL: refusedURL(t)},
	}})
	defer m.Close()
	s := refresh(t, m)
	if d := row(t, s, "dead-engine"); d.State != StateEngineDead || !strings.Contains(d.Reason, "503") {
		t.Errorf("/health 503: want engine-dead, got %s (%s)", d.State, d.Reason)
	}
	if o := row(t, s, "off"); o.State != StateLoading {
		t.Errorf("a refused port without a transport: want loading, got %s (%s)", o.State, o.Reason)
	}
	hung := New(Config{Timeout: 300 * time.Millisecond, Hosts: []Target{{Host: "hung", VLLMURL: silentListener(t)}}})
	defer hung.Close()
	if h := refresh(t, hung).Hosts[0]; h.State != StateUnreachable || !strings.Contains(h.Reason, "deadline") {
		t.Errorf("a host that never answers: want unreachable, got %s (%s)", h.State, h.Reason)
	}
}

func TestRouteLintFollowsTheDeploy(t *testing.T) {
	l := startLab(t, labTweaks{hosts: map[string]func(*sim.GPUHostSpec){
		"wintermute": func(s *sim.GPUHostSpec) { s.LoadDelay = time.Second }}})
	routes := append(slices.Clone(labRoutes), Route{Alias: "local/new", Upstream: rivieraName, Host: "riviera"},
		Route{Alias: "local/ghost", Upstream: "x", Host: "nowhere"})
	m := l.monitor(Config{Hosts: l.targets(0), Proxy: l.proxyTarget(routes)})
	s := refresh(t, m)
	want := "local/reasoner asks wintermute for `llama31-8b-wintermute`; wintermute serves `casperhansen/llama-3-8b-instruct-awq`"
	if r := route(t, s, "local/reasoner"); r.State != RouteMismatch || r.Detail != want {
		t.Errorf("before the deploy: got %s %q\nwant mismatch %q", r.State, r.Detail, want)
	}
	checkRoute(t, s, "local/fast", RouteOK)
	checkRoute(t, s, "local/new", RouteNotLoaded)
	checkRoute(t, s, "local/ghost", RouteUnknownHost)

	l.deploy("wintermute", vllmConfigYAML(awqModel, wintermuteName))
	s = refresh(t, m)
	if l.VLLM("wintermute").State() == sim.VLLMLoading {
		checkRoute(t, s, "local/reasoner", RouteHostDown)
	} else {
		t.Log("wintermute finished loading before the refresh did: host-down not checked")
	}
	l.waitServing("wintermute")
	s = refresh(t, m)
	checkRoute(t, s, "local/reasoner", RouteOK)
	if w := row(t, s, "wintermute"); w.Mismatch {
		t.Errorf("after the deploy wintermute serves the expected name: %+v", w)
	}
}

func checkRoute(t *testing.T, s Snapshot, alias string, want RouteState) {
	t.Helper()
	if r := route(t, s, alias); r.State != want {
		t.Errorf("route %s: want %s, got %s (%s)", alias, want, r.State, r.Detail)
	}
}

func TestProxyState(t *testing.T) {
	l := startLab(t, labTweaks{proxy: func(p *sim.ProxySpec) { p.RestartDelay = time.Second }})
	m := l.monitor(Config{Proxy: l.proxyTarget(labRoutes)})
	if p := refresh(t, m).Proxy; p.State != StateUp || len(p.Aliases) != 2 {
		t.Fatalf("proxy: %+v", p)
	}
	if err := l.Proxy().Restart(); err != nil {
		t.Fatal(err)
	}
	p := refresh(t, m).Proxy
	switch {
	case l.Proxy().State() != sim.ProxyRestarting:
		t.Log("the proxy came back before the refresh ended: restarting not checked")
	case p.State != StateDown || !strings.Contains(p.Reason, "restarting"):
		t.Errorf("proxy restarting: want down, got %s (%s)", p.State, p.Reason)
	}
	if p.Aliases != nil && p.State != StateUp {
		t.Errorf("aliases of a proxy that is not up: %q", p.Aliases)
	}
}

func TestMasterKeyNeverShown(t *testing.T) {
	l := startLab(t, labTweaks{})
	const secret = "sk-not-the-master-key-9f3e"
	target := l.proxyTarget(labRoutes)
	target.MasterKey = secret
	m := l.monitor(Config{Proxy: target})
	s := refresh(t, m)
	if len(s.Proxy.Errors) == 0 {
		t.Fatal("a wrong master key should show as a proxy error")
	}
	for _, text := range []string{s.Proxy.Errors[0].Message, sprintAll(s)} {
		if strings.Contains(text, secret) {
			t.Fatalf("the key appears in %q", text)
		}
	}
}

func TestIdleThenBusyThenIdle(t *testing.T) {
	const threshold = 300 * time.Millisecond
	l := startLab(t, labTweaks{hosts: map[string]func(*sim.GPUHostSpec){
		"armitage": func(s *sim.GPUHostSpec) { s.TokenRate = streamTokenRate }}})
	m := l.monitor(Config{Hosts: l.targets(threshold), Proxy: l.proxyTarget(labRoutes)})
	first := row(t, refresh(t, m), "armitage").Idle
	if first.Activity != ActivityUnknown || !first.AtLeast || !strings.HasPrefix(first.String(), "idle ≥") {
		t.Errorf("watched for less than the threshold: want unknown (idle ≥…), got %+v %q", first, first)
	}
	time.Sleep(threshold + 50*time.Millisecond)
	if idle := row(t, refresh(t, m), "armitage").Idle; idle.Activity != ActivityIdle || !idle.AtLeast {
		t.Errorf("never active, watched a full threshold: want idle (at least), got %+v", idle)
	}

	s := startStreaming(t, l, "local/fast")
	busy := row(t, refresh(t, m), "armitage")
	time.Sleep(200 * time.Millisecond)
	busier := row(t, refresh(t, m), "armitage")
	for _, r := range []HostStatus{busy, busier} {
		if r.Idle.Activity != ActivityBusy || r.Idle.String() != "busy" {
			t.Errorf("streaming: want busy, got %+v", r.Idle)
		}
	}
	if !busier.Load.RateKnown || busier.Load.TokensPerSecond <= 0 {
		t.Errorf("streaming: want a positive token rate, got %+v", busier.Load)
	}
	if w := row(t, refresh(t, m), "wintermute").Idle; w.Activity == ActivityBusy {
		t.Errorf("wintermute streams nothing: %+v", w)
	}

	s.stop()
	untilQuiet(t, m, "armitage")
	time.Sleep(threshold + 50*time.Millisecond)
	idle := row(t, refresh(t, m), "armitage").Idle
	if idle.Activity != ActivityIdle || idle.AtLeast || idle.For < threshold || !strings.HasPrefix(idle.String(), "idle ") {
		t.Errorf("after the stream, a threshold of nothing: want idle, got %+v %q", idle, idle)
	}
}

// untilQuiet refreshes until host runs and queues nothing. Tokens
// generated since the previous sample count as activity at this one (when
// exactly they came is not known); with nothing running, none come after.
func untilQuiet(t *testing.T, m *Monitor, host string) {
	t.Helper()
	for range 100 {
		if l := row(t, refresh(t, m), host).Load; l.Known && l.Running == 0 && l.Waiting == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never became quiet", host)
}

func TestCounterResetGivesNoNegativeRate(t *testing.T) {
	l := startLab(t, labTweaks{hosts: map[string]func(*sim.GPUHostSpec){
		"armitage": func(s *sim.GPUHostSpec) { s.TokenRate = streamTokenRate }}})
	m := l.monitor(Config{Hosts: l.targets(0), Proxy: l.proxyTarget(labRoutes)})
	s := startStreaming(t, l, "local/fast")
	refresh(t, m)
	time.Sleep(200 * time.Millisecond)
	before := row(t, refresh(t, m), "armitage").Load
	s.stop()
	untilQuiet(t, m, "armitage")
	if before.TokensPerSecond <= 0 {
		t.Fatalf("streaming: want a positive rate, got %+v", before)
	}
	l.deploy("armitage", vllmConfigYAML("Qwen/Qwen2.5-7B-Instruct-AWQ", armitageName))
	l.waitServing("armitage")
	after := row(t, refresh(t, m), "armitage").Load
	if after.TokensPerSecond < 0 || after.RateKnown {
		t.Errorf("the counter went back to zero: want no rate yet, got %+v", after)
	}
	if next := row(t, refresh(t, m), "armitage").Load; !next.RateKnown || next.TokensPerSecond != 0 {
		t.Errorf("idle after the restart: want a known rate of 0, got %+v", next)
	}
}

func TestFaultBadGPUCSV(t *testing.T) {
	l := startLab(t, labTweaks{})
	if err := l.SetFault("riviera", sim.FaultBadGPUCSV); err != nil {
		t.Fatal(err)
	}
	riviera := row(t, refresh(t, l.monitor(Config{Hosts: l.targets(0)})), "riviera")
	if riviera.State != StateUp || riviera.GPUError == "" || riviera.GPUs != nil || !riviera.Container.Found {
		t.Fatalf("malformed nvidia-smi output: want up with a GPU error, got %+v", riviera)
	}
	if !slices.ContainsFunc(riviera.Errors, func(e ErrorEvent) bool { return e.Source == "gpu" }) {
		t.Errorf("the GPU error is not in the history: %+v", riviera.Errors)
	}
}

// TestFaultsDockerAndNvidiaSMIThroughWinRM: Docker Desktop not running for
// the WinRM user and nvidia-smi missing reach the row as the causes an
// operator acts on, each as such; once vLLM refuses too, the row is down
// with docker's error as its reason, not "loading".
func TestFaultsDockerAndNvidiaSMIThroughWinRM(t *testing.T) {
	l := startLab(t, labTweaks{})
	for _, f := range []sim.FaultKind{sim.FaultDockerNotRunning, sim.FaultNvidiaSMIMissing} {
		if err := l.SetFault("riviera", f); err != nil {
			t.Fatal(err)
		}
	}
	m := l.monitor(Config{Hosts: l.targets(0)})
	riviera := row(t, refresh(t, m), "riviera")
	if riviera.GPUError != "nvidia-smi not found" || !strings.HasPrefix(riviera.DockerError, "Docker Desktop is not running for user mdt") {
		t.Fatalf("GPU error %q, docker error %q", riviera.GPUError, riviera.DockerError)
	}
	if err := l.SetFault("riviera", sim.FaultNeverHealthy); err != nil {
		t.Fatal(err)
	}
	l.deploy("riviera", vllmConfigYAML("mistralai/Mistral-7B-Instruct-v0.3", rivieraName))
	riviera = row(t, refresh(t, m), "riviera")
	if riviera.State != StateDown || !strings.Contains(riviera.Reason, "Docker Desktop is not running for user mdt") {
		t.Errorf("refused with docker down: %s (%s)", riviera.State, riviera.Reason)
	}
}

// TestFaultSlowWinRMCostsOnlyItsTimeout: the lab delays riviera's WinRM
// replies by a minute; the host probe gives up after its own timeout (not
// the HTTP probes'), and the refreshes meanwhile show vLLM's state.
func TestFaultSlowWinRMCostsOnlyItsTimeout(t *testing.T) {
	l := startLab(t, labTweaks{slowWinRM: time.Minute}) // the lab stops waiting when the client gives up
	if err := l.SetFault("riviera", sim.FaultSlowWinRM); err != nil {
		t.Fatal(err)
	}
	m := l.monitor(Config{Hosts: l.targets(0), Timeout: DefaultTimeout, HostProbeTimeout: 3 * time.Second})
	riviera := row(t, refresh(t, m), "riviera")
	for i := 0; riviera.HostError == "" && i < 10; i++ {
		if riviera.State != StateUp {
			t.Fatalf("riviera's vLLM while its host probe runs: %s (%s)", riviera.State, riviera.Reason)
		}
		riviera = row(t, refresh(t, m), "riviera")
	}
	if !strings.Contains(riviera.HostError, "no answer within 3s") || riviera.GPUs != nil || riviera.Container.Found {
		t.Errorf("slow WinRM: want a host-side timeout, got host error %q", riviera.HostError)
	}
	if !slices.ContainsFunc(riviera.Errors, func(e ErrorEvent) bool { return e.Source == "host" }) {
		t.Errorf("the timeout is not in the history: %+v", riviera.Errors)
	}
}
