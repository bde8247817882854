package sim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LiteLLMOptions configures the simulated LiteLLM proxy.
type LiteLLMOptions struct {
	Name       string            // inventory name of the proxy host
	ConfigPath string            // config.yaml on the real disk (ansible_connection: local)
	Env        map[string]string // resolves os.environ/VAR values; the process env is not read
	IP         string            // loopback address to listen on
	Port       int               // 0: 8000 (the seed's proxy port; LiteLLM's own default is 4000)
	// RestartDelay is how long a restart keeps connections refused; 0: 300 ms.
	RestartDelay time.Duration
	// Resolve maps the host names in api_base URLs to the lab's loopback IPs.
	// Names not in it are never resolved: the proxy answers as if the
	// connection failed. IP literals must be loopback.
	Resolve map[string]string
}

// DefaultProxyRestartDelay is LiteLLMOptions.RestartDelay's default.
const DefaultProxyRestartDelay = 300 * time.Millisecond

// ProxyState is where the simulated proxy is in its life.
type ProxyState string

const (
	ProxyServing    ProxyState = "serving"
	ProxyRestarting ProxyState = "restarting" // connections refused
	ProxyFailed     ProxyState = "failed"     // config.yaml unreadable: never came up
	ProxyStopped    ProxyState = "stopped"    // the host is down
)

// LiteLLMProxy is a simulated LiteLLM proxy: it routes by the model_list of
// its config.yaml to the simulated vLLM servers and answers with LiteLLM's
// bytes. Like the real one it reads the config only when it starts; POST
// /_lab/restart (a lab-only endpoint) restarts it.
type LiteLLMProxy struct {
	opts      LiteLLMOptions
	faults    faultSet
	web       loopServer
	transport *http.Transport

	mu        sync.Mutex
	state     ProxyState
	lastErr   error
	masterKey string // of the config last loaded
	gen       int
	timer     *time.Timer // pending start after a restart
	closed    bool
	changed   chan struct{}
}

var errProxyClosed = errors.New("sim: LiteLLM proxy closed")

// NewLiteLLMProxy prepares the proxy; Start reads the config and listens.
func NewLiteLLMProxy(opts LiteLLMOptions) *LiteLLMProxy {
	if opts.Port == 0 {
		opts.Port = 8000
	}
	if opts.RestartDelay <= 0 {
		opts.RestartDelay = DefaultProxyRestartDelay
	}
	opts.Resolve = maps.Clone(opts.Resolve)
	p := &LiteLLMProxy{opts: opts, state: ProxyStopped, changed: make(chan struct{})}
	p.transport = &http.Transport{DialContext: p.dialUpstream, Proxy: nil, MaxIdleConnsPerHost: 16,
		IdleConnTimeout: 4 * time.Second} // below vLLM's 5 s keep-alive
	return p
}

// Start reads config.yaml and listens; a bad config is an error.
func (p *LiteLLMProxy) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errProxyClosed
	}
	return p.serveLocked()
}

func (p *LiteLLMProxy) serveLocked() error {
	cfg, err := p.readConfig()
	if err == nil {
		err = p.web.start(p.addr(), newLiteLLMHandler(p, cfg))
	}
	if err != nil {
		p.lastErr = err
		p.setStateLocked(ProxyFailed)
		return err
	}
	p.lastErr, p.masterKey = nil, cfg.masterKey
	p.setStateLocked(ProxyServing)
	return nil
}

func (p *LiteLLMProxy) readConfig() (litellmConfig, error) {
	raw, err := os.ReadFile(p.opts.ConfigPath)
	if err != nil {
		return litellmConfig{}, fmt.Errorf("sim: litellm config: %w", err)
	}
	return parseLiteLLMConfig(raw, p.opts.Env)
}

func (p *LiteLLMProxy) addr() string {
	return net.JoinHostPort(p.opts.IP, strconv.Itoa(p.opts.Port))
}

