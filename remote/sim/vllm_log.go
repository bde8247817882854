package sim

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// vllmLog is one simulated vLLM container's output, as `docker logs` prints
// it: vLLM's own start-up, failure and shutdown lines written when the
// server changes state, and uvicorn's access line for every request. It
// keeps the last vllmLogCap lines.
//
// The lines are vLLM's and uvicorn's real messages, in vLLM's log format
// "LEVEL MM-DD HH:MM:SS [file:line] message" (vllm/logger.py) and uvicorn's
// "INFO:     message". Each message's source file is named beside it below;
// the line numbers in brackets are as vLLM 0.10's published start-up logs
// show them.
type vllmLog struct {
	mu    sync.Mutex
	lines []vllmLogLine
	grew  chan struct{} // closed when a line is added
}

// vllmLogLine is one line and when it was written.
type vllmLogLine struct {
	at   time.Time
	text string
}

const vllmLogCap = 2000

func newVLLMLog() *vllmLog { return &vllmLog{grew: make(chan struct{})} }

func (l *vllmLog) add(texts ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if n := len(l.lines); n > 0 && !now.After(l.lines[n-1].at) {
		now = l.lines[n-1].at.Add(time.Microsecond) // stamps only grow, as docker's do
	}
	for _, t := range texts {
		l.lines = append(l.lines, vllmLogLine{at: now, text: t})
		now = now.Add(time.Microsecond) // keep timestamps distinct and ordered
	}
	if len(l.lines) > vllmLogCap {
		l.lines = append([]vllmLogLine(nil), l.lines[len(l.lines)-vllmLogCap:]...)
	}
	close(l.grew)
	l.grew = make(chan struct{})
}

// since returns the last tail lines (tail < 0: all) written after since
// (zero: any), oldest first.
func (l *vllmLog) since(tail int, since time.Time) []vllmLogLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	start := 0
	for start < len(l.lines) && !l.lines[start].at.After(since) {
		start++
	}
	out := l.lines[start:]
	if tail >= 0 && len(out) > tail {
		out = out[len(out)-tail:]
	}
	return append([]vllmLogLine(nil), out...)
}

// vllmLine formats a vLLM logger line: vllm/logger.py's
// "%(levelname)s %(asctime)s [%(fileinfo)s:%(lineno)d] %(message)s" with
// datefmt "%m-%d %H:%M:%S".
func vllmLine(level, fileinfo, message string) string {
	return fmt.Sprintf("%s %s [%s] %s", level, time.Now().Format("01-02 15:04:05"), fileinfo, message)
}

// uvicornLine formats uvicorn's default log format "%(levelprefix)s %(message)s".
func uvicornLine(message string) string { return "INFO:     " + message }

// startingLines are written when a load begins (the container starts).
func startingLines(cfg vllmConfig, version string) []string {
	return []string{
		// vllm/entrypoints/openai/api_server.py: run_server logs the version and args
		vllmLine("INFO", "api_server.py:1805", "vLLM API server version "+version),
		vllmLine("INFO", "utils.py:326", fmt.Sprintf("non-default args: {'model': '%s', 'served_model_name': %s, 'max_model_len': %d, 'gpu_memory_utilization': %v}",
			cfg.Model, pyList(cfg.ServedNames), cfg.MaxModelLen, cfg.GPUMemoryUtilization)),
		// vllm/v1/engine/core.py: EngineCore.__init__
		vllmLine("INFO", "core.py:654", "Waiting for init message from front-end."),
		// vllm/model_executor/model_loader/default_loader.py
		vllmLine("INFO", "default_loader.py:262", "Loading weights took 2.31 seconds"),
		// vllm/v1/worker/gpu_model_runner.py
		vllmLine("INFO", "gpu_model_runner.py:1892", "Model loading took 5.3735 GiB and 2.870231 seconds"),
	}
}

