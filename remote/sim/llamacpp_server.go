package sim

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// LlamaCppOptions configures one simulated llama.cpp server (llama-server)
// run by a lab Linux host's systemd unit.
type LlamaCppOptions struct {
	Hostname  string        // inventory name, used in replies
	UnitPath  string        // the unit file on the host's disk; its ExecStart is the command line
	IP        string        // loopback address to listen on
	TokenRate float64       // output tokens per second per stream; 0: DefaultTokenRate
	LoadDelay time.Duration // model load after a (re)start; 0: DefaultLoadDelay
}

// LlamaCppServer is llama.cpp's HTTP server as the unit's ExecStart starts
// it: it listens at once and answers 503 "Loading model" until the model is
// loaded; a restart reads the unit again (port, aliases, flags).
type LlamaCppServer struct {
	opts LlamaCppOptions
	web  loopServer

	mu         sync.Mutex
	state      VLLMState // serving, loading, failed (the unit crash-loops), stopped
	stateSince time.Time
	started    time.Time // when the process last started
	args       llamaArgs
	startErr   error // why the last start failed
	engine     *llamaEngine
	gen        int
	timer      *time.Timer
	down       bool
	closed     bool
	changed    chan struct{}
}

// NewLlamaCppServer reads the unit; it does not listen yet.
func NewLlamaCppServer(opts LlamaCppOptions) (*LlamaCppServer, error) {
	if opts.TokenRate <= 0 {
		opts.TokenRate = DefaultTokenRate
	}
	if opts.LoadDelay <= 0 {
		opts.LoadDelay = DefaultLoadDelay
	}
	args, err := readLlamaUnit(opts.UnitPath)
	if err != nil {
		return nil, fmt.Errorf("sim: %s: %w", opts.Hostname, err)
	}
	now := time.Now()
	return &LlamaCppServer{opts: opts, state: VLLMStopped, stateSince: now, started: now.Add(-90 * time.Minute),
		args: args, changed: make(chan struct{})}, nil
}

func readLlamaUnit(path string) (llamaArgs, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return llamaArgs{}, err
	}
	args, err := parseUnitExecStart(string(raw))
	if err != nil {
		return llamaArgs{}, fmt.Errorf("%s: %w", path, err)
	}
	return args, nil
}

// Start serves with the model loaded (the host was running when the lab
// started).
func (s *LlamaCppServer) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listenLocked(VLLMServing)
}

func (s *LlamaCppServer) listenLocked(state VLLMState) error {
	engine := newLlamaEngine(s.args)
	if err := s.web.start(s.addrLocked(), &llamaHandler{srv: s, engine: engine}); err != nil {
		return err
	}
	s.engine = engine
	s.setStateLocked(state)
	return nil
}

func (s *LlamaCppServer) addrLocked() string {
	return net.JoinHostPort(s.opts.IP, strconv.Itoa(s.args.port))
}

func (s *LlamaCppServer) setStateLocked(state VLLMState) {
	s.state, s.stateSince = state, time.Now()
	close(s.changed)
	s.changed = make(chan struct{})
}

// Restart is systemctl restart: the unit file is read again; llama-server
// listens at once and loads the model. A unit whose ExecStart it cannot run
// leaves the service failed (crash-looping), as systemd would.
func (s *LlamaCppServer) Restart() error {
	args, err := readLlamaUnit(s.opts.UnitPath)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.down {
		return fmt.Errorf("sim: %s is down", s.opts.Hostname)
	}
	s.stopLocked()
	s.started, s.startErr = time.Now(), err
	if err != nil {
		s.setStateLocked(VLLMFailed)
		return nil
	}
	s.args = args
	if err := s.listenLocked(VLLMLoading); err != nil {
		s.startErr = err
		s.setStateLocked(VLLMFailed)
		return nil
	}
	gen := s.gen
	s.timer = time.AfterFunc(s.opts.LoadDelay, func() { s.finishLoad(gen) })
	return nil
}

func (s *LlamaCppServer) finishLoad(gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen == s.gen && s.state == VLLMLoading {
		s.setStateLocked(VLLMServing)
	}
}

func (s *LlamaCppServer) stopLocked() {
	s.gen++
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.web.stop()
	s.engine = nil
}

// setDown stops the process (the host is down) or boots it again.
func (s *LlamaCppServer) setDown(down bool) error {
	s.mu.Lock()
	if !down {
		s.down = false
		s.mu.Unlock()
		return s.Restart()
	}
	defer s.mu.Unlock()
	s.down = true
	s.stopLocked()
	s.setStateLocked(VLLMStopped)
	return nil
}

// State is where the server is in its life.
func (s *LlamaCppServer) State() VLLMState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// StartError is why the last (re)start failed; nil when it did not.
func (s *LlamaCppServer) StartError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.startErr
}

// ServedModels are /v1/models' ids.
func (s *LlamaCppServer) ServedModels() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.args.servedIDs()...)
}

// URL is the server's base URL (the unit's --port on the host's address).
func (s *LlamaCppServer) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "http://" + s.addrLocked()
}

// WaitState blocks until the server is in state want or ctx ends.
func (s *LlamaCppServer) WaitState(ctx context.Context, want VLLMState) error {
	if state, err := waitForState(ctx, s.stateAndChange, want); err != nil {
		return fmt.Errorf("sim: %s's llama-server is %s, waiting for %s: %w", s.opts.Hostname, state, want, err)
	}
	return nil
}

func (s *LlamaCppServer) stateAndChange() (VLLMState, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.changed
}

// unitView is what systemd sees: state, when the process started, restarts.
func (s *LlamaCppServer) unitView() (VLLMState, time.Time, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	restarts := 0
	if s.state == VLLMFailed {
		restarts = 1 + int(time.Since(s.stateSince)/(5*time.Second))
	}
	return s.state, s.started, restarts
}

// Close stops the server for good.
func (s *LlamaCppServer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.stopLocked()
		s.closed = true
	}
	return nil
}

func (s *LlamaCppServer) loading() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == VLLMLoading
}

func (s *LlamaCppServer) tokenInterval() time.Duration {
	return time.Duration(float64(time.Second) / s.opts.TokenRate)
}

// replyText is the canned answer: it names the model and the host, so a
// route test shows which backend answered.
func (s *LlamaCppServer) replyText(model string) string {
	return fmt.Sprintf("Hello! This is %s on %s, a simulated llama.cpp server. How can I help you today?", model, s.opts.Hostname)
}
