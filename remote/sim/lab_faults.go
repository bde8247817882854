package sim

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// FaultKind names a fault the lab can inject (`--lab-fault HOST:KIND`).
type FaultKind string

const (
	// FaultDown: the host is off. Nothing listens on its addresses (vLLM and
	// WinRM, or the proxy). Clearing it boots the host: vLLM loads again.
	FaultDown FaultKind = "down"
	// FaultNeverHealthy: after a restart, a config.yml different from the one
	// the host started with never loads (the port stays refused, the
	// container crash-loops); the original config loads fine.
	FaultNeverHealthy FaultKind = "never-healthy"
	// FaultTruncatedStream: vLLM drops streaming connections halfway, without
	// [DONE] (an incomplete chunked body).
	FaultTruncatedStream FaultKind = "truncated-stream"
	// FaultNoMetrics: vLLM runs as if started with --disable-log-stats: its
	// /metrics holds no vllm:* series, only the Python process collectors.
	FaultNoMetrics FaultKind = "no-metrics"
	// FaultBadGPUCSV: nvidia-smi prints malformed CSV.
	FaultBadGPUCSV FaultKind = "bad-gpu-csv"
	// FaultWinRMAuth: WinRM rejects every credential.
	FaultWinRMAuth FaultKind = "winrm-auth"
	// FaultSlowWinRM: every WinRM request is delayed (LabSpec.SlowWinRMDelay).
	FaultSlowWinRM FaultKind = "slow-winrm"
	// FaultDockerNotRunning: Docker Desktop is not running for the WinRM
	// user (it runs only in a logged-in session): every docker command fails
	// with the engine pipe's "cannot find the file specified". vLLM, started
	// from another session, is left as it is.
	FaultDockerNotRunning FaultKind = "docker-not-running"
	// FaultNvidiaSMIMissing: nvidia-smi is neither on PATH nor in its
	// install directories.
	FaultNvidiaSMIMissing FaultKind = "nvidia-smi-missing"
	// FaultLiteLLM500Midstream: the proxy sends an error event after the
	// first chunk of every stream, without [DONE].
	FaultLiteLLM500Midstream FaultKind = "litellm-500-midstream"
)

// gpuHostFaults and proxyFaults are the kinds each role accepts.
var (
	gpuHostFaults = []FaultKind{FaultDown, FaultNeverHealthy, FaultTruncatedStream,
		FaultBadGPUCSV, FaultWinRMAuth, FaultSlowWinRM, FaultDockerNotRunning, FaultNvidiaSMIMissing, FaultNoMetrics}
	proxyFaults = []FaultKind{FaultDown, FaultLiteLLM500Midstream}
)

// FaultKinds lists every kind, sorted.
func FaultKinds() []FaultKind {
	seen := map[FaultKind]bool{}
	for _, k := range append(append([]FaultKind{}, gpuHostFaults...), proxyFaults...) {
		seen[k] = true
	}
	out := make([]FaultKind, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ParseFault checks a fault name.
func ParseFault(s string) (FaultKind, error) {
	for _, k := range FaultKinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("sim: unknown fault %q (known: %s)", s, joinFaults(FaultKinds()))
}

// ParseHostFault splits the CLI form HOST:KIND.
func ParseHostFault(s string) (host string, kind FaultKind, err error) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return "", "", fmt.Errorf("sim: fault %q is not HOST:KIND", s)
	}
	kind, err = ParseFault(s[i+1:])
	return s[:i], kind, err
}

func joinFaults(kinds []FaultKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func faultAllowed(kind FaultKind, allowed []FaultKind) error {
	for _, k := range allowed {
		if k == kind {
			return nil
		}
	}
	return fmt.Errorf("sim: fault %q does not apply here (applies: %s)", kind, joinFaults(allowed))
}

// faultSet is a host's active faults; handlers read it without the host lock.
type faultSet struct {
	mu sync.Mutex
	on map[FaultKind]bool
}

func (f *faultSet) set(kind FaultKind, active bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.on == nil {
		f.on = map[FaultKind]bool{}
	}
	f.on[kind] = active
}

func (f *faultSet) has(kind FaultKind) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.on[kind]
}

// list returns the active faults, sorted.
func (f *faultSet) list() []FaultKind {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FaultKind
	for k, on := range f.on {
		if on {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
