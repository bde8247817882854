package sim

import (
	"math"
	"net/http"
	"strings"
	"testing"
)

// metricLayout splits a /metrics body into its comment lines and its series
// (sample name and labels, value dropped).
func metricLayout(body string) (comments, series []string) {
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if strings.HasPrefix(line, "#") {
			comments = append(comments, line)
			continue
		}
		series = append(series, line[:strings.LastIndexByte(line, ' ')])
	}
	return comments, series
}

func TestVLLMMetricsHaveTheV1FixtureLayout(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}))
	for _, path := range []string{"/metrics", "/metrics/"} {
		resp, body := httpGet(t, s.URL()+path)
		checkResponse(t, resp, http.StatusOK, "text/plain; version=0.0.4; charset=utf-8")
		gotComments, gotSeries := metricLayout(body)
		wantComments, wantSeries := metricLayout(string(wireFixture(t, "vllm_metrics__v1_engine_v0.10.prom")))
		if strings.Join(gotComments, "\n") != strings.Join(wantComments, "\n") {
			t.Fatalf("HELP/TYPE lines differ:\n%s", strings.Join(gotComments, "\n"))
		}
		if strings.Join(gotSeries, "\n") != strings.Join(wantSeries, "\n") {
			t.Fatalf("series differ:\n%s", strings.Join(gotSeries, "\n"))
		}
	}
}

func series(name, extra string) string {
	return "vllm:" + name + `{engine="0",` + extra + `model_name="` + wintermuteServed + `"}`
}

func TestVLLMMetricsMoveWithLoadAndResetOnRestart(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}), func(o *VLLMOptions) { o.TokenRate = 50 })
	resp := streamPost(t, s.URL()+"/v1/chat/completions", chatBody(wintermuteServed, true, false))
	src := newTestSSE(resp.Body)
	for range 3 {
		if _, err := src.next(); err != nil {
			t.Fatal(err)
		}
	}
	_, during := httpGet(t, s.URL()+"/metrics")
	if metricValue(t, during, series("num_requests_running", "")) != 1 ||
		metricValue(t, during, series("kv_cache_usage_perc", "")) <= 0 ||
		metricValue(t, during, series("generation_tokens_total", "")) < 2 ||
		metricValue(t, during, series("prompt_tokens_total", "")) < 5 {
		t.Fatalf("mid-stream metrics do not show the load:\n%s", during)
	}
	if _, err := readEvents(resp.Body); err != nil {
		t.Fatal(err)
	}
	_, after := httpGet(t, s.URL()+"/metrics")
	checkAfterOneRequest(t, after)
	if err := s.RestartVLLM(); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, VLLMServing)
	_, fresh := httpGet(t, s.URL()+"/metrics")
	if metricValue(t, fresh, series("generation_tokens_total", "")) != 0 || metricValue(t, fresh, series("request_success_total", `finished_reason="stop",`)) != 0 {
		t.Fatalf("counters must restart from zero:\n%s", fresh)
	}
}

func checkAfterOneRequest(t *testing.T, body string) {
	t.Helper()
	checks := map[string]float64{
		series("num_requests_running", ""):                         0,
		series("kv_cache_usage_perc", ""):                          0,
		series("request_success_total", `finished_reason="stop",`): 1,
		series("e2e_request_latency_seconds_count", ""):            1,
		series("time_to_first_token_seconds_bucket", `le="+Inf",`): 1,
	}
	for name, want := range checks {
		if got := metricValue(t, body, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

func TestPromFloatIsPrometheusClients(t *testing.T) {
	cases := map[float64]string{
		0: "0.0", 1: "1.0", 0.0123: "0.0123", 2310: "2310.0", 0.45999999999999996: "0.45999999999999996",
		1762959845.4211917: "1.7629598454211917e+09", 123456.0: "123456.0", 1234567.0: "1.234567e+06",
		1e-05: "1e-05", 9.75010481363281e-06: "9.75010481363281e-06", 1e16: "1e+16", math.Inf(1): "+Inf", 2560: "2560.0",
	}
	for f, want := range cases {
		if got := promFloat(f); got != want {
			t.Errorf("promFloat(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestBuckets125FollowMaxModelLen(t *testing.T) {
	got := buckets125(9000)
	if len(got) != 12 || got[0] != 1 || got[11] != 5000 {
		t.Fatalf("buckets125(9000) = %v", got)
	}
	if got := buckets125(16384); got[len(got)-1] != 10000 {
		t.Fatalf("buckets125(16384) = %v", got)
	}
}
