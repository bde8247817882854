package api

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/remote/sim"
)

const labLlamaUnit = "etc/systemd/system/llama-server.service"

// labLlamaCpp starts a lab Linux host whose systemd unit runs llama-server
// with an alias, a port, two slots and --metrics.
func labLlamaCpp(t *testing.T) *sim.LlamaCppServer {
	t.Helper()
	unit := "[Service]\nExecStart=/usr/local/bin/llama-server -m /srv/models/Llama-3.1-8B-Instruct-Q4_K_M.gguf " +
		"--port 8081 --alias llama31-8b-dixie --parallel 2 -c 8192 --metrics\n"
	lab, err := sim.StartLab(sim.LabSpec{Dir: t.TempDir(), LinuxHosts: []sim.LinuxHostSpec{{Name: "dixie",
		User: "dixie", Password: "pw", UnitPath: labLlamaUnit, Files: map[string]string{labLlamaUnit: unit}, TokenRate: 200}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	return lab.LlamaCpp("dixie")
}

// TestLlamaCppProbeReadsTheLabServer: the probe reads the alias, the model
// in memory, a busy slot while a stream runs, and the tokens it generated.
func TestLlamaCppProbeReadsTheLabServer(t *testing.T) {
	srv := labLlamaCpp(t)
	c := NewLlamaCpp(srv.URL(), "", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	idle, err := c.Probe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(idle.Models, []string{"llama31-8b-dixie"}) || len(idle.Loaded) != 1 ||
		!strings.HasSuffix(idle.Loaded[0], ".gguf") || idle.Running != 0 || !idle.Has(FoundRunning|FoundWaiting) ||
		len(idle.Missing) != 0 {
		t.Fatalf("idle probe %+v", idle)
	}
	var busy Load
	var busyErr error
	res, err := StreamChat(ctx, nil, srv.URL(), ChatRequest{Model: "llama31-8b-dixie"}, func(Chunk) {
		if busy.Kind == "" {
			busy, busyErr = c.Probe(ctx)
		}
	})
	if err != nil || busyErr != nil {
		t.Fatal(err, busyErr)
	}
	if busy.Running != 1 || busy.Waiting != 0 {
		t.Errorf("probe during the stream: running %v waiting %v", busy.Running, busy.Waiting)
	}
	after, err := c.Probe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.FinishReason != "stop" || !res.TokensFromUsage || after.GenerationTokens != float64(res.Tokens) ||
		after.Running != 0 || after.PromptTokens == 0 {
		t.Errorf("stream %+v; probe after %+v", res, after)
	}
}

// TestProbeSaysLoadingWhileLlamaServerLoads: llama-server's 503 "Loading
// model" is loading, not a dead engine (the health gate after a restart).
func TestProbeSaysLoadingWhileLlamaServerLoads(t *testing.T) {
	srv := labLlamaCpp(t)
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	res := NewVLLM(srv.URL(), "", nil).Probe(context.Background(), "llama31-8b-dixie")
	if srv.State() == sim.VLLMLoading && (res.State != StateLoading || !strings.Contains(res.Reason, "Loading model")) {
		t.Errorf("probe while loading: %s %q", res.State, res.Reason)
	}
}
