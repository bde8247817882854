package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// VLLMOptions configures one simulated vLLM host.
type VLLMOptions struct {
	Hostname      string        // inventory name, used in replies and docker output
	FS            *FS           // the host's filesystem, holding config.yml
	ConfigPath    string        // e.g. C:\Users\mdt\dev\wintermute\config.yml
	IP            string        // loopback address to listen on
	Port          int           // 0: config.yml's vllm.port (default 8000)
	ContainerName string        // "": config.yml's container_name, else "vllm-<Hostname>"
	TokenRate     float64       // output tokens per second per stream; 0: 40
	LoadDelay     time.Duration // model load time after a restart; 0: 1.5 s
	GPU           GPUSpec
}

// Defaults of VLLMOptions.
const (
	DefaultTokenRate = 40.0
	DefaultLoadDelay = 1500 * time.Millisecond
)

// VLLMState is where the simulated vLLM container is in its life.
type VLLMState string

const (
	VLLMServing VLLMState = "serving" // listening, model loaded
	VLLMLoading VLLMState = "loading" // restarting: connections refused
	VLLMFailed  VLLMState = "failed"  // the config never loads: crash loop, refused
	VLLMStopped VLLMState = "stopped" // container exited (host down, or enabled: false)
)

// VLLMServer is a simulated vLLM OpenAI-compatible server for one GPU host.
// It implements Runtime for that host's WinRM command vocabulary.
type VLLMServer struct {
	opts    VLLMOptions
	faults  faultSet
	web     loopServer
	created time.Time // when the container was created

	mu         sync.Mutex
	state      VLLMState
	stateSince time.Time
	exitCode   int
	cfg        vllmConfig // config of the current or last load
	original   []byte     // config.yml as the host started with it
	engine     *vllmEngine
	gen        int // bumps on every stop, voiding pending loads
	timer      *time.Timer
	closed     bool
	// containerStarted is when the container process last started: a host
	// already serving when the lab starts has been up for a while.
	containerStarted time.Time
	changed          chan struct{} // closed on every state change
	log              *vllmLog      // the container's output (docker logs)
}

var errVLLMClosed = errors.New("sim: vLLM server closed")

// VLLMServer is its host's Runtime: the WinRM side restarts it and reads its
// GPUs and container through it.
var _ Runtime = (*VLLMServer)(nil)

// NewVLLMServer reads the host's config.yml; it does not listen yet.
func NewVLLMServer(opts VLLMOptions) (*VLLMServer, error) {
	opts = opts.withDefaults()
	raw, cfg, err := readVLLMConfig(opts.FS, opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	s := &VLLMServer{opts: opts, created: now.Add(-2 * time.Hour), containerStarted: now.Add(-90 * time.Minute),
		state: VLLMStopped, stateSince: now, cfg: cfg, original: raw, changed: make(chan struct{}), log: newVLLMLog()}
	s.web.idleTimeout = 5 * time.Second // VLLM_HTTP_TIMEOUT_KEEP_ALIVE
	return s, nil
}

func (o VLLMOptions) withDefaults() VLLMOptions {
	if o.TokenRate <= 0 {
		o.TokenRate = DefaultTokenRate
	}
	if o.LoadDelay <= 0 {
		o.LoadDelay = DefaultLoadDelay
	}
	if o.FS == nil {
		o.FS = NewFS()
	}
	o.GPU = o.GPU.withDefaults()
	return o
}

func readVLLMConfig(fs *FS, path string) ([]byte, vllmConfig, error) {
	raw, ok := fs.ReadFile(path)
	if !ok {
		return nil, vllmConfig{}, fmt.Errorf("sim: %s not found", path)
	}
	cfg, err := parseVLLMConfig(raw)
	return raw, cfg, err
}

// Start serves the current config at once (the host was already running when
// the lab started). A config vLLM would refuse is an error here.
func (s *VLLMServer) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.cfg.validate(); err != nil {
		return fmt.Errorf("sim: %s: %w", s.opts.Hostname, err)
	}
	if !s.cfg.Enabled {
		s.setStateLocked(VLLMStopped, 0)
		return nil
	}
	return s.serveLocked()
}

// serveLocked listens with a fresh engine (counters from zero).
func (s *VLLMServer) serveLocked() error {
	engine := newVLLMEngine(s.cfg, time.Now())
	if err := s.web.start(s.addrFor(s.cfg), &vllmHandler{srv: s, engine: engine}); err != nil {
		return err
	}
	s.engine = engine
	s.setStateLocked(VLLMServing, 0)
	return nil
}

func (s *VLLMServer) addrFor(cfg vllmConfig) string {
	port := s.opts.Port
	if port == 0 {
		port = cfg.Port
	}
	return net.JoinHostPort(s.opts.IP, strconv.Itoa(port))
}

func (s *VLLMServer) setStateLocked(state VLLMState, exitCode int) {
	s.logTransitionLocked(s.state, state)
	s.state, s.exitCode, s.stateSince = state, exitCode, time.Now()
	close(s.changed)
	s.changed = make(chan struct{})
}

