package api

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// fixtureCheck tests one file of testdata/wire.
type fixtureCheck func(t *testing.T, body []byte)

// wireFixtureChecks maps every file in testdata/wire to its test.
// TestEveryWireFixture fails on a file missing here, so a new fixture cannot
// go untested.
func wireFixtureChecks() map[string]fixtureCheck {
	checks := map[string]fixtureCheck{}
	for _, group := range []map[string]fixtureCheck{metricsChecks(), modelListChecks(),
		errorBodyChecks(), streamChecks(), liteLLMChecks(), documentChecks()} {
		for name, check := range group {
			checks[name] = check
		}
	}
	return checks
}

func TestEveryWireFixture(t *testing.T) {
	dir := wireDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	checks := wireFixtureChecks()
	for _, entry := range entries {
		name := entry.Name()
		check, ok := checks[name]
		if !ok {
			t.Errorf("fixture %s has no parser test in wireFixtureChecks", name)
			continue
		}
		t.Run(name, func(t *testing.T) { check(t, fixture(t, name)) })
	}
}

// --- metrics ---

type wantMetrics struct {
	model                string
	running, waiting, kv float64
	prompt, generation   float64
	engines              int
	found                Found
	absent               Found
}

func metricsCheck(want wantMetrics) fixtureCheck {
	return func(t *testing.T, body []byte) {
		m, err := ParseMetrics(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		assertMetrics(t, m, want)
	}
}

func assertMetrics(t *testing.T, m Metrics, want wantMetrics) {
	t.Helper()
	if !m.Has(want.found) || m.Found&want.absent != 0 {
		t.Errorf("found flags %05b, want all of %05b and none of %05b", m.Found, want.found, want.absent)
	}
	got := []float64{m.Running, m.Waiting, m.KVCacheUsage, m.PromptTokens, m.GenerationTokens}
	exp := []float64{want.running, want.waiting, want.kv, want.prompt, want.generation}
	for i := range got {
		if math.Abs(got[i]-exp[i]) > 1e-12 {
			t.Errorf("value %d (running, waiting, kv, prompt, generation) = %v, want %v", i, got[i], exp[i])
		}
	}
	if m.ModelName != want.model || m.Engines != want.engines {
		t.Errorf("model %q engines %d, want %q %d", m.ModelName, m.Engines, want.model, want.engines)
	}
}

const allFound = FoundRunning | FoundWaiting | FoundKVCache | FoundPromptTokens | FoundGenerationTokens

func metricsChecks() map[string]fixtureCheck {
	return map[string]fixtureCheck{
		// V1 ≥0.9: engine label, both KV names (the new one wins), _created families.
		"vllm_metrics__v1_engine_v0.10.prom": metricsCheck(wantMetrics{model: "llama31-8b-wintermute",
			running: 1, kv: 0.0123, prompt: 2310, generation: 53, engines: 1, found: allFound}),
		// V0: model_name only, gpu_cache_usage_perc, swapped and cpu cache present.
		"vllm_metrics__v0_engine.prom": metricsCheck(wantMetrics{model: "llama31-8b-wintermute",
			running: 1, kv: 0.0123, prompt: 2310, generation: 53, found: allFound}),
		"capture__vllm_metrics__early_v1_no_engine_label_excerpt.prom": metricsCheck(wantMetrics{
			model: "Qwen/Qwen2.5-Coder-32B-Instruct", found: FoundRunning | FoundWaiting | FoundKVCache,
			absent: FoundPromptTokens | FoundGenerationTokens}),
		"capture__vllm_metrics__v0.10.0_excerpt.prom": metricsCheck(wantMetrics{model: "zai-org/GLM-4.5",
			kv: 9.75010481363281e-06, engines: 1, found: FoundKVCache,
			absent: FoundRunning | FoundWaiting | FoundPromptTokens | FoundGenerationTokens}),
		// cpu_cache_usage_perc must not be taken for the GPU KV cache.
		"capture__vllm_metrics__v0_engine_excerpt.prom": metricsCheck(wantMetrics{model: "bigscience/bloom-560m",
			prompt: 1196, generation: 218152, found: FoundPromptTokens | FoundGenerationTokens,
			absent: FoundKVCache | FoundRunning}),
	}
}

// --- model lists and version ---

func modelListCheck(want ...string) fixtureCheck {
	return func(t *testing.T, body []byte) {
		ids, err := parseModelList(body)
		if err != nil || !slices.Equal(ids, want) {
			t.Errorf("ids = %q, %v; want %q", ids, err, want)
		}
	}
}

func modelListChecks() map[string]fixtureCheck {
	return map[string]fixtureCheck{
		"vllm_v1_models__served_model_name.json":    modelListCheck("llama31-8b-wintermute"),
		"vllm_v1_models__no_served_model_name.json": modelListCheck("casperhansen/llama-3-8b-instruct-awq"),
		"vllm_v1_models__multiple_served_names.json": modelListCheck("llama31-8b-wintermute",
			"local-llama3"),
		"capture__vllm_v1_models__skypilot_readme_2024-03.json": modelListCheck("meta-llama/Llama-2-7b-chat-hf"),
		"litellm_v1_models.json":                                modelListCheck("local/reasoner", "local/fast"),
		"capture__litellm_v1_models__issue14257_v1.75.8.json":   modelListCheck("foo"),
		"capture__litellm_1.108.7__v1_models.json": modelListCheck("local/reasoner", "local/fast",
			"local/case", "local/riviera"),
		"vllm_version.json": func(t *testing.T, body []byte) {
			if v, err := parseVersion(body); v != "0.10.1.1" || err != nil {
				t.Errorf("version = %q, %v", v, err)
			}
		},
	}
}

// --- error bodies ---

type wantError struct {
	status int
	kind   ErrorKind
	via    string
	code   string
	model  string
	alias  string
	reason string // substring of Reason
}

func errorCheck(want wantError) fixtureCheck {
	return func(t *testing.T, body []byte) {
		err := DecodeError(want.status, body, Hint{Upstream: "wintermute"})
		e := asAPIError(t, err)
		if e.Kind != want.kind || e.Via != want.via || e.Code != want.code {
			t.Errorf("kind %v via %q code %q, want %v %q %q", e.Kind, e.Via, e.Code, want.kind, want.via, want.code)
		}
		if e.Model != want.model || e.Alias != want.alias {
			t.Errorf("model %q alias %q, want %q %q", e.Model, e.Alias, want.model, want.alias)
		}
		if !strings.Contains(e.Reason, want.reason) {
			t.Errorf("reason %q does not contain %q", e.Reason, want.reason)
		}
		assertOneLine(t, e.Error())
	}
}

func errorBodyChecks() map[string]fixtureCheck {
	const notServed = "wintermute does not serve `llama31-8b-wintermute` (404)"
	return map[string]fixtureCheck{
		"vllm_error_404_model_not_found__pre_v0.10.1.json": errorCheck(wantError{status: 404,
			kind: KindWrongModelName, via: "vLLM", code: "404", model: "llama31-8b-wintermute", reason: notServed}),
		"vllm_error_404_model_not_found__v0.10.1plus.json": errorCheck(wantError{status: 404,
			kind: KindWrongModelName, via: "vLLM", code: "404", model: "llama31-8b-wintermute", reason: notServed}),
		"vllm_error_404_model_not_found__newer_param_model.json": errorCheck(wantError{status: 404,
			kind: KindWrongModelName, via: "vLLM", code: "404", model: "llama31-8b-wintermute", reason: notServed}),
		"capture__vllm_error_404__issue3485_2024-03.json": errorCheck(wantError{status: 404,
			kind: KindWrongModelName, via: "vLLM", code: "404", model: "Qwen1.5-14B-Chat-GPTQ-Int8",
			reason: "does not serve `Qwen1.5-14B-Chat-GPTQ-Int8`"}),
		"vllm_error_401_unauthorized.json": errorCheck(wantError{status: 401, kind: KindAuth, via: "vLLM",
			reason: "vLLM refused the request: missing or wrong API key (401 Unauthorized)"}),
		"vllm_error_404_unknown_route.json": errorCheck(wantError{status: 404, kind: KindWrongPath,
			reason: "no such route"}),
		"litellm_error_401_no_api_key.json": errorCheck(wantError{status: 401, kind: KindAuth, via: "LiteLLM",
			code: "401", reason: "LiteLLM refused the request: Authentication Error, No api key passed in. (401)"}),
		"capture__litellm_401__thirdparty_test.json": errorCheck(wantError{status: 401, kind: KindAuth,
			via: "LiteLLM", code: "401", reason: "No api key passed in"}),
		"litellm_error_400_wrong_key_no_db.json": errorCheck(wantError{status: 400, kind: KindAuth,
			via: "LiteLLM", code: "400", reason: "only its master key (400 No connected db.)"}),
		"litellm_error_400_unknown_model_alias.json": errorCheck(wantError{status: 400, kind: KindUnknownAlias,
			via: "LiteLLM", code: "400", alias: "local/reasonr",
			reason: "LiteLLM has no model alias `local/reasonr` in its model_list (400)"}),
		"litellm_error_404_upstream_model_not_found.json": errorCheck(wantError{status: 404,
			kind: KindWrongModelName, via: "LiteLLM", code: "404", model: "llama31-8b-wintermute",
			alias: "local/reasoner", reason: "LiteLLM asked wintermute for `llama31-8b-wintermute`, " +
				"which it does not serve (404)"}),
		// The real proxy (litellm_oracle_test.go) says it differently from
		// the recorded 1.79-era bodies above; straylight reads both alike.
		"capture__litellm_1.108.7__error_404_upstream_model_not_found.json": errorCheck(wantError{status: 404,
			kind: KindWrongModelName, via: "LiteLLM", code: "404", model: "llama31-8b-wintermute",
			alias: "local/reasoner", reason: "LiteLLM asked wintermute for `llama31-8b-wintermute`, " +
				"which it does not serve (404)"}),
		"capture__litellm_1.108.7__error_400_unknown_model_alias.json": errorCheck(wantError{status: 400,
			kind: KindUnknownAlias, via: "LiteLLM", code: "400", alias: "local/reasonr",
			reason: "LiteLLM has no model alias `local/reasonr` in its model_list (400)"}),
		"capture__litellm_1.108.7__error_429_cooldown_after_404.json": errorCheck(wantError{status: 429,
			kind: KindCooldown, via: "LiteLLM", code: "429", alias: "local/reasoner", reason: "cooldown"}),
		"litellm_error_404_upstream_wrong_path.json": errorCheck(wantError{status: 404, kind: KindWrongPath,
			via: "LiteLLM", code: "404", alias: "local/reasoner",
			reason: "from wintermute: its api_base path is wrong, it must end in /v1 (404)"}),
		"litellm_error_429_no_deployments.json": errorCheck(wantError{status: 429, kind: KindCooldown,
			via: "LiteLLM", code: "429", alias: "local/reasoner",
			reason: "cooldown after failures (429); last upstream error: litellm.APIConnectionError: " +
				"APIConnectionError: OpenAIException - Connection error."}),
		"litellm_error_500_upstream_down.json": errorCheck(wantError{status: 500, kind: KindUpstreamDown,
			via: "LiteLLM", code: "500", alias: "local/reasoner",
			reason: "LiteLLM could not reach wintermute (500): litellm.APIConnectionError"}),
	}
}

// --- streams ---

type wantStream struct {
	text, model, finish, stop string
	tokens                    int
	fromUsage                 bool
	ok                        bool      // the stream must succeed
	errKind                   ErrorKind // otherwise the kind and cause of its error
	cause                     ErrorKind
	chunks                    []string
}

func streamCheck(want wantStream) fixtureCheck {
	return func(t *testing.T, body []byte) {
		srv := replayServer(t, map[string]reply{"/v1/chat/completions": sseReply(body)})
		var got []string
		res, err := StreamChat(context.Background(), srv.Client(), srv.URL, ChatRequest{Model: "m"},
			func(c Chunk) { got = append(got, c.Content) })
		assertStreamOutcome(t, err, want)
		assertStreamResult(t, res, want)
		if !slices.Equal(got, want.chunks) {
			t.Errorf("onChunk saw %q, want %q", got, want.chunks)
		}
		checkDecodeWholeStream(t, body, want)
	}
}

func assertStreamOutcome(t *testing.T, err error, want wantStream) {
	t.Helper()
	if want.ok {
		if err != nil {
			t.Fatalf("stream failed: %v", err)
		}
		return
	}
	e := asAPIError(t, err)
	if e.Kind != want.errKind || e.Cause != want.cause {
		t.Errorf("error kind %v cause %v, want %v %v (%s)", e.Kind, e.Cause, want.errKind, want.cause, e.Reason)
	}
	assertOneLine(t, e.Error())
}

func assertStreamResult(t *testing.T, res StreamResult, want wantStream) {
	t.Helper()
	if res.Text != want.text || res.Model != want.model || res.Done != want.ok {
		t.Errorf("text %q model %q done %v, want %q %q %v", res.Text, res.Model, res.Done,
			want.text, want.model, want.ok)
	}
	if res.FinishReason != want.finish || res.StopReason != want.stop {
		t.Errorf("finish %q stop %q, want %q %q", res.FinishReason, res.StopReason, want.finish, want.stop)
	}
	if res.Tokens != want.tokens || res.TokensFromUsage != want.fromUsage {
		t.Errorf("tokens %d (usage %v), want %d (%v)", res.Tokens, res.TokensFromUsage, want.tokens, want.fromUsage)
	}
	if res.Chunks > 0 && (res.TimeToFirstToken <= 0 || res.Duration < res.TimeToFirstToken) {
		t.Errorf("ttft %v duration %v are inconsistent", res.TimeToFirstToken, res.Duration)
	}
}

// checkDecodeWholeStream feeds the whole body to DecodeError, which must agree
// with StreamChat about success, error events and truncation.
func checkDecodeWholeStream(t *testing.T, body []byte, want wantStream) {
	t.Helper()
	err := DecodeError(http.StatusOK, body, Hint{})
	if want.ok != (err == nil) {
		t.Fatalf("DecodeError(whole stream) = %v, want ok=%v", err, want.ok)
	}
	if err != nil && KindOf(err) != want.errKind {
		t.Errorf("DecodeError(whole stream) kind %v, want %v", KindOf(err), want.errKind)
	}
}

var greeting = []string{"Hello", "!", " How", " can", " I", " help", " you", " today", "?"}

func streamChecks() map[string]fixtureCheck {
	const text = "Hello! How can I help you today?"
	return map[string]fixtureCheck{
		"vllm_chat_stream__v0.6-v0.10.1__include_usage.sse": streamCheck(wantStream{ok: true, text: text,
			model: "llama31-8b-wintermute", finish: "stop", tokens: 10, fromUsage: true, chunks: greeting}),
		"vllm_chat_stream__v0.10.2-v0.11__include_usage.sse": streamCheck(wantStream{ok: true, text: text,
			model: "llama31-8b-wintermute", finish: "stop", stop: "128009", tokens: 10, fromUsage: true,
			chunks: greeting}),
		"vllm_chat_stream__no_usage__finish_length.sse": streamCheck(wantStream{ok: true, text: "Hi there",
			model: "llama31-8b-wintermute", finish: "length", tokens: 2, chunks: []string{"Hi", " there"}}),
		"capture__litellm_1.108.7__chat_stream_via_lab_vllm.sse": streamCheck(wantStream{ok: true,
			text: "Hello! This is", model: "local/fast", finish: "length", tokens: 4, fromUsage: true,
			chunks: []string{"Hello", "!", " This", " is"}}),
		"litellm_chat_stream__include_usage.sse": streamCheck(wantStream{ok: true, text: text,
			model: "local/reasoner", finish: "stop", tokens: 10, fromUsage: true, chunks: greeting}),
		"vllm_chat_stream__midstream_error__v0.10.1plus.sse": streamCheck(wantStream{text: "Hello",
			model: "llama31-8b-wintermute", tokens: 1, errKind: KindMidStream, cause: KindOther,
			chunks: []string{"Hello"}}),
		"vllm_chat_stream__midstream_error__pre_v0.10.1.sse": streamCheck(wantStream{text: "Hello",
			model: "llama31-8b-wintermute", tokens: 1, errKind: KindMidStream, cause: KindOther,
			chunks: []string{"Hello"}}),
		"litellm_chat_stream__midstream_error.sse": streamCheck(wantStream{text: "Hello",
			model: "local/reasoner", tokens: 1, errKind: KindMidStream, cause: KindUpstreamDown,
			chunks: []string{"Hello"}}),
		// Two lines cut from real streams: no [DONE], so truncated; usage on a content
		// chunk and token_ids as a list are tolerated.
		"capture__vllm_stream_lines__excerpts.sse": streamCheck(wantStream{text: " of fast",
			model: "/root/Jonathan1909/Ming-flash-omni-2.0/", tokens: 20, fromUsage: true,
			errKind: KindTruncated, cause: KindTruncated, chunks: []string{" of", " fast"}}),
	}
}

// --- LiteLLM endpoints ---

func liteLLMChecks() map[string]fixtureCheck {
	return map[string]fixtureCheck{
		"litellm_health.json":                  checkLiteLLMHealth,
		"litellm_health_liveliness.json":       checkLiveliness,
		"litellm_health_readiness__no_db.json": checkReadiness,
		"capture__litellm_1.108.7__health_readiness_no_db.json": func(t *testing.T, body []byte) {
			// 1.108.7 names no version to a caller without a key.
			if r, err := parseReadiness(body); err != nil || r != (Readiness{Status: "healthy", DB: "Not connected"}) {
				t.Errorf("readiness %+v, %v", r, err)
			}
		},
		"litellm_model_info__excerpt.json": checkModelInfo,
		"litellm_config.yaml":              checkLiteLLMConfig,
		"vllm_docker_run__wintermute.sh":   checkDockerRun,
	}
}

func checkLiteLLMHealth(t *testing.T, body []byte) {
	r, err := parseHealthReport(body, "")
	if err != nil || len(r.Healthy) != 1 || len(r.Unhealthy) != 1 {
		t.Fatalf("report %+v, %v", r, err)
	}
	if r.Healthy[0].APIBase != "http://armitage:8000/v1" || r.Healthy[0].Err != nil {
		t.Errorf("healthy endpoint %+v", r.Healthy[0])
	}
	e := asAPIError(t, r.Unhealthy[0].Err)
	want := "LiteLLM asked wintermute for `llama31-8b-wintermute`, which it does not serve (404)"
	if e.Kind != KindWrongModelName || e.Reason != want || strings.Contains(e.Message, "Traceback") {
		t.Errorf("unhealthy endpoint error %v %q (message %q)", e.Kind, e.Reason, e.Message)
	}
}

func checkLiveliness(t *testing.T, body []byte) {
	var s string
	if err := json.Unmarshal(body, &s); err != nil || s != "I'm alive!" {
		t.Fatalf("liveliness body %q, %v", s, err)
	}
	srv := replayServer(t, map[string]reply{"/health/liveliness": jsonReply(200, body)})
	if err := NewLiteLLM(srv.URL, srv.Client()).Liveliness(context.Background()); err != nil {
		t.Errorf("Liveliness: %v", err)
	}
}

func checkReadiness(t *testing.T, body []byte) {
	r, err := parseReadiness(body)
	if err != nil || r != (Readiness{Status: "healthy", DB: "Not connected", Version: "1.79.1"}) {
		t.Errorf("readiness %+v, %v", r, err)
	}
}

func checkModelInfo(t *testing.T, body []byte) {
	d, err := parseModelInfo(body)
	if err != nil || len(d) != 1 {
		t.Fatalf("deployments %+v, %v", d, err)
	}
	want := Deployment{Alias: "local/reasoner", Model: "openai/llama31-8b-wintermute",
		APIBase: "http://wintermute:8000/v1",
		ID:      "6452bb1f48709eed9967f5cb9a3ceeb94a4ecb4b02337f986f4684cdfa65e343"}
	if d[0] != want || d[0].UpstreamModel() != "llama31-8b-wintermute" {
		t.Errorf("deployment %+v (upstream %q)", d[0], d[0].UpstreamModel())
	}
}

// checkLiteLLMConfig: every api_base is accepted as a base URL without doubling
// /v1, and the model LiteLLM sends (one provider segment stripped) for
// wintermute is the id wintermute's /v1/models fixture lists.
func checkLiteLLMConfig(t *testing.T, body []byte) {
	var cfg struct {
		ModelList []struct {
			ModelName     string `yaml:"model_name"`
			LiteLLMParams struct {
				Model   string `yaml:"model"`
				APIBase string `yaml:"api_base"`
			} `yaml:"litellm_params"`
		} `yaml:"model_list"`
	}
	if err := yaml.Unmarshal(body, &cfg); err != nil || len(cfg.ModelList) != 2 {
		t.Fatalf("config: %v (%d entries)", err, len(cfg.ModelList))
	}
	for _, m := range cfg.ModelList {
		if ep := newEndpoints(m.LiteLLMParams.APIBase); ep.apiPath("/models") != m.LiteLLMParams.APIBase+"/models" {
			t.Errorf("%s: api_base %q became %q", m.ModelName, m.LiteLLMParams.APIBase, ep.apiPath("/models"))
		}
	}
	upstream := Deployment{Model: cfg.ModelList[0].LiteLLMParams.Model}.UpstreamModel()
	ids, _ := parseModelList(fixture(t, "vllm_v1_models__served_model_name.json"))
	if !slices.Contains(ids, upstream) {
		t.Errorf("LiteLLM sends %q, wintermute serves %q", upstream, ids)
	}
}

// checkDockerRun: the first --served-model-name is what /v1/models and the
// metrics' model_name label report.
func checkDockerRun(t *testing.T, body []byte) {
	m := regexp.MustCompile(`--served-model-name (\S+)`).FindSubmatch(body)
	if m == nil {
		t.Fatal("no --served-model-name in the docker run script")
	}
	metrics, err := ParseMetrics(bytes.NewReader(fixture(t, "vllm_metrics__v1_engine_v0.10.prom")))
	if err != nil || metrics.ModelName != string(m[1]) {
		t.Errorf("served name %q, metrics model_name %q (%v)", m[1], metrics.ModelName, err)
	}
}

// --- documents ---

// documentChecks pin the facts from the prose fixtures that this package's
// behaviour depends on, so that a change there shows up here.
func documentChecks() map[string]fixtureCheck {
	return map[string]fixtureCheck{
		"NOTES.md": mentions("`bufio.Reader`, not `Scanner`", "`[DONE]` is the only success terminator",
			"after **5 s**", "`code` can be an int (vLLM) or a string (LiteLLM)", "`{'detail': 'Not Found'}`"),
		"http_transcripts.md": mentions("`200`, empty body (`content-length: 0`). `503`",
			"TCP connect **refused**", "`x-litellm-model-api-base`", "default **5**"),
		"SOURCES.md": mentions("vllm_metrics__v1_engine_v0.10.prom", "litellm_chat_stream__midstream_error.sse"),
	}
}

func mentions(facts ...string) fixtureCheck {
	return func(t *testing.T, body []byte) {
		for _, fact := range facts {
			if !bytes.Contains(body, []byte(fact)) {
				t.Errorf("document no longer says %q", fact)
			}
		}
	}
}
