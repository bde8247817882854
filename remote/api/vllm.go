package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// ErrEngineDead is wrapped by VLLM.Health when /health answers anything but 200
// (vLLM answers 503 once its engine died).
var ErrEngineDead = errors.New("vLLM engine is not healthy")

// VLLM talks to one vLLM OpenAI-compatible server.
type VLLM struct {
	ep  endpoints
	key string
	hc  *http.Client
}

// NewVLLM returns a client for the server at baseURL ("http://host:8000",
// with or without /v1). apiKey (vLLM's --api-key, may be empty) is sent only
// to /v1/* routes, the only ones vLLM guards. A nil hc means NewHTTPClient().
func NewVLLM(baseURL, apiKey string, hc *http.Client) *VLLM {
	return &VLLM{ep: newEndpoints(baseURL), key: apiKey, hc: clientOrDefault(hc)}
}

// BaseURL is the server root the client talks to (without /v1).
func (c *VLLM) BaseURL() string { return c.ep.root }

// Models returns the ids of GET /v1/models, in the server's order.
func (c *VLLM) Models(ctx context.Context) ([]string, error) {
	body, err := fetch(ctx, c.hc, c.ep.apiPath("/models"), c.key, maxJSONBody)
	if err != nil {
		return nil, err
	}
	return parseModelList(body)
}

// Health returns nil when GET /health answers 200, an error wrapping
// ErrEngineDead for any other status, and the transport error when it fails.
func (c *VLLM) Health(ctx context.Context) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := get(ctx, c.hc, c.ep.rootPath("/health"), "", "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := readLimited(resp.Body, maxErrorBody) // drained so the connection is reused
	switch {
	case resp.StatusCode == http.StatusServiceUnavailable && loadingModel(body):
		return fmt.Errorf("%w: /health answered 503 Loading model", ErrModelLoading)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%w: /health answered %d", ErrEngineDead, resp.StatusCode)
	}
	return nil
}

// HealthDialFirst is Health for a first request to the server on
// NewHTTPClient's client (as a --check's probe of every host): it connects
// before the request, so that a server that refuses the connection is
// answered without net/http's request machinery (dialfirst.go).
func (c *VLLM) HealthDialFirst(ctx context.Context) error {
	if !takesDialed(c.hc) {
		return c.Health(ctx)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	ctx, release, refused := dialFirst(ctx, c.ep.rootPath("/health"))
	if refused != nil {
		return refused
	}
	defer release()
	return c.Health(ctx)
}

// ErrModelLoading: the server is up and loading its model — llama.cpp's
// llama-server answers 503 {"error":{"message":"Loading model","type":
// "unavailable_error"}} until it is loaded (tools/server/server.cpp).
var ErrModelLoading = errors.New("the server is loading its model")

func loadingModel(body []byte) bool {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Type    string `json:"type"`
		} `json:"error"`
	}
	return json.Unmarshal(body, &e) == nil && e.Error.Type == "unavailable_error" && e.Error.Message == "Loading model"
}

// Version returns the version string of GET /version ("0.10.1.1").
func (c *VLLM) Version(ctx context.Context) (string, error) {
	body, err := fetch(ctx, c.hc, c.ep.rootPath("/version"), "", maxJSONBody)
	if err != nil {
		return "", err
	}
	return parseVersion(body)
}

// Metrics scrapes GET /metrics (plain or gzip) and parses it with ParseMetrics.
func (c *VLLM) Metrics(ctx context.Context) (Metrics, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := get(ctx, c.hc, c.ep.rootPath("/metrics"), "", "text/plain;version=0.0.4")
	if err != nil {
		return Metrics{}, err
	}
	defer resp.Body.Close()
	body, err := okBody(resp, maxMetricsBody, Hint{})
	if err != nil {
		return Metrics{}, err
	}
	return ParseMetrics(bytes.NewReader(body))
}

type modelList struct {
	Data []struct {
		ID string `json:"id"`
	} `json:"data"`
}

// parseModelList reads the ids of an OpenAI model list (vLLM and LiteLLM alike).
func parseModelList(body []byte) ([]string, error) {
	var list modelList
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("read model list: %w", err)
	}
	ids := make([]string, 0, len(list.Data))
	for _, card := range list.Data {
		ids = append(ids, card.ID)
	}
	return ids, nil
}

func parseVersion(body []byte) (string, error) {
	var v struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("read /version: %w", err)
	}
	if v.Version == "" {
		return "", errors.New("read /version: no version field")
	}
	return v.Version, nil
}
