package status

// Each kind of server is probed with its own client (remote/api), the
// target's API key reaches the server's /v1 routes, and a vLLM without
// vllm:* metrics (--disable-log-stats) is up with "no metrics" and an
// unknown idle state. The servers are httptest servers on loopback that
// answer with remote/api's recorded fixtures (sources in
// remote/api/testdata/SOURCES.md).

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const kindTestKey = "sk-kind-test-key"

// fixtureServer answers each path with a fixture file; paths under /v1/
// want the bearer key when key is not "".
func fixtureServer(t *testing.T, key string, files map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") && key != "" && r.Header.Get("Authorization") != "Bearer "+key {
			http.Error(w, `{"error":"Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		body, err := os.ReadFile(filepath.Join("..", "..", "remote", "api", "testdata", name))
		if err != nil {
			t.Errorf("fixture %s: %v", name, err)
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func refreshOne(t *testing.T, target Target) HostStatus {
	t.Helper()
	m := New(Config{Hosts: []Target{target}})
	defer m.Close()
	snap := m.Refresh(context.Background())
	if len(snap.Hosts) != 1 {
		t.Fatalf("got %d rows", len(snap.Hosts))
	}
	return snap.Hosts[0]
}

func TestSGLangTargetIsProbedWithItsClientAndKey(t *testing.T) {
	srv := fixtureServer(t, kindTestKey, map[string]string{
		"/v1/models": "sglang/models.json", "/metrics": "sglang/metrics.txt"})
	row := refreshOne(t, Target{Host: "gpu", VLLMURL: srv.URL, Kind: "sglang", APIKey: kindTestKey,
		Expected: []string{"meta-llama/Llama-3.1-8B-Instruct"}})
	if row.State != StateUp || row.Kind != "sglang" || row.Mismatch || !row.Load.Known || row.NoMetrics != "" {
		t.Fatalf("row: %+v", row)
	}
	if len(row.Served) != 1 || row.Served[0] != "meta-llama/Llama-3.1-8B-Instruct" {
		t.Fatalf("served %v", row.Served)
	}
}

func TestWrongKeyIsAFailingServerAndTheKeyIsNotShown(t *testing.T) {
	srv := fixtureServer(t, kindTestKey, map[string]string{"/v1/models": "sglang/models.json"})
	row := refreshOne(t, Target{Host: "gpu", VLLMURL: srv.URL, Kind: "sglang", APIKey: "sk-wrong-key"})
	if row.State == StateUp || !strings.Contains(row.Reason, "401") {
		t.Fatalf("a refused key should not be up: %+v", row)
	}
	if strings.Contains(row.Reason, "sk-wrong-key") {
		t.Fatalf("the key leaked into the reason: %s", row.Reason)
	}
}

func TestVLLMWithDisableLogStatsHasNoMetricsAndUnknownIdle(t *testing.T) {
	srv := fixtureServer(t, kindTestKey, map[string]string{
		"/health":    "vllm/metrics-disable-log-stats.txt", // any 200 body
		"/v1/models": "sglang/models.json", "/metrics": "vllm/metrics-disable-log-stats.txt"})
	row := refreshOne(t, Target{Host: "gpu", VLLMURL: srv.URL, APIKey: kindTestKey})
	if row.State != StateUp || row.Load.Known || row.Idle.Activity != ActivityUnknown {
		t.Fatalf("row: %+v", row)
	}
	if !strings.Contains(row.NoMetrics, "no metrics") || !strings.Contains(row.NoMetrics, "--disable-log-stats") {
		t.Fatalf("no-metrics reason: %q", row.NoMetrics)
	}
}

func TestOllamaTargetReadsItsTags(t *testing.T) {
	srv := fixtureServer(t, "", map[string]string{"/api/tags": "ollama/tags.json", "/api/ps": "ollama/ps.json"})
	row := refreshOne(t, Target{Host: "box", VLLMURL: srv.URL, Kind: "ollama"})
	if row.State != StateUp || row.Kind != "ollama" || len(row.Served) == 0 || row.Served[0] != "deepseek-r1:latest" {
		t.Fatalf("row: %+v", row)
	}
	if row.NoMetrics == "" {
		t.Fatalf("Ollama has no Prometheus load: NoMetrics should say so")
	}
}

func TestRefusedSGLangIsWordedForItsKind(t *testing.T) {
	srv := fixtureServer(t, "", nil)
	url := srv.URL
	srv.Close()
	row := refreshOne(t, Target{Host: "gpu", VLLMURL: url, Kind: "sglang"})
	if row.State != StateLoading || strings.Contains(row.Reason, "vLLM") {
		t.Fatalf("row: %s %q", row.State, row.Reason)
	}
}

// llama.cpp, TGI and llama-swap each answer through their own endpoints;
// a Target of that kind is up with the models its client reads, and with
// its load where the server publishes one.
func TestEveryKindIsProbedThroughItsEndpoints(t *testing.T) {
	cases := []struct {
		kind     string
		files    map[string]string
		wantLoad bool
	}{
		{"llama.cpp", map[string]string{"/v1/models": "llamacpp/models.json", "/metrics": "llamacpp/metrics.txt",
			"/props": "llamacpp/props.json", "/slots": "llamacpp/slots.json"}, true},
		{"tgi", map[string]string{"/info": "tgi/info.json", "/metrics": "tgi/metrics.txt"}, true},
		{"llama-swap", map[string]string{"/v1/models": "sglang/models.json", "/running": "llamaswap/running.json"}, false},
	}
	for _, c := range cases {
		srv := fixtureServer(t, kindTestKey, c.files)
		row := refreshOne(t, Target{Host: "h", VLLMURL: srv.URL, Kind: c.kind, APIKey: kindTestKey})
		if row.State != StateUp || row.Kind != c.kind || len(row.Served) == 0 || row.Load.Known != c.wantLoad {
			t.Errorf("%s: %+v", c.kind, row)
		}
	}
}
