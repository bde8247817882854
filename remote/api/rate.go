package api

import (
	"math"
	"time"
)

// TokenRate turns successive samples of vLLM's generation-token counter into
// tokens per second and remembers when the server was last active. A counter
// that goes down means vLLM restarted: the sample starts a new series, so a
// rate is never negative. The zero value is ready to use; it is not safe for
// concurrent use.
type TokenRate struct {
	last         counterSample
	haveLast     bool
	rate         float64
	rateKnown    bool
	lastActivity time.Time
	gauges       [2]float64 // running and waiting at the previous scrape
}

type counterSample struct {
	value float64
	at    time.Time
}

// Observe records one /metrics scrape taken at time at. Without a generation
// counter only the activity (running or waiting requests) is recorded.
//
// Running or waiting requests count as activity, except when they are
// stuck: the generation counter is there and has not moved, and the gauges
// read what they read at the previous scrape. vLLM's gauges can stay up
// after aborted requests (vllm-project/vllm#22545); a server that generates
// nothing while its gauges do not change is not serving them, and must not
// look busy forever.
func (t *TokenRate) Observe(at time.Time, m Metrics) {
	gauges := [2]float64{m.Running, m.Waiting}
	if (m.Running > 0 || m.Waiting > 0) && !t.stuck(m, gauges) {
		t.markActive(at)
	}
	t.gauges = gauges
	if m.Has(FoundGenerationTokens) {
		t.ObserveCounter(at, m.GenerationTokens)
	}
}

// stuck reports gauges that did not change while the counter stood still.
func (t *TokenRate) stuck(m Metrics, gauges [2]float64) bool {
	return m.Has(FoundGenerationTokens) && t.haveLast && m.GenerationTokens == t.last.value && gauges == t.gauges
}

// ObserveCounter records one generation-token counter sample. Samples that do
// not move forward in time, and NaN or infinite values, are ignored.
func (t *TokenRate) ObserveCounter(at time.Time, value float64) {
	if math.IsNaN(value) || math.IsInf(value, 0) || value < 0 {
		return
	}
	if !t.haveLast {
		t.restart(at, value)
		return
	}
	elapsed := at.Sub(t.last.at)
	if elapsed <= 0 {
		return
	}
	if value < t.last.value {
		t.restart(at, value) // counter reset: vLLM restarted
		return
	}
	if value > t.last.value {
		t.markActive(at)
	}
	t.rate = (value - t.last.value) / elapsed.Seconds()
	t.rateKnown = true
	t.last = counterSample{value: value, at: at}
}

// restart begins a new series at this sample; the rate is unknown until the next one.
func (t *TokenRate) restart(at time.Time, value float64) {
	t.last = counterSample{value: value, at: at}
	t.haveLast = true
	t.rate, t.rateKnown = 0, false
}

func (t *TokenRate) markActive(at time.Time) {
	if at.After(t.lastActivity) {
		t.lastActivity = at
	}
}

// Rate is the tokens per second between the last two samples of the current
// series; ok is false until a series has two samples.
func (t *TokenRate) Rate() (tokensPerSecond float64, ok bool) {
	return t.rate, t.rateKnown
}

// LastActivity is when requests were last seen running or waiting, or the
// counter last moved; the zero time when never.
func (t *TokenRate) LastActivity() time.Time { return t.lastActivity }

// IdleFor is how long the server has been idle at now; ok is false when it
// was never seen active.
func (t *TokenRate) IdleFor(now time.Time) (idle time.Duration, ok bool) {
	if t.lastActivity.IsZero() {
		return 0, false
	}
	return max(now.Sub(t.lastActivity), 0), true
}
