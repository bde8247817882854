package api

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// recorded reads a fixture under testdata/<kind>/ (see testdata/SOURCES.md).
func recorded(tb testing.TB, kind, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", kind, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func metricsReply(body []byte) reply {
	return reply{status: http.StatusOK, body: body,
		headers: map[string]string{"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}}
}

func assertMissing(t *testing.T, l Load, want ...string) {
	t.Helper()
	if len(l.Missing) != len(want) {
		t.Fatalf("Missing = %q, want %d lines containing %q", l.Missing, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(l.Missing[i], w) {
			t.Errorf("Missing[%d] = %q, want it to contain %q", i, l.Missing[i], w)
		}
		assertOneLine(t, l.Missing[i])
	}
}

func assertNotFound(t *testing.T, err error) {
	t.Helper()
	if apiErr := asAPIError(t, err); apiErr.Status != http.StatusNotFound {
		t.Fatalf("status %d, want 404: %v", apiErr.Status, err)
	}
}

// assertDeadline runs probe against a server that accepts and never answers.
func assertDeadline(t *testing.T, probe func(context.Context) (Load, error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := probe(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a deadline error, got %v", err)
	}
	if state, reason, ok := transportState(err); !ok || state != StateUnreachable || !strings.Contains(reason, "timeout") {
		t.Errorf("classified as %v %q, want unreachable (timeout)", state, reason)
	}
}

func TestVLLMWithoutStatsReportsNoMetricsDistinctly(t *testing.T) {
	srv := replayServer(t, map[string]reply{"/metrics": metricsReply(recorded(t, "vllm", "metrics-disable-log-stats.txt"))})
	m, err := NewVLLM(srv.URL, "", nil).Metrics(context.Background())
	if !errors.Is(err, ErrNoVLLMMetrics) {
		t.Fatalf("--disable-log-stats exposition: err %v, want ErrNoVLLMMetrics", err)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) || m.Found != 0 {
		t.Fatalf("no metrics must not look like an HTTP error or hold values: %v %+v", err, m)
	}
	broken := replayServer(t, map[string]reply{"/metrics": metricsReply([]byte("vllm:num_requests_running{ 1\n"))})
	if _, err := NewVLLM(broken.URL, "", nil).Metrics(context.Background()); err == nil || errors.Is(err, ErrNoVLLMMetrics) {
		t.Fatalf("a malformed exposition must be a parse error, distinct from no metrics: %v", err)
	}
}

func TestSGLangProbe(t *testing.T) {
	srv := replayServer(t, map[string]reply{
		"/v1/models": jsonReply(200, recorded(t, "sglang", "models.json")),
		"/metrics":   metricsReply(recorded(t, "sglang", "metrics.txt")),
	})
	load, err := NewSGLang(srv.URL, "", nil).Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := Load{Kind: KindSGLang, Models: []string{"meta-llama/Llama-3.1-8B-Instruct"}, Running: 162, Waiting: 2826,
		CacheUsage: 0.28, PromptTokens: 8.128902e+06, GenerationTokens: 7.557572e+06,
		Found: FoundRunning | FoundWaiting | FoundKVCache | FoundPromptTokens | FoundGenerationTokens}
	if !reflect.DeepEqual(load, want) {
		t.Fatalf("got %+v\nwant %+v", load, want)
	}
}

func TestSGLangWithoutMetricsStillProbes(t *testing.T) {
	srv := replayServer(t, map[string]reply{"/v1/models": jsonReply(200, recorded(t, "sglang", "models.json"))})
	load, err := NewSGLang(srv.URL, "", nil).Probe(context.Background())
	if err != nil || load.Found != 0 || len(load.Models) != 1 {
		t.Fatalf("got %+v, %v", load, err)
	}
	assertMissing(t, load, "--enable-metrics")
}

func TestSGLangServerInfo(t *testing.T) {
	srv := replayServer(t, map[string]reply{"/get_server_info": jsonReply(200, recorded(t, "sglang", "get_server_info.json"))})
	info, err := NewSGLang(srv.URL+"/v1", "", nil).ServerInfo(context.Background())
	want := SGLangServerInfo{ModelPath: "meta-llama/Llama-3.1-8B-Instruct", ServedModelName: "meta-llama/Llama-3.1-8B-Instruct",
		Port: 30000, EnableMetrics: true, Version: "0.5.4"}
	if err != nil || info != want {
		t.Fatalf("got %+v, %v", info, err)
	}
}

func TestSGLangErrors(t *testing.T) {
	srv := replayServer(t, nil)
	_, err := NewSGLang(srv.URL, "", nil).Probe(context.Background())
	assertNotFound(t, err)
	_, err = NewSGLang(srv.URL, "", nil).ServerInfo(context.Background())
	assertNotFound(t, err)
	assertDeadline(t, NewSGLang(silentListener(t), "", nil).Probe)
}

func TestSGLangSendsKeyAndNeverRepeatsIt(t *testing.T) {
	const key = "sk-sglang-secret-1234"
	srv := keyServer(t, key)
	if _, err := NewSGLang(srv, key, nil).Models(context.Background()); err != nil {
		t.Fatalf("with the key: %v", err)
	}
	_, err := NewSGLang(srv, key+"x", nil).Models(context.Background())
	if err == nil || strings.Contains(err.Error(), key) {
		t.Fatalf("a wrong key must fail without being echoed: %v", err)
	}
}

// keyServer answers /v1/models only to the right bearer token, and echoes the
// header it got in its 401 body (as a careless proxy might).
func keyServer(t *testing.T, key string) string {
	t.Helper()
	srv := replayServer(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+key {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"message":"bad key ` + r.Header.Get("Authorization") + `","code":401}}`))
			return
		}
		_, _ = w.Write(recorded(t, "sglang", "models.json"))
	})
	return srv.URL
}

func TestLlamaCppProbe(t *testing.T) {
	srv := replayServer(t, map[string]reply{
		"/v1/models": jsonReply(200, recorded(t, "llamacpp", "models.json")),
		"/metrics":   metricsReply(recorded(t, "llamacpp", "metrics.txt")),
		"/props":     jsonReply(200, recorded(t, "llamacpp", "props.json")),
		"/slots":     jsonReply(200, recorded(t, "llamacpp", "slots.json")),
	})
	load, err := NewLlamaCpp(srv.URL, "", nil).Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	path := "../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"
	want := Load{Kind: KindLlamaCpp, Models: []string{path}, Loaded: []string{path}, Running: 2, Waiting: 5,
		PromptTokens: 51234, GenerationTokens: 39080,
		Found: FoundRunning | FoundWaiting | FoundPromptTokens | FoundGenerationTokens}
	if !reflect.DeepEqual(load, want) {
		t.Fatalf("got %+v\nwant %+v", load, want)
	}
}

func TestLlamaCppWithoutMetricsCountsBusySlots(t *testing.T) {
	srv := replayServer(t, map[string]reply{
		"/v1/models": jsonReply(200, recorded(t, "llamacpp", "models.json")),
		"/slots":     jsonReply(200, recorded(t, "llamacpp", "slots.json")),
	})
	load, err := NewLlamaCpp(srv.URL, "", nil).Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if load.Found != FoundRunning || load.Running != 2 {
		t.Errorf("want Running 2 from the two busy slots and nothing else, got %+v", load)
	}
	assertMissing(t, load, "--metrics", "/props")
}

func TestLlamaCppPropsAndSlots(t *testing.T) {
	srv := replayServer(t, map[string]reply{
		"/props": jsonReply(200, recorded(t, "llamacpp", "props.json")),
		"/slots": jsonReply(200, recorded(t, "llamacpp", "slots.json")),
	})
	c := NewLlamaCpp(srv.URL, "", nil)
	props, err := c.Props(context.Background())
	want := LlamaCppProps{ModelPath: "../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", TotalSlots: 1,
		BuildInfo: "b(build number)-(build commit hash)"}
	if err != nil || props != want {
		t.Errorf("props %+v, %v", props, err)
	}
	slots, err := c.Slots(context.Background())
	if err != nil || !reflect.DeepEqual(slots, []LlamaCppSlot{{0, 65536, true}, {1, 65536, true}}) {
		t.Errorf("slots %+v, %v", slots, err)
	}
}

func TestLlamaCppErrors(t *testing.T) {
	srv := replayServer(t, nil)
	_, err := NewLlamaCpp(srv.URL, "", nil).Probe(context.Background())
	assertNotFound(t, err)
	_, err = NewLlamaCpp(srv.URL, "", nil).Metrics(context.Background())
	assertNotFound(t, err)
	assertDeadline(t, NewLlamaCpp(silentListener(t), "", nil).Probe)
}

func TestOllamaProbe(t *testing.T) {
	srv := replayServer(t, map[string]reply{
		"/api/tags": jsonReply(200, recorded(t, "ollama", "tags.json")),
		"/api/ps":   jsonReply(200, recorded(t, "ollama", "ps.json")),
	})
	load, err := NewOllama(srv.URL, nil).Probe(context.Background())
	want := Load{Kind: KindOllama, Models: []string{"deepseek-r1:latest", "llama3.2:latest"}, Loaded: []string{"mistral:latest"}}
	if err != nil || !reflect.DeepEqual(load, want) {
		t.Fatalf("got %+v, %v\nwant %+v", load, err, want)
	}
}

func TestOllamaRunningModels(t *testing.T) {
	srv := replayServer(t, map[string]reply{"/api/ps": jsonReply(200, recorded(t, "ollama", "ps.json"))})
	ps, err := NewOllama(srv.URL, nil).Running(context.Background())
	want := []OllamaModel{{Name: "mistral:latest", Model: "mistral:latest", Size: 5137025024, SizeVRAM: 5137025024,
		ExpiresAt: "2024-06-04T14:38:31.83753-07:00"}}
	if err != nil || !reflect.DeepEqual(ps, want) {
		t.Fatalf("got %+v, %v", ps, err)
	}
}

func TestOllamaErrors(t *testing.T) {
	tagsOnly := replayServer(t, map[string]reply{"/api/tags": jsonReply(200, recorded(t, "ollama", "tags.json"))})
	load, err := NewOllama(tagsOnly.URL, nil).Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	assertMissing(t, load, "/api/ps")
	_, err = NewOllama(replayServer(t, nil).URL, nil).Probe(context.Background())
	assertNotFound(t, err)
	assertDeadline(t, NewOllama(silentListener(t), nil).Probe)
}
