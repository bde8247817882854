package sim

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"sync"
	"syscall"

	"golang.org/x/crypto/ssh"
)

// SSHServerOptions configures a simulated Linux host's SSH server.
type SSHServerOptions struct {
	User     string
	Password string   // "": password login refused
	Keys     [][]byte // authorized_keys lines accepted for User
	// Dir is the host's root: every command runs there, with HOME=Dir.
	Dir string
	// Path is put first on PATH (the host's stand-in programs).
	Path string
	// Env is added to every command's environment.
	Env []string
	// HostKey is the server's key; nil: a fresh ed25519 key.
	HostKey ssh.Signer
}

// SSHServer runs the commands it is sent with /bin/sh -c in Dir: a real
// POSIX shell, real coreutils, and the host's stand-ins first on PATH.
// It speaks SSH through golang.org/x/crypto/ssh's server side and shares no
// code with straylight's client.
type SSHServer struct {
	opts    SSHServerOptions
	hostKey ssh.Signer
	config  *ssh.ServerConfig
	keys    map[string]bool

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
	closed bool
}

// NewSSHServer generates the host key; Start listens.
func NewSSHServer(opts SSHServerOptions) (*SSHServer, error) {
	signer := opts.HostKey
	if signer == nil {
		var err error
		if signer, err = newHostKey(); err != nil {
			return nil, err
		}
	}
	s := &SSHServer{opts: opts, hostKey: signer, keys: map[string]bool{}, conns: map[net.Conn]bool{}}
	if err := s.readKeys(); err != nil {
		return nil, err
	}
	s.config = &ssh.ServerConfig{PasswordCallback: s.checkPassword, PublicKeyCallback: s.checkKey}
	s.config.AddHostKey(signer)
	return s, nil
}

func newHostKey() (ssh.Signer, error) {
	_, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(private)
}

func (s *SSHServer) readKeys() error {
	for _, line := range s.opts.Keys {
		key, _, _, _, err := ssh.ParseAuthorizedKey(line)
		if err != nil {
			return fmt.Errorf("sim: authorized key %q: %w", line, err)
		}
		s.keys[string(key.Marshal())] = true
	}
	return nil
}

var errSSHDenied = errors.New("sim: permission denied")

func (s *SSHServer) checkPassword(meta ssh.ConnMetadata, password []byte) (*ssh.Permissions, error) {
	if s.opts.Password == "" || meta.User() != s.opts.User ||
		subtle.ConstantTimeCompare(password, []byte(s.opts.Password)) != 1 {
		return nil, errSSHDenied
	}
	return &ssh.Permissions{}, nil
}

func (s *SSHServer) checkKey(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	if meta.User() != s.opts.User || !s.keys[string(key.Marshal())] {
		return nil, errSSHDenied
	}
	return &ssh.Permissions{}, nil
}

// HostKey is the server's public key (for known_hosts).
func (s *SSHServer) HostKey() ssh.PublicKey { return s.hostKey.PublicKey() }

// Start listens on addr (loopback only) and serves until Close.
func (s *SSHServer) Start(addr string) error {
	ln, err := listenLoopback(addr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	s.wg.Add(1)
	go s.accept(ln)
	return nil
}

// Addr is where the server listens.
func (s *SSHServer) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ln.Addr().String()
}

func (s *SSHServer) accept(ln net.Listener) {
	defer s.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		if !s.track(conn, true) {
			conn.Close()
			return
		}
		s.wg.Add(1)
		go s.serveConn(conn)
	}
}

func (s *SSHServer) track(conn net.Conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add && s.closed {
		return false
	}
	if add {
		s.conns[conn] = true
	} else {
		delete(s.conns, conn)
	}
	return true
}

func (s *SSHServer) serveConn(conn net.Conn) {
	defer s.wg.Done()
	defer s.track(conn, false)
	defer conn.Close()
	server, chans, reqs, err := ssh.NewServerConn(conn, s.config)
	if err != nil {
		return
	}
	defer server.Close()
	go ssh.DiscardRequests(reqs) // keepalive@openssh.com gets a (false) reply
	var sessions sync.WaitGroup
	for newChannel := range chans {
		if newChannel.ChannelType() != "session" {
			_ = newChannel.Reject(ssh.UnknownChannelType, "only sessions are simulated")
			continue
		}
		sessions.Go(func() { s.serveSession(newChannel) })
	}
	sessions.Wait()
}

