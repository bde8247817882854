package api

import (
	"context"
	"net/http"
	"sync"
)

// tgiFamilies are Text Generation Inference's /metrics families
// (huggingface/text-generation-inference docs/source/reference/metrics.md).
// Token totals come from the sums of the per-request histograms.
var tgiFamilies = families{
	running:    []string{"tgi_batch_current_size"},
	waiting:    []string{"tgi_queue_size"},
	prompt:     []string{"tgi_request_input_length"},
	generation: []string{"tgi_request_generated_tokens"},
}

// TGI talks to one Text Generation Inference server.
type TGI struct{ s server }

// NewTGI returns a client for the server at baseURL (port 80 in its image,
// 3000 for a bare text-generation-launcher). apiKey is its --api-key (may be
// empty). A nil hc means NewHTTPClient().
func NewTGI(baseURL, apiKey string, hc *http.Client) *TGI {
	return &TGI{s: newServer(baseURL, apiKey, hc)}
}

// TGIInfo is the part of GET /info straylight reads.
type TGIInfo struct {
	ModelID               string `json:"model_id"`
	ModelSHA              string `json:"model_sha"`
	MaxConcurrentRequests int    `json:"max_concurrent_requests"`
	MaxTotalTokens        int    `json:"max_total_tokens"`
	Version               string `json:"version"`
}

// Info reads GET /info.
func (c *TGI) Info(ctx context.Context) (TGIInfo, error) {
	var info TGIInfo
	err := c.s.getJSON(ctx, "/info", &info)
	return info, err
}

// Metrics reads GET /metrics.
func (c *TGI) Metrics(ctx context.Context) (Load, error) {
	return c.s.metrics(ctx, KindTGI, tgiFamilies)
}

// Probe reads /info and /metrics concurrently within ctx. It fails only when
// /info does; Models is the model_id TGI serves.
func (c *TGI) Probe(ctx context.Context) (Load, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var info TGIInfo
	var m Load
	var infoErr, mErr error
	var wg sync.WaitGroup
	wg.Go(func() { info, infoErr = c.Info(ctx) })
	wg.Go(func() { m, mErr = c.Metrics(ctx) })
	wg.Wait()
	if infoErr != nil {
		return Load{Kind: KindTGI}, infoErr
	}
	load := Load{Kind: KindTGI, Models: []string{info.ModelID}, Loaded: []string{info.ModelID}}
	load.mergeMetrics(m)
	load.noteMissing("/metrics", mErr, "")
	return load, nil
}
