package status

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/remote/sim"
)

// Sizes of BenchmarkRefresh200's fleet (README, "Performance": 200 hosts, 20 % dead).
const (
	benchLive    = 160
	benchRefused = 20 // lab hosts with the down fault: connections refused
	benchSilent  = 20 // loopback listeners that accept and never answer
)

// BenchmarkRefresh200 refreshes 200 hosts of which 40 are dead and reports
// live-ms (refresh start until every live row is updated), total-ms (the
// whole refresh: the dead hosts' own timeout), the same for the first, cold
// refresh (new connections everywhere), late-rows: live rows per refresh
// that ran out of their own timeout (only on a starved machine), and cpu-ms:
// the CPU time one refresh costs the process (monitor and in-process lab
// together), a figure other load on the machine does not inflate.
func BenchmarkRefresh200(b *testing.B) {
	targets, live := benchFleet(b)
	m := New(Config{Hosts: targets})
	b.Cleanup(func() { m.Close() })
	cold := timedRefresh(b, m, live)
	var sum refreshTimes
	n := 0
	for b.Loop() {
		t := timedRefresh(b, m, live)
		sum.live, sum.total, sum.late, n = sum.live+t.live, sum.total+t.total, sum.late+t.late, n+1
		sum.cpu += t.cpu
	}
	b.ReportMetric(msec(sum.cpu)/float64(n), "cpu-ms")
	b.ReportMetric(msec(sum.live)/float64(n), "live-ms")
	b.ReportMetric(msec(sum.total)/float64(n), "total-ms")
	b.ReportMetric(float64(sum.late+cold.late)/float64(n+1), "late-rows")
	b.ReportMetric(msec(cold.live), "cold-live-ms")
	b.ReportMetric(msec(cold.total), "cold-total-ms")
	b.ReportMetric(0, "ns/op")
}

type refreshTimes struct {
	live, total time.Duration
	cpu         time.Duration // CPU time of the process: monitor and lab together
	late        int           // live rows that timed out (a starved machine)
}

func msec(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// timedRefresh runs one refresh, checks every row's state and measures.
func timedRefresh(b *testing.B, m *Monitor, live map[string]bool) refreshTimes {
	start, cpu := time.Now(), processCPU()
	s := m.Refresh(context.Background())
	t := refreshTimes{total: time.Since(start), cpu: processCPU() - cpu}
	for _, h := range s.Hosts {
		if checkBenchRow(b, h, live[h.Host]) {
			t.live = max(t.live, h.Updated.Sub(start))
		} else if live[h.Host] {
			t.late++
		}
	}
	if t.live > time.Second || t.late > 0 {
		b.Logf("live rows took %v, %d timed out: over the 1 s budget", t.live, t.late)
	}
	return t
}

// checkBenchRow fails on a wrong state and reports whether a live row is
// fully updated; a live row with a probe that timed out (unreachable, or
// /metrics missing) only counts as late.
func checkBenchRow(b *testing.B, h HostStatus, live bool) bool {
	switch {
	case live && (h.State == StateUnreachable || h.State == StateUp && !h.Load.Known):
		return false
	case live && (h.State != StateUp || h.Mismatch):
		b.Fatalf("%s should be up and serving what is expected: %s %s", h.Host, h.State, h.Reason)
	case !live && h.State != StateLoading && h.State != StateUnreachable:
		b.Fatalf("%s should be dead: %s %s", h.Host, h.State, h.Reason)
	}
	return live
}

// benchFleet starts the lab hosts and the silent listeners; live names the
// hosts that answer.
func benchFleet(b testing.TB) ([]Target, map[string]bool) {
	lab := startBenchLab(b)
	var targets []Target
	live := map[string]bool{}
	for i, h := range lab.Hosts() {
		targets = append(targets, Target{Host: h.Name, VLLMURL: h.VLLMURL, Expected: []string{h.Name + "-model"}})
		live[h.Name] = i < benchLive
	}
	for i := range benchSilent {
		targets = append(targets, Target{Host: fmt.Sprintf("silent%02d", i), VLLMURL: silentListener(b)})
	}
	return targets, live
}

func startBenchLab(b testing.TB) *sim.Lab {
	start := time.Now()
	var hosts []sim.GPUHostSpec
	for i := range benchLive + benchRefused {
		name := fmt.Sprintf("gpu%03d", i)
		spec := gpuHost(name, "org/model-"+name, name+"-model", nil)
		if i >= benchLive {
			spec.Faults = []sim.FaultKind{sim.FaultDown}
		}
		hosts = append(hosts, spec)
	}
	lab, err := sim.StartLab(sim.LabSpec{GPUHosts: hosts})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lab.Close() })
	b.Logf("lab of %d hosts started in %v", len(hosts), time.Since(start))
	return lab
}

// BenchmarkRunTick200 is the UI's view of the same fleet: the time from a
// round's start until Run publishes a snapshot with every live row updated
// (publish-ms, and cold-publish-ms for the first round on new connections);
// the dead hosts are still pending then.
func BenchmarkRunTick200(b *testing.B) {
	targets, live := benchFleet(b)
	m := New(Config{Hosts: targets})
	b.Cleanup(func() { m.Close() })
	cold := timedRound(b, m, live)
	var sum time.Duration
	n := 0
	for b.Loop() {
		sum, n = sum+timedRound(b, m, live), n+1
	}
	b.ReportMetric(msec(sum)/float64(n), "publish-ms")
	b.ReportMetric(msec(cold), "cold-publish-ms")
	b.ReportMetric(0, "ns/op")
}

// timedRound runs one Run round and returns when the live rows were
// published; it waits for the round's end (the dead hosts' timeout), as the
// next tick would.
func timedRound(b *testing.B, m *Monitor, live map[string]bool) time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	var publishedLive time.Duration
	var ended sync.Once
	roundDone := make(chan struct{})
	done := m.Run(ctx, time.Hour, func(s Snapshot) {
		if publishedLive == 0 && liveRowsSince(s, live, start) {
			publishedLive = time.Since(start)
		}
		if s.Pending == 0 && publishedLive > 0 {
			ended.Do(func() { close(roundDone) })
		}
	})
	select {
	case <-roundDone:
	case <-time.After(time.Minute):
		b.Fatal("the round never ended")
	}
	cancel()
	<-done
	return publishedLive
}

func liveRowsSince(s Snapshot, live map[string]bool, start time.Time) bool {
	for _, h := range s.Hosts {
		if live[h.Host] && h.Updated.Before(start) {
			return false
		}
	}
	return true
}
