package history

import (
	"math"
	"sync"
	"time"

	"github.com/straylight-fleet/straylight/fleet/status"
)

// Metric names one recorded figure.
type Metric int

// The recorded figures.
const (
	GPUUtil Metric = iota // mean GPU utilization, percent
	GPUMem                // GPU memory in use over all GPUs, percent of the total
	KVCache               // KV-cache usage, percent
	Running               // requests in the running batch
	Waiting               // requests queued
	Tokens                // generated tokens per second
	metricCount
)

// Metrics lists every metric, in the order the host detail charts them.
func Metrics() []Metric {
	return []Metric{GPUUtil, GPUMem, KVCache, Running, Waiting, Tokens}
}

// String is the metric's label.
func (m Metric) String() string {
	switch m {
	case GPUUtil:
		return "GPU utilization %"
	case GPUMem:
		return "GPU memory %"
	case KVCache:
		return "KV cache %"
	case Running:
		return "running requests"
	case Waiting:
		return "waiting requests"
	case Tokens:
		return "tokens/s"
	}
	return "unknown metric"
}

// Percent reports whether the metric is a percentage (charted on 0–100).
func (m Metric) Percent() bool { return m == GPUUtil || m == GPUMem || m == KVCache }

// DefaultWindow is how far back the UI's history reaches.
const DefaultWindow = 15 * time.Minute

// Store is every host's recent load. It is safe for concurrent use.
type Store struct {
	mu       sync.Mutex
	window   time.Duration
	capacity int
	hosts    map[string]*ring
}

// New returns a store that keeps window of history for samples arriving
// every `every` (the monitor's refresh interval).
func New(window, every time.Duration) *Store {
	if every <= 0 {
		every = 2 * time.Second
	}
	capacity := int((window+every-1)/every) + 1
	return &Store{window: window, capacity: max(2, capacity), hosts: map[string]*ring{}}
}

// Window is how far back the store reaches.
func (s *Store) Window() time.Duration { return s.window }

// Capacity is the number of samples kept per host.
func (s *Store) Capacity() int { return s.capacity }

// Record folds a snapshot in: one sample per host whose row was updated
// since its last sample. Hosts absent from the snapshot are forgotten.
func (s *Store) Record(snap status.Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := make(map[string]bool, len(snap.Hosts))
	for i := range snap.Hosts {
		h := &snap.Hosts[i]
		seen[h.Host] = true
		s.recordHost(h)
	}
	for name := range s.hosts {
		if !seen[name] {
			delete(s.hosts, name)
		}
	}
}

func (s *Store) recordHost(h *status.HostStatus) {
	if h.Updated.IsZero() {
		return
	}
	r := s.hosts[h.Host]
	if r == nil {
		r = newRing(s.capacity)
		s.hosts[h.Host] = r
	}
	at := h.Updated.UnixMilli()
	if r.n > 0 && at <= r.latest() {
		return
	}
	r.push(at, sampleOf(h))
}

// sampleOf reads the figures of one host's row; NaN where not known.
func sampleOf(h *status.HostStatus) [metricCount]float32 {
	nan := float32(math.NaN())
	v := [metricCount]float32{nan, nan, nan, nan, nan, nan}
	if util, ok := status.MeanUtil(h.GPUs); ok {
		v[GPUUtil] = float32(util)
	}
	if mem, ok := memPercent(h.GPUs); ok {
		v[GPUMem] = float32(mem)
	}
	if l := h.Load; l.Known && h.State == status.StateUp {
		v[KVCache], v[Running], v[Waiting] = float32(l.KVCache*100), float32(l.Running), float32(l.Waiting)
		if l.RateKnown {
			v[Tokens] = float32(l.TokensPerSecond)
		}
	}
	return v
}

func memPercent(gpus []status.GPU) (float64, bool) {
	used, total := 0.0, 0.0
	for _, g := range gpus {
		if g.MemUsedMiB.OK && g.MemTotalMiB.OK {
			used, total = used+g.MemUsedMiB.Value, total+g.MemTotalMiB.Value
		}
	}
	if total <= 0 {
		return 0, false
	}
	return 100 * used / total, true
}

// Recent is the host's last n samples of m, oldest first (fewer when the
// store holds fewer); NaN where the figure was not known.
func (s *Store) Recent(host string, m Metric, n int) []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.hosts[host]
	if r == nil || n <= 0 {
		return nil
	}
	n = min(n, r.n)
	out := make([]float64, n)
	for i := range n {
		out[i] = float64(r.vals[r.index(r.n-n+i)][m])
	}
	return out
}

// Buckets cuts the window ending at now into n equal spans, oldest first,
// and gives the mean of m's known samples in each; NaN for a span with none.
func (s *Store) Buckets(host string, m Metric, now time.Time, n int) []float64 {
	if n <= 0 {
		return nil
	}
	sums, counts := make([]float64, n), make([]int, n)
	start := now.Add(-s.window).UnixMilli()
	span := float64(s.window.Milliseconds()) / float64(n)
	s.mu.Lock()
	if r := s.hosts[host]; r != nil {
		r.each(func(at int64, v [metricCount]float32) {
			b := int(float64(at-start) / span)
			if b < 0 || b >= n || math.IsNaN(float64(v[m])) {
				return
			}
			sums[b], counts[b] = sums[b]+float64(v[m]), counts[b]+1
		})
	}
	s.mu.Unlock()
	for i := range sums {
		sums[i] = meanOrNaN(sums[i], counts[i])
	}
	return sums
}

func meanOrNaN(sum float64, n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// Len is how many samples the store holds for host.
func (s *Store) Len(host string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.hosts[host]; r != nil {
		return r.n
	}
	return 0
}
