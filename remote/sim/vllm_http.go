package sim

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// vllmHandler serves one start of the simulated vLLM (one engine).
type vllmHandler struct {
	srv    *VLLMServer
	engine *vllmEngine
}

// ServeHTTP routes like vLLM's FastAPI app: unknown paths get FastAPI's 404
// body, known paths with another method its 405. /health, /metrics and
// /version are never behind an API key (the lab sets none).
func (h *vllmHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	defer func() { h.srv.log.add(accessLine(r, max(rec.status, http.StatusOK))) }()
	w = rec
	w.Header().Set("Server", "uvicorn")
	method, handle := h.route(r.URL.Path)
	switch {
	case handle == nil:
		writeNotFound(w)
	case r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead):
		writeMethodNotAllowed(w)
	default:
		handle(w, r)
	}
}

func (h *vllmHandler) route(path string) (string, http.HandlerFunc) {
	switch path {
	case "/health":
		return http.MethodGet, h.handleHealth
	case "/version":
		return http.MethodGet, h.handleVersion
	case "/metrics", "/metrics/":
		return http.MethodGet, h.handleMetrics
	case "/v1/models":
		return http.MethodGet, h.handleModels
	case "/v1/chat/completions":
		return http.MethodPost, h.handleChat
	}
	return "", nil
}

// handleHealth: 200 with an empty body (content-length: 0).
func (h *vllmHandler) handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

func (h *vllmHandler) handleVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Version string `json:"version"`
	}{vllmReportedVersion})
}

func (h *vllmHandler) handleMetrics(w http.ResponseWriter, _ *http.Request) {
	body := h.engine.renderMetrics()
	if h.srv.faults.has(FaultNoMetrics) {
		body = []byte(disableLogStatsMetrics)
	}
	w.Header().Set("Content-Type", promContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// /v1/models: one card per served name, created = now, permission ids random.
type vllmModelList struct {
	Object string          `json:"object"`
	Data   []vllmModelCard `json:"data"`
}

type vllmModelCard struct {
	ID          string           `json:"id"`
	Object      string           `json:"object"`
	Created     int64            `json:"created"`
	OwnedBy     string           `json:"owned_by"`
	Root        string           `json:"root"`
	Parent      *string          `json:"parent"`
	MaxModelLen int              `json:"max_model_len"`
	Permission  []vllmPermission `json:"permission"`
}

type vllmPermission struct {
	ID                 string  `json:"id"`
	Object             string  `json:"object"`
	Created            int64   `json:"created"`
	AllowCreateEngine  bool    `json:"allow_create_engine"`
	AllowSampling      bool    `json:"allow_sampling"`
	AllowLogprobs      bool    `json:"allow_logprobs"`
	AllowSearchIndices bool    `json:"allow_search_indices"`
	AllowView          bool    `json:"allow_view"`
	AllowFineTuning    bool    `json:"allow_fine_tuning"`
	Organization       string  `json:"organization"`
	Group              *string `json:"group"`
	IsBlocking         bool    `json:"is_blocking"`
}

func (h *vllmHandler) handleModels(w http.ResponseWriter, _ *http.Request) {
	now := time.Now().Unix()
	list := vllmModelList{Object: "list", Data: []vllmModelCard{}}
	for _, id := range h.engine.cfg.servedIDs() {
		list.Data = append(list.Data, h.modelCard(id, now))
	}
	writeJSON(w, http.StatusOK, list)
}

func (h *vllmHandler) modelCard(id string, now int64) vllmModelCard {
	perm := vllmPermission{ID: "modelperm-" + randomHex(16), Object: "model_permission", Created: now,
		AllowSampling: true, AllowLogprobs: true, AllowView: true, Organization: "*"}
	return vllmModelCard{ID: id, Object: "model", Created: now, OwnedBy: "vllm", Root: h.engine.cfg.Model,
		MaxModelLen: h.engine.cfg.MaxModelLen, Permission: []vllmPermission{perm}}
}

// maxBodyBytes bounds request bodies the simulated servers read.
const maxBodyBytes = 8 << 20

func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	if len(body) > maxBodyBytes {
		return nil, fmt.Errorf("request body over %d bytes", maxBodyBytes)
	}
	return body, nil
}

// disableLogStatsMetrics is /metrics of a vLLM started with
// --disable-log-stats: prometheus_client's default collectors only, no
// vllm:* series (vllm-project/vllm#8612; the family names are those of
// prometheus/client_python's platform and GC collectors).
const disableLogStatsMetrics = `# HELP python_gc_objects_collected_total Objects collected during gc
# TYPE python_gc_objects_collected_total counter
python_gc_objects_collected_total{generation="0"} 1234.0
# HELP python_info Python platform information
# TYPE python_info gauge
python_info{implementation="CPython",major="3",minor="12",patchlevel="3",version="3.12.3"} 1.0
`
