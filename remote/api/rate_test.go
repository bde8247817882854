package api

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2025, 11, 12, 10, 0, 0, 0, time.UTC)

func at(seconds float64) time.Time { return t0.Add(time.Duration(seconds * float64(time.Second))) }

func TestTokenRate(t *testing.T) {
	var r TokenRate
	if _, ok := r.Rate(); ok {
		t.Fatal("rate known before any sample")
	}
	r.ObserveCounter(at(0), 100)
	if _, ok := r.Rate(); ok {
		t.Fatal("rate known after one sample")
	}
	r.ObserveCounter(at(2), 160)
	if rate, ok := r.Rate(); !ok || rate != 30 {
		t.Fatalf("rate %v %v, want 30", rate, ok)
	}
	if !r.LastActivity().Equal(at(2)) {
		t.Errorf("last activity %v", r.LastActivity())
	}
	r.ObserveCounter(at(4), 160)
	if rate, _ := r.Rate(); rate != 0 || !r.LastActivity().Equal(at(2)) {
		t.Errorf("idle interval: rate %v activity %v", rate, r.LastActivity())
	}
}

// vLLM restarted: the counter starts over. No negative rate; a new series.
func TestTokenRateCounterReset(t *testing.T) {
	var r TokenRate
	r.ObserveCounter(at(0), 5000)
	r.ObserveCounter(at(1), 5100)
	r.ObserveCounter(at(2), 40)
	if rate, ok := r.Rate(); ok || rate != 0 {
		t.Fatalf("after reset: rate %v %v, want unknown", rate, ok)
	}
	r.ObserveCounter(at(3), 90)
	if rate, ok := r.Rate(); !ok || rate != 50 {
		t.Fatalf("new series: rate %v %v, want 50", rate, ok)
	}
}

func TestTokenRateIgnoresBadSamples(t *testing.T) {
	var r TokenRate
	r.ObserveCounter(at(10), 100)
	r.ObserveCounter(at(10), 200) // same instant
	r.ObserveCounter(at(5), 300)  // out of order
	r.ObserveCounter(at(11), math.NaN())
	r.ObserveCounter(at(11), math.Inf(1))
	r.ObserveCounter(at(11), -1)
	if _, ok := r.Rate(); ok {
		t.Fatal("a bad sample produced a rate")
	}
	r.ObserveCounter(at(12), 110)
	if rate, _ := r.Rate(); rate != 5 {
		t.Fatalf("rate %v, want 5", rate)
	}
}

func TestTokenRateActivityFromRequests(t *testing.T) {
	var r TokenRate
	if _, ok := r.IdleFor(at(0)); ok {
		t.Fatal("idle time known before any activity")
	}
	r.Observe(at(0), Metrics{Waiting: 1}) // queued, no counter in this scrape
	r.Observe(at(5), Metrics{GenerationTokens: 7, Found: FoundGenerationTokens})
	r.Observe(at(9), Metrics{GenerationTokens: 7, Found: FoundGenerationTokens})
	if idle, ok := r.IdleFor(at(12)); !ok || idle != 12*time.Second {
		t.Fatalf("idle %v %v, want 12s since the waiting request", idle, ok)
	}
	r.Observe(at(13), Metrics{Running: 1, GenerationTokens: 7, Found: FoundGenerationTokens})
	if idle, _ := r.IdleFor(at(14)); idle != time.Second {
		t.Fatalf("idle %v, want 1s", idle)
	}
	if idle, _ := r.IdleFor(at(1)); idle != 0 {
		t.Fatalf("idle before the last activity: %v", idle)
	}
}

// vllm-project/vllm#22545: after aborted requests the running gauge stays at
// 2 while nothing is generated. The first scrape of it counts (it may be a
// request in prefill); the same reading with a still counter does not, so
// the server becomes idle after its threshold. A gauge that moves again, or
// a counter that moves, is activity.
func TestTokenRateStuckGaugesDoNotKeepTheServerBusy(t *testing.T) {
	var r TokenRate
	stuck := Metrics{Running: 2, GenerationTokens: 500, Found: FoundGenerationTokens | FoundRunning}
	r.Observe(at(0), stuck)
	for s := 2.0; s <= 600; s += 2 {
		r.Observe(at(s), stuck)
	}
	if idle, ok := r.IdleFor(at(600)); !ok || idle != 600*time.Second {
		t.Fatalf("idle %v %v: stuck gauges kept the server busy", idle, ok)
	}
	r.Observe(at(602), Metrics{Running: 3, GenerationTokens: 500, Found: FoundGenerationTokens | FoundRunning})
	if idle, _ := r.IdleFor(at(602)); idle != 0 {
		t.Fatalf("a new request (gauge moved) is activity: idle %v", idle)
	}
	r.Observe(at(604), Metrics{Running: 3, GenerationTokens: 530, Found: FoundGenerationTokens | FoundRunning})
	if !r.LastActivity().Equal(at(604)) {
		t.Fatalf("a moving counter is activity: last %v", r.LastActivity())
	}
}
