package facts

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/render"
)

// Dial opens a transport to a host (plan.TransportFactory is one).
type Dial func(c ansible.Connection) (remote.Transport, error)

// DefaultTimeout bounds one host's gathering: the dial, the script and its
// answer (the planner gives a host's reads as long).
const DefaultTimeout = 10 * time.Second

// Gatherer gathers hosts' facts over their transports, each host once, on
// first need: it is the ansible.FactGatherer the engine opens repositories
// with. Safe for concurrent use.
type Gatherer struct {
	dial     Dial
	timeout  time.Duration
	escalate Escalate
	mu       sync.Mutex
	hosts    map[string]*Host
}

// Escalate is a transport running with a play's become keywords
// (plan.WithBecome).
type Escalate func(tr remote.Transport, become ansible.BecomeSpec) remote.Transport

// WithBecome has the gathering run with the gathering play's become
// keywords, through escalate, as Ansible's setup module runs; without it
// the host's own settings (its ansible_become* variables) apply.
func (g *Gatherer) WithBecome(escalate Escalate) *Gatherer {
	g.escalate = escalate
	return g
}

// New returns a Gatherer dialling hosts with dial, each gathering bounded
// by timeout (DefaultTimeout when 0).
func New(dial Dial, timeout time.Duration) *Gatherer {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Gatherer{dial: dial, timeout: timeout, hosts: map[string]*Host{}}
}

// Facts implements ansible.FactGatherer: the host's facts, gathered over
// conn the first time a fact is read (the first play's connection wins).
func (g *Gatherer) Facts(host string, conn ansible.Connection, become ansible.BecomeSpec, env []filemod.EnvVar) render.FactSource {
	g.mu.Lock()
	defer g.mu.Unlock()
	h, ok := g.hosts[host]
	if !ok {
		h = &Host{name: host, windows: conn.Kind == "winrm", gather: func() (map[string]any, error) {
			return g.gather(conn, become, env)
		}}
		g.hosts[host] = h
	}
	return h
}

// gather opens the host's transport and runs the facts script, all within
// the timeout.
func (g *Gatherer) gather(conn ansible.Connection, become ansible.BecomeSpec, env []filemod.EnvVar) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	tr, err := g.dial(conn)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	if g.escalate != nil && become != (ansible.BecomeSpec{}) {
		tr = g.escalate(tr, become)
	}
	if conn.Kind == "winrm" {
		return gatherWindows(ctx, tr, env)
	}
	facts, err := gatherPOSIX(ctx, tr, filemod.ExportLines(env))
	if err == nil {
		withExported(facts, env)
	}
	return facts, err
}

// withExported adds the variables the gathering ran with to ansible_env:
// the script reads only HOME, PATH and USER of the environment, and the
// rest of setup's env is the process's, which holds every exported one.
func withExported(facts map[string]any, env []filemod.EnvVar) {
	m, ok := facts["env"].(*render.Map)
	if !ok {
		return
	}
	for _, e := range env {
		m.Set(e.Name, e.Value)
	}
}

// Gather runs the facts script over tr in one round trip (PowerShell on a
// Windows host, sh elsewhere) and returns the facts, names without the
// ansible_ prefix.
func Gather(ctx context.Context, tr remote.Transport, windows bool) (map[string]any, error) {
	if windows {
		return gatherWindows(ctx, tr, nil)
	}
	return gatherPOSIX(ctx, tr, "")
}

// gatherWindows runs the PowerShell facts script with env set in its
// process first, as Ansible's module wrapper sets a task's environment
// before ansible.windows.setup runs (filemod.PSEnvLines).
func gatherWindows(ctx context.Context, tr remote.Transport, env []filemod.EnvVar) (map[string]any, error) {
	if err := filemod.CheckPSEnv(env); err != nil {
		return nil, fmt.Errorf("the play's environment, which Ansible's fact gathering runs with: %w", err)
	}
	res, err := tr.Run(ctx, remote.Command{Shell: remote.PowerShell, Script: windowsFactsScript(env)})
	if err == nil && res.ExitCode != 0 {
		err = fmt.Errorf("facts over WinRM need a Windows host's PowerShell; the host answered (exit %d): %s", res.ExitCode, firstLine(res.Stderr))
	}
	if err != nil {
		return nil, err
	}
	return parseWindows(res.Stdout)
}

// gatherPOSIX runs the sh facts script after exports (the gathering
// play's environment, export lines), as Ansible's setup runs in it.
func gatherPOSIX(ctx context.Context, tr remote.Transport, exports string) (map[string]any, error) {
	res, err := tr.Run(ctx, remote.Command{Shell: remote.Sh, Script: exports + posixScript})
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("the facts script exited %d: %s", res.ExitCode, firstLine(res.Stderr))
	}
	return parsePOSIX(res.Stdout)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// Host is one host's facts: gathered on the first Var that needs them;
// readers meanwhile wait for that one answer.
type Host struct {
	name    string
	windows bool
	gather  func() (map[string]any, error)
	mu      sync.Mutex
	done    atomic.Bool // the gathering was made (read without waiting for one)
	facts   map[string]any
	err     error
	failure atomic.Pointer[error] // err, once the gathering failed
}

func (h *Host) load() (map[string]any, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done.Load() {
		h.facts, h.err = h.gather()
		if h.err != nil {
			h.err = fmt.Errorf("gathering facts from %s: %w", h.name, h.err)
			h.failure.Store(&h.err)
		}
		h.done.Store(true)
	}
	return h.facts, h.err
}

// GatherErr is the failure of a gathering already made, nil when none
// failed (or none was made yet). It never waits for a gathering.
func (h *Host) GatherErr() error {
	if p := h.failure.Load(); p != nil {
		return *p
	}
	return nil
}

// FailureIn is the failed gathering, of any host, that err comes from (a
// template reading another host's facts through hostvars); nil if none.
func (g *Gatherer) FailureIn(err error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, h := range g.hosts {
		if gerr := h.GatherErr(); gerr != nil && strings.Contains(err.Error(), gerr.Error()) {
			return gerr
		}
	}
	return nil
}

func (h *Host) asked() bool { return h.done.Load() }

// Var implements render.FactSource: ansible_facts is every gathered fact,
// ansible_<name> one of them. A fact Ansible's setup module gives that
// straylight does not gather is an error naming it, not an undefined
// variable.
func (h *Host) Var(name string) (any, bool, error) {
	fact, ok := strings.CutPrefix(name, "ansible_")
	gathered, notGathered := platformNames(h.windows)
	switch {
	case !ok || !(fact == "facts" || gathered[fact] || notGathered[fact]):
		return nil, false, nil
	case notGathered[fact]:
		return nil, false, fmt.Errorf("%s is a fact Ansible's setup module gives that straylight does not gather (it gathers %s)", name, strings.Join(Names(h.windows), ", "))
	}
	facts, err := h.load()
	if err != nil {
		return nil, false, err
	}
	if fact == "facts" {
		return factsDict(facts), true, nil
	}
	v, ok := facts[fact]
	return v, ok, nil
}

// factsDict is ansible_facts: the facts in name order.
func factsDict(facts map[string]any) *render.Map {
	m := render.NewMap()
	for _, k := range sortedNames(facts) {
		m.Set(k, facts[k])
	}
	return m
}