// servingLines are written when the model is loaded and the server listens.
func servingLines(cfg vllmConfig, url string) []string {
	lines := []string{
		// vllm/v1/core/kv_cache_utils.py: _report_kv_cache_config
		vllmLine("INFO", "kv_cache_utils.py:833", "GPU KV cache size: 93,024 tokens"),
		vllmLine("INFO", "kv_cache_utils.py:837", fmt.Sprintf("Maximum concurrency for %d tokens per request: %.2fx", cfg.MaxModelLen, 93024/float64(max(1, cfg.MaxModelLen)))),
		// vllm/v1/engine/core.py: _initialize_kv_caches
		vllmLine("INFO", "core.py:214", "init engine (profile, create kv cache, warmup model) took 21.64 seconds"),
		// vllm/entrypoints/openai/api_server.py: run_server_worker
		vllmLine("INFO", "api_server.py:1857", "Starting vLLM API server 0 on "+url),
		// vllm/entrypoints/launcher.py: serve_http
		vllmLine("INFO", "launcher.py:29", "Available routes are:"),
	}
	for _, r := range []string{"/health, Methods: GET", "/metrics, Methods: GET", "/v1/models, Methods: GET", "/version, Methods: GET", "/v1/chat/completions, Methods: POST"} {
		lines = append(lines, vllmLine("INFO", "launcher.py:37", "Route: "+r))
	}
	return append(lines,
		// uvicorn/server.py, uvicorn/lifespan/on.py
		uvicornLine("Started server process [1]"),
		uvicornLine("Waiting for application startup."),
		uvicornLine("Application startup complete."),
	)
}

// failedLines are written when a load fails: the engine's root cause, then
// the front-end's summary, as a vLLM that cannot fit its KV cache prints.
func failedLines(cfg vllmConfig) []string {
	return []string{
		// vllm/v1/engine/core.py: run_engine_core
		vllmLine("ERROR", "core.py:700", "EngineCore failed to start."),
		vllmLine("ERROR", "core.py:700", "Traceback (most recent call last):"),
		// vllm/v1/core/kv_cache_utils.py: check_enough_kv_cache_memory
		"ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine.",
		// vllm/v1/engine/utils.py: wait_for_engine_startup
		"RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}",
		fmt.Sprintf("(the container restarts: model %s, gpu_memory_utilization %v)", cfg.Model, cfg.GPUMemoryUtilization),
	}
}

// stoppedLines are written when the server stops (restart or shutdown).
func stoppedLines() []string {
	return []string{
		// uvicorn/server.py, vllm/entrypoints/launcher.py
		uvicornLine("Shutting down"),
		vllmLine("INFO", "launcher.py:80", "Shutting down FastAPI HTTP server."),
	}
}

// accessLine is uvicorn's access log line (uvicorn/logging.py's
// AccessFormatter: '%(client_addr)s - "%(request_line)s" %(status_code)s').
func accessLine(r *http.Request, status int) string {
	return uvicornLine(fmt.Sprintf("%s - \"%s %s HTTP/%d.%d\" %d %s", r.RemoteAddr, r.Method, r.URL.RequestURI(),
		r.ProtoMajor, r.ProtoMinor, status, http.StatusText(status)))
}

func pyList(names []string) string {
	if len(names) == 0 {
		return "None"
	}
	return "['" + strings.Join(names, "', '") + "']"
}

// statusRecorder remembers the status a handler wrote, for the access line.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Flush passes streaming flushes through.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// DockerLogs prints what `docker logs --timestamps [--tail N] [--since T]
// NAME` prints for the host's vLLM container: RFC 3339 nanosecond
// timestamps before each line. ok is false for another container.
func (s *VLLMServer) DockerLogs(name string, tail int, since time.Time) (string, bool) {
	if name != s.containerName() {
		return "", false
	}
	var b strings.Builder
	for _, l := range s.log.since(tail, since) {
		b.WriteString(l.at.UTC().Format(time.RFC3339Nano) + " " + l.text + "\n")
	}
	return b.String(), true
}

// LogLines is the container's log without timestamps (the lab's tests and
// the SSH hosts' journal read it).
func (s *VLLMServer) LogLines() []string {
	var out []string
	for _, l := range s.log.since(-1, time.Time{}) {
		out = append(out, l.text)
	}
	return out
}

// logTransitionLocked writes the lines of leaving from and entering to
// (called with s.mu held): a server that stops says so; one that starts
// serving without a load (the lab's start) prints its whole start-up.
func (s *VLLMServer) logTransitionLocked(from, to VLLMState) {
	if from == VLLMServing && to != VLLMServing {
		s.log.add(stoppedLines()...)
	}
	switch to {
	case VLLMLoading:
		s.log.add(startingLines(s.cfg, vllmReportedVersion)...)
	case VLLMServing:
		if from != VLLMLoading {
			s.log.add(startingLines(s.cfg, vllmReportedVersion)...)
		}
		s.log.add(servingLines(s.cfg, "http://"+s.addrFor(s.cfg))...)
	case VLLMFailed:
		s.log.add(failedLines(s.cfg)...)
	}
}
