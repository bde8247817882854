package sim

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// llamaEngine is one start of llama-server: its slots and the counters
// /metrics, /slots and /props read.
type llamaEngine struct {
	args  llamaArgs
	slots chan int // free slot ids; a request holds one while it generates

	mu          sync.Mutex
	tasks       int // requests so far: id_task in /slots
	busy        []llamaSlot
	deferred    int
	promptTok   int
	promptSec   float64
	predicted   int
	predictSec  float64
	nTokensMax  int
	decodeCalls int
	busyDecodes int // sum over decode calls of the slots busy in each
}

// llamaSlot is one slot's view for /slots.
type llamaSlot struct {
	task       int
	processing bool
	decoded    int
}

func newLlamaEngine(args llamaArgs) *llamaEngine {
	e := &llamaEngine{args: args, slots: make(chan int, args.parallel), busy: make([]llamaSlot, args.parallel)}
	for i := range args.parallel {
		e.slots <- i
	}
	return e
}

// slotCtx is each slot's share of the context (-c split over -np).
func (e *llamaEngine) slotCtx() int { return e.args.ctxSize / e.args.parallel }

// acquire takes a free slot, counting the request deferred while none is.
func (e *llamaEngine) acquire(done <-chan struct{}, task int) (int, bool) {
	select {
	case id := <-e.slots:
		e.occupy(id, task)
		return id, true
	default:
	}
	e.addDeferred(1)
	defer e.addDeferred(-1)
	select {
	case id := <-e.slots:
		e.occupy(id, task)
		return id, true
	case <-done:
		return 0, false
	}
}

// nextTask numbers a request.
func (e *llamaEngine) nextTask() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tasks++
	return e.tasks
}

func (e *llamaEngine) addDeferred(n int) {
	e.mu.Lock()
	e.deferred += n
	e.mu.Unlock()
}

func (e *llamaEngine) occupy(id, task int) {
	e.mu.Lock()
	e.busy[id] = llamaSlot{task: task, processing: true}
	e.mu.Unlock()
}

func (e *llamaEngine) release(id int) {
	e.mu.Lock()
	e.busy[id].processing = false
	e.mu.Unlock()
	e.slots <- id
}

// prompt counts a processed prompt.
func (e *llamaEngine) prompt(tokens int, seconds float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.promptTok += tokens
	e.promptSec += seconds
	e.nTokensMax = max(e.nTokensMax, tokens)
}

// decoded counts one generated token of slot id (one llama_decode call).
func (e *llamaEngine) decoded(id int, seconds float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.predicted++
	e.predictSec += seconds
	e.busy[id].decoded++
	e.decodeCalls++
	e.busyDecodes += e.processingLocked()
}

func (e *llamaEngine) processingLocked() int {
	n := 0
	for _, s := range e.busy {
		if s.processing {
			n++
		}
	}
	return n
}

func (e *llamaEngine) snapshotSlots() []llamaSlot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]llamaSlot(nil), e.busy...)
}

// renderMetrics is /metrics with --metrics: the families, HELP texts and
// types of llama.cpp's tools/server/README.md "Available metrics", in the
// order of remote/api/testdata/llamacpp/metrics.txt.
func (e *llamaEngine) renderMetrics() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	perDecode := 0.0
	if e.decodeCalls > 0 {
		perDecode = float64(e.busyDecodes) / float64(e.decodeCalls)
	}
	var b strings.Builder
	for _, m := range []struct {
		name, typ, help string
		value           float64
	}{
		{"prompt_tokens_total", "counter", "Number of prompt tokens processed.", float64(e.promptTok)},
		{"prompt_seconds_total", "counter", "Prompt process time in seconds.", e.promptSec},
		{"prompt_tokens_seconds", "gauge", "Average prompt throughput in tokens/s.", rate(e.promptTok, e.promptSec)},
		{"tokens_predicted_total", "counter", "Number of generation tokens processed.", float64(e.predicted)},
		{"tokens_predicted_seconds_total", "counter", "Predict process time in seconds.", e.predictSec},
		{"predicted_tokens_seconds", "gauge", "Average generation throughput in tokens/s.", rate(e.predicted, e.predictSec)},
		{"requests_processing", "gauge", "Number of requests processing.", float64(e.processingLocked())},
		{"requests_deferred", "gauge", "Number of requests deferred.", float64(e.deferred)},
		{"n_tokens_max", "counter", "High watermark of the context size observed.", float64(e.nTokensMax)},
		{"n_decode_total", "counter", "Total Number of llama_decode() calls.", float64(e.decodeCalls)},
		{"n_busy_slots_per_decode", "gauge", "Average number of busy slots per llama_decode() call.", perDecode},
	} {
		fmt.Fprintf(&b, "# HELP llamacpp:%s %s\n# TYPE llamacpp:%s %s\nllamacpp:%s %s\n",
			m.name, m.help, m.name, m.typ, m.name, cppDouble(m.value))
	}
	return []byte(b.String())
}

// cppDouble writes v as C++'s ostream << double does (%g, precision 6),
// which is how llama-server prints its metric values.
func cppDouble(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

func rate(tokens int, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return float64(tokens) / seconds
}
