package api

import (
	"context"
	"net/http"
	"sync"
)

// Ollama talks to one Ollama server (default port 11434). Its native API has
// no key and no Prometheus endpoint: load is what /api/ps says is in memory.
type Ollama struct{ s server }

// NewOllama returns a client for the server at baseURL. A nil hc means
// NewHTTPClient().
func NewOllama(baseURL string, hc *http.Client) *Ollama {
	return &Ollama{s: newServer(baseURL, "", hc)}
}

// OllamaModel is one entry of /api/tags or /api/ps.
type OllamaModel struct {
	Name      string `json:"name"`
	Model     string `json:"model"`
	Size      int64  `json:"size"`
	SizeVRAM  int64  `json:"size_vram"`  // /api/ps only
	ExpiresAt string `json:"expires_at"` // /api/ps only
}

type ollamaModels struct {
	Models []OllamaModel `json:"models"`
}

// Tags reads GET /api/tags: the models available locally.
func (c *Ollama) Tags(ctx context.Context) ([]OllamaModel, error) {
	var list ollamaModels
	err := c.s.getJSON(ctx, "/api/tags", &list)
	return list.Models, err
}

// Running reads GET /api/ps: the models loaded into memory now.
func (c *Ollama) Running(ctx context.Context) ([]OllamaModel, error) {
	var list ollamaModels
	err := c.s.getJSON(ctx, "/api/ps", &list)
	return list.Models, err
}

// Models returns the ids of Ollama's OpenAI-compatible GET /v1/models.
func (c *Ollama) Models(ctx context.Context) ([]string, error) { return c.s.models(ctx) }

// Probe reads /api/tags and /api/ps concurrently within ctx. It fails only
// when /api/tags does; Running is not known to Ollama's API and is not set.
func (c *Ollama) Probe(ctx context.Context) (Load, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var tags, ps []OllamaModel
	var tagsErr, psErr error
	var wg sync.WaitGroup
	wg.Go(func() { tags, tagsErr = c.Tags(ctx) })
	wg.Go(func() { ps, psErr = c.Running(ctx) })
	wg.Wait()
	if tagsErr != nil {
		return Load{Kind: KindOllama}, tagsErr
	}
	load := Load{Kind: KindOllama, Models: modelNames(tags), Loaded: modelNames(ps)}
	load.noteMissing("/api/ps", psErr, "")
	return load, nil
}

func modelNames(models []OllamaModel) []string {
	names := make([]string, 0, len(models))
	for _, m := range models {
		names = append(names, m.Name)
	}
	return names
}
