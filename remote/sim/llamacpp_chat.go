package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// llamaChunk is one chat.completion.chunk as llama-server streams it: keys
// in server_task_result_cmpl_final::to_json_oaicompat_chat_stream's order
// (choices, created, id, model, system_fingerprint, object; usage and
// timings on the last), nlohmann::ordered_json keeping insertion order
// (ggml-org/llama.cpp tools/server/server-task.cpp).
type llamaChunk struct {
	Choices           []llamaChoice `json:"choices"`
	Created           int64         `json:"created"`
	ID                string        `json:"id"`
	Model             string        `json:"model"`
	SystemFingerprint string        `json:"system_fingerprint"`
	Object            string        `json:"object"`
	Usage             *llamaUsage   `json:"usage,omitempty"`
	Timings           *llamaTimings `json:"timings,omitempty"`
}

type llamaChoice struct {
	FinishReason *string     `json:"finish_reason"`
	Index        int         `json:"index"`
	Delta        *llamaDelta `json:"delta,omitempty"`
	Message      *llamaDelta `json:"message,omitempty"`
}

// llamaDelta: the first delta is {"role":"assistant","content":null}.
type llamaDelta struct {
	Role    string          `json:"role,omitempty"`
	Content json.RawMessage `json:"content,omitempty"`
}

