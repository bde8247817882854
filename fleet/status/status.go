// Package status is straylight's live status monitor: it probes every GPU
// host (vLLM's /v1/models, /health and /metrics over HTTP — or, for a
// Target of another Kind, that kind's client in remote/api: SGLang,
// llama.cpp, Ollama, TGI, llama-swap — with the Target's API key; GPU and
// container state through the host's transport) and the LiteLLM proxy, all hosts at
// once, each probe bounded by its own timeout, and keeps per-host history
// (token rate, last activity, recent errors) across refreshes. The host-side
// probe (one Snapshot: PowerShell, nvidia-smi and docker over WinRM) has its
// own, longer deadline and runs less often than the HTTP probes; refreshes
// in between show its last outcome. It lints every LiteLLM route against
// what its host serves now.
//
// The package knows nothing of the Ansible repository: the caller (package
// fleet) describes each host with a Target.
package status

import (
	"time"

	"github.com/straylight-fleet/straylight/remote"
)

// Defaults of Config and Target.
const (
	DefaultTimeout       = 2 * time.Second // each probe's own limit
	DefaultIdleThreshold = 5 * time.Minute
	// MaxErrors is how many recent errors a host keeps.
	MaxErrors = 10
)

// Target is one GPU host to watch, as it is deployed (or, where that is not
// known, as the repository configures it: Basis says so).
type Target struct {
	Host          string   // inventory name
	VLLMURL       string   // http://addr:port, without /v1
	Expected      []string // names it is deployed (or configured) to serve
	Container     string   // the vLLM container's name; "" skips the container check
	IdleThreshold time.Duration
	// Transport opens the host-side transport for GPU and container state;
	// nil means no host-side probe. It is called once and the transport kept
	// (until SetTargets or Close); a failing call is retried next refresh.
	Transport func() (remote.Transport, error)
	Insecure  string // why the transport is insecure, for display; "" when secure
	// Kind is the serving stack (vllm, sglang, llama.cpp, ollama, tgi,
	// llama-swap); "" means vllm. Each kind is probed with its own client.
	Kind string
	// APIKey (a secret, never shown) is sent to the server's /v1 routes.
	APIKey string
	// Unit is the vLLM systemd unit (vllm.service); "" skips it. Asked of
	// transports that report units (SSH), in the same round trip.
	Unit string
	// Undeployed says what the repository would change in what is served
	// ("repository differs: not deployed yet: port 8000 → 8001") when the
	// target is what is deployed; Basis says why the target is the
	// repository's instead (what is deployed is not known). Both are shown
	// as they are, apart from the live state.
	Undeployed string
	Basis      string
}

// Route is one LiteLLM model_list entry.
type Route struct {
	Alias    string // model_name: what clients send
	Upstream string // the name LiteLLM sends to vLLM (litellm_params.model minus its provider)
	Host     string // the Target.Host its api_base points at
}

// ProxyTarget is the LiteLLM proxy.
type ProxyTarget struct {
	Host string
	URL  string // http://addr:port, without /v1
	// MasterKey (a secret, never shown) lets the monitor list the aliases the
	// running proxy has loaded; "" skips that check.
	MasterKey string
	Routes    []Route
}

// State is a host's state as its vLLM server shows it.
type State string

const (
	StateUnknown     State = "unknown"     // not probed yet
	StateUp          State = "up"          // /health answers 200
	StateLoading     State = "loading"     // connection refused while the container runs: weights loading
	StateDown        State = "down"        // refused, and the host or its container is not running
	StateUnreachable State = "unreachable" // no answer (timeout, reset, ...): see Reason
	StateEngineDead  State = "engine-dead" // /health answers non-200
)

// Snapshot is the monitor's view at one moment. It is plain data: nothing in
// it is shared with the monitor or changed after it is handed out.
type Snapshot struct {
	Time    time.Time // when the snapshot was assembled
	Round   time.Time // when the refresh round behind it started
	Pending int       // hosts whose probe of this round is still running (their rows hold older results)
	Hosts   []HostStatus
	Proxy   *ProxyStatus // nil without a proxy target
	Routes  []RouteStatus
}

