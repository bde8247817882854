package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

// connCounter counts the connections a test server accepted and closed.
type connCounter struct {
	mu             sync.Mutex
	opened, closed int
}

func (c *connCounter) track(_ net.Conn, state http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch state {
	case http.StateNew:
		c.opened++
	case http.StateClosed, http.StateHijacked:
		c.closed++
	}
}

func (c *connCounter) counts() (opened, closed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opened, c.closed
}

func countedVLLM(t *testing.T, f fakeVLLM) (*httptest.Server, *connCounter) {
	t.Helper()
	if f.healthStatus == 0 {
		f.healthStatus = http.StatusOK
	}
	f.models = fixture(t, "vllm_v1_models__served_model_name.json")
	f.metrics = fixture(t, "vllm_metrics__v1_engine_v0.10.prom")
	counter := new(connCounter)
	srv := httptest.NewUnstartedServer(f)
	srv.Config.ConnState = counter.track
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, counter
}

func TestHealthDialFirstRefusedIsWhatHealthSays(t *testing.T) {
	base := refusedURL(t)
	c := NewVLLM(base, "", NewHTTPClient())
	ctx := context.Background()
	viaHTTP, dialedFirst := c.Health(ctx), c.HealthDialFirst(ctx)
	if viaHTTP == nil || dialedFirst == nil || viaHTTP.Error() != dialedFirst.Error() {
		t.Fatalf("Health: %v\nHealthDialFirst: %v\nwant the same refusal", viaHTTP, dialedFirst)
	}
	a, b := TransportFailure(viaHTTP), TransportFailure(dialedFirst)
	if a == nil || b == nil || a.State != b.State || a.Reason != b.Reason {
		t.Fatalf("classified %+v and %+v, want the same", a, b)
	}
}

func TestHealthDialFirstAnswersOnTheConnectionItMade(t *testing.T) {
	srv, counter := countedVLLM(t, fakeVLLM{})
	c := NewVLLM(srv.URL, "", NewHTTPClient())
	if err := c.HealthDialFirst(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Metrics(context.Background()); err != nil {
		t.Fatal(err)
	}
	if opened, closed := counter.counts(); opened != 1 || closed != 0 {
		t.Fatalf("the server saw %d connections opened and %d closed; want the one dialed first, kept for /metrics", opened, closed)
	}
}

func TestHealthDialFirstClosesTheConnectionTheTransportDidNotTake(t *testing.T) {
	// No collection while it runs: the connection's finalizer would close
	// a connection release forgot.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	srv, counter := countedVLLM(t, fakeVLLM{})
	c := NewVLLM(srv.URL, "", NewHTTPClient())
	for range 2 { // the second finds the first's connection idle in the pool
		if err := c.HealthDialFirst(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		opened, closed := counter.counts()
		if opened == 2 && closed == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("opened %d, closed %d: want the unused second connection closed, the pooled one kept", opened, closed)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestHealthDialFirstKeepsHealthsAnswers(t *testing.T) {
	srv, _ := countedVLLM(t, fakeVLLM{healthStatus: http.StatusServiceUnavailable})
	err := NewVLLM(srv.URL, "", NewHTTPClient()).HealthDialFirst(context.Background())
	if !errors.Is(err, ErrEngineDead) {
		t.Fatalf("got %v, want the engine dead as Health says", err)
	}
	silent := NewVLLM(silentListener(t), "", NewHTTPClient())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if f := TransportFailure(silent.HealthDialFirst(ctx)); f == nil || f.State != StateUnreachable {
		t.Fatalf("a server that accepts and never answers: %+v, want unreachable (timeout)", f)
	}
}

// roundTripFunc is a fake transport.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestHealthDialFirstNeverDialsAroundAFakeTransport(t *testing.T) {
	answered := false
	fake := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		answered = true
		rec := httptest.NewRecorder()
		rec.WriteHeader(http.StatusOK)
		return rec.Result(), nil
	})}
	if err := NewVLLM(refusedURL(t), "", fake).HealthDialFirst(context.Background()); err != nil || !answered {
		t.Fatalf("err %v, fake transport asked %v: want its answer, no dial of the refused address", err, answered)
	}
}
