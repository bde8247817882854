package api

import (
	"context"
	"net/http"
	"sync"
)

// sglangFamilies are SGLang's /metrics families (served only with
// --enable-metrics): sgl-project/sglang docs/references/production_metrics.md.
// token_usage is the fraction of the KV token pool in use.
var sglangFamilies = families{
	running:    []string{"sglang:num_running_reqs"},
	waiting:    []string{"sglang:num_queue_reqs"},
	cache:      []string{"sglang:token_usage"},
	prompt:     []string{"sglang:prompt_tokens_total"},
	generation: []string{"sglang:generation_tokens_total"},
}

// SGLang talks to one SGLang server (python -m sglang.launch_server).
type SGLang struct{ s server }

// NewSGLang returns a client for the server at baseURL (default port 30000),
// with or without /v1. apiKey is SGLang's --api-key (may be empty). A nil hc
// means NewHTTPClient().
func NewSGLang(baseURL, apiKey string, hc *http.Client) *SGLang {
	return &SGLang{s: newServer(baseURL, apiKey, hc)}
}

// Models returns the ids of GET /v1/models.
func (c *SGLang) Models(ctx context.Context) ([]string, error) { return c.s.models(ctx) }

// Metrics reads GET /metrics; without --enable-metrics it is a 404 *APIError.
func (c *SGLang) Metrics(ctx context.Context) (Load, error) {
	return c.s.metrics(ctx, KindSGLang, sglangFamilies)
}

// SGLangServerInfo is the part of GET /get_server_info straylight reads:
// the server's arguments as it runs with them, and its version.
type SGLangServerInfo struct {
	ModelPath       string `json:"model_path"`
	ServedModelName string `json:"served_model_name"`
	Port            int    `json:"port"`
	EnableMetrics   bool   `json:"enable_metrics"`
	Version         string `json:"version"`
}

// ServerInfo reads GET /get_server_info. Newer SGLang guards it with
// --admin-api-key when that is set (server_arguments.md): give that key to
// NewSGLang to read it.
func (c *SGLang) ServerInfo(ctx context.Context) (SGLangServerInfo, error) {
	var info SGLangServerInfo
	err := c.s.getJSON(ctx, "/get_server_info", &info)
	return info, err
}

// Probe reads /v1/models and /metrics concurrently within ctx
// (DefaultRequestTimeout when it has none). It fails only when /v1/models
// does; a /metrics failure is noted in Load.Missing.
func (c *SGLang) Probe(ctx context.Context) (Load, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var ids []string
	var m Load
	var idsErr, mErr error
	var wg sync.WaitGroup
	wg.Go(func() { ids, idsErr = c.Models(ctx) })
	wg.Go(func() { m, mErr = c.Metrics(ctx) })
	wg.Wait()
	if idsErr != nil {
		return Load{Kind: KindSGLang}, idsErr
	}
	load := Load{Kind: KindSGLang, Models: ids}
	load.mergeMetrics(m)
	load.noteMissing("/metrics", mErr, "start SGLang with --enable-metrics")
	return load, nil
}
