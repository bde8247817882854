package api

import (
	"context"
	"net/http"
	"sync"
)

// LlamaSwap talks to a llama-swap proxy, which starts and stops upstream
// servers on demand (mostlygeek/llama-swap).
type LlamaSwap struct{ s server }

// NewLlamaSwap returns a client for llama-swap at baseURL, with or without
// /v1. apiKey may be empty. A nil hc means NewHTTPClient().
func NewLlamaSwap(baseURL, apiKey string, hc *http.Client) *LlamaSwap {
	return &LlamaSwap{s: newServer(baseURL, apiKey, hc)}
}

// LlamaSwapProcess is one entry of GET /running. The upstream command is
// left out on purpose: it may hold a key written on its command line.
type LlamaSwapProcess struct {
	Model string `json:"model"`
	State string `json:"state"` // starting, ready, stopping (internal/process/process.go)
	Proxy string `json:"proxy"`
	TTL   int    `json:"ttl"`
	Name  string `json:"name"`
}

// Running reads GET /running: the upstream processes that are not stopped.
func (c *LlamaSwap) Running(ctx context.Context) ([]LlamaSwapProcess, error) {
	var list struct {
		Running []LlamaSwapProcess `json:"running"`
	}
	err := c.s.getJSON(ctx, "/running", &list)
	return list.Running, err
}

// Models returns the ids of GET /v1/models: every configured model.
func (c *LlamaSwap) Models(ctx context.Context) ([]string, error) { return c.s.models(ctx) }

// Probe reads /v1/models and /running concurrently within ctx. It fails only
// when /v1/models does; Loaded lists the models whose process is ready.
func (c *LlamaSwap) Probe(ctx context.Context) (Load, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var ids []string
	var procs []LlamaSwapProcess
	var idsErr, runErr error
	var wg sync.WaitGroup
	wg.Go(func() { ids, idsErr = c.Models(ctx) })
	wg.Go(func() { procs, runErr = c.Running(ctx) })
	wg.Wait()
	if idsErr != nil {
		return Load{Kind: KindLlamaSwap}, idsErr
	}
	load := Load{Kind: KindLlamaSwap, Models: ids, Loaded: readyModels(procs)}
	load.noteMissing("/running", runErr, "")
	return load, nil
}

func readyModels(procs []LlamaSwapProcess) []string {
	var out []string
	for _, p := range procs {
		if p.State == "ready" {
			out = append(out, p.Model)
		}
	}
	return out
}