// HostStatus is one host's row.
type HostStatus struct {
	Host     string
	URL      string
	Insecure string
	State    State
	Reason   string    // why the state is not up; "" when up
	Since    time.Time // when State last changed

	Served     []string // ids of /v1/models now; nil when it did not answer
	Expected   []string
	Mismatch   bool     // Served differs from Expected (known only when Served answered)
	Missing    []string // expected but not served
	Unexpected []string // served but not expected

	Kind string
	// Undeployed and Basis are the target's: what the repository would
	// change, not deployed yet; why Expected is the repository's.
	Undeployed string
	Basis      string
	Load       Load
	// NoMetrics says why a server that is up shows no load ("no metrics:
	// ..."): its idle state is then unknown. "" when the load is known.
	NoMetrics string
	Idle      Idle

	HostProbe   bool   // a host-side transport is configured
	HostError   string // the transport failed (unreachable, auth, timeout, ...)
	GPUs        []GPU
	GPUError    string // nvidia-smi failed or printed something unreadable
	Container   Container
	DockerError string
	Unit        Unit   // the systemd unit, when the target names one
	UnitError   string // systemctl failed or is missing

	Errors  []ErrorEvent // recent distinct errors, least recently seen first, at most MaxErrors
	Updated time.Time    // when this row was last updated; zero before the first probe
	Took    time.Duration
}

// Load is what /metrics said at the last refresh.
type Load struct {
	Known           bool    // /metrics answered this refresh
	Running         float64 // requests in the running batch
	Waiting         float64 // requests queued
	KVCache         float64 // fraction 0–1 of the KV cache in use
	TokensPerSecond float64 // generated tokens per second since the previous refresh
	RateKnown       bool    // false until two samples since the last (re)start
}

// Activity says whether a host has been busy within its idle threshold.
type Activity string

const (
	ActivityUnknown Activity = "unknown" // no metrics, or not watched for a full threshold yet
	ActivityBusy    Activity = "busy"    // a request ran or waited, or a token was generated, within the threshold
	ActivityIdle    Activity = "idle"    // nothing for at least the threshold
)

// Idle is a host's idle state.
type Idle struct {
	Activity  Activity
	For       time.Duration // since the last activity (0: active now); with AtLeast, how long watched
	AtLeast   bool          // no activity seen since watching began: For is a lower bound
	Threshold time.Duration
}

// GPU is one GPU as nvidia-smi reports it.
type GPU struct {
	Index       int
	Name        string
	Util        Reading // percent
	MemUsedMiB  Reading
	MemTotalMiB Reading
	TempC       Reading
	PowerW      Reading
}

// MeanUtil is the mean utilization of the GPUs that report one (false when
// none does): the one figure the fleet table and the history keep per host.
func MeanUtil(gpus []GPU) (float64, bool) {
	sum, n := 0.0, 0
	for _, g := range gpus {
		if g.Util.OK {
			sum, n = sum+g.Util.Value, n+1
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// Reading is a figure nvidia-smi may not fill ([N/A], [Not Supported]).
type Reading struct {
	Value float64
	OK    bool
}

// Container is the vLLM container as docker ps shows it.
type Container struct {
	Found  bool // false: no container of that name (or not probed)
	ID     string
	Name   string
	Image  string
	State  string // running, restarting, exited, ...
	Status string // "Up 3 hours", ...
}

// Unit is vLLM's systemd unit as systemctl show reports it.
type Unit struct {
	Found       bool   // false: not asked, or the transport reports no units
	Name        string // vllm.service
	LoadState   string // loaded, not-found, ...
	ActiveState string // active, inactive, failed, activating, ...
	SubState    string // running, dead, auto-restart, ...
	Since       time.Time
	Restarts    int
}

// ErrorEvent is one recent error. An error seen again is folded into one
// event with a count (and moves to the end of the list).
type ErrorEvent struct {
	At      time.Time // last seen
	First   time.Time // first seen (while it stayed among the recent ones)
	Count   int
	Source  string // vllm, models, metrics, host, gpu, docker, transport, proxy
	Message string
}

// RouteState is a LiteLLM route's live lint result.
type RouteState string

const (
	RouteOK          RouteState = "ok"           // the host serves the upstream name now
	RouteMismatch    RouteState = "mismatch"     // the host is up but does not serve it
	RouteHostDown    RouteState = "host-down"    // the host is not up
	RouteUnknown     RouteState = "unknown"      // the host's model list is not known yet
	RouteUnknownHost RouteState = "unknown-host" // the route points at no monitored host
	RouteNotLoaded   RouteState = "not-loaded"   // the running proxy does not have the alias
)

// RouteStatus is one route's lint.
type RouteStatus struct {
	Route  Route
	State  RouteState
	Detail string   // one line for humans
	Served []string // what the host serves now
}

// ProxyStatus is the LiteLLM proxy's own state: up, down (connection refused:
// restarting or stopped) or unreachable.
type ProxyStatus struct {
	Host    string
	URL     string
	State   State
	Reason  string
	Since   time.Time
	Aliases []string // aliases the running proxy lists; nil when unknown
	Errors  []ErrorEvent
	Updated time.Time
	Took    time.Duration
}
