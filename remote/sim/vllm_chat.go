package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// vllmChatRequest is the part of ChatCompletionRequest the simulation reads.
type vllmChatRequest struct {
	Model               *string           `json:"model"`
	Messages            []json.RawMessage `json:"messages"`
	Stream              bool              `json:"stream"`
	StreamOptions       *vllmStreamOpts   `json:"stream_options"`
	MaxTokens           *int              `json:"max_tokens"`
	MaxCompletionTokens *int              `json:"max_completion_tokens"`
}

// vllmStreamOpts: include_usage defaults to true once stream_options is given.
type vllmStreamOpts struct {
	IncludeUsage *bool `json:"include_usage"`
}

func (o *vllmStreamOpts) includeUsage() bool {
	return o != nil && (o.IncludeUsage == nil || *o.IncludeUsage)
}

// chatPlan is a validated request: what to answer and how.
type chatPlan struct {
	id           string
	created      int64
	model        string
	tokens       []string // content tokens to emit
	finish       string   // "stop" (EOS after the tokens) or "length"
	promptTokens int
	stream       bool
	includeUsage bool
}

// completionTokens counts the EOS token of a "stop" finish, as vLLM does.
func (p chatPlan) completionTokens() int {
	if p.finish == "stop" {
		return len(p.tokens) + 1
	}
	return len(p.tokens)
}

// vllmErrorBody is the v0.10.1+ error shape: {"error":{message,type,param,code}}.
type vllmErrorBody struct {
	Error vllmErrorInfo `json:"error"`
}

type vllmErrorInfo struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    int     `json:"code"`
}

func writeVLLMError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, vllmErrorBody{Error: vllmErrorInfo{Message: msg, Type: typ, Code: status}})
}

// handleChat serves POST /v1/chat/completions. Validation and the model
// check happen before any streaming, so errors are JSON even for stream:true.
func (h *vllmHandler) handleChat(w http.ResponseWriter, r *http.Request) {
	plan, ok := h.planChat(w, r)
	if !ok {
		return
	}
	req, err := h.engine.admit(r.Context(), plan.promptTokens)
	if err != nil {
		return // the client left while queued
	}
	if plan.stream {
		h.streamChat(w, r, req, plan)
		return
	}
	h.completeChat(w, r, req, plan)
}

// planChat decodes and validates the request, writing the error response
// itself when it is not acceptable.
func (h *vllmHandler) planChat(w http.ResponseWriter, r *http.Request) (chatPlan, bool) {
	body, req, err := decodeChatRequest(r)
	if err != nil {
		writeVLLMError(w, http.StatusBadRequest, "Bad Request", err.Error())
		return chatPlan{}, false
	}
	if msg := streamOptionsError(req, body); msg != "" {
		writeVLLMError(w, http.StatusBadRequest, "Bad Request", msg)
		return chatPlan{}, false
	}
	if req.Model != nil && !h.engine.serves(*req.Model) {
		writeVLLMError(w, http.StatusNotFound, "NotFoundError", fmt.Sprintf("The model `%s` does not exist.", *req.Model))
		return chatPlan{}, false
	}
	plan, msg := h.buildPlan(req)
	if msg != "" {
		writeVLLMError(w, http.StatusBadRequest, "BadRequestError", msg)
		return chatPlan{}, false
	}
	return plan, true
}

// decodeChatRequest reads the body the way pydantic validates it: JSON, with
// messages required. Error texts imitate FastAPI's RequestValidationError.
func decodeChatRequest(r *http.Request) ([]byte, vllmChatRequest, error) {
	var req vllmChatRequest
	body, err := readBody(r)
	if err != nil {
		return nil, req, err
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return body, req, fmt.Errorf("[{'type': 'json_invalid', 'loc': ('body', 0), 'msg': 'JSON decode error', 'input': {}, 'ctx': {'error': %s}}]", pyStrRepr(err.Error()))
	}
	if req.Messages == nil {
		return body, req, fmt.Errorf("[{'type': 'missing', 'loc': ('body', 'messages'), 'msg': 'Field required', 'input': %s}]", reprOrRaw(body))
	}
	return body, req, nil
}

