package sim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const wintermuteServed = "llama31-8b-wintermute"

func TestVLLMModelsHaveTheFixtureShape(t *testing.T) {
	cases := []struct {
		fixture string
		served  []string
		ids     []string
	}{
		{"vllm_v1_models__served_model_name.json", []string{wintermuteServed}, []string{wintermuteServed}},
		{"vllm_v1_models__no_served_model_name.json", nil, []string{labAWQModel}},
		{"vllm_v1_models__multiple_served_names.json", []string{wintermuteServed, "local-llama3"}, []string{wintermuteServed, "local-llama3"}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			s := startTestVLLM(t, vllmConfigYAML(labAWQModel, c.served))
			resp, body := httpGet(t, s.URL()+"/v1/models")
			want := string(wireFixture(t, c.fixture))
			checkResponse(t, resp, http.StatusOK, "application/json")
			if got, w := jsonSkeleton(t, body), jsonSkeleton(t, want); got != w {
				t.Fatalf("shape differs:\n got %s\nwant %s", got, w)
			}
			checkModelCards(t, body, c.ids)
		})
	}
}

func checkResponse(t *testing.T, resp *http.Response, status int, contentType string) {
	t.Helper()
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != contentType {
		t.Fatalf("got %d %q, want %d %q", resp.StatusCode, resp.Header.Get("Content-Type"), status, contentType)
	}
}

func checkModelCards(t *testing.T, body string, ids []string) {
	t.Helper()
	var list struct {
		Data []struct {
			ID, Root    string
			Created     int64
			MaxModelLen int `json:"max_model_len"`
			Permission  []struct{ ID string }
		}
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Data) != len(ids) {
		t.Fatalf("bad list (%v): %s", err, body)
	}
	for i, card := range list.Data {
		age := time.Since(time.Unix(card.Created, 0))
		if card.ID != ids[i] || card.Root != labAWQModel || card.MaxModelLen != 9000 || age < -time.Minute || age > time.Minute {
			t.Errorf("card %d: %+v", i, card)
		}
		if !strings.HasPrefix(card.Permission[0].ID, "modelperm-") || len(card.Permission[0].ID) != len("modelperm-")+32 {
			t.Errorf("permission id %q", card.Permission[0].ID)
		}
	}
}

func TestVLLMModelsPermissionIDsChangePerCall(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}))
	_, first := httpGet(t, s.URL()+"/v1/models")
	_, second := httpGet(t, s.URL()+"/v1/models")
	if first == second {
		t.Fatal("two /v1/models bodies are identical; permission ids must be random per call")
	}
}

// normalizeChunk substitutes the fixture's id, created and model into ours.
func normalizeChunk(t *testing.T, ours, fixture string) string {
	t.Helper()
	var a, b struct {
		ID      string `json:"id"`
		Created json.Number
		Model   string `json:"model"`
	}
	_ = json.Unmarshal([]byte(ours), &a)
	_ = json.Unmarshal([]byte(fixture), &b)
	ours = strings.Replace(ours, `"id":"`+a.ID+`"`, `"id":"`+b.ID+`"`, 1)
	ours = strings.Replace(ours, `"created":`+a.Created.String(), `"created":`+b.Created.String(), 1)
	return strings.Replace(ours, `"model":"`+a.Model+`"`, `"model":"`+b.Model+`"`, 1)
}

func TestVLLMStreamIsTheV0102Layout(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}))
	resp := streamPost(t, s.URL()+"/v1/chat/completions", chatBody(wintermuteServed, true, true))
	checkResponse(t, resp, http.StatusOK, "text/event-stream; charset=utf-8")
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("transfer encoding %v, want chunked", resp.TransferEncoding)
	}
	got, err := readEvents(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := fixtureEvents(t, "vllm_chat_stream__v0.10.2-v0.11__include_usage.sse")
	checkStreamAgainstFixture(t, got, want)
}

