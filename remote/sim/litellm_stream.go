package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// LiteLLM's stream chunks: ModelResponseStream dumped with exclude_none, keys
// id, created, model, object, choices (usage last when present); choices
// finish_reason, index, delta; delta content, role
// (testdata/wire/litellm_chat_stream__include_usage.sse). The model is
// the client's alias, as newer proxies restamp it.
type litellmChunk struct {
	ID      string          `json:"id"`
	Created int64           `json:"created"`
	Model   string          `json:"model"`
	Object  string          `json:"object"`
	Choices []litellmChoice `json:"choices"`
	Usage   *litellmUsage   `json:"usage,omitempty"`
}

type litellmChoice struct {
	FinishReason *string      `json:"finish_reason,omitempty"`
	Index        int          `json:"index"`
	Delta        litellmDelta `json:"delta"`
}

type litellmDelta struct {
	Content *string `json:"content,omitempty"`
	Role    *string `json:"role,omitempty"`
}

type litellmUsage struct {
	CompletionTokens int `json:"completion_tokens"`
	PromptTokens     int `json:"prompt_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// upstreamChunk is what the relay reads of a vLLM chunk.
type upstreamChunk struct {
	ID      string `json:"id"`
	Created int64  `json:"created"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Role    *string `json:"role"`
			Content *string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
	Error json.RawMessage `json:"error"`
}

// streamRelay turns upstream events into LiteLLM's. vLLM's first chunk (role,
// empty content) is not sent on its own: its role rides on the first chunk
// with text.
type streamRelay struct {
	src         *sseReader
	alias       string
	pendingRole *string
}

// next returns the next event to send and whether the stream ends with it.
// An upstream body that breaks off becomes LiteLLM's error event (no
// [DONE]); a clean end without [DONE] ends normally.
func (s *streamRelay) next() (payload []byte, last bool) {
	for {
		data, err := s.src.next()
		switch {
		case err == errSSEEOF || (err == nil && string(data) == "[DONE]"):
			return []byte("[DONE]"), true
		case err != nil:
			return midstreamError(incompleteReadMessage, http.StatusInternalServerError), true
		}
		var up upstreamChunk
		if json.Unmarshal(data, &up) != nil {
			continue
		}
		if up.Error != nil {
			return upstreamErrorEvent(up.Error), true
		}
		if out, ok := s.transform(up); ok {
			return compactJSON(out), false
		}
	}
}

func (s *streamRelay) transform(up upstreamChunk) (litellmChunk, bool) {
	out := litellmChunk{ID: up.ID, Created: up.Created, Model: s.alias, Object: "chat.completion.chunk", Choices: []litellmChoice{}}
	for _, c := range up.Choices {
		content := c.Delta.Content
		if content != nil && *content == "" {
			content = nil
		}
		if c.Delta.Role != nil && content == nil && c.FinishReason == nil {
			s.pendingRole = c.Delta.Role
			continue
		}
		out.Choices = append(out.Choices, s.choice(c.Index, content, c.FinishReason))
	}
	if up.Usage != nil {
		out.Usage = &litellmUsage{CompletionTokens: up.Usage.CompletionTokens, PromptTokens: up.Usage.PromptTokens, TotalTokens: up.Usage.TotalTokens}
		if len(out.Choices) == 0 {
			out.Choices = []litellmChoice{{}}
		}
	}
	return out, len(out.Choices) > 0
}

func (s *streamRelay) choice(index int, content, finish *string) litellmChoice {
	ch := litellmChoice{FinishReason: finish, Index: index, Delta: litellmDelta{Content: content}}
	if content != nil && s.pendingRole != nil {
		ch.Delta.Role, s.pendingRole = s.pendingRole, nil
	}
	return ch
}

// upstreamErrorEvent wraps an error event from vLLM (object or string) the
// way LiteLLM reports a failed stream.
func upstreamErrorEvent(raw json.RawMessage) []byte {
	var e struct {
		Message string          `json:"message"`
		Code    json.RawMessage `json:"code"`
	}
	if json.Unmarshal(raw, &e) != nil {
		_ = json.Unmarshal(raw, &e.Message)
	}
	return midstreamError("litellm.APIError: APIError: OpenAIException - "+e.Message, http.StatusInternalServerError)
}

// A non-streaming answer: LiteLLM's ModelResponse as the proxy returns it
// (reconstructed: no fixture pins this body; fields follow litellm/types/utils.py).
type litellmCompletion struct {
	ID                string                    `json:"id"`
	Created           int64                     `json:"created"`
	Model             string                    `json:"model"`
	Object            string                    `json:"object"`
	SystemFingerprint *string                   `json:"system_fingerprint"`
	Choices           []litellmCompletionChoice `json:"choices"`
	Usage             litellmUsageFull          `json:"usage"`
	ServiceTier       *string                   `json:"service_tier"`
}

type litellmCompletionChoice struct {
	FinishReason string         `json:"finish_reason"`
	Index        int            `json:"index"`
	Message      litellmMessage `json:"message"`
}

type litellmMessage struct {
	Content      string          `json:"content"`
	Role         string          `json:"role"`
	ToolCalls    json.RawMessage `json:"tool_calls"`
	FunctionCall json.RawMessage `json:"function_call"`
}

type litellmUsageFull struct {
	litellmUsage
	CompletionTokensDetails json.RawMessage `json:"completion_tokens_details"`
	PromptTokensDetails     json.RawMessage `json:"prompt_tokens_details"`
}

// upstreamCompletion is what the relay reads of vLLM's answer.
type upstreamCompletion struct {
	ID      string `json:"id"`
	Created int64  `json:"created"`
	Choices []struct {
		Index   int `json:"index"`
		Message struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage litellmUsage `json:"usage"`
}

func (h *litellmHandler) relayCompletion(w http.ResponseWriter, resp *http.Response, d litellmDeployment) {
	var up upstreamCompletion
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err == nil {
		err = json.Unmarshal(body, &up)
	}
	if err != nil {
		msg := fmt.Sprintf("litellm.APIConnectionError: APIConnectionError: OpenAIException - %v", err)
		writeLiteLLMError(w, http.StatusInternalServerError, litellmError(http.StatusInternalServerError, msg+routerSuffix(d.alias), nil, nil))
		return
	}
	writeJSON(w, http.StatusOK, completionFromUpstream(up, d.alias))
}

func completionFromUpstream(up upstreamCompletion, alias string) litellmCompletion {
	out := litellmCompletion{ID: up.ID, Created: up.Created, Model: alias, Object: "chat.completion",
		Choices: []litellmCompletionChoice{}, Usage: litellmUsageFull{litellmUsage: up.Usage}}
	for _, c := range up.Choices {
		out.Choices = append(out.Choices, litellmCompletionChoice{FinishReason: c.FinishReason, Index: c.Index,
			Message: litellmMessage{Content: c.Message.Content, Role: c.Message.Role}})
	}
	return out
}
