package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/remote/api"
)

// HTTP step names.
const (
	StepBackendModels  = "backend /v1/models"
	StepBackendMetrics = "backend /metrics families"
	StepProxy          = "proxy answers with its key"
	StepProxyRoutes    = "proxy routes' upstreams serve them"
)

func (r *run) backendSteps() {
	if r.in.Backend == nil {
		r.skip(StepBackendModels, "no backend on this host")
		r.skip(StepBackendMetrics, "no backend on this host")
		return
	}
	b := *r.in.Backend
	client := api.NewVLLM(b.BaseURL, b.APIKey, r.in.HTTPClient)
	r.step(StepBackendModels, func(ctx context.Context) outcome { return backendModels(ctx, client, b.ExpectedModel) })
	if b.Kind != "" && b.Kind != "vllm" {
		r.skip(StepBackendMetrics, "the families checked are vLLM's; this is a "+b.Kind+" server")
		return
	}
	r.step(StepBackendMetrics, func(ctx context.Context) outcome { return backendMetrics(ctx, client) })
}

// backendModels is the engine's health probe: /health and /v1/models.
func backendModels(ctx context.Context, client *api.VLLM, expected string) outcome {
	p := client.Probe(ctx, expected)
	served := "serves " + strings.Join(p.Models, ", ")
	switch p.State {
	case api.StateServing:
		return passed(served)
	case api.StateLoading:
		return failed(p.Reason, "wait for the model to load, or read the container's log (docker logs) if it never does")
	case api.StateNotServing:
		return failed(p.Reason, "align served_model_name in the host's vLLM config with the name the proxy routes to")
	case api.StateEngineDead:
		return failed(p.Reason, "the engine died: restart the container and read its log")
	}
	return failed(p.Reason, "check the vLLM port in the host's config and the host's firewall")
}

// vllmFamilies are the /metrics values straylight shows.
const vllmFamilies = api.FoundRunning | api.FoundWaiting | api.FoundKVCache

func backendMetrics(ctx context.Context, client *api.VLLM) outcome {
	m, err := client.Metrics(ctx)
	if err != nil {
		return failed(err.Error(), "vLLM serves /metrics by default; check that nothing in front of it hides the path")
	}
	if !m.Has(vllmFamilies) {
		return failed(fmt.Sprintf("missing families (found mask %05b of %05b): num_requests_running, "+
			"num_requests_waiting, kv_cache_usage_perc", m.Found, vllmFamilies), "update vLLM (0.6 or later)")
	}
	return passed(fmt.Sprintf("running %.0f, waiting %.0f, KV cache %.0f%%", m.Running, m.Waiting, 100*m.KVCacheUsage))
}

func (r *run) proxySteps() {
	if r.in.Proxy == nil {
		r.skip(StepProxy, "no proxy on this host")
		r.skip(StepProxyRoutes, "no proxy on this host")
		return
	}
	p := *r.in.Proxy
	client := api.NewLiteLLM(p.BaseURL, r.in.HTTPClient)
	if r.step(StepProxy, func(ctx context.Context) outcome { return proxyModels(ctx, client, p.Key) }) != Pass {
		r.skip(StepProxyRoutes, "the proxy did not answer")
		return
	}
	r.step(StepProxyRoutes, func(ctx context.Context) outcome { return r.proxyRoutes(ctx, client, p) })
}

func proxyModels(ctx context.Context, client *api.LiteLLM, key string) outcome {
	aliases, err := client.Models(ctx, key)
	if err != nil {
		return failed(err.Error(), proxyFix(err))
	}
	return passed("routes " + strings.Join(aliases, ", "))
}

func proxyFix(err error) string {
	if api.KindOf(err) == api.KindAuth {
		return "the key is wrong: use the proxy's master_key (general_settings) or a virtual key"
	}
	return "check the proxy's address and that it runs (docker ps, its log)"
}

// proxyRoutes asks each route's upstream whether it serves the model the
// route sends it (what the engine's route check does).
func (r *run) proxyRoutes(ctx context.Context, client *api.LiteLLM, p Proxy) outcome {
	routes, err := routesOf(ctx, client, p)
	if err != nil {
		return failed(err.Error(), proxyFix(err))
	}
	var broken, fine []string
	for _, route := range routes {
		if problem := r.upstreamProblem(ctx, route, p); problem != "" {
			broken = append(broken, problem)
		} else {
			fine = append(fine, route.Alias)
		}
	}
	if len(broken) > 0 {
		return failed(strings.Join(broken, "; "),
			"fix the route's api_base or model (provider/served name) in the proxy's config, or the upstream's served_model_name")
	}
	return passed(fmt.Sprintf("%d route(s) served: %s", len(fine), strings.Join(fine, ", ")))
}

func routesOf(ctx context.Context, client *api.LiteLLM, p Proxy) ([]Route, error) {
	if p.Routes != nil {
		return p.Routes, nil
	}
	deployments, err := client.ModelInfo(ctx, p.Key)
	routes := make([]Route, len(deployments))
	for i, d := range deployments {
		routes[i] = Route{Alias: d.Alias, APIBase: d.APIBase, UpstreamModel: d.UpstreamModel()}
	}
	return routes, err
}

func (r *run) upstreamProblem(ctx context.Context, route Route, p Proxy) string {
	base := strings.TrimSuffix(strings.TrimRight(route.APIBase, "/"), "/v1")
	ids, err := api.NewVLLM(base, p.UpstreamKeys[route.APIBase], r.in.HTTPClient).Models(ctx)
	switch {
	case err != nil:
		return fmt.Sprintf("%s → %s: %v", route.Alias, route.APIBase, err)
	case !slices.Contains(ids, route.UpstreamModel):
		return fmt.Sprintf("%s → %s serves %s, not %s", route.Alias, route.APIBase, strings.Join(ids, ", "), route.UpstreamModel)
	}
	return ""
}