// checkStreamAgainstFixture: role chunk and finish chunk byte for byte (ids
// substituted), content chunks by shape, usage chunk by shape, [DONE] last.
func checkStreamAgainstFixture(t *testing.T, got, want []string) {
	t.Helper()
	n, m := len(got), len(want)
	if n < 5 || got[n-1] != "[DONE]" {
		t.Fatalf("stream too short or not ended by [DONE]: %q", got)
	}
	if g := normalizeChunk(t, got[0], want[0]); g != want[0] {
		t.Errorf("role chunk\n got %s\nwant %s", g, want[0])
	}
	if g := normalizeChunk(t, got[n-3], want[m-3]); g != want[m-3] {
		t.Errorf("finish chunk\n got %s\nwant %s", g, want[m-3])
	}
	for i := 1; i < n-3; i++ {
		if jsonSkeleton(t, got[i]) != jsonSkeleton(t, want[1]) {
			t.Errorf("content chunk %d: %s", i, got[i])
		}
	}
	if jsonSkeleton(t, got[n-2]) != jsonSkeleton(t, want[m-2]) {
		t.Errorf("usage chunk\n got %s\nwant %s", got[n-2], want[m-2])
	}
	checkUsageCountsEOS(t, got)
}

// checkUsageCountsEOS: completion_tokens = content chunks + the EOS token.
func checkUsageCountsEOS(t *testing.T, events []string) {
	t.Helper()
	var u struct {
		Usage struct{ PromptTokens, CompletionTokens, TotalTokens int }
	}
	usage := strings.NewReplacer("prompt_tokens", "PromptTokens", "completion_tokens", "CompletionTokens", "total_tokens", "TotalTokens").Replace(events[len(events)-2])
	_ = json.Unmarshal([]byte(usage), &u)
	contentChunks := len(events) - 4
	if u.Usage.CompletionTokens != contentChunks+1 || u.Usage.TotalTokens != u.Usage.PromptTokens+u.Usage.CompletionTokens || u.Usage.PromptTokens < 5 {
		t.Errorf("usage %+v for %d content chunks", u.Usage, contentChunks)
	}
}

func TestVLLMStreamWithoutUsageAndOmittedModel(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed, "alias-two"}))
	resp := streamPost(t, s.URL()+"/v1/chat/completions", chatBody("", true, false))
	events, err := readEvents(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	text := streamText(t, events)
	if !strings.Contains(events[0], `"model":"`+wintermuteServed+`"`) || strings.Contains(strings.Join(events, ""), `"usage"`) {
		t.Fatalf("want the first served name and no usage chunk: %q", events)
	}
	if !strings.Contains(text, wintermuteServed) || !strings.Contains(text, "wintermute") {
		t.Fatalf("reply %q should name the model and the host", text)
	}
}

// streamText joins the content deltas of a vLLM or LiteLLM stream.
func streamText(t *testing.T, events []string) string {
	t.Helper()
	var b strings.Builder
	for _, ev := range events {
		var c struct {
			Choices []struct {
				Delta struct{ Content string }
			}
		}
		if ev != "[DONE]" && json.Unmarshal([]byte(ev), &c) == nil && len(c.Choices) > 0 {
			b.WriteString(c.Choices[0].Delta.Content)
		}
	}
	return b.String()
}

func TestVLLMStreamCutByMaxTokensFinishesWithLength(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}))
	resp := streamPost(t, s.URL()+"/v1/chat/completions", chatBody(wintermuteServed, true, false, `"max_tokens":2`))
	got, err := readEvents(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture is the v0.6–v0.10.1 layout; v0.10.2 only adds the nulls.
	want := fixtureEvents(t, "vllm_chat_stream__no_usage__finish_length.sse")
	if len(got) != len(want) || got[len(got)-1] != "[DONE]" {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	older := strings.NewReplacer(`,"token_ids":null`, "", `,"prompt_token_ids":null`, "")
	for i := range want {
		if jsonSkeletonOrDone(t, older.Replace(got[i])) != jsonSkeletonOrDone(t, want[i]) {
			t.Errorf("event %d\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

func jsonSkeletonOrDone(t *testing.T, ev string) string {
	if ev == "[DONE]" {
		return ev
	}
	return jsonSkeleton(t, ev)
}

func TestVLLMUnknownModelIs404JSONEvenWhenStreaming(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, nil))
	want := string(wireFixture(t, "vllm_error_404_model_not_found__v0.10.1plus.json"))
	for _, stream := range []bool{true, false} {
		resp, body := httpPost(t, s.URL()+"/v1/chat/completions", chatBody(wintermuteServed, stream, stream))
		checkResponse(t, resp, http.StatusNotFound, "application/json")
		if body != want {
			t.Errorf("stream=%v:\n got %s\nwant %s", stream, body, want)
		}
	}
}

func TestVLLMNonStreamingCompletion(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}))
	resp, body := httpPost(t, s.URL()+"/v1/chat/completions", chatBody(wintermuteServed, false, false))
	checkResponse(t, resp, http.StatusOK, "application/json")
	const shape = `{"id":s,"object":s,"created":n,"model":s,"choices":[{"index":n,"message":{"role":s,"content":s,"refusal":null,"annotations":null,"audio":null,"function_call":null,"tool_calls":[],"reasoning_content":null},"logprobs":null,"finish_reason":s,"stop_reason":n,"token_ids":null}],"service_tier":null,"system_fingerprint":null,"usage":{"prompt_tokens":n,"total_tokens":n,"completion_tokens":n,"prompt_tokens_details":null},"prompt_logprobs":null,"prompt_token_ids":null,"kv_transfer_params":null}`
	if got := jsonSkeleton(t, body); got != shape {
		t.Fatalf("shape\n got %s\nwant %s", got, shape)
	}
	if !strings.Contains(body, `"object":"chat.completion"`) || !strings.Contains(body, `"finish_reason":"stop"`) {
		t.Fatal(body)
	}
}

