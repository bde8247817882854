package sshdtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/oracle"
	"golang.org/x/crypto/ssh"
)

// The test users. Their passwords are test-only constants: the users exist
// solely for these tests and log in only to sshd instances bound to
// loopback by this package (AllowUsers in every generated sshd_config).
const (
	// KeyUser logs in with the client key or KeyUserPassword; sudo without a password.
	KeyUser         = "stl-case"
	KeyUserPassword = "case-Test-pw-1"
	// SudoUser's sudo asks for SudoUserPassword.
	SudoUser         = "stl-riviera"
	SudoUserPassword = "riviera-Test-pw-2"
)

const sshdPath = "/usr/sbin/sshd"

// Server is a running sshd.
type Server struct {
	Host    string // 127.0.0.1
	Port    int
	Dir     string // holds the config, keys, and Work
	HostKey ssh.PublicKey
	HostCA  ssh.PublicKey // nil unless Options.HostCA
	// ClientKeyFile is an unencrypted ed25519 key authorized for both users.
	ClientKeyFile string
	ClientSigner  ssh.Signer
	// Work is a directory both test users may write in.
	Work   string
	cmd    *exec.Cmd
	log    *os.File
	exited chan error
	opts   Options
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// KnownHostsLine is a known_hosts line trusting the server's key under the
// given host names (default: [127.0.0.1]:port).
func (s *Server) KnownHostsLine(names ...string) string {
	if len(names) == 0 {
		names = []string{s.Addr()}
	}
	return knownHostsLine(names, s.HostKey)
}

func knownHostsLine(names []string, key ssh.PublicKey) string {
	for i, n := range names {
		host, port, err := net.SplitHostPort(n)
		if err == nil && port != "22" {
			names[i] = "[" + host + "]:" + port
		} else if err == nil {
			names[i] = host
		}
	}
	return strings.Join(names, ",") + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
}

// Log is what sshd printed so far (for failure messages).
func (s *Server) Log() string {
	data, _ := os.ReadFile(s.log.Name())
	return string(data)
}

// Require skips (or, with STRAYLIGHT_REQUIRE_ORACLES=1, fails) unless this
// process may start sshd and create the test users.
func Require(t testing.TB) {
	t.Helper()
	var missing string
	switch {
	case os.Geteuid() != 0:
		missing = "root (sshd and the test users need it)"
	case !executable(sshdPath):
		missing = sshdPath + " (apt-get install openssh-server)"
	case !executable("/usr/bin/sudo"):
		missing = "/usr/bin/sudo"
	}
	if missing == "" {
		return
	}
	oracle.Missing(t, "sshdtest: missing %s", missing)
}

func executable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode()&0o111 != 0
}

// Options change the server's sessions.
type Options struct {
	// PathPrefix is put before the usual PATH of every session (stand-in
	// programs for a test).
	PathPrefix string
	// Path, when set, is the whole PATH of every session instead (a
	// benchmark with no probe programs at all).
	Path string
	// HostCA signs the host key with a fresh certificate authority (sshd
	// then offers a host certificate for 127.0.0.1); Server.HostCA is its key.
	HostCA bool
}

// Start starts sshd on a free loopback port and stops it when the test ends.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith is Start with options.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	Require(t)
	EnsureUsers(t)
	s, err := start(opts)
	if err != nil {
		t.Fatalf("sshdtest: %v", err)
	}
	t.Cleanup(s.stop)
	return s
}

