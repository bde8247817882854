package sim

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const armitageServed = "qwen2.5-7b-armitage"

// seedLab is the seed's fleet in its broken state: wintermute serves the HF
// path (no --served-model-name), armitage serves its alias, and motoko's
// LiteLLM config (the wire fixture, verbatim) routes local/reasoner to
// openai/llama31-8b-wintermute.
type seedLab struct {
	*Lab
	proxyURL   string
	configPath string
}

func seedLabSpec(t testing.TB, proxyConfig string) LabSpec {
	configPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(configPath, []byte(proxyConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	host := func(name, path, config string) GPUHostSpec {
		return GPUHostSpec{Name: name, WinRMUser: "mdt", WinRMPassword: "lab-password", ConfigPath: path,
			Files: map[string]string{path: config}, TokenRate: labTestTokenRate, LoadDelay: labTestLoadDelay}
	}
	return LabSpec{
		GPUHosts: []GPUHostSpec{
			host("wintermute", labWintermuteConfig, vllmConfigYAML(labAWQModel, nil)),
			host("armitage", labArmitageConfig, vllmConfigYAML("Qwen/Qwen2.5-7B-Instruct-AWQ", []string{armitageServed})),
		},
		Proxy: &ProxySpec{Name: "motoko", ConfigPath: configPath, RestartDelay: labTestLoadDelay,
			Env: map[string]string{"LITELLM_MASTER_KEY": labMasterKey, "WINTERMUTE_VLLM_KEY": "none"}},
	}
}

func startSeedLab(t testing.TB, proxyConfig string) *seedLab {
	t.Helper()
	spec := seedLabSpec(t, proxyConfig)
	lab, err := StartLab(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	return &seedLab{Lab: lab, proxyURL: lab.Proxy().URL(), configPath: spec.Proxy.ConfigPath}
}

func startFixtureLab(t testing.TB) *seedLab {
	return startSeedLab(t, string(wireFixture(t, "litellm_config.yaml")))
}

var bearer = []string{"Authorization", "Bearer " + labMasterKey}

// reconfigure writes a new config.yaml and restarts the proxy on it.
func (l *seedLab) reconfigure(t *testing.T, config string) {
	t.Helper()
	if err := os.WriteFile(l.configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Proxy().Restart(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.Proxy().WaitState(ctx, ProxyServing); err != nil {
		t.Fatal(err)
	}
}

func routeConfig(alias, model, apiBase string) string {
	return "model_list:\n  - model_name: " + alias + "\n    litellm_params:\n      model: " + model +
		"\n      api_base: " + apiBase + "\n      api_key: none\ngeneral_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n"
}

func TestLiteLLMPublicEndpointsAndModels(t *testing.T) {
	l := startFixtureLab(t)
	checks := []struct{ path, fixture string }{
		{"/health/liveliness", "litellm_health_liveliness.json"},
		{"/health/liveness", "litellm_health_liveliness.json"},
		{"/health/readiness", "litellm_health_readiness__no_db.json"},
	}
	for _, c := range checks {
		resp, body := httpGet(t, l.proxyURL+c.path)
		checkResponse(t, resp, http.StatusOK, "application/json")
		if want := strings.TrimSpace(string(wireFixture(t, c.fixture))); body != want {
			t.Errorf("%s:\n got %s\nwant %s", c.path, body, want)
		}
	}
	for _, path := range []string{"/v1/models", "/models"} {
		resp, body := httpGet(t, l.proxyURL+path, bearer...)
		checkResponse(t, resp, http.StatusOK, "application/json")
		if want := string(wireFixture(t, "litellm_v1_models.json")); body != want {
			t.Errorf("%s:\n got %s\nwant %s", path, body, want)
		}
	}
}

func TestLiteLLMErrorBodiesAreTheFixtures(t *testing.T) {
	l := startFixtureLab(t)
	chat := l.proxyURL + "/v1/chat/completions"
	cases := []struct {
		name, body, fixture string
		status              int
		header              []string
	}{
		{"no key", chatBody("local/fast", false, false), "litellm_error_401_no_api_key.json", 401, nil},
		{"wrong key", chatBody("local/fast", false, false), "litellm_error_400_wrong_key_no_db.json", 400, []string{"Authorization", "Bearer sk-wrong"}},
		{"unknown alias", chatBody("local/reasonr", true, false), "litellm_error_400_unknown_model_alias.json", 400, bearer},
		{"upstream 404", chatBody("local/reasoner", false, false), "litellm_error_404_upstream_model_not_found.json", 404, bearer},
		{"upstream 404, streaming", chatBody("local/reasoner", true, true), "litellm_error_404_upstream_model_not_found.json", 404, bearer},
	}
	for _, c := range cases {
		resp, body := httpPost(t, chat, c.body, c.header...)
		checkResponse(t, resp, c.status, "application/json")
		if want := string(wireFixture(t, c.fixture)); body != want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, body, want)
		}
	}
	resp, body := httpGet(t, l.proxyURL+"/v1/models")
	if resp.StatusCode != 401 || body != string(wireFixture(t, "litellm_error_401_no_api_key.json")) {
		t.Errorf("/v1/models without a key: %d %s", resp.StatusCode, body)
	}
}

func TestLiteLLMWrongAPIBasePathAndUpstreamDown(t *testing.T) {
	l := startFixtureLab(t)
	l.reconfigure(t, routeConfig("local/reasoner", "openai/llama31-8b-wintermute", "http://wintermute:8000"))
	resp, body := httpPost(t, l.proxyURL+"/v1/chat/completions", chatBody("local/reasoner", true, false), bearer...)
	if want := string(wireFixture(t, "litellm_error_404_upstream_wrong_path.json")); resp.StatusCode != 404 || body != want {
		t.Errorf("api_base without /v1: %d\n got %s\nwant %s", resp.StatusCode, body, want)
	}
	if err := l.SetFault("wintermute", FaultDown); err != nil {
		t.Fatal(err)
	}
	resp, body = httpPost(t, l.proxyURL+"/v1/chat/completions", chatBody("local/reasoner", false, false), bearer...)
	if want := string(wireFixture(t, "litellm_error_500_upstream_down.json")); resp.StatusCode != 500 || body != want {
		t.Errorf("upstream down: %d\n got %s\nwant %s", resp.StatusCode, body, want)
	}
}

func TestLiteLLMStreamIsReserializedTheLiteLLMWay(t *testing.T) {
	l := startFixtureLab(t)
	resp := streamPost(t, l.proxyURL+"/v1/chat/completions", chatBody("local/fast", true, true), bearer...)
	checkResponse(t, resp, http.StatusOK, "text/event-stream; charset=utf-8")
	if resp.Header.Get("x-litellm-model-api-base") != "http://armitage:8000/v1" || resp.Header.Get("x-litellm-version") == "" {
		t.Errorf("headers %v", resp.Header)
	}
	got, err := readEvents(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := fixtureEvents(t, "litellm_chat_stream__include_usage.sse")
	n, m := len(got), len(want)
	if got[n-1] != "[DONE]" || n < 5 {
		t.Fatalf("stream %q", got)
	}
	shapes := map[int]int{0: 0, 1: 1, n - 3: m - 3, n - 2: m - 2}
	for g, w := range shapes {
		if jsonSkeleton(t, got[g]) != jsonSkeleton(t, want[w]) {
			t.Errorf("event %d\n got %s\nwant %s", g, got[g], want[w])
		}
	}
	if g := normalizeChunk(t, got[n-3], want[m-3]); g != want[m-3] {
		t.Errorf("finish chunk\n got %s\nwant %s", g, want[m-3])
	}
	if !strings.Contains(got[0], `"model":"local/fast"`) || !strings.Contains(got[0], `"role":"assistant"`) {
		t.Errorf("first chunk %s", got[0])
	}
	if text := streamText(t, got); !strings.Contains(text, armitageServed) {
		t.Errorf("text %q", text)
	}
}

func TestLiteLLMStripsExactlyOneProviderSegment(t *testing.T) {
	l := startFixtureLab(t)
	l.reconfigure(t, routeConfig("local/reasoner", "openai/"+labAWQModel, "http://wintermute:8000/v1"))
	resp, body := httpPost(t, l.proxyURL+"/v1/chat/completions", chatBody("local/reasoner", false, false), bearer...)
	checkResponse(t, resp, http.StatusOK, "application/json")
	const shape = `{"id":s,"created":n,"model":s,"object":s,"system_fingerprint":null,"choices":[{"finish_reason":s,"index":n,"message":{"content":s,"role":s,"tool_calls":null,"function_call":null}}],"usage":{"completion_tokens":n,"prompt_tokens":n,"total_tokens":n,"completion_tokens_details":null,"prompt_tokens_details":null},"service_tier":null}`
	if jsonSkeleton(t, body) != shape || !strings.Contains(body, labAWQModel) || !strings.Contains(body, `"model":"local/reasoner"`) {
		t.Fatalf("body %s", body)
	}
}

func TestLiteLLMMidstreamFault(t *testing.T) {
	l := startFixtureLab(t)
	if err := l.SetFault("motoko", FaultLiteLLM500Midstream); err != nil {
		t.Fatal(err)
	}
	checkMidstreamError(t, l.proxyURL)
}

func TestLiteLLMRelaysATruncatedUpstream(t *testing.T) {
	l := startFixtureLab(t)
	if err := l.SetFault("armitage", FaultTruncatedStream); err != nil {
		t.Fatal(err)
	}
	resp := streamPost(t, l.proxyURL+"/v1/chat/completions", chatBody("local/fast", true, true), bearer...)
	got, err := readEvents(resp.Body)
	want := fixtureEvents(t, "litellm_chat_stream__midstream_error.sse")
	if err != nil || len(got) < 2 || got[len(got)-1] != want[1] {
		t.Fatalf("err %v, events %q", err, got)
	}
}

// checkMidstreamError: the first chunk, then the fixture's error event, no
// [DONE], status 200.
func checkMidstreamError(t *testing.T, proxyURL string) {
	t.Helper()
	resp := streamPost(t, proxyURL+"/v1/chat/completions", chatBody("local/fast", true, true), bearer...)
	got, err := readEvents(resp.Body)
	want := fixtureEvents(t, "litellm_chat_stream__midstream_error.sse")
	if err != nil || resp.StatusCode != 200 || len(got) != 2 {
		t.Fatalf("status %d, err %v, events %q", resp.StatusCode, err, got)
	}
	if jsonSkeleton(t, got[0]) != jsonSkeleton(t, want[0]) || got[1] != want[1] {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestLiteLLMRestartRefusesThenServesTheNewConfig(t *testing.T) {
	l := startFixtureLab(t)
	if err := os.WriteFile(l.configPath, []byte(routeConfig("local/new", "openai/"+armitageServed, "http://armitage:8000/v1")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Proxy().Restart(); err != nil {
		t.Fatal(err)
	}
	if !isRefused(hostPort(l.proxyURL)) {
		t.Fatal("a restarting proxy must refuse connections")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.Proxy().WaitState(ctx, ProxyServing); err != nil {
		t.Fatal(err)
	}
	if _, body := httpGet(t, l.proxyURL+"/v1/models", bearer...); !strings.Contains(body, `"id":"local/new"`) {
		t.Fatalf("after restart: %s", body)
	}
}

func TestLiteLLMLabRestartEndpoint(t *testing.T) {
	l := startFixtureLab(t)
	if err := os.WriteFile(l.configPath, []byte(routeConfig("local/new", "openai/"+armitageServed, "http://armitage:8000/v1")), 0o600); err != nil {
		t.Fatal(err)
	}
	resp, body := httpPost(t, l.proxyURL+LabRestartPath, "")
	if resp.StatusCode != 200 || body != `{"status":"restarting"}` {
		t.Fatalf("restart: %d %s", resp.StatusCode, body)
	}
	eventually(t, "the new alias", func() bool {
		body, ok := tryGet(l.proxyURL+"/v1/models", bearer...)
		return ok && strings.Contains(body, `"id":"local/new"`)
	})
}

func TestLiteLLMBadConfigOnRestartNeverComesUp(t *testing.T) {
	l := startFixtureLab(t)
	if err := os.WriteFile(l.configPath, []byte("model_list: [unclosed"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = l.Proxy().Restart()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.Proxy().WaitState(ctx, ProxyFailed); err != nil || l.Proxy().LastError() == nil || !isRefused(hostPort(l.proxyURL)) {
		t.Fatalf("err %v, last error %v", err, l.Proxy().LastError())
	}
}

func TestLiteLLMNeverLeavesTheLab(t *testing.T) {
	l := startFixtureLab(t)
	l.reconfigure(t, routeConfig("local/out", "openai/x", "http://example.invalid:8000/v1"))
	resp, body := httpPost(t, l.proxyURL+"/v1/chat/completions", chatBody("local/out", false, false), bearer...)
	if resp.StatusCode != 500 || !strings.Contains(body, "APIConnectionError") {
		t.Fatalf("a host outside the lab must fail like a refused connection: %d %s", resp.StatusCode, body)
	}
}

func TestLiteLLMConfigNeedsItsEnvironment(t *testing.T) {
	spec := seedLabSpec(t, string(wireFixture(t, "litellm_config.yaml")))
	delete(spec.Proxy.Env, "LITELLM_MASTER_KEY")
	lab, err := StartLab(spec)
	if err == nil {
		lab.Close()
		t.Fatal("a missing os.environ variable must fail the start")
	}
	if !strings.Contains(err.Error(), "LITELLM_MASTER_KEY") || strings.Contains(err.Error(), labMasterKey) {
		t.Fatalf("error %q", err)
	}
}

func TestPyReprOfJSON(t *testing.T) {
	cases := map[string]string{
		`{"error":{"message":"The model ` + "`x`" + ` does not exist.","type":"NotFoundError","param":null,"code":404}}`: `{'error': {'message': 'The model ` + "`x`" + ` does not exist.', 'type': 'NotFoundError', 'param': None, 'code': 404}}`,
		`{"detail":"Not Found"}`:                     `{'detail': 'Not Found'}`,
		`{"a":[1,2.5,true,false,"it's"],"b":"x\ny"}`: `{'a': [1, 2.5, True, False, "it's"], 'b': 'x\ny'}`,
	}
	for in, want := range cases {
		if got, ok := pyReprJSON([]byte(in)); !ok || got != want {
			t.Errorf("pyReprJSON(%s) = %s, want %s", in, got, want)
		}
	}
	if _, ok := pyReprJSON([]byte("Internal Server Error")); ok {
		t.Error("non-JSON must not be repr'd")
	}
}
