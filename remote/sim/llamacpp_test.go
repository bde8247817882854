package sim

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

const dixieUnitPath = "etc/systemd/system/llama-server.service"

// dixieUnit is a unit as a role renders it: llama-server with an alias, a
// port and metrics, its ExecStart continued over lines.
func dixieUnit(port, alias string) string {
	return "[Unit]\nDescription=llama.cpp server\n\n[Service]\nType=simple\n" +
		"ExecStart=/usr/local/bin/llama-server -m /srv/models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf \\\n" +
		"    --host dixie --port " + port + " --alias " + alias + " \\\n    -c 8192 --parallel 2 --metrics\n" +
		"Restart=on-failure\n\n[Install]\nWantedBy=multi-user.target\n"
}

func llamaLab(t *testing.T) *Lab {
	t.Helper()
	lab, err := StartLab(LabSpec{Dir: t.TempDir(), LinuxHosts: []LinuxHostSpec{{Name: "dixie", User: "dixie",
		Password: "dixie-pw", UnitPath: dixieUnitPath, Files: map[string]string{dixieUnitPath: dixieUnit("8081", "llama31-8b-dixie")},
		LoadDelay: labTestLoadDelay, TokenRate: 400}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	return lab
}

func TestParseUnitExecStartReadsLlamaServerFlags(t *testing.T) {
	a, err := parseUnitExecStart(dixieUnit("8081", "a,b"))
	if err != nil {
		t.Fatal(err)
	}
	if a.port != 8081 || !slices.Equal(a.aliases, []string{"a", "b"}) || a.parallel != 2 || a.ctxSize != 8192 ||
		!a.metrics || !strings.HasSuffix(a.model, ".gguf") {
		t.Errorf("parsed %+v", a)
	}
	for _, bad := range []string{"[Service]\nExecStart=/usr/bin/vllm serve x\n", "[Service]\n",
		"ExecStart=llama-server --port 80x -m m.gguf", "ExecStart=llama-server --alias x"} {
		if _, err := parseUnitExecStart(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func getLlama(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// jsonKeys lists the keys of an object (or of an array's first object),
// nested objects as "outer.inner".
func jsonKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if arr, ok := v.([]any); ok && len(arr) > 0 {
		v = arr[0]
	}
	var keys []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, sub := range m {
				keys = append(keys, prefix+k)
				walk(prefix+k+".", sub)
			}
		}
	}
	walk("", v)
	sort.Strings(keys)
	return keys
}

// TestLabLlamaCppAnswersInTheRecordedLayouts compares the lab's /v1/models,
// /props and /slots with llama.cpp's own examples (remote/api/testdata/
// llamacpp, the fixtures the probes are tested against), and its /metrics
// family names with the documented ones.
func TestLabLlamaCppAnswersInTheRecordedLayouts(t *testing.T) {
	lab := llamaLab(t)
	base := lab.LlamaCpp("dixie").URL()
	for path, fixture := range map[string]string{"/v1/models": "models.json", "/props": "props.json", "/slots": "slots.json"} {
		want, err := os.ReadFile(filepath.Join("..", "api", "testdata", "llamacpp", fixture))
		if err != nil {
			t.Fatal(err)
		}
		code, got := getLlama(t, base+path)
		if code != 200 || !slices.Equal(jsonKeys(t, got), jsonKeys(t, want)) {
			t.Errorf("%s: %d, keys %v, llama.cpp's %v", path, code, jsonKeys(t, got), jsonKeys(t, want))
		}
	}
	code, models := getLlama(t, base+"/v1/models")
	if code != 200 || !strings.Contains(string(models), `"id":"llama31-8b-dixie"`) {
		t.Errorf("/v1/models: %s", models)
	}
	if code, body := getLlama(t, base+"/health"); code != 200 || string(body) != `{"status":"ok"}` {
		t.Errorf("/health: %d %s", code, body)
	}
	want, _ := os.ReadFile(filepath.Join("..", "api", "testdata", "llamacpp", "metrics.txt"))
	_, got := getLlama(t, base+"/metrics")
	if !slices.Equal(metricHeaders(string(got)), metricHeaders(string(want))) {
		t.Errorf("/metrics headers:\n%s\nwant those of:\n%s", got, want)
	}
}

func metricHeaders(body string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "# ") {
			out = append(out, l)
		}
	}
	return out
}

// TestLabLlamaCppStreamsLikeLlamaServer reads a streamed chat: role chunk,
// content chunks, finish chunk, usage chunk with timings, [DONE]; the keys
// in llama.cpp's order; the slot busy and counted while it generates.
func TestLabLlamaCppStreamsLikeLlamaServer(t *testing.T) {
	lab := llamaLab(t)
	base := lab.LlamaCpp("dixie").URL()
	body := `{"model":"any-name","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`
	resp, err := http.Post(base+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var events []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			events = append(events, data)
		}
	}
	if resp.Header.Get("Content-Type") != "text/event-stream" || len(events) < 5 || events[len(events)-1] != "[DONE]" {
		t.Fatalf("stream %q: %v", resp.Header.Get("Content-Type"), events)
	}
	if !strings.HasPrefix(events[0], `{"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":`) ||
		!strings.Contains(events[0], `"model":"any-name","system_fingerprint":"b`) {
		t.Errorf("first chunk %s", events[0])
	}
	finish, usage := events[len(events)-3], events[len(events)-2]
	if !strings.HasPrefix(finish, `{"choices":[{"finish_reason":"stop","index":0,"delta":{}}]`) ||
		!strings.HasPrefix(usage, `{"choices":[],`) || !strings.Contains(usage, `"usage":{"completion_tokens":`) ||
		!strings.Contains(usage, `"timings":{"cache_n":0,"prompt_n":`) {
		t.Errorf("end chunks:\n%s\n%s", finish, usage)
	}
	_, metrics := getLlama(t, base+"/metrics")
	if !strings.Contains(string(metrics), "\nllamacpp:tokens_predicted_total ") ||
		strings.Contains(string(metrics), "\nllamacpp:tokens_predicted_total 0\n") {
		t.Errorf("generation not counted:\n%s", metrics)
	}
}

// TestLabLlamaCppRestartReadsTheUnitOnDisk: systemctl restart (as straylight
// and Ansible send it over SSH) starts llama-server on the unit as now
// written: new port, new alias; 503 "Loading model" until it loaded.
func TestLabLlamaCppRestartReadsTheUnitOnDisk(t *testing.T) {
	lab := llamaLab(t)
	h := lab.linuxHost("dixie")
	if err := os.WriteFile(filepath.Join(h.dir, dixieUnitPath), []byte(dixieUnit("8090", "renamed")), 0o644); err != nil {
		t.Fatal(err)
	}
	tools := newToolServer(h)
	if res := tools.systemctl([]string{"restart", "llama-server"}); res.code != 0 {
		t.Fatalf("systemctl restart: %d %s", res.code, res.output)
	}
	srv := lab.LlamaCpp("dixie")
	if !strings.HasSuffix(srv.URL(), ":8090") {
		t.Errorf("URL after restart %s", srv.URL())
	}
	if code, body := getLlama(t, srv.URL()+"/health"); srv.State() == VLLMLoading && (code != 503 ||
		string(body) != `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`) {
		t.Errorf("while loading: %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitState(ctx, VLLMServing); err != nil {
		t.Fatal(err)
	}
	if got := srv.ServedModels(); !slices.Equal(got, []string{"renamed"}) {
		t.Errorf("served %v", got)
	}
	if props := tools.unitProperties("llama-server.service"); props["ActiveState"] != "active" {
		t.Errorf("unit %v", props)
	}
	if err := os.WriteFile(filepath.Join(h.dir, dixieUnitPath), []byte("[Service]\nExecStart=/usr/bin/true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tools.systemctl([]string{"restart", "llama-server.service"})
	if props := tools.unitProperties("llama-server.service"); props["SubState"] != "auto-restart" || srv.StartError() == nil {
		t.Errorf("a unit running no llama-server: %v, %v", props, srv.StartError())
	}
}

func TestLabLlamaCppWithoutMetricsFlagAnswers501(t *testing.T) {
	a, _ := parseUnitExecStart(strings.Replace(dixieUnit("8081", "x"), " --metrics", "", 1))
	srv := &LlamaCppServer{opts: LlamaCppOptions{Hostname: "dixie"}, args: a}
	h := &llamaHandler{srv: srv, engine: newLlamaEngine(a)}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != 501 || !strings.Contains(rec.Body.String(), `"type":"not_supported_error"`) {
		t.Errorf("%d %s", rec.Code, rec.Body.String())
	}
}

// TestLabLlamaCppAPIKeyGuardsAllButThePublicPaths: with --api-key, /health
// and /v1/models answer anyone, /props wants the key (llama.cpp's 401 body).
func TestLabLlamaCppAPIKeyGuardsAllButThePublicPaths(t *testing.T) {
	a, err := parseUnitExecStart(strings.Replace(dixieUnit("8081", "x"), " --metrics", " --metrics --api-key lab-key", 1))
	if err != nil || a.apiKey != "lab-key" {
		t.Fatalf("%+v %v", a, err)
	}
	h := &llamaHandler{srv: &LlamaCppServer{opts: LlamaCppOptions{Hostname: "dixie"}, args: a}, engine: newLlamaEngine(a)}
	serve := func(path, key string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if serve("/v1/models", "").Code != 200 || serve("/health", "").Code != 200 || serve("/props", "lab-key").Code != 200 {
		t.Error("a public path or the right key was refused")
	}
	if rec := serve("/props", "wrong"); rec.Code != 401 ||
		rec.Body.String() != `{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}` {
		t.Errorf("wrong key: %d %s", rec.Code, rec.Body.String())
	}
}
