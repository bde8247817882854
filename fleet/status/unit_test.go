package status

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/api"
)

func TestIdleAt(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	const threshold = 5 * time.Minute
	cases := []struct {
		name       string
		watched    time.Duration // how long before now watching began; <0: never
		lastActive time.Duration // how long before now; <0: never
		want       Activity
		atLeast    bool
		label      string
	}{
		{"no metrics yet", -1, -1, ActivityUnknown, false, "unknown"},
		{"watched briefly, never active", 40 * time.Second, -1, ActivityUnknown, true, "idle ≥40s"},
		{"watched a full threshold, never active", 7 * time.Minute, -1, ActivityIdle, true, "idle ≥7m"},
		{"active now", 10 * time.Minute, 0, ActivityBusy, false, "busy"},
		{"active within the threshold", 10 * time.Minute, 4 * time.Minute, ActivityBusy, false, "busy"},
		{"active before the threshold", 10 * time.Minute, 7 * time.Minute, ActivityIdle, false, "idle 7m"},
	}
	for _, c := range cases {
		w := activityWatch{threshold: threshold}
		if c.watched >= 0 {
			w.watchedSince = t0.Add(-c.watched)
		}
		if c.lastActive >= 0 {
			w.lastActive = t0.Add(-c.lastActive)
		}
		got := w.idleAt(t0)
		if got.Activity != c.want || got.AtLeast != c.atLeast || got.String() != c.label || got.Threshold != threshold {
			t.Errorf("%s: got %+v %q, want %s atLeast=%v %q", c.name, got, got, c.want, c.atLeast, c.label)
		}
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Millisecond: "850ms", 45 * time.Second: "45s", 7*time.Minute + 59*time.Second: "7m",
		time.Hour: "1h", 80 * time.Minute: "1h20m", 76 * time.Hour: "3d4h", 48 * time.Hour: "2d",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestErrorLogFoldsRepeatsAndKeepsTheLastTen(t *testing.T) {
	var log errorLog
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	log.add(t0, "vllm", "refused")
	log.add(t0, "host", "unreachable")
	log.add(t0.Add(time.Second), "vllm", "refused")
	if len(log) != 2 || log[1].Message != "refused" || log[1].Count != 2 || !log[1].First.Equal(t0) ||
		!log[1].At.Equal(t0.Add(time.Second)) {
		t.Fatalf("repeats not folded: %+v", log)
	}
	for i := range 15 {
		log.add(t0.Add(time.Duration(i)*time.Minute), "metrics", fmt.Sprintf("error %d", i))
	}
	if len(log) != MaxErrors || log[0].Message != "error 5" || log[MaxErrors-1].Message != "error 14" {
		t.Errorf("want the last %d errors, oldest first: %+v", MaxErrors, log)
	}
}

func TestRefusedStateUsesTheHostSide(t *testing.T) {
	running := &remote.Container{Name: "vllm-x", State: "running"}
	exited := &remote.Container{Name: "vllm-x", State: "exited", Status: "Exited (137) 2 minutes ago"}
	cases := []struct {
		name string
		p    hostProbe
		want State
	}{
		{"no transport", hostProbe{}, StateLoading},
		{"transport cannot reach the host", hostProbe{hostProbed: true, hostErr: fmt.Errorf("dial: %w", remote.ErrUnreachable)}, StateDown},
		{"authentication failed", hostProbe{hostProbed: true, hostErr: fmt.Errorf("x: %w", remote.ErrAuth)}, StateLoading},
		{"container running", hostProbe{hostProbed: true, host: remote.HostSnapshot{Container: running}}, StateLoading},
		{"container exited", hostProbe{hostProbed: true, host: remote.HostSnapshot{Container: exited}}, StateDown},
		{"no container", hostProbe{hostProbed: true}, StateDown},
		{"docker failed", hostProbe{hostProbed: true, host: remote.HostSnapshot{DockerErr: "docker not found"}}, StateDown},
	}
	for _, c := range cases {
		c.p.vllm = api.ProbeResult{State: api.StateLoading}
		if got, reason := hostState(c.p, "vllm-x"); got != c.want {
			t.Errorf("%s: got %s (%s), want %s", c.name, got, reason, c.want)
		}
	}
}

func TestSnapshotsShareNothing(t *testing.T) {
	m := New(Config{Timeout: patientTimeout, Hosts: []Target{{Host: "a", VLLMURL: refusedURL(t), Expected: []string{"x"}}},
		Proxy: &ProxyTarget{Host: "p", URL: refusedURL(t), Routes: []Route{{Alias: "r", Upstream: "x", Host: "a"}}}})
	defer m.Close()
	s := refresh(t, m)
	s.Hosts[0].Expected[0] = "changed"
	s.Hosts[0].Errors[0].Message = "changed"
	s.Proxy.Errors[0].Message = "changed"
	again := m.Snapshot()
	if again.Hosts[0].Expected[0] != "x" || again.Hosts[0].Errors[0].Message == "changed" || again.Proxy.Errors[0].Message == "changed" {
		t.Errorf("a snapshot's slices are shared with the monitor: %+v", again)
	}
	if again.Proxy.State != StateDown || again.Routes[0].State != RouteHostDown {
		t.Errorf("refused proxy and host: %+v %+v", again.Proxy, again.Routes)
	}
}

func TestSetTargetsKeepsHistory(t *testing.T) {
	url := refusedURL(t)
	m := New(Config{Timeout: patientTimeout, Hosts: []Target{{Host: "a", VLLMURL: url}, {Host: "b", VLLMURL: url}}})
	defer m.Close()
	refresh(t, m)
	m.SetTargets([]Target{{Host: "a", VLLMURL: url, Expected: []string{"new"}}}, nil)
	s := m.Snapshot()
	if len(s.Hosts) != 1 || s.Hosts[0].Host != "a" || len(s.Hosts[0].Errors) != 1 || s.Hosts[0].State != StateLoading {
		t.Fatalf("host a should keep its row and history: %+v", s.Hosts)
	}
	if !slices.Equal(s.Hosts[0].Expected, []string{"new"}) {
		t.Errorf("the new expected names are not shown: %+v", s.Hosts[0])
	}
}

func TestTransportSetupFailureIsReported(t *testing.T) {
	failing := func() (remote.Transport, error) {
		return nil, errors.New("ansible_winrm_scheme is http but no transport")
	}
	m := New(Config{Timeout: patientTimeout, Hosts: []Target{{Host: "a", VLLMURL: engineDeadServer(t), Transport: failing}}})
	defer m.Close()
	a := refresh(t, m).Hosts[0]
	if a.HostError == "" || !slices.ContainsFunc(a.Errors, func(e ErrorEvent) bool { return e.Source == "transport" }) {
		t.Errorf("a transport that cannot be built: %+v", a)
	}
}

// TestRunPublishesLiveRowsBeforeDeadOnes: a host that never answers holds
// its own row only; the others are published while it is still pending.
func TestRunPublishesLiveRowsBeforeDeadOnes(t *testing.T) {
	m := New(Config{Timeout: time.Minute, Hosts: []Target{
		{Host: "alive", VLLMURL: engineDeadServer(t)},
		{Host: "hung", VLLMURL: silentListener(t)},
	}})
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	snaps := make(chan Snapshot, 100)
	done := m.Run(ctx, time.Hour, func(s Snapshot) { snaps <- s })
	var got Snapshot
	for got.Hosts == nil || got.Hosts[0].Updated.IsZero() {
		select {
		case got = <-snaps:
		case <-time.After(30 * time.Second):
			t.Fatal("no snapshot with the live row")
		}
	}
	cancel()
	<-done
	if got.Pending != 1 || !got.Hosts[1].Updated.IsZero() || got.Hosts[1].State != StateUnknown {
		t.Errorf("the hung host should still be pending: %+v", got)
	}
	if hung := m.Snapshot().Hosts[1]; !hung.Updated.IsZero() {
		t.Errorf("a probe cut short by the end of Run must be dropped: %+v", hung)
	}
}

// fakeTransport answers Snapshot with a fixed snapshot, or never (ignoring
// its context) when hang is set.
type fakeTransport struct {
	remote.Transport
	snap  remote.HostSnapshot
	hang  chan struct{}
	calls atomic.Int32
}

func (f *fakeTransport) Snapshot(ctx context.Context, container string) (remote.HostSnapshot, error) {
	f.calls.Add(1)
	if f.hang != nil {
		<-f.hang
	}
	return f.snap, nil
}

func (f *fakeTransport) Close() error { return nil }

func TestGPUFiguresNotAvailable(t *testing.T) {
	total := 24564.0
	fake := &fakeTransport{snap: remote.HostSnapshot{GPUs: []remote.GPU{{Index: 0, Name: "Tesla", MemTotalMiB: &total}}}}
	m := New(Config{Timeout: patientTimeout, Hosts: []Target{{Host: "a", VLLMURL: refusedURL(t),
		Transport: func() (remote.Transport, error) { return fake, nil }}}})
	defer m.Close()
	g := refresh(t, m).Hosts[0].GPUs
	if len(g) != 1 || g[0].Util.OK || g[0].TempC.OK || g[0].PowerW.OK || g[0].MemUsedMiB.OK || g[0].MemTotalMiB != (Reading{total, true}) {
		t.Errorf("[N/A] figures should read as not OK: %+v", g)
	}
}

func TestTransportIgnoringItsDeadlineDoesNotHoldTheRefresh(t *testing.T) {
	fake := &fakeTransport{hang: make(chan struct{})}
	defer close(fake.hang)
	m := New(Config{Timeout: patientTimeout, HostProbeTimeout: 500 * time.Millisecond, Hosts: []Target{{Host: "a", VLLMURL: refusedURL(t),
		Transport: func() (remote.Transport, error) { return fake, nil }}}})
	defer m.Close()
	a := refresh(t, m).Hosts[0]
	if !strings.Contains(a.HostError, "no answer within 500ms") {
		t.Errorf("a transport that hangs: %+v", a)
	}
}

// A refused vLLM beside a docker that fails is not "loading": the row is
// down and the reason is docker's error, word for word.
func TestRefusedWithADockerErrorNamesIt(t *testing.T) {
	const cause = "Docker Desktop is not running for user mdt (it runs only in a logged-in session): docker: error during connect"
	fake := &fakeTransport{snap: remote.HostSnapshot{DockerErr: cause}}
	m := New(Config{Timeout: patientTimeout, Hosts: []Target{{Host: "a", VLLMURL: refusedURL(t), Container: "vllm-a",
		Transport: func() (remote.Transport, error) { return fake, nil }}}})
	defer m.Close()
	a := refresh(t, m).Hosts[0]
	if a.State == StateLoading || !strings.Contains(a.Reason, cause) || a.DockerError != cause {
		t.Errorf("state %s, reason %q, docker error %q; want the docker error as the reason", a.State, a.Reason, a.DockerError)
	}
}

// Host probes run on their own cadence: between two of them, refreshes
// show the last snapshot (and log its errors once); when one is due, the
// next refresh runs it. nvidia-smi missing is shown as such.
func TestHostProbesKeepTheirOwnCadence(t *testing.T) {
	fake := &fakeTransport{snap: remote.HostSnapshot{GPUError: "nvidia-smi not found",
		Container: &remote.Container{Name: "vllm-a", State: "running"}}}
	open := func() (remote.Transport, error) { return fake, nil }
	m := New(Config{Timeout: patientTimeout, HostProbeInterval: time.Hour,
		Hosts: []Target{{Host: "a", VLLMURL: engineDeadServer(t), Container: "vllm-a", Transport: open}}})
	defer m.Close()
	var a HostStatus
	for range 3 {
		a = refresh(t, m).Hosts[0]
		if a.GPUError != "nvidia-smi not found" || a.HostError != "" || !a.Container.Found {
			t.Fatalf("row between host probes: GPU error %q, host error %q, container %+v", a.GPUError, a.HostError, a.Container)
		}
	}
	if n := fake.calls.Load(); n != 1 {
		t.Errorf("3 refreshes within the interval ran %d host probes, want 1", n)
	}
	gpuErrors := slices.DeleteFunc(slices.Clone(a.Errors), func(e ErrorEvent) bool { return e.Source != "gpu" })
	if len(gpuErrors) != 1 || gpuErrors[0].Count != 1 || gpuErrors[0].Message != "nvidia-smi not found" {
		t.Errorf("one host probe's GPU error should be logged once: %+v", gpuErrors)
	}
	due := New(Config{Timeout: patientTimeout, HostProbeInterval: time.Nanosecond, // a host probe is always due
		Hosts: []Target{{Host: "a", VLLMURL: a.URL, Container: "vllm-a", Transport: open}}})
	defer due.Close()
	refresh(t, due)
	refresh(t, due)
	if n := fake.calls.Load(); n != 3 {
		t.Errorf("2 refreshes with host probes due ran %d more, want 2", n-1)
	}
}

// The host probe's deadline is its own: a snapshot slower than the HTTP
// probes' timeout is waited for by later refreshes, not cut short.
func TestHostProbeOutlastsTheHTTPTimeout(t *testing.T) {
	fake := &fakeTransport{hang: make(chan struct{}), snap: remote.HostSnapshot{GPUError: "nvidia-smi not found"}}
	m := New(Config{Timeout: 200 * time.Millisecond, HostProbeTimeout: time.Minute, Hosts: []Target{{Host: "a",
		VLLMURL: engineDeadServer(t), Transport: func() (remote.Transport, error) { return fake, nil }}}})
	defer m.Close()
	a := refresh(t, m).Hosts[0]
	if a.HostError != "" || a.GPUError != "" {
		t.Fatalf("while the host probe runs: host error %q, GPU error %q", a.HostError, a.GPUError)
	}
	close(fake.hang)
	for i := 0; a.GPUError == "" && i < 50; i++ {
		a = refresh(t, m).Hosts[0]
		if a.HostError != "" {
			t.Fatalf("the host probe was cut short: %q", a.HostError)
		}
	}
	if a.GPUError != "nvidia-smi not found" || fake.calls.Load() != 1 {
		t.Errorf("the slow host probe's answer: GPU error %q after %d probes", a.GPUError, fake.calls.Load())
	}
}

// A route whose api_base names no inventory host says so, rather than
// naming an empty host.
func TestRouteToNoInventoryHostSaysSo(t *testing.T) {
	got := lintRoutes([]Route{{Alias: "chat", Upstream: "m"}, {Alias: "x", Upstream: "m", Host: "ghost"}}, nil, nil)
	if got[0].State != RouteUnknownHost || got[0].Detail != "chat's backend is no host of the inventory (its api_base, if any, names none), so what it serves is not watched" {
		t.Errorf("no host: %+v", got[0])
	}
	if got[1].Detail != "x routes to ghost, which is not a watched host" {
		t.Errorf("unwatched host: %+v", got[1])
	}
}
