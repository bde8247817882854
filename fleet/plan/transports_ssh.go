package plan

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/user"
	"strconv"

	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/remote"
)

// Transports opens the transport Ansible would use for each host and keeps
// one SSH connection per host for its whole life (a Session's), so a
// refresh or an apply reuses it for every command. Close it when done.
type Transports struct {
	env  remote.SSHEnv
	pool *remote.SSHPool
	// local is every local host's transport: it holds nothing open, and
	// shared it reads the umask and the owners' names once, not per host.
	local *remote.Local
}

// NewTransports builds the transports of a session; env is what
// ansible.cfg, the environment and ~/.ssh contribute to SSH connections.
func NewTransports(env remote.SSHEnv) *Transports {
	return &Transports{env: env, pool: remote.NewSSHPool(), local: remote.NewLocal(remote.LocalConfig{})}
}

// Open is a TransportFactory: local and winrm as DefaultTransports builds
// them, ssh through the pool. An SSH transport dials on its first call,
// within that call's deadline.
func (t *Transports) Open(c Connection) (remote.Transport, error) {
	if c.Kind == "local" {
		return t.local, nil
	}
	if c.Kind != "ssh" {
		return DefaultTransports(c)
	}
	settings, err := t.sshSettings(c)
	if err != nil {
		return nil, err
	}
	return &PooledSSH{pool: t.pool, settings: settings, varsSet: becomeVarsSet(c.Vars)}, nil
}

// becomeVarsSet notes which of become, become_user and become_method the
// host's variables set: variables beat play and task keywords in Ansible.
func becomeVarsSet(vars func(string) (any, bool)) BecomeSpec {
	has := func(name string) bool {
		if vars == nil {
			return false
		}
		_, ok := vars(name)
		return ok
	}
	var s BecomeSpec
	s.Set = has("ansible_become")
	if has("ansible_become_user") {
		s.User = "set"
	}
	if has("ansible_become_method") {
		s.Method = "set"
	}
	return s
}

func (t *Transports) sshSettings(c Connection) (remote.SSHSettings, error) {
	vars := c.Vars
	if vars == nil {
		vars = remote.MapVars(map[string]any{"ansible_host": c.Address, "ansible_user": c.User})
	}
	return remote.SSHSettingsFromVars(c.Host, vars, t.env)
}

// InsecureReason says why a connection is insecure ("" when it is not):
// WinRM over plain HTTP or without certificate validation, SSH without
// host key checking.
func (t *Transports) InsecureReason(c Connection) string {
	if c.Kind != "ssh" {
		return InsecureReason(c)
	}
	s, err := t.sshSettings(c)
	if err != nil {
		return ""
	}
	return (&PooledSSH{settings: s}).InsecureReason()
}

// Close closes every SSH connection.
func (t *Transports) Close() error { return t.pool.Close() }

// PooledSSH is a host's SSH transport drawn from the session's pool: each
// call takes the host's live connection (dialling within the call's
// deadline when there is none). It implements remote.Transport and the
// SSH transport's optional FileWriter, StatusReader and LogReader.
type PooledSSH struct {
	pool     *remote.SSHPool
	settings remote.SSHSettings
	varsSet  BecomeSpec // which become settings the host's variables fix
}

func (p *PooledSSH) conn(ctx context.Context) (*remote.SSH, error) {
	return p.pool.Get(ctx, p.settings)
}

// WithBecome is the same host with another privilege escalation (a play's
// or a task's become); the connection is shared.
func (p *PooledSSH) WithBecome(b remote.Become) remote.Transport {
	s := p.settings
	s.Become = b
	return &PooledSSH{pool: p.pool, settings: s, varsSet: p.varsSet}
}

// Become is the escalation the host's variables ask for.
func (p *PooledSSH) Become() remote.Become { return p.settings.Become }

// BecomeVarsSet tells which become settings the host's variables fix
// (ansible_become, ansible_become_user, ansible_become_method): keywords do
// not change those.
func (p *PooledSSH) BecomeVarsSet() BecomeSpec { return p.varsSet }

func (p *PooledSSH) ReadFile(ctx context.Context, path string) (remote.FileState, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return remote.FileState{}, err
	}
	return c.ReadFile(ctx, path)
}

func (p *PooledSSH) WriteFile(ctx context.Context, path string, content []byte) (remote.WriteResult, error) {
	return p.WriteFileWith(ctx, path, content, remote.WriteOptions{})
}

func (p *PooledSSH) WriteFileWith(ctx context.Context, path string, content []byte, opts remote.WriteOptions) (remote.WriteResult, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return remote.WriteResult{}, err
	}
	return c.WriteFileWith(ctx, path, content, opts)
}

func (p *PooledSSH) Run(ctx context.Context, cmd remote.Command) (remote.CommandResult, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return remote.CommandResult{}, err
	}
	return c.Run(ctx, cmd)
}

func (p *PooledSSH) Snapshot(ctx context.Context, container string) (remote.HostSnapshot, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return remote.HostSnapshot{}, err
	}
	return c.Snapshot(ctx, container)
}

func (p *PooledSSH) Status(ctx context.Context, q remote.StatusQuery) (remote.HostStatus, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return remote.HostStatus{}, err
	}
	return c.Status(ctx, q)
}

func (p *PooledSSH) Logs(ctx context.Context, req remote.LogRequest, sink func(string)) error {
	c, err := p.conn(ctx)
	if err != nil {
		return err
	}
	return c.Logs(ctx, req, sink)
}

