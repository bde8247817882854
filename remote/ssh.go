package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// SSH runs straylight's commands on a POSIX host over one SSH connection
// (through ProxyJump hops when configured). Every command opens a session
// on that connection; it is safe for concurrent use. A call returns when
// its context ends, even if the network went silent.
type SSH struct {
	conn     *sshConn
	become   Become
	now      func() time.Time
	borrowed bool // from an SSHPool: Close leaves the connection open
}

// sshConn is the connection SSH values made by WithBecome share.
type sshConn struct {
	alias, user, address string
	insecureReason       string
	clients              []*ssh.Client // jump hosts, then the target
	auths                []*sshAuth
	stop, dead           chan struct{}
	closeOnce            sync.Once
	shell                shellSlot // the status shell (ssh_statusshell.go)
	sessionPerStatus     bool      // run Status in a session of its own (benchmark comparison)
}

var _ Transport = (*SSH)(nil)

// DialSSH connects to the host described by settings, checking its host
// key, and keeps the connection alive until Close.
func DialSSH(ctx context.Context, settings SSHSettings) (*SSH, error) {
	return dialSSH(ctx, settings, fileSigners(settings.Passphrase))
}

func dialSSH(ctx context.Context, settings SSHSettings, signers signerSource) (*SSH, error) {
	if err := settings.check(); err != nil {
		return nil, fmt.Errorf("ssh %s: %w", settings.Alias, err)
	}
	d := dialer{settings: settings, signers: signers}
	if settings.HostKeyChecking {
		keys, err := newHostKeyChecker(settings.KnownHostsFiles)
		if err != nil {
			return nil, fmt.Errorf("ssh %s: %w", settings.Alias, err)
		}
		d.keys = keys
	}
	auths, err := d.loadAuths(ctx)
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w", settings.Alias, err)
	}
	clients, err := d.connect(ctx, auths)
	if err != nil {
		closeAuths(auths)
		return nil, fmt.Errorf("ssh %s: %w", settings.Alias, err)
	}
	conn := newSSHConn(settings, clients, auths)
	return &SSH{conn: conn, become: settings.Become, now: clockOrDefault(settings.Clock)}, nil
}

// loadAuths gathers every hop's authentication methods, asking the
// passphrase of each encrypted key no agent offers, before the connect
// starts. The operator's time and the host's time have separate deadlines,
// as in OpenSSH, whose ConnectTimeout bounds the TCP connect and the
// protocol exchange but not a person typing at a passphrase prompt: the
// wait for answers ends with ctx or after PassphraseTimeout (5 minutes),
// and only then does the ConnectTimeout clock start, covering as before
// the TCP connect, handshake and authentication of the whole chain.
// Pausing the connect clock during the prompt instead would leave a
// half-open connection idle through the wait, which sshd drops after its
// LoginGraceTime (120 s). The price is that a key is asked for before its
// host is reached; the pool asks once per key.
func (d dialer) loadAuths(ctx context.Context) ([]*sshAuth, error) {
	ctx, cancel := context.WithTimeout(ctx, durationOr(d.settings.PassphraseTimeout, defaultPassphraseTimeout))
	defer cancel()
	var auths []*sshAuth
	for _, h := range d.settings.hops() {
		auth, err := newSSHAuth(ctx, h.identityFiles, d.settings.AgentSocket, h.password, d.signers)
		if err != nil {
			closeAuths(auths)
			return nil, err
		}
		auths = append(auths, auth)
	}
	return auths, nil
}

// connect opens the chain within ConnectTimeout.
func (d dialer) connect(ctx context.Context, auths []*sshAuth) ([]*ssh.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, durationOr(d.settings.ConnectTimeout, defaultConnectTimeout))
	defer cancel()
	return d.dialChain(ctx, auths)
}

func newSSHConn(settings SSHSettings, clients []*ssh.Client, auths []*sshAuth) *sshConn {
	c := &sshConn{
		alias: settings.Alias, user: settings.User,
		address: net.JoinHostPort(settings.Host, strconv.Itoa(portOr(settings.Port))),
		clients: clients, auths: auths, stop: make(chan struct{}), dead: make(chan struct{}),
		shell: newShellSlot(),
	}
	if !settings.HostKeyChecking {
		c.insecureReason = "host key checking disabled (host_key_checking = False): the host is not authenticated"
	}
	interval := durationOr(settings.KeepAliveInterval, defaultKeepAliveInterval)
	count := settings.KeepAliveCountMax
	if count <= 0 {
		count = defaultKeepAliveCountMax
	}
	for _, client := range clients {
		go keepAlive(client, interval, count, c.stop)
	}
	go func() {
		_ = c.target().Wait()
		close(c.dead)
	}()
	return c
}

func (c *sshConn) target() *ssh.Client { return c.clients[len(c.clients)-1] }

