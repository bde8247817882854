package status

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"syscall"

	"github.com/straylight-fleet/straylight/remote/api"
)

// serverProbe reads one non-vLLM server's models and load (remote/api's
// SGLang, llama.cpp, Ollama, TGI and llama-swap clients).
type serverProbe interface {
	Probe(ctx context.Context) (api.Load, error)
}

// isVLLM reports whether a target is probed as vLLM (health, /v1/models,
// vllm:* metrics): the vllm mapping's hosts and discovered vLLM servers.
func isVLLM(kind string) bool { return kind == "" || kind == "vllm" }

// serverFor is the client of a target's kind; nil for vLLM. An unknown kind
// is probed as any OpenAI-compatible server (its /v1/models).
func serverFor(t Target, hc *http.Client) serverProbe {
	switch t.Kind {
	case "", "vllm":
		return nil
	case api.KindSGLang:
		return api.NewSGLang(t.VLLMURL, t.APIKey, hc)
	case api.KindLlamaCpp:
		return api.NewLlamaCpp(t.VLLMURL, t.APIKey, hc)
	case api.KindOllama:
		return api.NewOllama(t.VLLMURL, hc)
	case api.KindTGI:
		return api.NewTGI(t.VLLMURL, t.APIKey, hc)
	case api.KindLlamaSwap:
		return api.NewLlamaSwap(t.VLLMURL, t.APIKey, hc)
	}
	return modelsOnly{api.NewVLLM(t.VLLMURL, t.APIKey, hc)}
}

// modelsOnly probes an OpenAI-compatible server of no known kind.
type modelsOnly struct{ c *api.VLLM }

func (m modelsOnly) Probe(ctx context.Context) (api.Load, error) {
	ids, err := m.c.Models(ctx)
	return api.Load{Models: ids, Missing: []string{"/metrics: not read for a server of unknown kind"}}, err
}

// fromLoad turns a kind's probe into the shape the vLLM probe gives: the
// server state with its models, and its load as metrics (or why there are
// none).
func fromLoad(p *hostProbe, load api.Load, err error) {
	if err != nil {
		p.vllm = api.ProbeResult{State: probeStateOf(err), Reason: reasonOf(err), Err: err}
		p.metricsErr = err
		return
	}
	p.vllm = api.ProbeResult{State: api.StateServing, Models: load.Models}
	if load.Found == 0 {
		p.metricsErr = errNoMetrics(load)
		return
	}
	p.metrics = api.Metrics{Running: load.Running, Waiting: load.Waiting, KVCacheUsage: load.CacheUsage,
		PromptTokens: load.PromptTokens, GenerationTokens: load.GenerationTokens, Found: load.Found}
}

func errNoMetrics(load api.Load) error {
	if len(load.Missing) == 0 {
		return errors.New("the server reports no load")
	}
	return errors.New(strings.Join(load.Missing, "; "))
}

// probeStateOf words a failed probe the way the vLLM probe does: refused
// (loading or down, told apart by the host side), an HTTP error answer
// (the server is up but failing), or no answer.
func probeStateOf(err error) api.ProbeState {
	var apiErr *api.APIError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return api.StateLoading
	case errors.As(err, &apiErr):
		return api.StateEngineDead
	}
	return api.StateUnreachable
}

func reasonOf(err error) string {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "connection refused: the server is loading or not running"
	}
	return err.Error()
}

// noMetricsReason says why a server that is up shows no load.
func noMetricsReason(kind string, err error) string {
	if isVLLM(kind) && errors.Is(err, api.ErrNoVLLMMetrics) {
		return "no metrics: /metrics has no vllm:* series (vLLM started with --disable-log-stats?): idle is unknown"
	}
	return "no metrics: " + err.Error() + ": idle is unknown"
}
