package status

import (
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestParallelBoundsHostsInFlight: with Parallel 2, a third host is not
// probed while two are in flight (their answers held back), and every row
// is updated once they answer.
func TestParallelBoundsHostsInFlight(t *testing.T) {
	gate := newHostGate()
	var targets []Target
	for _, name := range []string{"a", "b", "c", "d"} {
		targets = append(targets, Target{Host: name, VLLMURL: gate.server(t, name)})
	}
	m := New(Config{Hosts: targets, Parallel: 2, Timeout: patientTimeout})
	m.slotHold = time.Hour // only an ended probe frees its slot here
	defer m.Close()
	done := make(chan Snapshot)
	go func() { done <- refresh(t, m) }()
	gate.waitHosts(2)
	time.Sleep(200 * time.Millisecond) // room for a third host to start, were it allowed
	if n := gate.maxInFlight(); n != 2 {
		t.Errorf("%d hosts probed at once, want 2", n)
	}
	gate.open()
	for _, h := range (<-done).Hosts {
		if h.State != StateEngineDead {
			t.Errorf("%s: want engine-dead (its /health answers 503), got %s (%s)", h.Host, h.State, h.Reason)
		}
	}
}

// TestParallelSilentHostsDoNotHoldTheOthers: with Parallel 1 and three
// silent hosts first, the refused host behind them is still probed and
// every row ends in its own state.
func TestParallelSilentHostsDoNotHoldTheOthers(t *testing.T) {
	targets := []Target{
		{Host: "silent-1", VLLMURL: silentListener(t)},
		{Host: "silent-2", VLLMURL: silentListener(t)},
		{Host: "silent-3", VLLMURL: silentListener(t)},
		{Host: "off", VLLMURL: refusedURL(t)},
	}
	m := New(Config{Hosts: targets, Parallel: 1, Timeout: 300 * time.Millisecond})
	defer m.Close()
	s := refresh(t, m)
	for _, h := range s.Hosts[:3] {
		if h.State != StateUnreachable {
			t.Errorf("%s never answers: want unreachable, got %s (%s)", h.Host, h.State, h.Reason)
		}
	}
	if off := row(t, s, "off"); off.State != StateLoading {
		t.Errorf("off refuses: want loading, got %s (%s)", off.State, off.Reason)
	}
}

// hostGate serves every host's vLLM endpoints with /health 503, holding
// each answer until open, and counts the hosts with a request in flight.
type hostGate struct {
	mu       sync.Mutex
	inFlight map[string]int
	max      int
	seen     chan struct{}
	released chan struct{}
	once     sync.Once
}

func newHostGate() *hostGate {
	return &hostGate{inFlight: map[string]int{}, seen: make(chan struct{}, 100), released: make(chan struct{})}
}

func (g *hostGate) server(t *testing.T, host string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.enter(host)
		defer g.leave(host)
		<-g.released
		w.WriteHeader(http.StatusServiceUnavailable)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { g.open(); srv.Close() })
	return "http://" + ln.Addr().String()
}

func (g *hostGate) enter(host string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inFlight[host]++; g.inFlight[host] == 1 {
		g.max = max(g.max, len(g.inFlight))
		g.seen <- struct{}{}
	}
}

func (g *hostGate) leave(host string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inFlight[host]--; g.inFlight[host] == 0 {
		delete(g.inFlight, host)
	}
}

func (g *hostGate) waitHosts(n int) {
	for range n {
		<-g.seen
	}
}

func (g *hostGate) maxInFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.max
}

func (g *hostGate) open() { g.once.Do(func() { close(g.released) }) }

// TestHealthFirstAnswersAsTheFullProbe: asking /health first changes no
// row: lab hosts serving (with their served names and load), one refusing,
// one whose engine is dead and one that never answers read the same with
// and without HealthFirst.
func TestHealthFirstAnswersAsTheFullProbe(t *testing.T) {
	l := startLab(t, labTweaks{})
	targets := l.targets(0)
	for i := range targets {
		targets[i].Transport = nil // HealthFirst is for checks without the host side
	}
	targets = append(targets,
		Target{Host: "off", VLLMURL: refusedURL(t)},
		Target{Host: "dead-engine", VLLMURL: engineDeadServer(t), Expected: []string{"dead-model"}},
		Target{Host: "hung", VLLMURL: silentListener(t)})
	full := refresh(t, l.monitor(Config{Hosts: targets, Timeout: time.Second}))
	first := refresh(t, l.monitor(Config{Hosts: targets, Timeout: time.Second, HealthFirst: true}))
	for _, want := range full.Hosts {
		got := row(t, first, want.Host)
		if got.State != want.State || got.Reason != want.Reason || !slices.Equal(got.Served, want.Served) ||
			got.Mismatch != want.Mismatch || got.Load.Known != want.Load.Known || got.NoMetrics != want.NoMetrics {
			t.Errorf("%s: HealthFirst %s (%s) served %q load known %v %q; full probe %s (%s) served %q load known %v %q",
				want.Host, got.State, got.Reason, got.Served, got.Load.Known, got.NoMetrics,
				want.State, want.Reason, want.Served, want.Load.Known, want.NoMetrics)
		}
	}
	if up := row(t, first, "armitage"); up.State != StateUp || !up.Load.Known {
		t.Errorf("armitage serves: want up with its load read, got %+v", up)
	}
}
