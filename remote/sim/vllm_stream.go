package sim

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Stream chunks in the v0.10.2–v0.11 layout
// (testdata/wire/vllm_chat_stream__v0.10.2-v0.11__include_usage.sse):
// model_dump_json(exclude_unset=True), with prompt_token_ids / token_ids set
// to None explicitly and so written as nulls.
type vllmChunk struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	Created        int64             `json:"created"`
	Model          string            `json:"model"`
	Choices        []vllmChunkChoice `json:"choices"`
	Usage          *vllmUsage        `json:"usage,omitempty"`
	PromptTokenIDs json.RawMessage   `json:"prompt_token_ids,omitempty"` // "null" on the first chunk only
}

type vllmChunkChoice struct {
	Index        int             `json:"index"`
	Delta        vllmDelta       `json:"delta"`
	Logprobs     json.RawMessage `json:"logprobs"` // nil marshals as null
	FinishReason *string         `json:"finish_reason"`
	StopReason   json.RawMessage `json:"stop_reason,omitempty"` // set on the finishing chunk only
	TokenIDs     json.RawMessage `json:"token_ids,omitempty"`   // "null" except on the role chunk
}

type vllmDelta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

// vllmUsage keeps UsageInfo's field order: prompt, total, completion.
type vllmUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	TotalTokens      int `json:"total_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

var jsonNull = json.RawMessage("null")

func (p chatPlan) chunk(choices ...vllmChunkChoice) vllmChunk {
	if choices == nil {
		choices = []vllmChunkChoice{}
	}
	return vllmChunk{ID: p.id, Object: "chat.completion.chunk", Created: p.created, Model: p.model, Choices: choices}
}

func (p chatPlan) roleChunk() vllmChunk {
	c := p.chunk(vllmChunkChoice{Delta: vllmDelta{Role: "assistant", Content: ptr("")}})
	c.PromptTokenIDs = jsonNull
	return c
}

func contentChoice(text string) vllmChunkChoice {
	return vllmChunkChoice{Delta: vllmDelta{Content: ptr(text)}, TokenIDs: jsonNull}
}

// finishChoice ends the stream: for "stop" the EOS token (empty text, stop
// reason the token id); for "length" it carries the last content token.
func (p chatPlan) finishChoice(lastText string) vllmChunkChoice {
	c := contentChoice(lastText)
	c.FinishReason = ptr(p.finish)
	c.StopReason = p.stopReason()
	return c
}

// stopReason: the stop token's id when the model ended the answer, null when
// max_tokens cut it.
func (p chatPlan) stopReason() json.RawMessage {
	if p.finish == "stop" {
		return json.RawMessage(strconv.Itoa(defaultStopTokenID))
	}
	return jsonNull
}

func (p chatPlan) usage() *vllmUsage {
	completion := p.completionTokens()
	return &vllmUsage{PromptTokens: p.promptTokens, TotalTokens: p.promptTokens + completion, CompletionTokens: completion}
}

func ptr[T any](v T) *T { return &v }

// streamChat writes the SSE stream at the host's token rate. With the
// truncated-stream fault it drops the connection halfway, mid chunked body,
// as a crashing server does: no [DONE], an incomplete chunked read.
func (h *vllmHandler) streamChat(w http.ResponseWriter, r *http.Request, req *vllmRequest, plan chatPlan) {
	reason := "abort"
	defer func() { req.finish(reason) }()
	sse := startSSE(w, http.StatusOK)
	if sse.event(compactJSON(plan.roleChunk())) != nil {
		return
	}
	if !h.streamTokens(sse, r, req, plan) {
		return
	}
	if plan.includeUsage && sse.event(compactJSON(plan.withUsage())) != nil {
		return
	}
	if sse.done() == nil {
		reason = plan.finish
	}
}

func (p chatPlan) withUsage() vllmChunk {
	c := p.chunk()
	c.Usage = p.usage()
	return c
}

// streamTokens emits the content chunks and the finishing chunk; false means
// the stream ended early.
func (h *vllmHandler) streamTokens(sse *sseWriter, r *http.Request, req *vllmRequest, plan chatPlan) bool {
	body, last := plan.tokens, ""
	if plan.finish == "length" && len(body) > 0 {
		body, last = body[:len(body)-1], body[len(body)-1]
	}
	cut := h.truncationPoint(len(body))
	for i, tok := range body {
		if i == cut {
			panic(http.ErrAbortHandler) // net/http drops the connection without ending the body
		}
		if !h.emitToken(sse, r, req, plan.chunk(contentChoice(tok))) {
			return false
		}
	}
	return h.emitToken(sse, r, req, plan.chunk(plan.finishChoice(last)))
}

// truncationPoint is the chunk index where the truncated-stream fault cuts
// the stream, or -1.
func (h *vllmHandler) truncationPoint(n int) int {
	if !h.srv.faults.has(FaultTruncatedStream) {
		return -1
	}
	return max(1, n/2)
}

func (h *vllmHandler) emitToken(sse *sseWriter, r *http.Request, req *vllmRequest, c vllmChunk) bool {
	if !sleepCtx(r.Context(), h.srv.tokenInterval()) {
		return false
	}
	req.tokenGenerated()
	return sse.event(compactJSON(c)) == nil
}

// Non-streaming: ChatCompletionResponse.model_dump(), every field present.
type vllmCompletion struct {
	ID                string                 `json:"id"`
	Object            string                 `json:"object"`
	Created           int64                  `json:"created"`
	Model             string                 `json:"model"`
	Choices           []vllmCompletionChoice `json:"choices"`
	ServiceTier       *string                `json:"service_tier"`
	SystemFingerprint *string                `json:"system_fingerprint"`
	Usage             vllmUsageDetailed      `json:"usage"`
	PromptLogprobs    json.RawMessage        `json:"prompt_logprobs"`
	PromptTokenIDs    json.RawMessage        `json:"prompt_token_ids"`
	KVTransferParams  json.RawMessage        `json:"kv_transfer_params"`
}

type vllmCompletionChoice struct {
	Index        int             `json:"index"`
	Message      vllmMessage     `json:"message"`
	Logprobs     json.RawMessage `json:"logprobs"`
	FinishReason string          `json:"finish_reason"`
	StopReason   json.RawMessage `json:"stop_reason"`
	TokenIDs     json.RawMessage `json:"token_ids"`
}

type vllmMessage struct {
	Role             string          `json:"role"`
	Content          string          `json:"content"`
	Refusal          *string         `json:"refusal"`
	Annotations      json.RawMessage `json:"annotations"`
	Audio            json.RawMessage `json:"audio"`
	FunctionCall     json.RawMessage `json:"function_call"`
	ToolCalls        []struct{}      `json:"tool_calls"`
	ReasoningContent *string         `json:"reasoning_content"`
}

type vllmUsageDetailed struct {
	vllmUsage
	PromptTokensDetails json.RawMessage `json:"prompt_tokens_details"`
}

// completeChat generates the whole answer, then sends it at once.
func (h *vllmHandler) completeChat(w http.ResponseWriter, r *http.Request, req *vllmRequest, plan chatPlan) {
	reason := "abort"
	defer func() { req.finish(reason) }()
	for range plan.completionTokens() {
		if !sleepCtx(r.Context(), h.srv.tokenInterval()) {
			return
		}
		req.tokenGenerated()
	}
	writeJSON(w, http.StatusOK, plan.completion())
	reason = plan.finish
}

func (p chatPlan) completion() vllmCompletion {
	choice := vllmCompletionChoice{FinishReason: p.finish, StopReason: p.stopReason(),
		Message: vllmMessage{Role: "assistant", Content: joinTokens(p.tokens), ToolCalls: []struct{}{}}}
	return vllmCompletion{ID: p.id, Object: "chat.completion", Created: p.created, Model: p.model,
		Choices: []vllmCompletionChoice{choice}, Usage: vllmUsageDetailed{vllmUsage: *p.usage()}}
}

func joinTokens(tokens []string) string {
	n := 0
	for _, t := range tokens {
		n += len(t)
	}
	buf := make([]byte, 0, n)
	for _, t := range tokens {
		buf = append(buf, t...)
	}
	return string(buf)
}
