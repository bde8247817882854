package remote

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/oracle"
	"github.com/straylight-fleet/straylight/internal/sshdtest"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestSSHKeyAuthRunsInPOSIXShell(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	if got := runOK(t, conn, `id -un; echo "$0"`); got != sshdtest.KeyUser+"\n/bin/sh" {
		t.Fatalf("got %q", got)
	}
	if conn.Insecure() {
		t.Fatalf("a checked host key is reported insecure: %s", conn.InsecureReason())
	}
	res, err := conn.Run(testContext(t), Command{Script: "cat; echo err >&2; exit 7", Stdin: []byte("in")})
	if err != nil || res.ExitCode != 7 || res.Stdout != "in" || res.Stderr != "err\n" {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestSSHPasswordAuth(t *testing.T) {
	lab := newSSHLab(t)
	conn := lab.dial(t, sshdtest.KeyUser, map[string]any{
		"ansible_ssh_private_key_file": nil, "ansible_password": sshdtest.KeyUserPassword})
	if got := runOK(t, conn, "id -un"); got != sshdtest.KeyUser {
		t.Fatalf("got %q", got)
	}
	settings := lab.settings(t, sshdtest.KeyUser, map[string]any{
		"ansible_ssh_private_key_file": nil, "ansible_password": "wrong-secret-xyz"})
	_, err := DialSSH(testContext(t), settings)
	if !errors.Is(err, ErrAuth) || strings.Contains(err.Error(), "wrong-secret-xyz") {
		t.Fatalf("want ErrAuth without the password, got %v", err)
	}
}

func TestSSHAgentAuth(t *testing.T) {
	lab := newSSHLab(t)
	socket := startAgent(t, lab.srv.ClientKeyFile)
	lab.env.AgentSocket = socket
	conn := lab.dial(t, sshdtest.KeyUser, map[string]any{"ansible_ssh_private_key_file": nil})
	if got := runOK(t, conn, "id -un"); got != sshdtest.KeyUser {
		t.Fatalf("got %q", got)
	}
}

// startAgent runs OpenSSH's ssh-agent holding key.
func startAgent(t *testing.T, key string) string {
	t.Helper()
	for _, tool := range []string{"ssh-agent", "ssh-add"} {
		if _, err := exec.LookPath(tool); err != nil {
			requireOracle(t, tool)
		}
	}
	socket := filepath.Join(t.TempDir(), "agent.sock")
	agent := exec.Command("ssh-agent", "-D", "-a", socket)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(socket); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	add := exec.Command("ssh-add", key)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+socket)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v: %s", err, out)
	}
	return socket
}

func requireOracle(t *testing.T, what string) {
	t.Helper()
	oracle.Missing(t, "%s is missing", what)
}

func TestSSHEncryptedKeyPassphraseAskedOnce(t *testing.T) {
	lab := newSSHLab(t)
	keyFile := lab.srv.WriteEncryptedKey(t, "open sesame")
	asked := 0
	lab.env.Passphrase = func(_ context.Context, file string) ([]byte, error) {
		asked++
		if file != keyFile {
			t.Errorf("asked for %s", file)
		}
		return []byte("open sesame"), nil
	}
	settings := lab.settings(t, sshdtest.KeyUser, map[string]any{"ansible_ssh_private_key_file": keyFile})
	pool := NewSSHPool()
	defer pool.Close()
	for round := 0; round < 2; round++ {
		conn, err := pool.Get(testContext(t), settings)
		if err != nil {
			t.Fatal(err)
		}
		runOK(t, conn, "true")
		pool.Forget("case")
	}
	if asked != 1 {
		t.Fatalf("passphrase asked %d times, want once", asked)
	}
}