func (p *LiteLLMProxy) setStateLocked(s ProxyState) {
	p.state = s
	close(p.changed)
	p.changed = make(chan struct{})
}

// Restart stops the proxy (requests in progress get a moment to finish),
// refuses connections for RestartDelay, then reads config.yaml again and
// listens. It returns once the old listener is closed.
func (p *LiteLLMProxy) Restart() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return errProxyClosed
	case p.faults.has(FaultDown):
		return fmt.Errorf("sim: %s is down", p.opts.Name)
	}
	p.stopLocked(200 * time.Millisecond)
	p.scheduleStartLocked()
	return nil
}

func (p *LiteLLMProxy) stopLocked(grace time.Duration) {
	p.gen++
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.web.stopGracefully(grace)
	p.transport.CloseIdleConnections()
}

func (p *LiteLLMProxy) scheduleStartLocked() {
	p.setStateLocked(ProxyRestarting)
	gen := p.gen
	p.timer = time.AfterFunc(p.opts.RestartDelay, func() { p.finishRestart(gen) })
}

func (p *LiteLLMProxy) finishRestart(gen int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen == p.gen && !p.closed {
		p.timer = nil
		_ = p.serveLocked()
	}
}

// SetFault turns on down or litellm-500-midstream.
func (p *LiteLLMProxy) SetFault(kind FaultKind) error {
	if err := faultAllowed(kind, proxyFaults); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if kind == FaultDown && !p.faults.has(FaultDown) {
		p.stopLocked(0)
		p.setStateLocked(ProxyStopped)
	}
	p.faults.set(kind, true)
	return nil
}

// ClearFault turns a fault off; clearing down starts the proxy again.
func (p *LiteLLMProxy) ClearFault(kind FaultKind) error {
	if err := faultAllowed(kind, proxyFaults); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	wasDown := kind == FaultDown && p.faults.has(FaultDown)
	p.faults.set(kind, false)
	if wasDown && !p.closed {
		p.scheduleStartLocked()
	}
	return nil
}

// Faults lists the active faults.
func (p *LiteLLMProxy) Faults() []FaultKind { return p.faults.list() }

// State reports the proxy's state.
func (p *LiteLLMProxy) State() ProxyState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// LastError is why the last start failed (nil after a good start).
func (p *LiteLLMProxy) LastError() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastErr
}

// MasterKey is general_settings.master_key of the config last loaded ("" when
// the proxy runs without one).
func (p *LiteLLMProxy) MasterKey() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.masterKey
}

// URL is the proxy's base URL, e.g. http://127.12.34.3:8000.
func (p *LiteLLMProxy) URL() string { return "http://" + p.addr() }

// WaitState blocks until the proxy is in state want or ctx ends.
func (p *LiteLLMProxy) WaitState(ctx context.Context, want ProxyState) error {
	for {
		p.mu.Lock()
		state, changed := p.state, p.changed
		p.mu.Unlock()
		if state == want {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("sim: proxy is %s, waiting for %s: %w", state, want, ctx.Err())
		}
	}
}

// Close stops the proxy for good.
func (p *LiteLLMProxy) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.stopLocked(0)
		p.closed = true
	}
	return nil
}

// dialUpstream connects to an api_base host: lab names map to their loopback
// IP, anything that is not loopback fails like an unreachable host.
func (p *LiteLLMProxy) dialUpstream(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip, ok := p.resolve(host); ok {
		host = ip
	}
	target := net.JoinHostPort(host, port)
	if err := checkLoopback(target); err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("lab: no route to %s", host)}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, target)
}

func (p *LiteLLMProxy) resolve(host string) (string, bool) {
	if strings.EqualFold(host, "localhost") {
		return "127.0.0.1", true
	}
	for name, ip := range p.opts.Resolve {
		if strings.EqualFold(name, host) {
			return ip, true
		}
	}
	return "", false
}
