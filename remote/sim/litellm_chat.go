package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// handleChat routes POST /v1/chat/completions: alias → deployment → POST
// {api_base}/chat/completions on the simulated vLLM with the upstream name,
// then relays the answer re-serialized LiteLLM's way.
func (h *litellmHandler) handleChat(w http.ResponseWriter, r *http.Request) {
	req, alias, err := decodeProxyRequest(r)
	if err != nil {
		writeLiteLLMError(w, http.StatusBadRequest, litellmError(http.StatusBadRequest, err.Error(), pyNone, pyNone))
		return
	}
	d, ok := h.pick(alias)
	if !ok {
		writeLiteLLMError(w, http.StatusBadRequest, errUnknownAlias("/chat/completions", alias))
		return
	}
	resp, err := h.callUpstream(r.Context(), d, req)
	if err != nil {
		writeLiteLLMError(w, http.StatusInternalServerError, errUpstreamDown(alias))
		return
	}
	defer func() { _ = resp.Body.Close() }()
	h.relay(w, r, resp, d)
}

// decodeProxyRequest reads the client's JSON; alias is "None" when absent,
// as Python prints it.
func decodeProxyRequest(r *http.Request) (map[string]json.RawMessage, string, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, "", err
	}
	var req map[string]json.RawMessage
	if err := json.Unmarshal(body, &req); err != nil || req == nil {
		//lint:ignore ST1005 LiteLLM's own error text, byte for byte
		return nil, "", fmt.Errorf("Invalid JSON payload: %s", body)
	}
	var alias string
	if json.Unmarshal(req["model"], &alias) != nil || alias == "" {
		alias = "None"
	}
	return req, alias, nil
}

// callUpstream sends the request with the provider segment stripped.
func (h *litellmHandler) callUpstream(ctx context.Context, d litellmDeployment, req map[string]json.RawMessage) (*http.Response, error) {
	out := make(map[string]json.RawMessage, len(req))
	for k, v := range req {
		out[k] = v
	}
	out["model"] = compactJSON(d.upstream)
	url := strings.TrimRight(d.apiBase, "/") + "/chat/completions"
	up, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(compactJSON(out)))
	if err != nil {
		return nil, err
	}
	up.Header.Set("Content-Type", "application/json")
	up.Header.Set("User-Agent", "AsyncOpenAI/Python 1.99.9")
	if d.apiKey != "" {
		up.Header.Set("Authorization", "Bearer "+d.apiKey)
	}
	return h.client.Do(up)
}

// relay answers from the upstream response: its error mapped to LiteLLM's
// body, a stream re-serialized chunk by chunk, or a whole completion.
func (h *litellmHandler) relay(w http.ResponseWriter, r *http.Request, resp *http.Response, d litellmDeployment) {
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
		writeLiteLLMError(w, resp.StatusCode, errUpstreamStatus(d.alias, resp.StatusCode, body))
		return
	}
	setLiteLLMHeaders(w, d)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		h.relayStream(w, resp, d)
		return
	}
	h.relayCompletion(w, resp, d)
}

func setLiteLLMHeaders(w http.ResponseWriter, d litellmDeployment) {
	hd := w.Header()
	hd.Set("x-litellm-call-id", uuid4())
	hd.Set("x-litellm-model-id", d.id)
	hd.Set("x-litellm-model-api-base", d.apiBase)
	hd.Set("x-litellm-model-group", d.alias)
	hd.Set("x-litellm-version", litellmVersion)
	hd.Set("x-litellm-attempted-retries", "0")
	hd.Set("x-litellm-attempted-fallbacks", "0")
}

// relayStream writes LiteLLM's stream. If the very first event is an error,
// its code becomes the HTTP status (the body stays SSE). With the
// litellm-500-midstream fault an error event follows the first chunk and the
// stream ends without [DONE].
func (h *litellmHandler) relayStream(w http.ResponseWriter, resp *http.Response, d litellmDeployment) {
	relay := &streamRelay{src: newSSEReader(resp.Body), alias: d.alias}
	payload, last := relay.next()
	sse := startSSE(w, errorEventStatus(payload))
	for {
		if sse.event(payload) != nil || last {
			return
		}
		if h.proxy.faults.has(FaultLiteLLM500Midstream) {
			payload, last = midstreamError(incompleteReadMessage, http.StatusInternalServerError), true
			continue
		}
		payload, last = relay.next()
	}
}

// errorEventStatus is the status for a stream whose first event is payload.
func errorEventStatus(payload []byte) int {
	var ev struct {
		Error *struct {
			Code json.RawMessage `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(payload, &ev) != nil || ev.Error == nil {
		return http.StatusOK
	}
	var code int
	if json.Unmarshal(bytes.Trim(ev.Error.Code, `"`), &code) != nil || code < 400 || code > 599 {
		return http.StatusInternalServerError
	}
	return code
}

func uuid4() string {
	b := []byte(randomHex(16))
	b[12] = '4'
	b[16] = "89ab"[b[16]%4]
	return fmt.Sprintf("%s-%s-%s-%s-%s", b[0:8], b[8:12], b[12:16], b[16:20], b[20:32])
}
