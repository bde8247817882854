package history

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/fleet/status"
)

var t0 = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

func reading(v float64) status.Reading { return status.Reading{Value: v, OK: true} }

// upHost is a serving host at time at with util% on one 100 GiB GPU.
func upHost(name string, at time.Time, util, tokens float64) status.HostStatus {
	return status.HostStatus{
		Host: name, State: status.StateUp, Updated: at,
		GPUs: []status.GPU{{Util: reading(util), MemUsedMiB: reading(25 * 1024), MemTotalMiB: reading(100 * 1024)}},
		Load: status.Load{Known: true, Running: 3, Waiting: 1, KVCache: 0.42, TokensPerSecond: tokens, RateKnown: true},
	}
}

func snapOf(hosts ...status.HostStatus) status.Snapshot { return status.Snapshot{Hosts: hosts} }

func TestRecordKeepsEachFigure(t *testing.T) {
	s := New(time.Minute, 2*time.Second)
	s.Record(snapOf(upHost("wintermute", t0, 80, 120.5)))
	want := map[Metric]float64{GPUUtil: 80, GPUMem: 25, KVCache: 42, Running: 3, Waiting: 1, Tokens: 120.5}
	for m, v := range want {
		got := s.Recent("wintermute", m, 5)
		if len(got) != 1 || math.Abs(got[0]-v) > 1e-3 {
			t.Errorf("%s: got %v, want [%v]", m, got, v)
		}
	}
}

func TestUnknownFiguresAreNaN(t *testing.T) {
	s := New(time.Minute, 2*time.Second)
	down := status.HostStatus{Host: "armitage", State: status.StateDown, Updated: t0}
	s.Record(snapOf(down))
	for _, m := range Metrics() {
		if got := s.Recent("armitage", m, 1); len(got) != 1 || !math.IsNaN(got[0]) {
			t.Errorf("%s of a down host: got %v, want [NaN]", m, got)
		}
	}
}

func TestRecordSkipsRowsNotUpdated(t *testing.T) {
	s := New(time.Minute, 2*time.Second)
	s.Record(snapOf(upHost("w", t0, 10, 1)))
	s.Record(snapOf(upHost("w", t0, 90, 1)))                                   // same round, seen again
	s.Record(snapOf(status.HostStatus{Host: "w", State: status.StateUnknown})) // never probed
	if n := s.Len("w"); n != 1 {
		t.Fatalf("samples = %d, want 1", n)
	}
}

func TestRingWrapsAtCapacity(t *testing.T) {
	s := New(10*time.Second, 2*time.Second) // 6 samples
	if s.Capacity() != 6 {
		t.Fatalf("capacity = %d, want 6", s.Capacity())
	}
	for i := range 20 {
		s.Record(snapOf(upHost("w", t0.Add(time.Duration(i)*2*time.Second), float64(i), 0)))
	}
	got := s.Recent("w", GPUUtil, 100)
	want := []float64{14, 15, 16, 17, 18, 19}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after 20 samples: %v, want the last six %v", got, want)
	}
}

func TestHostsLeavingTheFleetAreForgotten(t *testing.T) {
	s := New(time.Minute, 2*time.Second)
	s.Record(snapOf(upHost("a", t0, 1, 1), upHost("b", t0, 1, 1)))
	s.Record(snapOf(upHost("a", t0.Add(2*time.Second), 1, 1)))
	if s.Len("b") != 0 || s.Len("a") != 2 {
		t.Fatalf("a=%d b=%d, want a=2 b=0", s.Len("a"), s.Len("b"))
	}
}

func TestBucketsAverageEachSpanAndLeaveGaps(t *testing.T) {
	s := New(time.Minute, 5*time.Second)
	// samples at 0..25s of a minute ending at t0+60s: first half only
	for i, u := range []float64{10, 20, 30, 40, 50, 60} {
		s.Record(snapOf(upHost("w", t0.Add(time.Duration(i)*5*time.Second), u, 0)))
	}
	got := s.Buckets("w", GPUUtil, t0.Add(time.Minute), 4) // 15 s each
	if got[0] != 20 || got[1] != 50 || !math.IsNaN(got[2]) || !math.IsNaN(got[3]) {
		t.Fatalf("buckets = %v, want [20 50 NaN NaN]", got)
	}
}

// TestMemoryIsBoundedByTheWindow: feeding a host for an hour leaves its
// store as big as feeding it for the window.
func TestMemoryIsBoundedByTheWindow(t *testing.T) {
	s := New(15*time.Minute, 2*time.Second)
	for i := range 1800 {
		s.Record(snapOf(upHost("w", t0.Add(time.Duration(i)*2*time.Second), 50, 10)))
	}
	r := s.hosts["w"]
	if len(r.at) != 451 || r.n != 451 {
		t.Fatalf("ring len %d holding %d, want 451/451", len(r.at), r.n)
	}
}

// BenchmarkMemory1000Hosts15Minutes measures the heap that 15 minutes of
// history at the default 2 s cadence takes for 1,000 hosts (README quotes it).
func BenchmarkMemory1000Hosts15Minutes(b *testing.B) {
	hosts := make([]status.HostStatus, 1000)
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := New(DefaultWindow, 2*time.Second)
		for round := range s.Capacity() {
			at := t0.Add(time.Duration(round) * 2 * time.Second)
			for i := range hosts {
				hosts[i] = upHost(fmt.Sprintf("gpu-%04d", i), at, 50, 10)
			}
			s.Record(snapOf(hosts...))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB")
		runtime.KeepAlive(s)
	}
}