// RestartVLLM is the seed's `Start-VLLM.ps1 -Action Restart`: it re-reads
// config.yml (a missing or unparsable file fails the script, leaving vLLM as
// it was), stops the server and starts loading; connections are refused until
// the load ends.
func (s *VLLMServer) RestartVLLM() error {
	_, cfg, err := readVLLMConfig(s.opts.FS, s.opts.ConfigPath)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errVLLMClosed
	}
	if s.faults.has(FaultDown) {
		return fmt.Errorf("sim: %s is down", s.opts.Hostname)
	}
	s.stopLocked()
	s.beginLoadLocked(cfg)
	return nil
}

// stopLocked stops listening, drops connections and voids a pending load.
func (s *VLLMServer) stopLocked() {
	s.gen++
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.web.stop()
	s.engine = nil
}

func (s *VLLMServer) beginLoadLocked(cfg vllmConfig) {
	s.cfg = cfg
	if !cfg.Enabled {
		s.setStateLocked(VLLMStopped, 0)
		return
	}
	s.setStateLocked(VLLMLoading, 0)
	s.containerStarted = time.Now()
	gen := s.gen
	s.timer = time.AfterFunc(s.opts.LoadDelay, func() { s.finishLoad(gen) })
}

// finishLoad ends a load begun in generation gen, unless it was voided.
func (s *VLLMServer) finishLoad(gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen || s.closed {
		return
	}
	s.timer = nil
	if !s.loadsLocked() || s.serveLocked() != nil {
		s.setStateLocked(VLLMFailed, 1)
	}
}

// loadsLocked: a config vLLM refuses never loads; with never-healthy, neither
// does any config but the one the host started with.
func (s *VLLMServer) loadsLocked() bool {
	if s.cfg.validate() != nil {
		return false
	}
	if !s.faults.has(FaultNeverHealthy) {
		return true
	}
	raw, ok := s.opts.FS.ReadFile(s.opts.ConfigPath)
	return ok && sameConfigText(raw, s.original)
}

// SetFault turns on a fault this server simulates (down, never-healthy,
// truncated-stream, bad-gpu-csv).
func (s *VLLMServer) SetFault(kind FaultKind) error {
	if err := faultAllowed(kind, vllmFaults); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if kind == FaultDown && !s.faults.has(FaultDown) {
		s.stopLocked()
		s.setStateLocked(VLLMStopped, 137)
	}
	s.faults.set(kind, true)
	return nil
}

var vllmFaults = []FaultKind{FaultDown, FaultNeverHealthy, FaultTruncatedStream, FaultBadGPUCSV, FaultNoMetrics}

// ClearFault turns a fault off. Clearing down boots the host (vLLM loads the
// config it finds); clearing never-healthy lets a crash-looping container
// load on its next retry.
func (s *VLLMServer) ClearFault(kind FaultKind) error {
	if err := faultAllowed(kind, vllmFaults); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wasOn := s.faults.has(kind)
	s.faults.set(kind, false)
	if wasOn && s.mustReloadAfterClearing(kind) {
		s.reloadFromDiskLocked()
	}
	return nil
}

func (s *VLLMServer) mustReloadAfterClearing(kind FaultKind) bool {
	return kind == FaultDown || (kind == FaultNeverHealthy && s.state == VLLMFailed)
}

func (s *VLLMServer) reloadFromDiskLocked() {
	s.stopLocked()
	if _, cfg, err := readVLLMConfig(s.opts.FS, s.opts.ConfigPath); err == nil {
		s.cfg = cfg
	}
	s.beginLoadLocked(s.cfg)
}

// Faults lists the active faults.
func (s *VLLMServer) Faults() []FaultKind { return s.faults.list() }

// State reports the container's state.
func (s *VLLMServer) State() VLLMState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// ServedModels lists the ids /v1/models answers with; nil unless serving.
func (s *VLLMServer) ServedModels() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.engine == nil {
		return nil
	}
	return append([]string(nil), s.engine.cfg.servedIDs()...)
}

// URL is the server's base URL, e.g. http://127.12.34.1:8000 (no /v1).
func (s *VLLMServer) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "http://" + s.addrFor(s.cfg)
}

// WaitState blocks until the server is in state want or ctx ends.
func (s *VLLMServer) WaitState(ctx context.Context, want VLLMState) error {
	if state, err := waitForState(ctx, s.stateAndChange, want); err != nil {
		return fmt.Errorf("sim: %s is %s, waiting for %s: %w", s.opts.Hostname, state, want, err)
	}
	return nil
}

func (s *VLLMServer) stateAndChange() (VLLMState, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.changed
}

// waitForState blocks until current says want, or ctx ends (then it
// returns the last state and ctx's error); current gives a server's state
// and the channel its next change closes.
func waitForState(ctx context.Context, current func() (VLLMState, <-chan struct{}), want VLLMState) (VLLMState, error) {
	for {
		state, changed := current()
		if state == want {
			return state, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return state, ctx.Err()
		}
	}
}

// Close stops the server for good.
func (s *VLLMServer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.stopLocked()
	s.closed = true
	return nil
}

func (s *VLLMServer) tokenInterval() time.Duration {
	return time.Duration(float64(time.Second) / s.opts.TokenRate)
}

// replyText is the canned answer: it names the model and the host, so a route
// test shows which backend answered.
func (s *VLLMServer) replyText(model string) string {
	return fmt.Sprintf("Hello! This is %s on %s, a simulated vLLM. How can I help you today?", model, s.opts.Hostname)
}
