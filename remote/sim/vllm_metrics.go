package sim

import (
	"bytes"
	"fmt"
	"strings"
)

// promContentType is prometheus_client's CONTENT_TYPE_LATEST (text 0.0.4).
const promContentType = "text/plain; version=0.0.4; charset=utf-8"

// renderMetrics writes /metrics in vLLM's V1 layout (v0.10, as in
// testdata/wire/vllm_metrics__v1_engine_v0.10.prom): the same families
// in the same order, each counter and histogram followed by its _created
// gauge, labels sorted as prometheus_client sorts them.
func (e *vllmEngine) renderMetrics() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := promWriter{model: e.modelName(), created: float64(e.started.UnixNano()) / 1e9}
	load := e.loadLocked()
	p.gauge("num_requests_running", "Number of requests in model execution batches.", float64(load.running))
	p.gauge("num_requests_waiting", "Number of requests waiting to be processed.", float64(load.waiting))
	p.gauge("gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage.DEPRECATED: Use vllm:kv_cache_usage_perc instead.", load.kvFraction)
	p.counter("gpu_prefix_cache_queries", "GPU prefix cache queries, in terms of number of queriedtokens. DEPRECATED: Use vllm:prefix_cache_queries instead.", e.stats.prefixQueries)
	p.counter("gpu_prefix_cache_hits", "GPU prefix cache hits, in terms of number of cached tokens. DEPRECATED: Use vllm:prefix_cache_hits instead.", e.stats.prefixHits)
	p.gauge("kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", load.kvFraction)
	p.counter("prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.", e.stats.prefixQueries)
	p.counter("prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.", e.stats.prefixHits)
	p.counter("num_preemptions", "Cumulative number of preemption from the engine.", e.stats.preemptions)
	p.counter("prompt_tokens", "Number of prefill tokens processed.", e.stats.promptTokens)
	p.counter("generation_tokens", "Number of generation tokens processed.", e.stats.generationTokens)
	p.finishCounter(e.finishCount)
	e.renderHistograms(&p)
	return p.buf.Bytes()
}

func (e *vllmEngine) renderHistograms(p *promWriter) {
	h := e.hists
	p.histogram("request_prompt_tokens", "Number of prefill tokens processed.", h.promptTokens)
	p.histogram("request_generation_tokens", "Number of generation tokens processed.", h.generationTokens)
	p.histogram("time_to_first_token_seconds", "Histogram of time to first token in seconds.", h.ttft)
	p.histogram("time_per_output_token_seconds", "Histogram of time per output token in seconds.", h.tpot)
	p.histogram("e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", h.e2e)
	p.histogram("request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", h.queue)
}

// promWriter writes prometheus_client's text format for one engine.
type promWriter struct {
	buf     bytes.Buffer
	model   string
	created float64
}

func (p *promWriter) header(name, help, typ string) {
	fmt.Fprintf(&p.buf, "# HELP vllm:%s %s\n# TYPE vllm:%s %s\n", name, escapeHelp(help), name, typ)
}

// sample writes one line; extra holds labels sorting between "engine" and
// "model_name" ("finished_reason", "le"), already formatted.
func (p *promWriter) sample(name, extra string, v float64) {
	fmt.Fprintf(&p.buf, "vllm:%s{engine=\"0\",%smodel_name=\"%s\"} %s\n", name, extra, escapeLabel(p.model), promFloat(v))
}

func (p *promWriter) gauge(name, help string, v float64) {
	p.header(name, help, "gauge")
	p.sample(name, "", v)
}

func (p *promWriter) counter(name, help string, v float64) {
	p.header(name+"_total", help, "counter")
	p.sample(name+"_total", "", v)
	p.createdGauge(name, help, []string{""})
}

func (p *promWriter) createdGauge(name, help string, extras []string) {
	p.header(name+"_created", help, "gauge")
	for _, extra := range extras {
		p.sample(name+"_created", extra, p.created)
	}
}

func (p *promWriter) finishCounter(counts map[string]float64) {
	const name, help = "request_success", "Count of successfully processed requests."
	p.header(name+"_total", help, "counter")
	extras := make([]string, 0, len(vllmFinishReasons))
	for _, reason := range vllmFinishReasons {
		extra := fmt.Sprintf("finished_reason=\"%s\",", reason)
		p.sample(name+"_total", extra, counts[reason])
		extras = append(extras, extra)
	}
	p.createdGauge(name, help, extras)
}

func (p *promWriter) histogram(name, help string, h *histogram) {
	p.header(name, help, "histogram")
	cumulative := 0.0
	for i, bound := range h.bounds {
		cumulative += h.counts[i]
		p.sample(name+"_bucket", fmt.Sprintf("le=\"%s\",", promFloat(bound)), cumulative)
	}
	p.sample(name+"_bucket", "le=\"+Inf\",", h.count)
	p.sample(name+"_count", "", h.count)
	p.sample(name+"_sum", "", h.sum)
	p.createdGauge(name, help, []string{""})
}

// escapeLabel and escapeHelp follow prometheus_client's exposition escaping.
func escapeLabel(s string) string {
	if !strings.ContainsAny(s, "\\\n\"") {
		return s // the common case; building a Replacer per call cost a quarter of a 200-host refresh
	}
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}

func escapeHelp(s string) string {
	if !strings.ContainsAny(s, "\\\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}