func TestVLLMRequestErrors(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}))
	cases := map[string]string{
		"no messages":                  `{"model":"` + wintermuteServed + `"}`,
		"not JSON":                     `{"model":`,
		"stream_options, stream false": chatBody(wintermuteServed, false, true),
		"over the context window":      chatBody(wintermuteServed, true, false, `"max_tokens":9000`),
	}
	for name, body := range cases {
		resp, got := httpPost(t, s.URL()+"/v1/chat/completions", body)
		checkResponse(t, resp, http.StatusBadRequest, "application/json")
		if jsonSkeleton(t, got) != `{"error":{"message":s,"type":s,"param":null,"code":n}}` || !strings.Contains(got, `"code":400`) {
			t.Errorf("%s: %s", name, got)
		}
	}
}

func TestVLLMHealthVersionAndUnknownRoutes(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, nil))
	resp, body := httpGet(t, s.URL()+"/health")
	if resp.StatusCode != http.StatusOK || body != "" || resp.Header.Get("Content-Length") != "0" {
		t.Errorf("/health: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Length"))
	}
	resp, body = httpGet(t, s.URL()+"/version")
	checkResponse(t, resp, http.StatusOK, "application/json")
	if jsonSkeleton(t, body) != jsonSkeleton(t, string(wireFixture(t, "vllm_version.json"))) {
		t.Errorf("/version: %s", body)
	}
	notFound := string(wireFixture(t, "vllm_error_404_unknown_route.json"))
	for _, path := range []string{"/nope", "/chat/completions", "/v1/completion"} {
		resp, body = httpPost(t, s.URL()+path, "{}")
		if resp.StatusCode != http.StatusNotFound || body != notFound {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	resp, body = httpGet(t, s.URL()+"/v1/chat/completions")
	if resp.StatusCode != http.StatusMethodNotAllowed || body != `{"detail":"Method Not Allowed"}` {
		t.Errorf("GET chat: %d %s", resp.StatusCode, body)
	}
}

func TestVLLMRestartServesNewNamesAfterARefusedWindow(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, nil))
	addr := hostPort(s.URL())
	fs := s.opts.FS
	fs.WriteFile(labWintermuteConfig, []byte(vllmConfigYAML(labAWQModel, []string{wintermuteServed})))
	if err := s.RestartVLLM(); err != nil {
		t.Fatal(err)
	}
	if s.State() != VLLMLoading || !isRefused(addr) {
		t.Fatalf("right after a restart: state %s, refused %v", s.State(), isRefused(addr))
	}
	waitState(t, s, VLLMServing)
	if hostPort(s.URL()) != addr {
		t.Fatalf("address moved from %s to %s", addr, s.URL())
	}
	_, body := httpGet(t, s.URL()+"/v1/models")
	if !strings.Contains(body, `"id":"`+wintermuteServed+`"`) || strings.Contains(body, `"id":"`+labAWQModel+`"`) {
		t.Fatalf("after restart: %s", body)
	}
}

