package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// LiteLLM talks to one LiteLLM proxy. Keys are passed per call (the master
// key or a virtual key) and never appear in errors.
type LiteLLM struct {
	ep endpoints
	hc *http.Client
}

// NewLiteLLM returns a client for the proxy at baseURL (with or without /v1).
// A nil hc means NewHTTPClient().
func NewLiteLLM(baseURL string, hc *http.Client) *LiteLLM {
	return &LiteLLM{ep: newEndpoints(baseURL), hc: clientOrDefault(hc)}
}

// BaseURL is the proxy root the client talks to (without /v1).
func (c *LiteLLM) BaseURL() string { return c.ep.root }

// Liveliness returns nil when the public GET /health/liveliness answers 200.
func (c *LiteLLM) Liveliness(ctx context.Context) error {
	_, err := fetch(ctx, c.hc, c.ep.rootPath("/health/liveliness"), "", maxErrorBody)
	return err
}

// Models returns the aliases (model_list[].model_name) of GET /v1/models.
func (c *LiteLLM) Models(ctx context.Context, key string) ([]string, error) {
	body, err := fetch(ctx, c.hc, c.ep.apiPath("/models"), key, maxJSONBody)
	if err != nil {
		return nil, err
	}
	return parseModelList(body)
}

// Readiness is the public GET /health/readiness answer.
type Readiness struct {
	Status  string // "healthy"
	DB      string // "Not connected" on a proxy without a database
	Version string // litellm_version
}

// Readiness asks the public GET /health/readiness (503 → *APIError).
func (c *LiteLLM) Readiness(ctx context.Context) (Readiness, error) {
	body, err := fetch(ctx, c.hc, c.ep.rootPath("/health/readiness"), "", maxJSONBody)
	if err != nil {
		return Readiness{}, err
	}
	return parseReadiness(body)
}

// Deployment is one model_list entry as GET /model/info reports it.
type Deployment struct {
	Alias   string // model_name: what clients send
	Model   string // litellm_params.model, e.g. "openai/llama31-8b-wintermute"
	APIBase string // litellm_params.api_base; must end in /v1
	ID      string // model_info.id; equals the x-litellm-model-id header
}

// UpstreamModel is the name LiteLLM sends to vLLM: Model minus exactly one
// provider segment ("openai/a/b" → "a/b").
func (d Deployment) UpstreamModel() string {
	if _, rest, ok := strings.Cut(d.Model, "/"); ok {
		return rest
	}
	return d.Model
}

// ModelInfo returns the deployments of GET /model/info (api keys stripped by LiteLLM).
func (c *LiteLLM) ModelInfo(ctx context.Context, key string) ([]Deployment, error) {
	body, err := fetch(ctx, c.hc, c.ep.rootPath("/model/info"), key, maxJSONBody)
	if err != nil {
		return nil, err
	}
	return parseModelInfo(body)
}

// EndpointHealth is one deployment in LiteLLM's /health answer.
type EndpointHealth struct {
	APIBase string
	Model   string // litellm_params.model
	Err     error  // nil when healthy; an *APIError when the text was recognised
}

// HealthReport is LiteLLM's GET /health answer.
type HealthReport struct {
	Healthy   []EndpointHealth
	Unhealthy []EndpointHealth
}

// Health asks GET /health. It is slow and costs tokens (one completion per
// deployment) unless the proxy runs background health checks.
func (c *LiteLLM) Health(ctx context.Context, key string) (HealthReport, error) {
	body, err := fetch(ctx, c.hc, c.ep.rootPath("/health"), key, maxJSONBody)
	if err != nil {
		return HealthReport{}, err
	}
	return parseHealthReport(body, key)
}

func parseReadiness(body []byte) (Readiness, error) {
	var w struct {
		Status  string          `json:"status"`
		DB      json.RawMessage `json:"db"`
		Version string          `json:"litellm_version"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return Readiness{}, fmt.Errorf("read /health/readiness: %w", err)
	}
	return Readiness{Status: w.Status, DB: looseString(w.DB), Version: w.Version}, nil
}

type modelInfoWire struct {
	Data []struct {
		ModelName     string `json:"model_name"`
		LiteLLMParams struct {
			Model   string `json:"model"`
			APIBase string `json:"api_base"`
		} `json:"litellm_params"`
		ModelInfo struct {
			ID string `json:"id"`
		} `json:"model_info"`
	} `json:"data"`
}

func parseModelInfo(body []byte) ([]Deployment, error) {
	var w modelInfoWire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("read /model/info: %w", err)
	}
	out := make([]Deployment, 0, len(w.Data))
	for _, d := range w.Data {
		out = append(out, Deployment{Alias: d.ModelName, Model: d.LiteLLMParams.Model,
			APIBase: d.LiteLLMParams.APIBase, ID: d.ModelInfo.ID})
	}
	return out, nil
}

type endpointWire struct {
	APIBase string `json:"api_base"`
	Model   string `json:"model"`
	Error   string `json:"error"`
}

func parseHealthReport(body []byte, key string) (HealthReport, error) {
	var w struct {
		Healthy   []endpointWire `json:"healthy_endpoints"`
		Unhealthy []endpointWire `json:"unhealthy_endpoints"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return HealthReport{}, fmt.Errorf("read LiteLLM /health: %w", err)
	}
	var r HealthReport
	for _, e := range w.Healthy {
		r.Healthy = append(r.Healthy, EndpointHealth{APIBase: e.APIBase, Model: e.Model})
	}
	for _, e := range w.Unhealthy {
		r.Unhealthy = append(r.Unhealthy, unhealthyEndpoint(e, key))
	}
	return r, nil
}

func unhealthyEndpoint(e endpointWire, key string) EndpointHealth {
	hint := Hint{Upstream: hostOf(e.APIBase), Secrets: []string{key}}
	return EndpointHealth{APIBase: e.APIBase, Model: e.Model, Err: decodeHealthError(e.Error, hint)}
}

var errorCodeRE = lazyre.New(`Error code: (\d{3})`)

// decodeHealthError classifies the free-text error of an unhealthy endpoint
// (LiteLLM exception text, then a stack trace).
func decodeHealthError(text string, hint Hint) error {
	text, _, _ = strings.Cut(text, "\nstack trace:")
	status := http.StatusInternalServerError
	if m := errorCodeRE().FindStringSubmatch(text); m != nil {
		status, _ = strconv.Atoi(m[1])
	}
	return classify(status, wireError{via: "LiteLLM", message: text}, hint)
}

func hostOf(apiBase string) string {
	u, err := url.Parse(apiBase)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
