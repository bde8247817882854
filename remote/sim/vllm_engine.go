package sim

import (
	"context"
	"sync"
	"time"
)

// vllmEngine is one start of the simulated vLLM: its scheduler (at most
// max_num_seqs requests run, the rest wait) and the statistics /metrics
// reports. A restart builds a new engine, so counters start from zero again.
type vllmEngine struct {
	cfg     vllmConfig
	started time.Time
	slots   chan struct{}

	mu          sync.Mutex
	running     int
	waiting     int
	kvTokens    int
	lastActive  time.Time
	lastPrompt  int
	stats       vllmCounters
	finishCount map[string]float64 // request_success_total by finished_reason
	hists       vllmHistograms
}

type vllmCounters struct {
	promptTokens, generationTokens float64
	prefixQueries, prefixHits      float64
	preemptions                    float64
}

type vllmHistograms struct {
	promptTokens, generationTokens *histogram
	ttft, tpot, e2e, queue         *histogram
}

// finish reasons, in the order vLLM's V1 logger registers them.
var vllmFinishReasons = []string{"stop", "length", "abort"}

func newVLLMEngine(cfg vllmConfig, now time.Time) *vllmEngine {
	tokenBuckets := buckets125(float64(cfg.MaxModelLen))
	return &vllmEngine{
		cfg:         cfg,
		started:     now,
		slots:       make(chan struct{}, cfg.MaxNumSeqs),
		finishCount: map[string]float64{"stop": 0, "length": 0, "abort": 0},
		hists: vllmHistograms{
			promptTokens:     newHistogram(tokenBuckets),
			generationTokens: newHistogram(tokenBuckets),
			ttft:             newHistogram(ttftBuckets),
			tpot:             newHistogram(tpotBuckets),
			e2e:              newHistogram(latencyBuckets),
			queue:            newHistogram(latencyBuckets),
		},
	}
}

// modelName is the first served name: every response's "model" and the
// Prometheus model_name label use it.
func (e *vllmEngine) modelName() string { return e.cfg.servedIDs()[0] }

// serves reports whether id is one of the served names.
func (e *vllmEngine) serves(id string) bool {
	for _, name := range e.cfg.servedIDs() {
		if name == id {
			return true
		}
	}
	return false
}

// vllmRequest tracks one admitted request until it finishes.
type vllmRequest struct {
	engine    *vllmEngine
	arrived   time.Time
	admitted  time.Time
	firstTok  time.Time
	prompt    int
	generated int
}

// admit queues the request until a sequence slot is free, then runs its
// prefill. It fails only when ctx ends while waiting.
func (e *vllmEngine) admit(ctx context.Context, promptTokens int) (*vllmRequest, error) {
	arrived := time.Now()
	e.changeWaiting(+1)
	select {
	case e.slots <- struct{}{}:
	case <-ctx.Done():
		e.changeWaiting(-1)
		return nil, ctx.Err()
	}
	req := &vllmRequest{engine: e, arrived: arrived, admitted: time.Now(), prompt: promptTokens}
	e.startRunning(promptTokens)
	return req, nil
}

func (e *vllmEngine) changeWaiting(delta int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.waiting += delta
}

// startRunning moves a request from waiting to running and runs its prefill.
func (e *vllmEngine) startRunning(prompt int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.waiting--
	e.running++
	e.kvTokens += prompt
	e.lastActive = time.Now()
	e.stats.promptTokens += float64(prompt)
	e.stats.prefixQueries += float64(prompt)
	// Chat templates repeat their preamble: count the prefix shared with the
	// previous prompt, in 16-token blocks, as cache hits.
	e.stats.prefixHits += float64(min(prompt, e.lastPrompt) / 16 * 16)
	e.lastPrompt = prompt
}

// tokenGenerated records one output token.
func (r *vllmRequest) tokenGenerated() {
	if r.firstTok.IsZero() {
		r.firstTok = time.Now()
	}
	r.generated++
	e := r.engine
	e.mu.Lock()
	defer e.mu.Unlock()
	e.kvTokens++
	e.stats.generationTokens++
	e.lastActive = time.Now()
}

// finish releases the slot and records the request's outcome.
func (r *vllmRequest) finish(reason string) {
	e := r.engine
	now := time.Now()
	e.mu.Lock()
	e.running--
	e.kvTokens -= r.prompt + r.generated
	e.lastActive = now
	e.finishCount[reason]++
	r.observe(now)
	e.mu.Unlock()
	<-e.slots
}

func (r *vllmRequest) observe(now time.Time) {
	h := r.engine.hists
	h.promptTokens.observe(float64(r.prompt))
	h.generationTokens.observe(float64(r.generated))
	h.queue.observe(r.admitted.Sub(r.arrived).Seconds())
	h.e2e.observe(now.Sub(r.arrived).Seconds())
	if r.firstTok.IsZero() {
		return
	}
	h.ttft.observe(r.firstTok.Sub(r.arrived).Seconds())
	if r.generated > 1 {
		h.tpot.observe(now.Sub(r.firstTok).Seconds() / float64(r.generated-1))
	}
}

// vllmLoad is what the GPU simulation and /metrics read.
type vllmLoad struct {
	running, waiting int
	kvFraction       float64
	lastActive       time.Time
}

func (e *vllmEngine) load() vllmLoad {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.loadLocked()
}

func (e *vllmEngine) loadLocked() vllmLoad {
	capacity := float64(e.cfg.MaxModelLen * vllmKVTokensPerSeqLen)
	return vllmLoad{
		running:    e.running,
		waiting:    e.waiting,
		kvFraction: min(1, float64(e.kvTokens)/capacity),
		lastActive: e.lastActive,
	}
}

// histogram is a Prometheus histogram with fixed upper bounds (+Inf implied).
type histogram struct {
	bounds []float64
	counts []float64 // per bucket, not cumulative; len(bounds)+1
	sum    float64
	count  float64
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]float64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i := 0
	for i < len(h.bounds) && v > h.bounds[i] {
		i++
	}
	h.counts[i]++
	h.sum += v
	h.count++
}

// Bucket bounds of vLLM's V1 PrometheusStatLogger (vllm/v1/metrics/loggers.py).
var (
	ttftBuckets = []float64{0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
		0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0}
	tpotBuckets = []float64{0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
		0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0}
	latencyBuckets = []float64{0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0,
		20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0}
)

// buckets125 is vLLM's build_1_2_5_buckets: 1, 2, 5, 10, 20, 50, … up to max.
func buckets125(limit float64) []float64 {
	var out []float64
	for scale := 1.0; ; scale *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if m*scale > limit {
				return out
			}
			out = append(out, m*scale)
		}
	}
}
