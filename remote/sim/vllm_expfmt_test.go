// This test needs go.sum entries for expfmt's dependencies
// (github.com/munnerz/goautoneg, github.com/prometheus/client_model,
// google.golang.org/protobuf); run it with `go test -tags expfmt` once
// go.sum holds them.
package sim

import (
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestVLLMMetricsParseWithExpfmt(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}))
	resp := streamPost(t, s.URL()+"/v1/chat/completions", chatBody(wintermuteServed, true, true))
	if _, err := readEvents(resp.Body); err != nil {
		t.Fatal(err)
	}
	_, body := httpGet(t, s.URL()+"/metrics")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("expfmt: %v\n%s", err, body)
	}
	want := map[string]string{
		"vllm:num_requests_running":        "GAUGE",
		"vllm:kv_cache_usage_perc":         "GAUGE",
		"vllm:generation_tokens_total":     "COUNTER",
		"vllm:request_success_total":       "COUNTER",
		"vllm:time_to_first_token_seconds": "HISTOGRAM",
		"vllm:prompt_tokens_created":       "GAUGE",
	}
	for name, typ := range want {
		f, ok := families[name]
		if !ok || f.GetType().String() != typ {
			t.Errorf("%s: present %v, type %v, want %v", name, ok, f.GetType(), typ)
		}
	}
	gen := families["vllm:generation_tokens_total"].GetMetric()[0]
	labels := map[string]string{}
	for _, l := range gen.GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	if gen.GetCounter().GetValue() < 2 || labels["model_name"] != wintermuteServed || labels["engine"] != "0" {
		t.Errorf("generation tokens: %v", gen)
	}
	if h := families["vllm:e2e_request_latency_seconds"].GetMetric()[0].GetHistogram(); h.GetSampleCount() != 1 {
		t.Errorf("e2e histogram: %v", h)
	}
}

func TestWireFixtureMetricsParseWithExpfmt(t *testing.T) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	if _, err := parser.TextToMetricFamilies(strings.NewReader(string(wireFixture(t, "vllm_metrics__v1_engine_v0.10.prom")))); err != nil {
		t.Fatal(err)
	}
}