type llamaUsage struct {
	CompletionTokens int `json:"completion_tokens"`
	PromptTokens     int `json:"prompt_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type llamaTimings struct {
	CacheN              int     `json:"cache_n"`
	PromptN             int     `json:"prompt_n"`
	PromptMS            float64 `json:"prompt_ms"`
	PromptPerTokenMS    float64 `json:"prompt_per_token_ms"`
	PromptPerSecond     float64 `json:"prompt_per_second"`
	PredictedN          int     `json:"predicted_n"`
	PredictedMS         float64 `json:"predicted_ms"`
	PredictedPerTokenMS float64 `json:"predicted_per_token_ms"`
	PredictedPerSecond  float64 `json:"predicted_per_second"`
}

// llamaReply is one request's answer.
type llamaReply struct {
	id, model    string
	created      int64
	tokens       []string
	finish       string
	promptTokens int
	includeUsage bool
	slot         int
	started      time.Time
}

// handleChat answers /v1/chat/completions: llama-server serves its one
// model whatever name the request gives (no unknown-model error).
func (h *llamaHandler) handleChat(w http.ResponseWriter, r *http.Request) {
	_, req, err := decodeChatRequest(r)
	if err != nil || len(req.Messages) == 0 {
		writeLlamaError(w, http.StatusBadRequest, "invalid_request_error", chatRequestProblem(err))
		return
	}
	reply := h.plan(req)
	if reply.promptTokens >= h.engine.slotCtx() {
		writeLlamaError(w, http.StatusBadRequest, "exceed_context_size_error",
			"the request exceeds the available context size, try increasing it")
		return
	}
	slot, ok := h.engine.acquire(r.Context().Done(), h.engine.nextTask())
	if !ok {
		return
	}
	defer h.engine.release(slot)
	reply.slot = slot
	h.engine.prompt(reply.promptTokens, float64(reply.promptTokens)/2000)
	if req.Stream {
		h.stream(w, r, reply)
		return
	}
	h.complete(w, r, reply)
}

func chatRequestProblem(err error) string {
	if err != nil {
		return err.Error()
	}
	return "'messages' is required"
}

func (h *llamaHandler) plan(req vllmChatRequest) llamaReply {
	model := h.modelOrAlias(req.Model)
	tokens, finish := splitTokens(h.srv.replyText(model)), "stop"
	if limit := requestedMaxTokens(req); limit != nil && *limit < len(tokens) {
		tokens, finish = tokens[:max(*limit, 0)], "length"
	}
	return llamaReply{id: "chatcmpl-" + randomHex(16), model: model, created: time.Now().Unix(), tokens: tokens,
		finish: finish, promptTokens: promptTokenCount(req.Messages), includeUsage: req.StreamOptions.includeUsage(),
		started: time.Now()}
}

// generate emits each token at the host's rate; false when the client left.
func (h *llamaHandler) generate(r *http.Request, reply llamaReply, emit func(string) bool) bool {
	interval := h.srv.tokenInterval()
	for _, tok := range reply.tokens {
		if !sleepCtx(r.Context(), interval) {
			return false
		}
		h.engine.decoded(reply.slot, interval.Seconds())
		if !emit(tok) {
			return false
		}
	}
	return true
}

func (h *llamaHandler) stream(w http.ResponseWriter, r *http.Request, reply llamaReply) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(v any) bool {
		_, err := fmt.Fprintf(w, "data: %s\n\n", compactJSON(v))
		if flusher != nil {
			flusher.Flush()
		}
		return err == nil
	}
	if !send(reply.chunk(llamaChoice{Delta: &llamaDelta{Role: "assistant", Content: jsonNull}})) {
		return
	}
	if !h.generate(r, reply, func(tok string) bool { return send(reply.chunk(contentDelta(tok))) }) {
		return
	}
	for _, c := range reply.endChunks() {
		send(c)
	}
	_, _ = fmt.Fprint(w, "data: [DONE]\n\n")
}

func contentDelta(tok string) llamaChoice {
	return llamaChoice{Delta: &llamaDelta{Content: compactJSON(tok)}}
}

func (p llamaReply) chunk(choices ...llamaChoice) llamaChunk {
	if choices == nil {
		choices = []llamaChoice{}
	}
	return llamaChunk{Choices: choices, Created: p.created, ID: p.id, Model: p.model,
		SystemFingerprint: llamaBuildInfo, Object: "chat.completion.chunk"}
}

// endChunks: the finish chunk (empty delta); with include_usage a chunk of
// no choices carrying usage; timings on the last.
func (p llamaReply) endChunks() []llamaChunk {
	out := []llamaChunk{p.chunk(llamaChoice{FinishReason: ptr(p.finish), Delta: &llamaDelta{}})}
	if p.includeUsage {
		c := p.chunk()
		c.Usage = p.usage()
		out = append(out, c)
	}
	out[len(out)-1].Timings = p.timings()
	return out
}

func (p llamaReply) usage() *llamaUsage {
	return &llamaUsage{CompletionTokens: len(p.tokens), PromptTokens: p.promptTokens,
		TotalTokens: len(p.tokens) + p.promptTokens}
}

func (p llamaReply) timings() *llamaTimings {
	predictedMS := float64(time.Since(p.started).Microseconds()) / 1000
	t := &llamaTimings{PromptN: p.promptTokens, PromptMS: float64(p.promptTokens) / 2,
		PredictedN: len(p.tokens), PredictedMS: predictedMS}
	if p.promptTokens > 0 {
		t.PromptPerTokenMS, t.PromptPerSecond = t.PromptMS/float64(p.promptTokens), 2000
	}
	if n := len(p.tokens); n > 0 && predictedMS > 0 {
		t.PredictedPerTokenMS, t.PredictedPerSecond = predictedMS/float64(n), 1000*float64(n)/predictedMS
	}
	return t
}

// llamaCompletion is the non-streamed answer, keys in
// to_json_oaicompat_chat's order.
type llamaCompletion struct {
	Choices           []llamaChoice `json:"choices"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	SystemFingerprint string        `json:"system_fingerprint"`
	Object            string        `json:"object"`
	Usage             *llamaUsage   `json:"usage"`
	ID                string        `json:"id"`
	Timings           *llamaTimings `json:"timings"`
}

func (h *llamaHandler) complete(w http.ResponseWriter, r *http.Request, reply llamaReply) {
	text := ""
	if !h.generate(r, reply, func(tok string) bool { text += tok; return true }) {
		return
	}
	msg := &llamaDelta{Role: "assistant", Content: compactJSON(text)}
	writeJSON(w, http.StatusOK, llamaCompletion{Choices: []llamaChoice{{FinishReason: ptr(reply.finish), Message: msg}},
		Created: reply.created, Model: reply.model, SystemFingerprint: llamaBuildInfo, Object: "chat.completion",
		Usage: reply.usage(), ID: reply.id, Timings: reply.timings()})
}