func start(opts Options) (*Server, error) {
	dir, err := os.MkdirTemp("", "straylight-sshd-")
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", Dir: dir, Work: filepath.Join(dir, "work"), opts: opts}
	if err := s.prepare(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.launch(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func (s *Server) prepare() error {
	// sshd reads the authorized keys as the user: the path must be traversable.
	if err := os.Chmod(s.Dir, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		return err
	}
	for _, step := range []func() error{s.writeHostKey, s.writeClientKey, s.makeWork, s.pickPort, s.writeConfig} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) writeHostKey() error {
	signer, pemBytes, err := newKey()
	if err != nil {
		return err
	}
	s.HostKey = signer.PublicKey()
	if err := os.WriteFile(filepath.Join(s.Dir, "host_ed25519"), pemBytes, 0o600); err != nil {
		return err
	}
	if !s.opts.HostCA {
		return nil
	}
	return s.writeHostCertificate()
}

// writeHostCertificate signs the host key for 127.0.0.1 with a new CA.
func (s *Server) writeHostCertificate() error {
	ca, _, err := newKey()
	if err != nil {
		return err
	}
	cert := &ssh.Certificate{Key: s.HostKey, CertType: ssh.HostCert, KeyId: "straylight sshdtest",
		ValidPrincipals: []string{s.Host}, ValidBefore: ssh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		return err
	}
	s.HostCA = ca.PublicKey()
	return os.WriteFile(filepath.Join(s.Dir, "host_ed25519-cert.pub"), ssh.MarshalAuthorizedKey(cert), 0o644)
}

func (s *Server) writeClientKey() error {
	signer, pemBytes, err := newKey()
	if err != nil {
		return err
	}
	s.ClientSigner, s.ClientKeyFile = signer, filepath.Join(s.Dir, "client_ed25519")
	if err := os.WriteFile(s.ClientKeyFile, pemBytes, 0o600); err != nil {
		return err
	}
	keys := filepath.Join(s.Dir, "authorized_keys")
	if err := os.MkdirAll(keys, 0o755); err != nil {
		return err
	}
	line := ssh.MarshalAuthorizedKey(signer.PublicKey())
	for _, u := range []string{KeyUser, SudoUser} {
		if err := os.WriteFile(filepath.Join(keys, u), line, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// newKey makes an ed25519 key in OpenSSH's PEM format.
func newKey() (ssh.Signer, []byte, error) {
	_, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	block, err := ssh.MarshalPrivateKey(private, "")
	if err != nil {
		return nil, nil, err
	}
	signer, err := ssh.NewSignerFromKey(private)
	return signer, pem.EncodeToMemory(block), err
}

// WriteEncryptedKey writes the client key encrypted with passphrase.
func (s *Server) WriteEncryptedKey(t testing.TB, passphrase string) string {
	t.Helper()
	_, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(private, "", []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(private)
	path := filepath.Join(s.Dir, "encrypted_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s.authorize(t, signer.PublicKey())
	return path
}

// authorize adds a key to both users' authorized keys.
func (s *Server) authorize(t testing.TB, key ssh.PublicKey) {
	for _, u := range []string{KeyUser, SudoUser} {
		f, err := os.OpenFile(filepath.Join(s.Dir, "authorized_keys", u), os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Write(ssh.MarshalAuthorizedKey(key))
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (s *Server) makeWork() error {
	if err := os.MkdirAll(s.Work, 0o777); err != nil {
		return err
	}
	return os.Chmod(s.Work, 0o1777)
}

func (s *Server) pickPort() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	return ln.Close()
}

func (s *Server) writeConfig() error {
	config := fmt.Sprintf(`ListenAddress %s
HostKey %s
PidFile %s
AuthorizedKeysFile %s/%%u
StrictModes no
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers %s %s
MaxSessions 200
MaxStartups 1000
LoginGraceTime 30
LogLevel VERBOSE
`, s.Addr(), filepath.Join(s.Dir, "host_ed25519"), filepath.Join(s.Dir, "sshd.pid"),
		filepath.Join(s.Dir, "authorized_keys"), KeyUser, SudoUser)
	if s.opts.HostCA {
		config += "HostCertificate " + filepath.Join(s.Dir, "host_ed25519-cert.pub") + "\n"
	}
	switch {
	case s.opts.Path != "":
		config += "SetEnv PATH=" + s.opts.Path + "\n"
	case s.opts.PathPrefix != "":
		config += "SetEnv PATH=" + s.opts.PathPrefix + ":/usr/local/bin:/usr/bin:/bin\n"
	}
	return os.WriteFile(s.configPath(), []byte(config), 0o644)
}

func (s *Server) configPath() string { return filepath.Join(s.Dir, "sshd_config") }

func (s *Server) launch() error {
	log, err := os.Create(filepath.Join(s.Dir, "sshd.log"))
	if err != nil {
		return err
	}
	s.log = log
	s.cmd = exec.Command(sshdPath, "-D", "-e", "-f", s.configPath())
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting sshd: %w", err)
	}
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait() }()
	if err := s.waitListening(); err != nil {
		s.stopProcess()
		return fmt.Errorf("%w; sshd log:\n%s", err, s.Log())
	}
	return nil
}

// waitListening polls until sshd accepts connections (a readiness wait,
// not a timing assertion).
func (s *Server) waitListening() error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.exited:
			s.exited <- err
			return fmt.Errorf("sshd exited: %v", err)
		default:
		}
		if conn, err := net.DialTimeout("tcp", s.Addr(), 200*time.Millisecond); err == nil {
			conn.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("sshd did not listen on %s within 10 s", s.Addr())
}

// stopProcess ends sshd and the connection processes it forked.
func (s *Server) stopProcess() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
}

func (s *Server) stop() {
	s.stopProcess()
	s.log.Close()
	os.RemoveAll(s.Dir)
}