func TestVLLMRestartWithBrokenConfigFailsAndKeepsServing(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, nil))
	s.opts.FS.WriteFile(labWintermuteConfig, []byte("vllm: [unclosed"))
	if err := s.RestartVLLM(); err == nil {
		t.Fatal("a YAML error must fail the restart")
	}
	s.opts.FS.Remove(labWintermuteConfig)
	if err := s.RestartVLLM(); err == nil || s.State() != VLLMServing {
		t.Fatalf("missing config: err %v, state %s", err, s.State())
	}
}

func TestVLLMInvalidValuesCrashLoop(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, nil))
	s.opts.FS.WriteFile(labWintermuteConfig, []byte(strings.Replace(vllmConfigYAML(labAWQModel, nil), "0.88", "1.5", 1)))
	if err := s.RestartVLLM(); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, VLLMFailed)
	if !isRefused(hostPort(s.URL())) || !strings.Contains(s.DockerPS("vllm-wintermute"), `"State":"restarting"`) {
		t.Fatal("a config vLLM refuses must leave the port refused and the container restarting")
	}
}

func TestVLLMNeverHealthyFault(t *testing.T) {
	original := vllmConfigYAML(labAWQModel, nil)
	s := startTestVLLM(t, original)
	if err := s.SetFault(FaultNeverHealthy); err != nil {
		t.Fatal(err)
	}
	s.opts.FS.WriteFile(labWintermuteConfig, []byte(vllmConfigYAML(labAWQModel, []string{wintermuteServed})))
	if err := s.RestartVLLM(); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, VLLMFailed)
	if !isRefused(hostPort(s.URL())) {
		t.Fatal("a never-healthy host must refuse connections")
	}
	// Rolling back (LF endings this time: the comparison ignores them).
	s.opts.FS.WriteFile(labWintermuteConfig, []byte(strings.ReplaceAll(original, "\r\n", "\n")))
	if err := s.RestartVLLM(); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, VLLMServing)
	if got := s.ServedModels(); len(got) != 1 || got[0] != labAWQModel {
		t.Fatalf("served %v after rollback", got)
	}
}

func TestVLLMTruncatedStreamFault(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}))
	if err := s.SetFault(FaultTruncatedStream); err != nil {
		t.Fatal(err)
	}
	resp := streamPost(t, s.URL()+"/v1/chat/completions", chatBody(wintermuteServed, true, true))
	events, err := readEvents(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("want an incomplete body, got err %v after %d events", err, len(events))
	}
	if len(events) < 2 || strings.Contains(strings.Join(events, ""), "[DONE]") {
		t.Fatalf("events %q", events)
	}
	_ = s.ClearFault(FaultTruncatedStream)
	resp = streamPost(t, s.URL()+"/v1/chat/completions", chatBody(wintermuteServed, true, true))
	if events, err = readEvents(resp.Body); err != nil || events[len(events)-1] != "[DONE]" {
		t.Fatalf("after clearing: %v %q", err, events)
	}
}

func TestVLLMDownFault(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, nil))
	addr := hostPort(s.URL())
	if err := s.SetFault(FaultDown); err != nil {
		t.Fatal(err)
	}
	if !isRefused(addr) || !strings.Contains(s.DockerPS("vllm-wintermute"), `"Status":"Exited (137)`) {
		t.Fatal("a down host must refuse connections and show its container exited")
	}
	if err := s.RestartVLLM(); err == nil {
		t.Fatal("restarting a down host must fail")
	}
	if err := s.ClearFault(FaultDown); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, VLLMServing)
	if isRefused(addr) {
		t.Fatal("still refused after the host came back")
	}
}

func TestVLLMSchedulerQueuesBeyondMaxNumSeqs(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}, "max_num_seqs: 1"),
		func(o *VLLMOptions) { o.TokenRate = 20 })
	first := streamPost(t, s.URL()+"/v1/chat/completions", chatBody(wintermuteServed, true, false))
	if _, err := newTestSSE(first.Body).next(); err != nil {
		t.Fatal(err)
	}
	go func() {
		resp, err := testClient().Post(s.URL()+"/v1/chat/completions", "application/json", strings.NewReader(chatBody(wintermuteServed, true, false)))
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	running := `vllm:num_requests_running{engine="0",model_name="` + wintermuteServed + `"}`
	waiting := `vllm:num_requests_waiting{engine="0",model_name="` + wintermuteServed + `"}`
	eventually(t, "one running, one waiting", func() bool {
		_, body := httpGet(t, s.URL()+"/metrics")
		return metricValue(t, body, running) == 1 && metricValue(t, body, waiting) == 1
	})
}