// streamOptionsError is ChatCompletionRequest's check_stream_options.
func streamOptionsError(req vllmChatRequest, body []byte) string {
	if req.StreamOptions == nil || req.Stream {
		return ""
	}
	const msg = "Stream options can only be defined when `stream=True`."
	return fmt.Sprintf("[{'type': 'value_error', 'loc': ('body',), 'msg': 'Value error, %s', 'input': %s, 'ctx': {'error': ValueError(%s)}}]",
		msg, reprOrRaw(body), pyStrRepr(msg))
}

func reprOrRaw(body []byte) string {
	if s, ok := pyReprJSON(body); ok {
		return s
	}
	return pyStrRepr(string(body))
}

// buildPlan sizes the answer: the host's canned reply, cut by max_tokens and
// by what is left of the context window. msg is vLLM's error for a request
// that does not fit.
func (h *vllmHandler) buildPlan(req vllmChatRequest) (plan chatPlan, msg string) {
	prompt := promptTokenCount(req.Messages)
	limit, msg := contextLimit(h.engine.cfg.MaxModelLen, prompt, requestedMaxTokens(req))
	if msg != "" {
		return chatPlan{}, msg
	}
	tokens := splitTokens(h.srv.replyText(h.engine.modelName()))
	plan = chatPlan{id: "chatcmpl-" + randomHex(8), created: time.Now().Unix(), model: h.engine.modelName(),
		tokens: tokens, finish: "stop", promptTokens: prompt, stream: req.Stream,
		includeUsage: req.StreamOptions.includeUsage()}
	if limit < len(tokens)+1 {
		plan.tokens, plan.finish = tokens[:limit], "length"
	}
	return plan, ""
}

// contextLimit is how many tokens may be generated (serving_engine's
// _validate_input).
func contextLimit(maxModelLen, prompt int, want *int) (int, string) {
	if prompt >= maxModelLen {
		return 0, fmt.Sprintf("This model's maximum context length is %d tokens. However, your request has %d input tokens. Please reduce the length of the input messages.", maxModelLen, prompt)
	}
	if want == nil {
		return maxModelLen - prompt, ""
	}
	if prompt+*want > maxModelLen {
		return 0, fmt.Sprintf("This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the messages, %d in the completion). Please reduce the length of the messages or completion.",
			maxModelLen, prompt+*want, prompt, *want)
	}
	return max(0, *want), ""
}

func requestedMaxTokens(req vllmChatRequest) *int {
	if req.MaxCompletionTokens != nil {
		return req.MaxCompletionTokens
	}
	return req.MaxTokens
}

// promptTokenCount approximates the chat template: the words of every
// message plus a few tokens of framing each.
func promptTokenCount(messages []json.RawMessage) int {
	n := 1 // <|begin_of_text|>
	for _, raw := range messages {
		var m struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		}
		_ = json.Unmarshal(raw, &m)
		n += 4 + len(splitTokens(m.Role)) + len(splitTokens(messageText(m.Content)))
	}
	return n + 4 // the assistant header the template appends
}

// messageText reads content given as a string or as a list of text parts.
func messageText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &parts)
	texts := make([]string, 0, len(parts))
	for _, p := range parts {
		texts = append(texts, p.Text)
	}
	return strings.Join(texts, " ")
}

// splitTokens cuts text into word-piece-like tokens: a word with its leading
// space ("Hello", " How"), digits apart from letters, punctuation alone.
func splitTokens(text string) []string {
	var tokens []string
	var cur []rune
	for _, r := range text {
		if startsNewToken(cur, r) {
			tokens = append(tokens, string(cur))
			cur = cur[:0]
		}
		cur = append(cur, r)
	}
	if len(cur) > 0 {
		tokens = append(tokens, string(cur))
	}
	return tokens
}

func startsNewToken(cur []rune, r rune) bool {
	if len(cur) == 0 {
		return false
	}
	last := cur[len(cur)-1]
	if len(cur) == 1 && last == ' ' {
		return unicode.IsSpace(r) // a space sticks to what follows
	}
	return tokenClass(last) != tokenClass(r) || tokenClass(r) == 'p'
}

func tokenClass(r rune) byte {
	switch {
	case unicode.IsLetter(r):
		return 'l'
	case unicode.IsDigit(r):
		return 'd'
	case unicode.IsSpace(r):
		return 's'
	}
	return 'p'
}

func randomHex(nBytes int) string {
	b := make([]byte, nBytes)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sleepCtx waits d or until ctx ends; it reports whether the full wait passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
