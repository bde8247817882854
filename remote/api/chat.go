package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

const (
	// DefaultIdleTimeout is the longest silence StreamChat accepts between two
	// reads, the wait for the response headers included.
	DefaultIdleTimeout = 30 * time.Second
	// DefaultPrompt is the route test's question when ChatRequest.Prompt is empty.
	DefaultPrompt = "Say hello in five words."
	// DefaultMaxTokens caps the route test's answer when ChatRequest.MaxTokens is 0.
	DefaultMaxTokens = 32
)

// ErrIdleTimeout is wrapped by StreamChat's error when the server stayed
// silent for longer than the idle timeout.
var ErrIdleTimeout = errors.New("stream idle timeout")

// ChatRequest is one streaming chat completion (the route test).
type ChatRequest struct {
	Model       string        // LiteLLM alias or vLLM served name; "" lets vLLM use its first name
	Prompt      string        // the user message; DefaultPrompt when empty
	MaxTokens   int           // DefaultMaxTokens when 0
	APIKey      string        // sent as "Authorization: Bearer"; never appears in errors
	IdleTimeout time.Duration // DefaultIdleTimeout when 0
	Upstream    string        // vLLM host behind LiteLLM, only to word error messages
}

// Chunk is one content or reasoning delta, handed to onChunk as it arrives.
type Chunk struct {
	Content   string
	Reasoning string        // reasoning_content (older vLLM) or reasoning (newer)
	Index     int           // 0 for the first delta with text
	Elapsed   time.Duration // since the request was sent
}

// Usage is the usage object of the final chunk (stream_options.include_usage).
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"` // counts the EOS token
	TotalTokens      int `json:"total_tokens"`
}

