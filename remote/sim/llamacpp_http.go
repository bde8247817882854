package sim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// llamaHandler serves one start of the simulated llama-server.
type llamaHandler struct {
	srv    *LlamaCppServer
	engine *llamaEngine
}

// llamaError is llama.cpp's error body: format_error_response's
// {"code","message","type"} under "error" (tools/server/utils.hpp).
type llamaError struct {
	Error llamaErrorInfo `json:"error"`
}

type llamaErrorInfo struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

func writeLlamaError(w http.ResponseWriter, code int, typ, msg string) {
	writeJSON(w, code, llamaError{Error: llamaErrorInfo{Code: code, Message: msg, Type: typ}})
}

// llamaPublic: the paths llama-server answers without its --api-key.
func llamaPublic(path string) bool {
	switch path {
	case "/health", "/v1/health", "/models", "/v1/models":
		return true
	}
	return false
}

// ServeHTTP: while the model loads every path answers 503 "Loading model";
// with --api-key, all but the public paths want the key as a Bearer token.
func (h *llamaHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method, handle := h.route(r.URL.Path)
	switch {
	case h.srv.loading():
		writeLlamaError(w, http.StatusServiceUnavailable, "unavailable_error", "Loading model")
	case !llamaPublic(r.URL.Path) && !h.authorized(r):
		writeLlamaError(w, http.StatusUnauthorized, "authentication_error", "Invalid API Key")
	case handle == nil || (r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead)):
		writeLlamaError(w, http.StatusNotFound, "not_found_error", "File Not Found")
	default:
		handle(w, r)
	}
}

func (h *llamaHandler) authorized(r *http.Request) bool {
	key := h.engine.args.apiKey
	return key == "" || r.Header.Get("Authorization") == "Bearer "+key
}

func (h *llamaHandler) route(path string) (string, http.HandlerFunc) {
	switch path {
	case "/health", "/v1/health":
		return http.MethodGet, h.handleHealth
	case "/metrics":
		return http.MethodGet, h.handleMetrics
	case "/props":
		return http.MethodGet, h.handleProps
	case "/slots":
		return http.MethodGet, h.handleSlots
	case "/models", "/v1/models":
		return http.MethodGet, h.handleModels
	case "/chat/completions", "/v1/chat/completions":
		return http.MethodPost, h.handleChat
	}
	return "", nil
}

func (h *llamaHandler) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
	}{"ok"})
}