// Describe names the connection (never a secret).
func (p *PooledSSH) Describe() string {
	s := p.settings
	port := s.Port
	if port == 0 {
		port = 22
	}
	return fmt.Sprintf("ssh %s@%s:%d", s.User, s.Host, port)
}

// InsecureReason is why the host is not authenticated; "" when it is.
func (p *PooledSSH) InsecureReason() string {
	if p.settings.HostKeyChecking {
		return ""
	}
	return "host key checking disabled (host_key_checking = False): the host is not authenticated"
}

// Close does nothing: the session's Transports closes the connection.
func (p *PooledSSH) Close() error { return nil }

// SystemdUnit is the host's vllm.systemd_unit: vLLM run as a systemd
// service rather than in a container ("" when not set).
func SystemdUnit(c Connection) string {
	if c.Vars == nil {
		return ""
	}
	v, ok := c.Vars("vllm")
	m, isMap := v.(map[string]any)
	if !ok || !isMap {
		return ""
	}
	return SystemdUnitOf(m)
}

// BackendLog is where a GPU host's server writes its log: the journal of
// vllm.systemd_unit, else of the unit discovery found starting it, else
// its container's log (c is the host's connection as the caller has it).
func BackendLog(c Connection, g *discover.GPUHost) remote.LogTarget {
	if unit := cmp.Or(SystemdUnit(c), g.Unit); unit != "" {
		return remote.LogTarget{Unit: unit}
	}
	return remote.LogTarget{Container: g.Container}
}

// SystemdUnitOf is the systemd_unit of a templated vllm mapping, or "".
func SystemdUnitOf(vllm map[string]any) string {
	if vllm["systemd_unit"] == nil {
		return ""
	}
	return fmt.Sprint(vllm["systemd_unit"])
}

// becomeOrNil is nil when no become keyword was written.
func becomeOrNil(b BecomeSpec) *BecomeSpec {
	if b == (BecomeSpec{}) {
		return nil
	}
	return &b
}

// escalator is a transport that can run with another privilege escalation.
type escalator interface {
	Become() remote.Become
	BecomeVarsSet() BecomeSpec
	WithBecome(remote.Become) remote.Transport
}

// WithBecome is tr running with a play's or task's become keywords, except
// where the host's ansible_become* variables say otherwise (variables beat
// keywords, as in Ansible; the password always comes from the variables).
// Transports without privilege escalation (WinRM, local) are returned as
// they are.
func WithBecome(tr remote.Transport, spec *BecomeSpec) remote.Transport {
	e, ok := tr.(escalator)
	if spec == nil || !ok {
		return tr
	}
	b, fixed := e.Become(), e.BecomeVarsSet()
	if spec.Set && !fixed.Set {
		b.Enabled = spec.Become
	}
	if spec.User != "" && fixed.User == "" {
		b.User = spec.User
	}
	if spec.Method != "" && fixed.Method == "" {
		b.Method = spec.Method
	}
	return e.WithBecome(b)
}

// localBecomeRefused is why straylight does not run a task on a local
// connection that escalates to another user ("" when it runs it). The
// local transport reads, writes and runs as the user straylight runs as:
// it has no sudo or su of its own. A become to that same user (root's to
// root, the usual local run) changes nothing and runs; one to any other
// user is listed, never silently run as the wrong one. The host's
// ansible_become* variables beat the task's keywords, as in Ansible
// (WithBecome).
func (w *hostWork) localBecomeRefused(spec *BecomeSpec) string {
	if w.conn.Kind != "local" {
		return ""
	}
	vb := w.varsBecomeOnce()
	if vb.err != nil {
		return vb.err.Error()
	}
	b := keywordsUnderVars(vb.become, spec, vb.fixed)
	if !b.Enabled {
		return ""
	}
	target, me := orDefault(b.User, "root"), currentUser()
	if target == me.name || target == me.uid {
		return ""
	}
	return fmt.Sprintf("it becomes %s on a local connection, and straylight runs local tasks as %s without sudo or su of its own; run straylight as %s, or use an ssh connection", target, me.name, target)
}

// varsBecome is the become a host's variables ask for, and which of its
// settings they fix; read once per host (varsBecomeOnce).
type varsBecome struct {
	become remote.Become
	fixed  BecomeSpec
	err    error
}

// varsBecomeOnce reads the host's ansible_become* variables the first
// time a task asks.
func (w *hostWork) varsBecomeOnce() *varsBecome {
	if w.varsBecome == nil {
		vars := w.conn.Vars
		if vars == nil {
			vars = remote.MapVars(nil)
		}
		b, err := remote.BecomeFromVars(vars)
		w.varsBecome = &varsBecome{become: b, fixed: becomeVarsSet(vars), err: err}
	}
	return w.varsBecome
}

// keywordsUnderVars is the host variables' become with the task's
// keywords filling what the variables leave unset (fixed).
func keywordsUnderVars(b remote.Become, spec *BecomeSpec, fixed BecomeSpec) remote.Become {
	if spec == nil {
		return b
	}
	if spec.Set && !fixed.Set {
		b.Enabled = spec.Become
	}
	if spec.User != "" && fixed.User == "" {
		b.User = spec.User
	}
	return b
}

type localUser struct{ name, uid string }

// currentUser is the user straylight runs as: its name and uid.
func currentUser() localUser {
	uid := strconv.Itoa(os.Geteuid())
	if u, err := user.LookupId(uid); err == nil {
		return localUser{u.Username, uid}
	}
	return localUser{uid, uid}
}
