package sim

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
)

// LabRestartPath is the lab-only admin endpoint that restarts the proxy
// (POST, no key): the demo's LiteLLM restart handler calls it with curl.
const LabRestartPath = "/_lab/restart"

// litellmVersion is what the proxy reports (readiness body, headers).
const litellmVersion = "1.79.1"

// litellmHandler serves one start of the proxy with the config read then.
type litellmHandler struct {
	proxy  *LiteLLMProxy
	cfg    litellmConfig
	client *http.Client

	mu     sync.Mutex
	rrNext map[string]int // simple round robin per alias
}

func newLiteLLMHandler(p *LiteLLMProxy, cfg litellmConfig) *litellmHandler {
	return &litellmHandler{proxy: p, cfg: cfg, client: &http.Client{Transport: p.transport}, rrNext: map[string]int{}}
}

// litellmRoute is one endpoint: its method, whether it needs the key, and
// the handler.
type litellmRoute struct {
	method string
	auth   bool
	handle http.HandlerFunc
}

func (h *litellmHandler) route(path string) (litellmRoute, bool) {
	switch path {
	case "/v1/chat/completions", "/chat/completions":
		return litellmRoute{http.MethodPost, true, h.handleChat}, true
	case "/v1/models", "/models":
		return litellmRoute{http.MethodGet, true, h.handleModels}, true
	case "/health/liveliness", "/health/liveness":
		return litellmRoute{http.MethodGet, false, h.handleLiveliness}, true
	case "/health/readiness":
		return litellmRoute{http.MethodGet, false, h.handleReadiness}, true
	case LabRestartPath:
		return litellmRoute{http.MethodPost, false, h.handleLabRestart}, true
	}
	return litellmRoute{}, false
}

func (h *litellmHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "uvicorn")
	rt, ok := h.route(r.URL.Path)
	switch {
	case !ok:
		writeNotFound(w)
	case r.Method != rt.method:
		writeMethodNotAllowed(w)
	case rt.auth && !h.authorize(w, r):
	default:
		rt.handle(w, r)
	}
}

// authorize checks the master key; without a DB any other key is a 400.
func (h *litellmHandler) authorize(w http.ResponseWriter, r *http.Request) bool {
	if h.cfg.masterKey == "" {
		return true
	}
	key := requestKey(r)
	switch {
	case key == "":
		writeLiteLLMError(w, http.StatusUnauthorized, errNoAPIKey())
		return false
	case subtle.ConstantTimeCompare([]byte(key), []byte(h.cfg.masterKey)) != 1:
		writeLiteLLMError(w, http.StatusBadRequest, errNoDB())
		return false
	}
	return true
}

// requestKey reads `Authorization: Bearer K` (the scheme is optional, as in
// LiteLLM) or `x-litellm-api-key: K`.
func requestKey(r *http.Request) string {
	if k := strings.TrimSpace(r.Header.Get("x-litellm-api-key")); k != "" {
		return k
	}
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	if scheme, rest, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	return auth
}

// /v1/models lists aliases with LiteLLM's constant created time.
type litellmModelList struct {
	Data   []litellmModelCard `json:"data"`
	Object string             `json:"object"`
}

type litellmModelCard struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

func (h *litellmHandler) handleModels(w http.ResponseWriter, _ *http.Request) {
	list := litellmModelList{Data: []litellmModelCard{}, Object: "list"}
	for _, alias := range h.cfg.aliases() {
		list.Data = append(list.Data, litellmModelCard{ID: alias, Object: "model", Created: 1677610602, OwnedBy: "openai"})
	}
	writeJSON(w, http.StatusOK, list)
}

func (h *litellmHandler) handleLiveliness(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, "I'm alive!")
}

// litellmReadiness is litellm_health_readiness__no_db.json.
type litellmReadiness struct {
	Status           string   `json:"status"`
	DB               string   `json:"db"`
	Cache            *string  `json:"cache"`
	LitellmVersion   string   `json:"litellm_version"`
	SuccessCallbacks []string `json:"success_callbacks"`
}

func (h *litellmHandler) handleReadiness(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, litellmReadiness{Status: "healthy", DB: "Not connected", LitellmVersion: litellmVersion,
		SuccessCallbacks: []string{"_PROXY_track_cost_callback", "_PROXY_MaxParallelRequestsHandler_v3", "ServiceLogging"}})
}

// handleLabRestart answers, then restarts the proxy once this connection has
// closed (the restart waits for requests in progress).
func (h *litellmHandler) handleLabRestart(w http.ResponseWriter, r *http.Request) {
	_, _ = readBody(r)
	w.Header().Set("Connection", "close")
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
	}{"restarting"})
	go func() { _ = h.proxy.Restart() }()
}

// pick chooses the deployment for alias (round robin over several).
func (h *litellmHandler) pick(alias string) (litellmDeployment, bool) {
	ds := h.cfg.lookup(alias)
	if len(ds) == 0 {
		return litellmDeployment{}, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	i := h.rrNext[alias] % len(ds)
	h.rrNext[alias]++
	return ds[i], true
}