// StreamResult describes a streamed completion, complete or not.
type StreamResult struct {
	Status           int           // HTTP status
	Model            string        // the chunks' "model" field
	APIBase          string        // x-litellm-model-api-base: the vLLM host that answered
	ModelID          string        // x-litellm-model-id: the LiteLLM deployment
	TimeToFirstToken time.Duration // request sent → first delta with text; 0 when none came
	Duration         time.Duration // request sent → [DONE] or failure
	Tokens           int           // usage.completion_tokens, else the number of deltas
	TokensFromUsage  bool          // Tokens came from usage
	TokensPerSecond  float64       // Tokens / (Duration − TimeToFirstToken)
	FinishReason     string        // stop, length, tool_calls, ...
	StopReason       string        // vLLM's stop_reason (int, string or null) as text
	Usage            *Usage        // nil when the server sent none
	Text             string        // all content deltas
	Reasoning        string        // all reasoning deltas
	Chunks           int           // deltas handed to onChunk
	Done             bool          // [DONE] arrived
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatWireRequest struct {
	Model         string        `json:"model,omitempty"`
	Messages      []chatMessage `json:"messages"`
	MaxTokens     int           `json:"max_tokens"`
	Stream        bool          `json:"stream"`
	StreamOptions struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

func (r ChatRequest) withDefaults() ChatRequest {
	if r.Prompt == "" {
		r.Prompt = DefaultPrompt
	}
	if r.MaxTokens <= 0 {
		r.MaxTokens = DefaultMaxTokens
	}
	if r.IdleTimeout <= 0 {
		r.IdleTimeout = DefaultIdleTimeout
	}
	return r
}

func (r ChatRequest) body() []byte {
	w := chatWireRequest{Model: r.Model, MaxTokens: r.MaxTokens, Stream: true,
		Messages: []chatMessage{{Role: "user", Content: r.Prompt}}}
	w.StreamOptions.IncludeUsage = true
	b, _ := json.Marshal(w) // cannot fail: plain strings and ints
	return b
}

func (r ChatRequest) hint() Hint {
	return Hint{Upstream: r.Upstream, Secrets: []string{r.APIKey}}
}

// StreamChat POSTs a streaming chat completion to {baseURL}/v1/chat/completions
// (baseURL with or without /v1) and calls onChunk for every delta with text as
// it is read, without buffering. The idle timeout bounds every silence,
// including the wait for headers, never the total. The result is filled as far
// as the stream got, also when an error is returned: an *APIError (error
// status, error event, truncation), an error wrapping ErrIdleTimeout, or a
// transport error.
func StreamChat(ctx context.Context, client *http.Client, baseURL string, req ChatRequest,
	onChunk func(Chunk)) (StreamResult, error) {
	req = req.withDefaults()
	ctx, watch := startIdleWatch(ctx, req.IdleTimeout)
	defer watch.stop()
	s := &streamState{req: req, onChunk: onChunk, watch: watch, start: time.Now()}
	err := s.run(ctx, clientOrDefault(client), newEndpoints(baseURL).apiPath("/chat/completions"))
	return s.finish(), s.explain(ctx, err)
}

// streamState is one StreamChat call in progress.
type streamState struct {
	req       ChatRequest
	onChunk   func(Chunk)
	watch     *idleWatch
	start     time.Time
	res       StreamResult
	text      strings.Builder
	reasoning strings.Builder
	events    int
}

func (s *streamState) run(ctx context.Context, client *http.Client, url string) error {
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(s.req.body()))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	httpReq.Header.Set("Content-Type", "application/json")
	httpReq.Header.Set("Accept", "text/event-stream")
	setAuth(httpReq, s.req.APIKey)
	resp, err := client.Do(httpReq)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	s.readHeaders(resp)
	body, err := s.streamBody(resp, touchReader{r: resp.Body, touch: s.watch.touch})
	if err != nil {
		return err
	}
	return s.consume(NewSSEReader(body))
}

func (s *streamState) readHeaders(resp *http.Response) {
	s.res.Status = resp.StatusCode
	s.res.APIBase = resp.Header.Get("x-litellm-model-api-base")
	s.res.ModelID = resp.Header.Get("x-litellm-model-id")
}

// streamBody returns the event stream of a 200 answer, and decodes anything
// else into an error. A 200 body with another content type is still read as a
// stream when it starts like one (a proxy may rewrite the header).
func (s *streamState) streamBody(resp *http.Response, body io.Reader) (io.Reader, error) {
	br := bufio.NewReader(body)
	if resp.StatusCode == http.StatusOK && (isEventStream(resp.Header.Get("Content-Type")) || startsLikeSSE(br)) {
		return br, nil
	}
	raw, readErr := readLimited(br, maxErrorBody)
	if err := DecodeError(resp.StatusCode, raw, s.req.hint()); err != nil {
		return nil, err
	}
	if readErr != nil {
		return nil, readErr
	}
	return nil, &APIError{Kind: KindOther, Cause: KindOther, Status: resp.StatusCode,
		Reason: "expected an event stream, got " + resp.Header.Get("Content-Type")}
}

func isEventStream(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "text/event-stream"
}

func startsLikeSSE(br *bufio.Reader) bool {
	head, _ := br.Peek(6)
	return looksLikeSSE(bytes.TrimLeft(head, " \t\r\n"))
}

func (s *streamState) consume(sse *SSEReader) error {
	for {
		ev, err := sse.Next()
		if err != nil {
			return s.endedWithout(err)
		}
		if strings.TrimSpace(ev.Data) == doneSentinel {
			s.res.Done = true
			return nil
		}
		s.events++
		if err := s.handle(ev.Data); err != nil {
			return err
		}
	}
}

// endedWithout explains a stream that stopped before [DONE].
func (s *streamState) endedWithout(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return truncatedError(s.events)
	}
	return err // the caller maps cancellations; other read errors stay as they are
}

// explain maps context cancellations to ErrIdleTimeout or the caller's cause.
func (s *streamState) explain(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(context.Cause(ctx), ErrIdleTimeout) {
		return fmt.Errorf("no data from the server for %s after %d events: %w",
			s.req.IdleTimeout, s.events, ErrIdleTimeout)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) && ctx.Err() == nil && s.res.Status == http.StatusOK {
		return truncatedWith(s.events, err) // the connection broke mid-stream
	}
	return err
}

func truncatedWith(events int, cause error) *APIError {
	e := truncatedError(events)
	e.Reason += " (" + oneLine(cause.Error(), 160) + ")"
	return e
}

func (s *streamState) finish() StreamResult {
	s.res.Duration = time.Since(s.start)
	s.res.Text = s.text.String()
	s.res.Reasoning = s.reasoning.String()
	s.res.Tokens, s.res.TokensFromUsage = s.res.Chunks, false
	if u := s.res.Usage; u != nil && u.CompletionTokens > 0 {
		s.res.Tokens, s.res.TokensFromUsage = u.CompletionTokens, true
	}
	if decode := s.res.Duration - s.res.TimeToFirstToken; s.res.Chunks > 0 && decode > 0 {
		s.res.TokensPerSecond = float64(s.res.Tokens) / decode.Seconds()
	}
	return s.res
}
