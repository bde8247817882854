package api

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestTGIProbe(t *testing.T) {
	srv := replayServer(t, map[string]reply{
		"/info":    jsonReply(200, recorded(t, "tgi", "info.json")),
		"/metrics": metricsReply(recorded(t, "tgi", "metrics.txt")),
	})
	load, err := NewTGI(srv.URL, "", nil).Probe(context.Background())
	want := Load{Kind: KindTGI, Models: []string{"bigscience/blomm-560m"}, Loaded: []string{"bigscience/blomm-560m"},
		Running: 3, Waiting: 7, PromptTokens: 98304, GenerationTokens: 51200,
		Found: FoundRunning | FoundWaiting | FoundPromptTokens | FoundGenerationTokens}
	if err != nil || !reflect.DeepEqual(load, want) {
		t.Fatalf("got %+v, %v\nwant %+v", load, err, want)
	}
}

func TestTGIInfo(t *testing.T) {
	srv := replayServer(t, map[string]reply{"/info": jsonReply(200, recorded(t, "tgi", "info.json"))})
	info, err := NewTGI(srv.URL, "", nil).Info(context.Background())
	want := TGIInfo{ModelID: "bigscience/blomm-560m", ModelSHA: "e985a63cdc139290c5f700ff1929f0b5942cced2",
		MaxConcurrentRequests: 128, MaxTotalTokens: 2048, Version: "0.5.0"}
	if err != nil || info != want {
		t.Fatalf("got %+v, %v", info, err)
	}
}

func TestTGIErrors(t *testing.T) {
	infoOnly := replayServer(t, map[string]reply{"/info": jsonReply(200, recorded(t, "tgi", "info.json"))})
	load, err := NewTGI(infoOnly.URL, "", nil).Probe(context.Background())
	if err != nil || load.Found != 0 {
		t.Fatalf("got %+v, %v", load, err)
	}
	assertMissing(t, load, "/metrics")
	_, err = NewTGI(replayServer(t, nil).URL, "", nil).Probe(context.Background())
	assertNotFound(t, err)
	assertDeadline(t, NewTGI(silentListener(t), "", nil).Probe)
}

func TestLlamaSwapProbe(t *testing.T) {
	srv := replayServer(t, map[string]reply{
		"/v1/models": jsonReply(200, []byte(`{"object":"list","data":[{"id":"m1","object":"model"},{"id":"m2","object":"model"}]}`)),
		"/running":   jsonReply(200, recorded(t, "llamaswap", "running.json")),
	})
	load, err := NewLlamaSwap(srv.URL, "", nil).Probe(context.Background())
	want := Load{Kind: KindLlamaSwap, Models: []string{"m1", "m2"}, Loaded: []string{"m1"}}
	if err != nil || !reflect.DeepEqual(load, want) {
		t.Fatalf("got %+v, %v\nwant %+v", load, err, want)
	}
}

func TestLlamaSwapRunning(t *testing.T) {
	srv := replayServer(t, map[string]reply{"/running": jsonReply(200, recorded(t, "llamaswap", "running.json"))})
	procs, err := NewLlamaSwap(srv.URL, "", nil).Running(context.Background())
	want := []LlamaSwapProcess{{Model: "m1", State: "ready", Proxy: "http://localhost:9999", TTL: 300, Name: "Model One"}}
	if err != nil || !reflect.DeepEqual(procs, want) {
		t.Fatalf("got %+v, %v", procs, err)
	}
}

func TestLlamaSwapErrors(t *testing.T) {
	modelsOnly := replayServer(t, map[string]reply{"/v1/models": jsonReply(200, []byte(`{"object":"list","data":[]}`))})
	load, err := NewLlamaSwap(modelsOnly.URL, "", nil).Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	assertMissing(t, load, "/running")
	_, err = NewLlamaSwap(replayServer(t, nil).URL, "", nil).Probe(context.Background())
	assertNotFound(t, err)
	assertDeadline(t, NewLlamaSwap(silentListener(t), "", nil).Probe)
}

// A scrape of another stack's exposition holds none of a kind's families:
// that is ErrNoServerMetrics, not an empty success.
func TestMetricsOfAnotherKindAreNoMetrics(t *testing.T) {
	srv := replayServer(t, map[string]reply{"/metrics": metricsReply(recorded(t, "sglang", "metrics.txt"))})
	for name, scrape := range map[string]func(context.Context) (Load, error){
		"llama.cpp": NewLlamaCpp(srv.URL, "", nil).Metrics,
		"tgi":       NewTGI(srv.URL, "", nil).Metrics,
	} {
		load, err := scrape(context.Background())
		if !errors.Is(err, ErrNoServerMetrics) || load.Found != 0 {
			t.Errorf("%s on SGLang's exposition: %+v, %v", name, load, err)
		}
	}
	load, err := NewSGLang(srv.URL, "", nil).Metrics(context.Background())
	if err != nil || !strings.HasPrefix(load.Kind, "sglang") || load.Found == 0 {
		t.Errorf("sglang on its own exposition: %+v, %v", load, err)
	}
}

func TestMissingMetricsAreNotedAsNoMetrics(t *testing.T) {
	srv := replayServer(t, map[string]reply{
		"/info":    jsonReply(200, recorded(t, "tgi", "info.json")),
		"/metrics": metricsReply(recorded(t, "vllm", "metrics-disable-log-stats.txt")),
	})
	load, err := NewTGI(srv.URL, "", nil).Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	assertMissing(t, load, "/metrics: "+ErrNoServerMetrics.Error())
}
