package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "sk-straylight-test-SECRET-4242"

// capturedRequest is what the fake server saw of a chat request.
type capturedRequest struct {
	path, auth, contentType string
	body                    map[string]any
}

func capturingServer(t *testing.T, rep reply) (*httptest.Server, <-chan capturedRequest) {
	t.Helper()
	seen := make(chan capturedRequest, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := capturedRequest{path: r.URL.Path, auth: r.Header.Get("Authorization"),
			contentType: r.Header.Get("Content-Type")}
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &c.body)
		seen <- c
		writeReply(w, r, rep)
	}))
	t.Cleanup(srv.Close)
	return srv, seen
}

func TestStreamChatRequestShape(t *testing.T) {
	rep := sseReply(fixture(t, "litellm_chat_stream__include_usage.sse"))
	rep.slow = false
	for _, suffix := range []string{"", "/", "/v1", "/v1/"} {
		srv, seen := capturingServer(t, rep)
		_, err := StreamChat(context.Background(), srv.Client(), srv.URL+suffix,
			ChatRequest{Model: "local/reasoner", APIKey: testKey, MaxTokens: 8}, nil)
		if err != nil {
			t.Fatalf("base %q: %v", suffix, err)
		}
		assertChatRequest(t, <-seen)
	}
}

func assertChatRequest(t *testing.T, c capturedRequest) {
	t.Helper()
	if c.path != "/v1/chat/completions" || c.auth != "Bearer "+testKey || c.contentType != "application/json" {
		t.Errorf("path %q auth ok=%v content-type %q", c.path, c.auth == "Bearer "+testKey, c.contentType)
	}
	opts, _ := c.body["stream_options"].(map[string]any)
	if c.body["stream"] != true || opts["include_usage"] != true || c.body["max_tokens"] != 8.0 ||
		c.body["model"] != "local/reasoner" {
		t.Errorf("request body %v", c.body)
	}
	messages, _ := c.body["messages"].([]any)
	if len(messages) != 1 {
		t.Errorf("messages %v", c.body["messages"])
	}
}

func TestStreamChatNoKeyNoAuthHeader(t *testing.T) {
	srv, seen := capturingServer(t, sseReply(fixture(t, "vllm_chat_stream__no_usage__finish_length.sse")))
	if _, err := StreamChat(context.Background(), srv.Client(), srv.URL, ChatRequest{}, nil); err != nil {
		t.Fatal(err)
	}
	c := <-seen
	if _, hasModel := c.body["model"]; c.auth != "" || hasModel || c.body["max_tokens"] != float64(DefaultMaxTokens) {
		t.Errorf("auth %q, body %v", c.auth, c.body)
	}
}

func TestStreamChatReadsLiteLLMHeaders(t *testing.T) {
	rep := sseReply(fixture(t, "litellm_chat_stream__include_usage.sse"))
	rep.headers["x-litellm-model-api-base"] = "http://wintermute:8000/v1"
	rep.headers["x-litellm-model-id"] = "6452bb1f"
	srv := replayServer(t, map[string]reply{"/v1/chat/completions": rep})
	res, err := StreamChat(context.Background(), srv.Client(), srv.URL, ChatRequest{}, nil)
	if err != nil || res.APIBase != "http://wintermute:8000/v1" || res.ModelID != "6452bb1f" {
		t.Fatalf("api base %q id %q, %v", res.APIBase, res.ModelID, err)
	}
	if res.Status != http.StatusOK || res.TokensPerSecond <= 0 || res.Usage.PromptTokens != 11 {
		t.Errorf("status %d rate %v usage %+v", res.Status, res.TokensPerSecond, res.Usage)
	}
}