func (c *sshConn) close() {
	c.closeOnce.Do(func() {
		close(c.stop)
		closeChain(c.clients, c.auths)
	})
}

// WithBecome is a view of the same connection that runs commands with
// another privilege escalation (a play's or a task's become). Closing
// either closes the shared connection.
func (s *SSH) WithBecome(b Become) (*SSH, error) {
	if err := b.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Describe(), err)
	}
	view := *s
	view.become = b
	return &view, nil
}

// Describe names the connection for messages (never a secret).
func (s *SSH) Describe() string {
	text := fmt.Sprintf("ssh %s@%s", s.conn.user, s.conn.address)
	if s.become.Enabled {
		text += fmt.Sprintf(" (become %s %s)", stringOr(s.become.Method, "sudo"), stringOr(s.become.User, "root"))
	}
	return text
}

// Insecure reports whether the host's identity is unchecked.
func (s *SSH) Insecure() bool { return s.conn.insecureReason != "" }

// InsecureReason says why Insecure is true, for the UI; empty when secure.
func (s *SSH) InsecureReason() string { return s.conn.insecureReason }

// Close closes the connection (and its jump hosts), ending running
// commands. On a transport from an SSHPool it does nothing: the pool owns
// the connection.
func (s *SSH) Close() error {
	if s.borrowed {
		return nil
	}
	s.conn.close()
	return nil
}

// Done is closed once the connection is gone (Close, a dropped network
// noticed by the keepalive, or the host hanging up).
func (s *SSH) Done() <-chan struct{} { return s.conn.dead }

// Alive reports whether the connection answers a keepalive within limit.
func (s *SSH) Alive(limit time.Duration) bool {
	select {
	case <-s.conn.dead:
		return false
	default:
	}
	return answersWithin(s.conn.target(), limit)
}

// sessionIO is what one remote command reads and writes.
type sessionIO struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// execRaw runs line (a command line for the login shell) and returns its
// exit code. When ctx ends first it returns at once, asks the host to kill
// the command and closes the session in the background.
func (s *SSH) execRaw(ctx context.Context, line string, sio sessionIO) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	done := make(chan execOutcomeSSH, 1)
	var session sessionHolder
	go func() { done <- s.runSession(line, sio, &session) }()
	select {
	case out := <-done:
		return out.code, out.err
	case <-ctx.Done():
		go session.abandon()
		go s.conn.checkAfterAbandon()
		return -1, ctx.Err()
	}
}

// abandonProbe bounds the keepalive sent after a command was abandoned.
const abandonProbe = 5 * time.Second

// checkAfterAbandon closes the connection when a keepalive goes unanswered
// after a command ran out of time, so the next refresh redials instead of
// waiting on a dead network.
func (c *sshConn) checkAfterAbandon() {
	if !answersWithin(c.target(), abandonProbe) {
		c.close()
	}
}

type execOutcomeSSH struct {
	code int
	err  error
}

// sessionHolder lets the caller abandon a session the goroutine opened.
type sessionHolder struct {
	mu        sync.Mutex
	session   *ssh.Session
	abandoned bool
}

func (h *sessionHolder) set(session *ssh.Session) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.session = session
	return !h.abandoned
}

func (h *sessionHolder) abandon() {
	h.mu.Lock()
	session := h.session
	h.abandoned = true
	h.mu.Unlock()
	if session != nil {
		_ = session.Signal(ssh.SIGKILL)
		_ = session.Close()
	}
}

func (s *SSH) runSession(line string, sio sessionIO, holder *sessionHolder) execOutcomeSSH {
	session, err := s.conn.target().NewSession()
	if err != nil {
		return execOutcomeSSH{code: -1, err: fmt.Errorf("%w: opening a session: %v", ErrUnreachable, err)}
	}
	defer session.Close()
	if !holder.set(session) {
		return execOutcomeSSH{code: -1, err: context.Canceled}
	}
	session.Stdin, session.Stdout, session.Stderr = sio.stdin, sio.stdout, sio.stderr
	return exitOutcome(session.Run(line))
}

func exitOutcome(err error) execOutcomeSSH {
	var exitErr *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return execOutcomeSSH{}
	case errors.As(err, &exitErr):
		return execOutcomeSSH{code: exitErr.ExitStatus()}
	case errors.As(err, &missing):
		return execOutcomeSSH{code: -1, err: fmt.Errorf("%w: the connection ended before the command reported its exit status", ErrUnreachable)}
	}
	return execOutcomeSSH{code: -1, err: fmt.Errorf("%w: %v", ErrUnreachable, err)}
}

// fail wraps err with the transport and the operation.
func (s *SSH) fail(op string, err error) error {
	return fmt.Errorf("%s: %s: %w", s.Describe(), op, err)
}
