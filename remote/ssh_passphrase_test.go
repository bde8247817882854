package remote

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/sshdtest"
	"golang.org/x/crypto/ssh"
)

// slowOperator answers every prompt with secret after delay, unless the
// prompt's context ends first (as the TUI's router does); it counts the
// prompts and the answers given.
type slowOperator struct {
	secret          string
	delay           time.Duration
	asked, answered atomic.Int32
}

func (o *slowOperator) ask(ctx context.Context, _ string) ([]byte, error) {
	o.asked.Add(1)
	select {
	case <-time.After(o.delay):
		o.answered.Add(1)
		return []byte(o.secret), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// The operator takes longer than ConnectTimeout to type the passphrase:
// the connection is made all the same, as with OpenSSH.
func TestSSHPassphraseAnsweredAfterTheConnectTimeoutConnects(t *testing.T) {
	lab := newSSHLab(t)
	keyFile := lab.srv.WriteEncryptedKey(t, "open sesame")
	operator := &slowOperator{secret: "open sesame", delay: 3 * time.Second}
	lab.env.Passphrase = operator.ask
	settings := lab.settings(t, sshdtest.KeyUser, map[string]any{"ansible_ssh_private_key_file": keyFile})
	settings.ConnectTimeout = 2 * time.Second // shorter than the typing; long enough for a loaded machine's sshd
	pool := NewSSHPool()
	defer pool.Close()
	conn, err := pool.Get(testContext(t), settings)
	if err != nil {
		t.Fatalf("dial: %v\nsshd log:\n%s", err, lab.srv.Log())
	}
	if got := runOK(t, conn, "id -un"); got != sshdtest.KeyUser {
		t.Fatalf("got %q", got)
	}
	if operator.asked.Load() != 1 || operator.answered.Load() != 1 {
		t.Fatalf("asked %d, answered %d; want 1 and 1", operator.asked.Load(), operator.answered.Load())
	}
}

// A host that accepts TCP and never speaks SSH still fails with the
// connect deadline, with or without a passphrase asked (slowly) first.
func TestSSHSilentHostFailsWithTheConnectTimeoutAfterAPassphrase(t *testing.T) {
	address := silentListener(t)
	for _, asked := range []bool{false, true} {
		operator := &slowOperator{secret: "open sesame", delay: time.Second}
		settings := silentHostSettings(t, address, "")
		if asked {
			settings = silentHostSettings(t, address, writeEncryptedKey(t, "open sesame"))
			settings.Passphrase = operator.ask
		}
		ctx := testContext(t)
		_, err := DialSSH(ctx, settings)
		if !errors.Is(err, ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			t.Fatalf("passphrase asked %v: want the connect deadline's ErrUnreachable, got %v", asked, err)
		}
		if asked && operator.answered.Load() != 1 {
			t.Fatalf("the passphrase was answered %d times, want once", operator.answered.Load())
		}
	}
}

// The caller's context ending (a probe's deadline, the TUI quitting) ends
// a prompt nobody answers; so does PassphraseTimeout within a longer one.
func TestSSHUnansweredPassphraseEndsWithTheCallersContext(t *testing.T) {
	address := silentListener(t)
	keyFile := writeEncryptedKey(t, "open sesame")
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testContext(t))
		settings := silentHostSettings(t, address, keyFile)
		settings.Passphrase = func(ctx context.Context, _ string) ([]byte, error) {
			cancel() // the caller gives up while the prompt is open
			<-ctx.Done()
			return nil, fmt.Errorf("%w: the passphrase is asked on screen (%w)", ErrAwaitingOperator, ctx.Err())
		}
		_, err := DialSSH(ctx, settings)
		if !errors.Is(err, ErrAuth) || !errors.Is(err, ErrAwaitingOperator) || !errors.Is(err, context.Canceled) {
			t.Fatalf("want ErrAuth, awaiting the operator, cancelled; got %v", err)
		}
	})
	t.Run("operator deadline", func(t *testing.T) {
		ctx := testContext(t)
		settings := silentHostSettings(t, address, keyFile)
		settings.PassphraseTimeout = 200 * time.Millisecond
		settings.Passphrase = (&slowOperator{delay: time.Hour}).ask
		_, err := DialSSH(ctx, settings)
		if !errors.Is(err, ErrAuth) || !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			t.Fatalf("want ErrAuth past PassphraseTimeout; got %v", err)
		}
	})
}

// silentHostSettings reach address as a user with keyFile (none: a
// password), host keys unchecked, within a 300 ms ConnectTimeout.
func silentHostSettings(t *testing.T, address, keyFile string) SSHSettings {
	host, port := splitAddr(t, address)
	settings := SSHSettings{Alias: "silent", Host: host, User: "nobody", Password: "x",
		ConnectTimeout: 300 * time.Millisecond}
	if keyFile != "" {
		settings.IdentityFiles, settings.Password = []string{keyFile}, ""
	}
	var err error
	if settings.Port, err = strconv.Atoi(port); err != nil {
		t.Fatal(err)
	}
	return settings
}

// silentListener accepts TCP connections on loopback and never writes a
// byte: a host whose sshd hangs before its banner.
func silentListener(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// writeEncryptedKey writes a fresh ed25519 key encrypted with passphrase.
func writeEncryptedKey(t *testing.T, passphrase string) string {
	_, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(private, "", []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "encrypted_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