// Error statuses, including LiteLLM's "first event is an error" case where the
// status carries the error code but the body is still SSE.
func TestStreamChatErrorStatuses(t *testing.T) {
	cases := []struct {
		name   string
		rep    reply
		kind   ErrorKind
		reason string
	}{
		{"vllm 404 json even with stream", jsonReply(404,
			fixture(t, "vllm_error_404_model_not_found__v0.10.1plus.json")), KindWrongModelName,
			"wintermute does not serve `llama31-8b-wintermute` (404)"},
		{"litellm 404 upstream", jsonReply(404, fixture(t, "litellm_error_404_upstream_model_not_found.json")),
			KindWrongModelName, "LiteLLM asked wintermute for `llama31-8b-wintermute`, which it does not serve (404)"},
		{"litellm 429", jsonReply(429, fixture(t, "litellm_error_429_no_deployments.json")), KindCooldown, "cooldown"},
		{"first event error sets status", reply{status: 500, body: []byte(
			`data: {"error": {"message": "litellm.APIConnectionError: Connection error.", "type": "None", ` +
				`"param": "None", "code": "500"}}` + "\n\n"),
			headers: map[string]string{"Content-Type": "text/event-stream"}}, KindUpstreamDown, "could not reach"},
		{"json body on 200", jsonReply(200, []byte(`{"id":"x","choices":[]}`)), KindOther,
			"expected an event stream"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := replayServer(t, map[string]reply{"/v1/chat/completions": tc.rep})
			_, err := StreamChat(context.Background(), srv.Client(), srv.URL,
				ChatRequest{Upstream: "wintermute", APIKey: testKey}, nil)
			e := asAPIError(t, err)
			if e.Kind != tc.kind || !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("kind %v reason %q", e.Kind, e.Reason)
			}
		})
	}
}

// Keys never appear in errors, even when the server echoes them back.
func TestStreamChatErrorsHideTheKey(t *testing.T) {
	echo := fmt.Sprintf(`{"error":{"message":"Authentication Error, Invalid proxy server token passed. `+
		`Received API Key = %s, Key Hash (Token) =abc. Authorization: Bearer %s","type":"auth_error",`+
		`"param":"None","code":"401"}}`, testKey, testKey)
	srv := replayServer(t, map[string]reply{"/v1/chat/completions": jsonReply(401, []byte(echo))})
	_, err := StreamChat(context.Background(), srv.Client(), srv.URL, ChatRequest{APIKey: testKey}, nil)
	e := asAPIError(t, err)
	if e.Kind != KindAuth || strings.Contains(fmt.Sprintf("%v %+v", err, *e), "SECRET") {
		t.Errorf("kind %v, error leaks the key: %+v", e.Kind, *e)
	}
	if _, err := StreamChat(context.Background(), srv.Client(), refusedURL(t), ChatRequest{APIKey: testKey}, nil); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("transport error %v", err)
	}
}

// onChunk must see the first delta while the server still holds the rest:
// the server waits for the client to acknowledge it before sending more.
func TestStreamChatDeliversChunksWithoutBuffering(t *testing.T) {
	events := strings.SplitAfter(string(fixture(t, "vllm_chat_stream__v0.6-v0.10.1__include_usage.sse")), "\n\n")
	acked := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		writeSlowly(w, r, []byte(events[0]+events[1]))
		select {
		case <-acked:
		case <-r.Context().Done():
			return
		}
		writeSlowly(w, r, []byte(strings.Join(events[2:], "")))
	}))
	t.Cleanup(srv.Close)
	var once sync.Once
	res, err := StreamChat(context.Background(), srv.Client(), srv.URL, ChatRequest{IdleTimeout: 5 * time.Second},
		func(Chunk) { once.Do(func() { close(acked) }) })
	if err != nil || res.Text != "Hello! How can I help you today?" {
		t.Fatalf("text %q, %v (an idle timeout here means the first chunk was buffered)", res.Text, err)
	}
}

func TestStreamChatIdleTimeoutSilentServer(t *testing.T) {
	base := silentListener(t) // accepts the connection, never answers
	res, err := StreamChat(context.Background(), nil, base, ChatRequest{IdleTimeout: 150 * time.Millisecond}, nil)
	if !errors.Is(err, ErrIdleTimeout) || res.Chunks != 0 {
		t.Fatalf("want ErrIdleTimeout, got %v", err)
	}
}

func TestStreamChatIdleTimeoutAfterHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, `data: {"model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]}`+"\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	res, err := StreamChat(context.Background(), srv.Client(), srv.URL,
		ChatRequest{IdleTimeout: 150 * time.Millisecond}, nil)
	if !errors.Is(err, ErrIdleTimeout) || res.Text != "Hi" {
		t.Fatalf("text %q, err %v", res.Text, err)
	}
}