func TestSSHUnknownHostKeyRefused(t *testing.T) {
	lab := newSSHLab(t)
	lab.writeSSHFile(t, "known_hosts", "")
	_, err := DialSSH(testContext(t), lab.settings(t, sshdtest.KeyUser, nil))
	fingerprint := ssh.FingerprintSHA256(lab.srv.HostKey)
	if !errors.Is(err, ErrHostKey) {
		t.Fatalf("want ErrHostKey, got %v", err)
	}
	for _, want := range []string{"case", "not a known host", fingerprint, "known_hosts", "host_key_checking = False"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
}

func TestSSHChangedHostKeyRefusedWithBothFingerprints(t *testing.T) {
	lab := newSSHLab(t)
	other, err := ssh.NewSignerFromKey(newEd25519(t))
	if err != nil {
		t.Fatal(err)
	}
	line := knownhosts.Line([]string{lab.srv.Addr()}, other.PublicKey())
	lab.writeSSHFile(t, "known_hosts", line+"\n")
	_, err = DialSSH(testContext(t), lab.settings(t, sshdtest.KeyUser, nil))
	if !errors.Is(err, ErrHostKey) {
		t.Fatalf("want ErrHostKey, got %v", err)
	}
	for _, want := range []string{"CHANGED", ssh.FingerprintSHA256(lab.srv.HostKey), ssh.FingerprintSHA256(other.PublicKey()), "ssh-keygen -R"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
}

func TestSSHHashedKnownHostsEntryAccepted(t *testing.T) {
	lab := newSSHLab(t)
	hashed := knownhosts.HashHostname(knownhosts.Normalize(lab.srv.Addr()))
	lab.writeSSHFile(t, "known_hosts", hashed+" "+string(ssh.MarshalAuthorizedKey(lab.srv.HostKey)))
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	runOK(t, conn, "true")
}

func TestSSHHostKeyCheckingOffIsInsecure(t *testing.T) {
	lab := newSSHLab(t)
	lab.writeSSHFile(t, "known_hosts", "")
	off := false
	lab.env.HostKeyChecking = &off
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	runOK(t, conn, "true")
	if !conn.Insecure() || !strings.Contains(conn.InsecureReason(), "host_key_checking") {
		t.Fatalf("want insecure, got %q", conn.InsecureReason())
	}
}

func TestSSHProxyJumpFromSSHConfig(t *testing.T) {
	lab := newSSHLab(t)
	bastion := sshdtest.Start(t)
	front := sshdtest.Forward(t, "127.0.0.1:0", bastion.Addr())
	frontHost, frontPort := splitAddr(t, front.Addr)
	lab.writeSSHFile(t, "known_hosts", lab.srv.KnownHostsLine()+"\n"+bastion.KnownHostsLine(front.Addr)+"\n")
	lab.writeSSHFile(t, "config", "Host case\n  HostName "+lab.srv.Host+"\n  Port "+portString(lab.srv.Port)+
		"\n  User "+sshdtest.KeyUser+"\n  IdentityFile "+lab.srv.ClientKeyFile+"\n  ProxyJump bastion\n\n"+
		"Host bastion\n  HostName "+frontHost+"\n  Port "+frontPort+"\n  User "+sshdtest.SudoUser+
		"\n  IdentityFile "+bastion.ClientKeyFile+"\n")
	settings, err := SSHSettingsFromVars("case", MapVars(map[string]any{}), lab.env)
	if err != nil {
		t.Fatal(err)
	}
	if len(settings.Jumps) != 1 || settings.Jumps[0].User != sshdtest.SudoUser {
		t.Fatalf("jumps %+v", settings.Jumps)
	}
	conn, err := DialSSH(testContext(t), settings)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got := runOK(t, conn, "id -un"); got != sshdtest.KeyUser {
		t.Fatalf("got %q", got)
	}
	front.Cut() // the bastion's connection carries the target's: cutting it ends both
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := conn.Run(ctx, Command{Script: "true"}); err == nil {
		t.Fatal("the target still answers with the bastion cut: the jump was not used")
	}
}

func TestSSHDroppedConnectionReturnsWithinDeadline(t *testing.T) {
	lab := newSSHLab(t)
	front := sshdtest.Forward(t, "127.0.0.1:0", lab.srv.Addr())
	host, port := splitAddr(t, front.Addr)
	lab.writeSSHFile(t, "known_hosts", lab.srv.KnownHostsLine(front.Addr)+"\n")
	conn := lab.dial(t, sshdtest.KeyUser, map[string]any{"ansible_host": host, "ansible_port": port})
	runOK(t, conn, "true")
	const deadline = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	time.AfterFunc(500*time.Millisecond, front.Silence)
	start := time.Now()
	_, err := conn.Run(ctx, Command{Script: "sleep 9"}) // ends on its own: the silenced session cannot be killed
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the deadline's error, got %v", err)
	}
	// The contract: a dropped network costs at most the deadline + 1 s.
	if elapsed > deadline+time.Second {
		t.Fatalf("returned after %v, deadline %v", elapsed, deadline)
	}
	select { // the unanswered keepalive that follows closes the connection
	case <-conn.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the silent connection was never closed")
	}
}

func TestSSHPoolReusesAndRedials(t *testing.T) {
	lab := newSSHLab(t)
	front := sshdtest.Forward(t, "127.0.0.1:0", lab.srv.Addr())
	host, port := splitAddr(t, front.Addr)
	lab.writeSSHFile(t, "known_hosts", lab.srv.KnownHostsLine(front.Addr)+"\n")
	settings := lab.settings(t, sshdtest.KeyUser, map[string]any{"ansible_host": host, "ansible_port": port})
	pool := NewSSHPool()
	defer pool.Close()
	first, err := pool.Get(testContext(t), settings)
	if err != nil {
		t.Fatal(err)
	}
	first.Close() // a pooled transport's Close leaves the connection open
	again, err := pool.Get(testContext(t), settings)
	if err != nil || again.conn != first.conn {
		t.Fatalf("second Get did not reuse the connection (%v)", err)
	}
	runOK(t, again, "true")
	front.Cut()
	<-first.Done()
	redialled, err := pool.Get(testContext(t), settings)
	if err != nil || redialled.conn == first.conn {
		t.Fatalf("Get after the connection died did not redial (%v)", err)
	}
	runOK(t, redialled, "true")
}

func TestSSHCertAuthorityTrustsTheHostCertificate(t *testing.T) {
	srv := sshdtest.StartWith(t, sshdtest.Options{HostCA: true})
	lab := &sshLab{srv: srv, home: t.TempDir()}
	lab.env = SSHEnv{Home: lab.home}
	lab.writeSSHFile(t, "known_hosts", "@cert-authority "+knownhosts.Normalize(srv.Addr())+" "+string(ssh.MarshalAuthorizedKey(srv.HostCA)))
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	runOK(t, conn, "true")
	lab.writeSSHFile(t, "known_hosts", "@cert-authority 10-9-9-9.example "+string(ssh.MarshalAuthorizedKey(srv.HostCA)))
	if _, err := DialSSH(testContext(t), lab.settings(t, sshdtest.KeyUser, nil)); !errors.Is(err, ErrHostKey) {
		t.Fatalf("a CA trusted for another host name: want ErrHostKey, got %v", err)
	}
	// The certificate's CA is not trusted here but the plain key is: accepted, as by OpenSSH.
	lab.writeSSHFile(t, "known_hosts", "@cert-authority 10-9-9-9.example "+string(ssh.MarshalAuthorizedKey(srv.HostCA))+
		srv.KnownHostsLine()+"\n")
	runOK(t, lab.dial(t, sshdtest.KeyUser, nil), "true")
}

// An encrypted key the agent already holds is not asked about: OpenSSH
// uses the agent's copy, and so does straylight.
func TestSSHEncryptedKeyOfferedByTheAgentIsNotAsked(t *testing.T) {
	lab := newSSHLab(t)
	keyFile := lab.srv.WriteEncryptedKey(t, "open sesame")
	lab.env.AgentSocket = startAgent(t, plainCopy(t, keyFile, "open sesame"))
	lab.env.Passphrase = func(context.Context, string) ([]byte, error) {
		t.Error("the passphrase was asked for a key the agent offers")
		return nil, errors.New("no")
	}
	conn := lab.dial(t, sshdtest.KeyUser, map[string]any{"ansible_ssh_private_key_file": keyFile})
	runOK(t, conn, "true")
}

// plainCopy writes keyFile decrypted, for ssh-add.
func plainCopy(t *testing.T, keyFile, passphrase string) string {
	t.Helper()
	data, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.ParseRawPrivateKeyWithPassphrase(data, []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(key, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Hosts sharing an encrypted key, dialled at once, ask its passphrase once.
func TestSSHPoolAsksASharedKeysPassphraseOnce(t *testing.T) {
	lab := newSSHLab(t)
	keyFile := lab.srv.WriteEncryptedKey(t, "open sesame")
	var asked atomic.Int32
	lab.env.Passphrase = func(context.Context, string) ([]byte, error) {
		asked.Add(1)
		time.Sleep(200 * time.Millisecond) // an operator typing: the other dials arrive meanwhile
		return []byte("open sesame"), nil
	}
	pool := NewSSHPool()
	defer pool.Close()
	var wg sync.WaitGroup
	for i := range 5 {
		settings := lab.settings(t, sshdtest.KeyUser, map[string]any{"ansible_ssh_private_key_file": keyFile})
		settings.Alias = fmt.Sprintf("gpu%d", i)
		wg.Go(func() {
			if _, err := pool.Get(testContext(t), settings); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := asked.Load(); n != 1 {
		t.Fatalf("asked %d times, want once", n)
	}
}
