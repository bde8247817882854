package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeVLLM serves fixture bytes the way http_transcripts.md says vLLM does:
// /health 200 empty (or 503), /v1/* behind the key, /metrics and /version open.
type fakeVLLM struct {
	healthStatus int
	models       []byte
	metrics      []byte
	key          string
	gzipAlways   bool // compress /metrics even when not asked
}

func (f fakeVLLM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v1/") && f.key != "" && r.Header.Get("Authorization") != "Bearer "+f.key {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"Unauthorized"}`))
		return
	}
	switch r.URL.Path {
	case "/health":
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(f.healthStatus)
	case "/v1/models":
		writeReply(w, r, jsonReply(200, f.models))
	case "/version":
		writeReply(w, r, jsonReply(200, []byte(`{"version":"0.10.1.1"}`)))
	case "/metrics":
		f.serveMetrics(w, r)
	default:
		writeReply(w, r, jsonReply(404, []byte(`{"detail":"Not Found"}`)))
	}
}

func (f fakeVLLM) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if !f.gzipAlways && !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		_, _ = w.Write(f.metrics)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	zw := gzip.NewWriter(w)
	_, _ = zw.Write(f.metrics)
	_ = zw.Close()
}

func newFakeVLLM(t *testing.T, f fakeVLLM) *httptest.Server {
	t.Helper()
	if f.healthStatus == 0 {
		f.healthStatus = http.StatusOK
	}
	if f.models == nil {
		f.models = fixture(t, "vllm_v1_models__served_model_name.json")
	}
	if f.metrics == nil {
		f.metrics = fixture(t, "vllm_metrics__v1_engine_v0.10.prom")
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func TestTransportKeepsIdleConnectionsShorterThanVLLM(t *testing.T) {
	tr := NewTransport()
	if tr.IdleConnTimeout <= 0 || tr.IdleConnTimeout >= 5*time.Second || tr.DialContext == nil || tr.Proxy != nil {
		t.Errorf("idle %v dial set %v proxy set %v", tr.IdleConnTimeout, tr.DialContext != nil, tr.Proxy != nil)
	}
	if NewHTTPClient().Timeout != 0 {
		t.Error("the client must not have a total timeout: streams are bounded by idle timeouts")
	}
}

func TestVLLMClient(t *testing.T) {
	srv := newFakeVLLM(t, fakeVLLM{key: testKey})
	for _, base := range []string{srv.URL, srv.URL + "/v1", srv.URL + "/v1/"} {
		c := NewVLLM(base, testKey, srv.Client())
		ctx := context.Background()
		ids, err := c.Models(ctx)
		if err != nil || !slices.Equal(ids, []string{"llama31-8b-wintermute"}) {
			t.Errorf("%s: models %q, %v", base, ids, err)
		}
		if v, err := c.Version(ctx); v != "0.10.1.1" || err != nil {
			t.Errorf("%s: version %q, %v", base, v, err)
		}
		if err := c.Health(ctx); err != nil {
			t.Errorf("%s: health %v", base, err)
		}
		if c.BaseURL() != srv.URL {
			t.Errorf("base %q", c.BaseURL())
		}
	}
}

func TestVLLMModelsWithoutKey(t *testing.T) {
	srv := newFakeVLLM(t, fakeVLLM{key: testKey})
	_, err := NewVLLM(srv.URL, "", srv.Client()).Models(context.Background())
	if KindOf(err) != KindAuth {
		t.Fatalf("want an auth error, got %v", err)
	}
}

func TestVLLMHealthDead(t *testing.T) {
	srv := newFakeVLLM(t, fakeVLLM{healthStatus: http.StatusServiceUnavailable})
	err := NewVLLM(srv.URL, "", srv.Client()).Health(context.Background())
	if !errors.Is(err, ErrEngineDead) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("got %v", err)
	}
}

func TestVLLMMetricsPlainAndGzip(t *testing.T) {
	plainClient := &http.Client{Transport: func() http.RoundTripper {
		tr := NewTransport()
		tr.DisableCompression = true // no Accept-Encoding: the server compresses unasked
		return tr
	}()}
	cases := []struct {
		name   string
		fake   fakeVLLM
		client *http.Client
	}{
		{"plain", fakeVLLM{}, &http.Client{Transport: &http.Transport{DisableCompression: true}}},
		{"gzip asked", fakeVLLM{}, nil},
		{"gzip unasked", fakeVLLM{gzipAlways: true}, plainClient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeVLLM(t, tc.fake)
			m, err := NewVLLM(srv.URL, "", tc.client).Metrics(context.Background())
			if err != nil || m.GenerationTokens != 53 || m.KVCacheUsage != 0.0123 || m.ModelName != "llama31-8b-wintermute" {
				t.Fatalf("metrics %+v, %v", m, err)
			}
		})
	}
}

