package api

import (
	"context"
	"net/http"
	"sync"
)

// llamaCppFamilies are llama-server's /metrics families (served only with
// --metrics): ggml-org/llama.cpp tools/server/README.md, "Available metrics".
// llama-server has no KV-cache gauge there.
var llamaCppFamilies = families{
	running:    []string{"llamacpp:requests_processing"},
	waiting:    []string{"llamacpp:requests_deferred"},
	prompt:     []string{"llamacpp:prompt_tokens_total"},
	generation: []string{"llamacpp:tokens_predicted_total"},
}

// LlamaCpp talks to one llama.cpp server (llama-server).
type LlamaCpp struct{ s server }

// NewLlamaCpp returns a client for llama-server at baseURL, with or without
// /v1. apiKey is its --api-key (may be empty). A nil hc means NewHTTPClient().
func NewLlamaCpp(baseURL, apiKey string, hc *http.Client) *LlamaCpp {
	return &LlamaCpp{s: newServer(baseURL, apiKey, hc)}
}

// Models returns the ids of GET /v1/models: the --alias names, or the -m path.
func (c *LlamaCpp) Models(ctx context.Context) ([]string, error) { return c.s.models(ctx) }

// Metrics reads GET /metrics; without --metrics it is an error answer.
func (c *LlamaCpp) Metrics(ctx context.Context) (Load, error) {
	return c.s.metrics(ctx, KindLlamaCpp, llamaCppFamilies)
}

// LlamaCppProps is the part of GET /props straylight reads.
type LlamaCppProps struct {
	ModelPath  string `json:"model_path"`
	TotalSlots int    `json:"total_slots"`
	BuildInfo  string `json:"build_info"`
	IsSleeping bool   `json:"is_sleeping"`
}

// Props reads GET /props.
func (c *LlamaCpp) Props(ctx context.Context) (LlamaCppProps, error) {
	var p LlamaCppProps
	err := c.s.getJSON(ctx, "/props", &p)
	return p, err
}

// LlamaCppSlot is one entry of GET /slots.
type LlamaCppSlot struct {
	ID           int  `json:"id"`
	NCtx         int  `json:"n_ctx"`
	IsProcessing bool `json:"is_processing"`
}

// Slots reads GET /slots (on by default; --no-slots turns it off).
func (c *LlamaCpp) Slots(ctx context.Context) ([]LlamaCppSlot, error) {
	var slots []LlamaCppSlot
	err := c.s.getJSON(ctx, "/slots", &slots)
	return slots, err
}

// llamaCppReads gathers the concurrent reads of a probe.
type llamaCppReads struct {
	ids      []string
	metrics  Load
	props    LlamaCppProps
	slots    []LlamaCppSlot
	idsErr   error
	mErr     error
	propsErr error
	slotsErr error
}

// Probe reads /v1/models, /metrics, /props and /slots concurrently within
// ctx. It fails only when /v1/models does. Without --metrics, Running is the
// number of busy slots.
func (c *LlamaCpp) Probe(ctx context.Context) (Load, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var r llamaCppReads
	var wg sync.WaitGroup
	wg.Go(func() { r.ids, r.idsErr = c.Models(ctx) })
	wg.Go(func() { r.metrics, r.mErr = c.Metrics(ctx) })
	wg.Go(func() { r.props, r.propsErr = c.Props(ctx) })
	wg.Go(func() { r.slots, r.slotsErr = c.Slots(ctx) })
	wg.Wait()
	if r.idsErr != nil {
		return Load{Kind: KindLlamaCpp}, r.idsErr
	}
	return r.load(), nil
}

func (r llamaCppReads) load() Load {
	load := Load{Kind: KindLlamaCpp, Models: r.ids}
	load.mergeMetrics(r.metrics)
	if r.props.ModelPath != "" && !r.props.IsSleeping {
		load.Loaded = []string{r.props.ModelPath}
	}
	if !load.Has(FoundRunning) && r.slotsErr == nil {
		load.Running, load.Found = float64(busySlots(r.slots)), load.Found|FoundRunning
	}
	load.noteMissing("/metrics", r.mErr, "start llama-server with --metrics")
	load.noteMissing("/props", r.propsErr, "")
	load.noteMissing("/slots", r.slotsErr, "llama-server runs with --no-slots")
	return load
}

func busySlots(slots []LlamaCppSlot) int {
	n := 0
	for _, s := range slots {
		if s.IsProcessing {
			n++
		}
	}
	return n
}