// The timeout is between reads, not total: a stream that trickles for longer
// than the idle timeout in total still succeeds.
func TestStreamChatIdleTimeoutIsNotTotal(t *testing.T) {
	const events, gap, idle = 40, 25 * time.Millisecond, time.Second
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range events {
			_, _ = fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%d \"}}]}\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(gap)
		}
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	res, err := StreamChat(context.Background(), srv.Client(), srv.URL, ChatRequest{IdleTimeout: idle}, nil)
	if err != nil || res.Chunks != events || res.Tokens != events || res.TokensFromUsage {
		t.Fatalf("chunks %d tokens %d, %v", res.Chunks, res.Tokens, err)
	}
}

// A consumer slower than the idle timeout is not a silent server.
func TestStreamChatSlowConsumerIsNotIdle(t *testing.T) {
	srv := replayServer(t, map[string]reply{"/v1/chat/completions": {status: 200,
		body: fixture(t, "vllm_chat_stream__no_usage__finish_length.sse")}})
	res, err := StreamChat(context.Background(), srv.Client(), srv.URL,
		ChatRequest{IdleTimeout: 50 * time.Millisecond}, func(Chunk) { time.Sleep(150 * time.Millisecond) })
	if err != nil || res.Text != "Hi there" {
		t.Fatalf("text %q, %v", res.Text, err)
	}
}

func TestStreamChatCallerCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := StreamChat(ctx, nil, silentListener(t), ChatRequest{}, nil)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrIdleTimeout) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

// A connection that drops mid-stream is a truncation, not a bare read error.
func TestStreamChatDroppedConnection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, `data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}`+"\n\ndata: {\"cho")
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	res, err := StreamChat(context.Background(), srv.Client(), srv.URL, ChatRequest{}, nil)
	if e := asAPIError(t, err); e.Kind != KindTruncated || res.Text != "Hel" {
		t.Fatalf("kind %v text %q: %v", e.Kind, res.Text, err)
	}
}

// Pitfall 4: empty choices, {} deltas, stop_reason as a string, reasoning in
// either field, null content, unknown fields.
func TestStreamChatTolerantChunks(t *testing.T) {
	stream := strings.Join([]string{
		`data: {"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"new_field":{"x":1}}`,
		`data: {"choices":[{"index":0,"delta":{"reasoning_content":"think "}}]}`,
		`data: {"choices":[{"index":0,"delta":{"reasoning":"more"}}]}`,
		`data: {"choices":[{"index":0,"delta":{}}]}`,
		`data: {"choices":[{"index":0,"delta":{"content":null,"tool_calls":[]}}]}`,
		`data: {"choices":[]}`,
		`data:{"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop","stop_reason":"</s>"}]}`,
		`data: [DONE]`, ``}, "\n\n")
	srv := replayServer(t, map[string]reply{"/v1/chat/completions": sseReply([]byte(stream))})
	var reasoning []string
	res, err := StreamChat(context.Background(), srv.Client(), srv.URL, ChatRequest{},
		func(c Chunk) { reasoning = append(reasoning, c.Reasoning) })
	if err != nil || res.Text != "ok" || res.Reasoning != "think more" || res.StopReason != "</s>" {
		t.Fatalf("text %q reasoning %q stop %q: %v", res.Text, res.Reasoning, res.StopReason, err)
	}
	if res.Chunks != 3 || res.Usage != nil || res.Tokens != 3 || res.Model != "m" {
		t.Errorf("chunks %d tokens %d usage %v model %q (reasoning deltas %q)", res.Chunks, res.Tokens,
			res.Usage, res.Model, reasoning)
	}
}

func TestStreamChatMalformedEvent(t *testing.T) {
	stream := "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\ndata: {not json}\n\ndata: [DONE]\n\n"
	srv := replayServer(t, map[string]reply{"/v1/chat/completions": sseReply([]byte(stream))})
	_, err := StreamChat(context.Background(), srv.Client(), srv.URL, ChatRequest{}, nil)
	if e := asAPIError(t, err); e.Kind != KindOther || !strings.Contains(e.Reason, "unreadable event") {
		t.Fatalf("kind %v: %v", e.Kind, err)
	}
}