// Close stops listening and drops every connection (their commands are
// killed when their sessions end).
func (s *SSHServer) Close() {
	s.mu.Lock()
	s.closed = true
	if s.ln != nil {
		s.ln.Close()
	}
	for conn := range s.conns {
		conn.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// sessionProcess is one exec request's shell.
type sessionProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func (s *SSHServer) serveSession(newChannel ssh.NewChannel) {
	channel, requests, err := newChannel.Accept()
	if err != nil {
		return
	}
	defer channel.Close()
	var proc *sessionProcess
	for req := range requests {
		switch req.Type {
		case "exec":
			proc = s.exec(channel, req, proc)
		case "signal":
			proc.signal(req)
		case "env":
			_ = req.Reply(true, nil)
		default:
			_ = req.Reply(false, nil) // pty-req, shell, subsystem: not simulated
		}
	}
	proc.kill() // the client closed the channel: end what still runs
}

// exec starts /bin/sh -c COMMAND in the host's directory; a session runs
// one command.
func (s *SSHServer) exec(channel ssh.Channel, req *ssh.Request, running *sessionProcess) *sessionProcess {
	var payload struct{ Command string }
	if running != nil || ssh.Unmarshal(req.Payload, &payload) != nil {
		_ = req.Reply(false, nil)
		return running
	}
	proc, err := s.startShell(channel, payload.Command)
	if err != nil {
		_ = req.Reply(false, nil)
		return nil
	}
	// The reply goes before the exit status: a command that ends at once
	// must not close the channel while the client still waits for it (it
	// would read EOF, as if the host hung up).
	_ = req.Reply(true, nil)
	go proc.finish(channel)
	return proc
}

func (s *SSHServer) startShell(channel ssh.Channel, command string) (*sessionProcess, error) {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Dir = s.opts.Dir
	cmd.Env = s.environment()
	cmd.SysProcAttr = ownProcessGroup()
	cmd.Stdout, cmd.Stderr = channel, channel.Stderr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _, _ = io.Copy(stdin, channel); stdin.Close() }()
	return &sessionProcess{cmd: cmd, done: make(chan struct{})}, nil
}

func (s *SSHServer) environment() []string {
	env := []string{
		"PATH=" + s.opts.Path + ":/usr/local/bin:/usr/bin:/bin",
		"HOME=" + s.opts.Dir, "USER=" + s.opts.User, "LOGNAME=" + s.opts.User,
		"SHELL=/bin/sh", "LANG=C.UTF-8", "TMPDIR=" + s.opts.Dir + "/tmp",
	}
	return append(env, s.opts.Env...)
}

// finish reports the exit status and closes the channel.
func (p *sessionProcess) finish(channel ssh.Channel) {
	err := p.cmd.Wait()
	close(p.done)
	status := struct{ Status uint32 }{exitStatus(err)}
	_, _ = channel.SendRequest("exit-status", false, ssh.Marshal(&status))
	_ = channel.CloseWrite()
	_ = channel.Close()
}

func exitStatus(err error) uint32 {
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + uint32(ws.Signal())
		}
		return uint32(exitErr.ExitCode())
	}
	return 255
}

func (p *sessionProcess) signal(req *ssh.Request) {
	var payload struct{ Signal string }
	if p == nil || ssh.Unmarshal(req.Payload, &payload) != nil {
		_ = req.Reply(false, nil)
		return
	}
	_ = req.Reply(signalGroup(p.cmd.Process, payload.Signal), nil)
}

// kill ends the command's process group unless it already finished.
func (p *sessionProcess) kill() {
	if p == nil {
		return
	}
	select {
	case <-p.done:
	default:
		killGroup(p.cmd.Process)
		<-p.done
	}
}