func (h *llamaHandler) handleMetrics(w http.ResponseWriter, _ *http.Request) {
	if !h.engine.args.metrics {
		writeLlamaError(w, http.StatusNotImplemented, "not_supported_error",
			"This server does not support metrics endpoint. Start it with `--metrics`")
		return
	}
	body := h.engine.renderMetrics()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// /v1/models: one card per alias, in the layout of
// remote/api/testdata/llamacpp/models.json.
type llamaModelList struct {
	Object string           `json:"object"`
	Data   []llamaModelCard `json:"data"`
}

type llamaModelCard struct {
	ID           string            `json:"id"`
	Object       string            `json:"object"`
	Architecture llamaArchitecture `json:"architecture"`
	Created      int64             `json:"created"`
	OwnedBy      string            `json:"owned_by"`
	Meta         llamaModelMeta    `json:"meta"`
}

type llamaArchitecture struct {
	Input  []string `json:"input_modalities"`
	Output []string `json:"output_modalities"`
}

type llamaModelMeta struct {
	VocabType int   `json:"vocab_type"`
	NVocab    int   `json:"n_vocab"`
	NCtxTrain int   `json:"n_ctx_train"`
	NEmbd     int   `json:"n_embd"`
	NParams   int64 `json:"n_params"`
	Size      int64 `json:"size"`
}

func (h *llamaHandler) handleModels(w http.ResponseWriter, _ *http.Request) {
	now := time.Now().Unix()
	list := llamaModelList{Object: "list", Data: []llamaModelCard{}}
	text := []string{"text"}
	for _, id := range h.engine.args.servedIDs() {
		list.Data = append(list.Data, llamaModelCard{ID: id, Object: "model", Created: now, OwnedBy: "llamacpp",
			Architecture: llamaArchitecture{Input: text, Output: text},
			Meta: llamaModelMeta{VocabType: 2, NVocab: 128256, NCtxTrain: 131072, NEmbd: 4096,
				NParams: 8030261312, Size: 4912898304}})
	}
	writeJSON(w, http.StatusOK, list)
}

// /props and /slots in the layouts of remote/api/testdata/llamacpp.
type llamaProps struct {
	Default      llamaSlotJSON   `json:"default_generation_settings"`
	TotalSlots   int             `json:"total_slots"`
	ModelPath    string          `json:"model_path"`
	ChatTemplate string          `json:"chat_template"`
	TemplateCaps struct{}        `json:"chat_template_caps"`
	Modalities   llamaModalities `json:"modalities"`
	MediaMarker  string          `json:"media_marker"`
	BuildInfo    string          `json:"build_info"`
	IsSleeping   bool            `json:"is_sleeping"`
}

type llamaModalities struct {
	Vision bool `json:"vision"`
}

type llamaSlotJSON struct {
	ID           int            `json:"id"`
	IDTask       int            `json:"id_task"`
	NCtx         int            `json:"n_ctx"`
	Speculative  bool           `json:"speculative"`
	IsProcessing bool           `json:"is_processing"`
	Prompt       *string        `json:"prompt,omitempty"` // /props only
	NextToken    llamaNextToken `json:"next_token"`
}

type llamaNextToken struct {
	HasNextToken bool `json:"has_next_token"`
	HasNewLine   bool `json:"has_new_line"`
	NRemain      int  `json:"n_remain"`
	NDecoded     int  `json:"n_decoded"`
	// StoppingWord is in /props' default settings only.
	StoppingWord *string `json:"stopping_word,omitempty"`
}

// llamaBuildInfo is the lab's build_info and system_fingerprint
// ("b<build number>-<commit>", as llama_build_info() writes them).
const llamaBuildInfo = "b6000-5a1b2c3d"

func (h *llamaHandler) handleProps(w http.ResponseWriter, _ *http.Request) {
	def := llamaSlotJSON{IDTask: -1, NCtx: h.engine.slotCtx(), Prompt: ptr(""),
		NextToken: llamaNextToken{HasNextToken: true, NRemain: -1, StoppingWord: ptr("")}}
	writeJSON(w, http.StatusOK, llamaProps{Default: def, TotalSlots: h.engine.args.parallel,
		ModelPath: h.engine.args.model, ChatTemplate: "{{ messages }}", MediaMarker: "<__media__>",
		BuildInfo: llamaBuildInfo})
}

func (h *llamaHandler) handleSlots(w http.ResponseWriter, _ *http.Request) {
	if h.engine.args.noSlots {
		writeLlamaError(w, http.StatusNotImplemented, "not_supported_error",
			"This server does not support slots endpoint. Start it with `--slots`")
		return
	}
	out := []llamaSlotJSON{}
	for id, s := range h.engine.snapshotSlots() {
		out = append(out, llamaSlotJSON{ID: id, IDTask: s.task, NCtx: h.engine.slotCtx(), IsProcessing: s.processing,
			NextToken: llamaNextToken{HasNextToken: s.processing, NRemain: -1, NDecoded: s.decoded}})
	}
	writeJSON(w, http.StatusOK, out)
}

// modelOrAlias is the model a reply names: the request's, else the first
// alias (llama-server serves its one model under any name).
func (h *llamaHandler) modelOrAlias(requested *string) string {
	if requested != nil && strings.TrimSpace(*requested) != "" {
		return *requested
	}
	return h.engine.args.servedIDs()[0]
}
