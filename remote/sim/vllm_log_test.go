package sim

import (
	"strings"
	"testing"
	"time"
)

func containsLine(lines []string, part string) bool {
	for _, l := range lines {
		if strings.Contains(l, part) {
			return true
		}
	}
	return false
}

// TestVLLMLogStartUpRequestsAndFailure: a started server has printed
// vLLM's start-up; a request adds uvicorn's access line; a restart into a
// never-healthy config prints the engine's failure.
func TestVLLMLogStartUpRequestsAndFailure(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML("casperhansen/llama-3-8b-instruct-awq", []string{"llama31-8b-wintermute"}))
	lines := s.LogLines()
	for _, want := range []string{"vLLM API server version", "Starting vLLM API server 0 on http://", "Available routes are:", "INFO:     Application startup complete."} {
		if !containsLine(lines, want) {
			t.Errorf("start-up misses %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	httpGet(t, s.URL()+"/v1/models")
	if l := s.LogLines(); !strings.Contains(l[len(l)-1], `"GET /v1/models HTTP/1.1" 200 OK`) {
		t.Errorf("last line after a request: %q", l[len(l)-1])
	}
	if err := s.SetFault(FaultNeverHealthy); err != nil {
		t.Fatal(err)
	}
	s.opts.FS.WriteFile(labWintermuteConfig, []byte(vllmConfigYAML("other/model", nil)))
	if err := s.RestartVLLM(); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, VLLMFailed)
	lines = s.LogLines()
	for _, want := range []string{"Shutting down FastAPI HTTP server.", "EngineCore failed to start.", "RuntimeError: Engine core initialization failed."} {
		if !containsLine(lines, want) {
			t.Errorf("failure misses %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
}

// TestDockerLogsOverPowerShell: `docker logs --timestamps` with --tail and
// --since, as the WinRM client asks; another container or a missing
// --timestamps is not simulated.
func TestDockerLogsOverPowerShell(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML("m", nil))
	h := newPSTestHost(s)
	code, out := psRun(h, "docker logs --timestamps --tail 2 vllm-wintermute", "")
	got := strings.Split(strings.TrimSuffix(out.stdout.String(), "\r\n"), "\r\n")
	if code != 0 || len(got) != 2 || !strings.HasSuffix(got[1], "Application startup complete.") {
		t.Fatalf("tail 2: code %d, %q", code, got)
	}
	last, _, _ := strings.Cut(got[1], " ")
	httpGet(t, s.URL()+"/health")
	code, out = psRun(h, psScriptLine("docker logs --timestamps --since "+last+" vllm-wintermute"), "")
	got = strings.Split(strings.TrimSuffix(out.stdout.String(), "\r\n"), "\r\n")
	if code != 0 || len(got) != 1 || !strings.Contains(got[0], "GET /health") {
		t.Fatalf("since the last line: code %d, %q", code, got)
	}
	if _, err := time.Parse(time.RFC3339Nano, last); err != nil {
		t.Errorf("timestamp %q: %v", last, err)
	}
	for _, line := range []string{"docker logs --timestamps other", "docker logs vllm-wintermute"} {
		if code, _ := psRun(h, line, ""); code == 0 {
			t.Errorf("%s: answered", line)
		}
	}
}