func TestParseMetricsGzipBytes(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(fixture(t, "vllm_metrics__v0_engine.prom"))
	_ = zw.Close()
	m, err := ParseMetrics(&buf)
	if err != nil || m.PromptTokens != 2310 || m.Engines != 0 {
		t.Fatalf("%+v, %v", m, err)
	}
}

func TestParseMetricsLineFilterLosesNothing(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join(wireDir(t), "*.prom"))
	for _, path := range names {
		body := fixture(t, filepath.Base(path))
		m, err := ParseMetrics(bytes.NewReader(body))
		checkLineFilter(t, body, m, err)
	}
}

// The line filter reads names as expfmt does: a name ends at the first byte
// that cannot continue it ("name+0" is a sample of name with value +0),
// blanks may lead a line or follow "#", and quoted names are left to expfmt.
// Each case is a body expfmt accepts; the
// filtered parse must find the same running count.
func TestParseMetricsLineFilterFollowsTheTextFormat(t *testing.T) {
	for _, body := range []string{
		"vllm:num_requests_running+3\n", // found by FuzzMetrics
		"vllm:num_requests_running-3e0\n",
		"  \tvllm:num_requests_running 3\n",
		"#TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 3\n",
		" # \tTYPE vllm:num_requests_running gauge\nvllm:num_requests_running{engine=\"0\"} 3\n",
		"{\"vllm:num_requests_running\",engine=\"0\"} 3\n",
	} {
		m, err := ParseMetrics(strings.NewReader(body))
		checkLineFilter(t, []byte(body), m, err)
		families, fullErr := parseFamilies([]byte(body))
		if full := metricsFrom(families); fullErr != nil || err != nil || m.Running != full.Running || !m.Has(FoundRunning) {
			t.Errorf("%q: filtered %+v (%v), full %+v (%v)", body, m, err, full, fullErr)
		}
	}
}

func TestParseMetricsRejects(t *testing.T) {
	if _, err := ParseMetrics(strings.NewReader("# HELP x y\nnot a metric line {\n")); err == nil {
		t.Error("garbage parsed")
	}
	if _, err := ParseMetrics(strings.NewReader("process_cpu_seconds_total 1.5\n")); !errors.Is(err, ErrNoVLLMMetrics) {
		t.Errorf("non-vLLM metrics: %v", err)
	}
	if _, err := ParseMetrics(bytes.NewReader([]byte{0x1f, 0x8b, 0})); err == nil {
		t.Error("broken gzip parsed")
	}
}

// Data parallel: two engines. Requests and tokens add up; KV use is the fullest engine's.
func TestParseMetricsTwoEngines(t *testing.T) {
	body := string(fixture(t, "vllm_metrics__v1_engine_v0.10.prom"))
	extra := `vllm:num_requests_running{engine="1",model_name="llama31-8b-wintermute"} 2.0
vllm:kv_cache_usage_perc{engine="1",model_name="llama31-8b-wintermute"} 0.5
vllm:generation_tokens_total{engine="1",model_name="llama31-8b-wintermute"} 7.0
`
	body = insertAfterFamily(body, extra)
	m, err := ParseMetrics(strings.NewReader(body))
	if err != nil || m.Running != 3 || m.KVCacheUsage != 0.5 || m.GenerationTokens != 60 || m.Engines != 2 {
		t.Fatalf("%+v, %v", m, err)
	}
}

// insertAfterFamily places each extra sample right after the first sample of its family.
func insertAfterFamily(body, extra string) string {
	lines := strings.Split(body, "\n")
	for _, sample := range strings.Split(strings.TrimSpace(extra), "\n") {
		family := sample[:strings.IndexByte(sample, '{')]
		i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, family+"{") })
		lines = slices.Insert(lines, i+1, sample)
	}
	return strings.Join(lines, "\n")
}
