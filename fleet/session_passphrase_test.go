package fleet_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/internal/sshdtest"
)

const testPassphrase = "open sesame 42"

// encryptedKeyRepo is sshHostRepo with box's host key trusted and its key
// an encrypted one.
func encryptedKeyRepo(t *testing.T) (dir, keyFile string) {
	t.Helper()
	srv := sshdtest.Start(t)
	keyFile = srv.WriteEncryptedKey(t, testPassphrase)
	dir = sshHostRepo(t, srv, "")
	if err := os.WriteFile(filepath.Join(dir, "known_hosts"), []byte(srv.KnownHostsLine()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inventory := filepath.Join(dir, "hosts.yml")
	data, err := os.ReadFile(inventory)
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), srv.ClientKeyFile, keyFile, 1))
	if err := os.WriteFile(inventory, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, keyFile
}

// boxStatus refreshes the live status once (the host probe under
// hostTimeout) and returns box's row.
func boxStatus(t *testing.T, sess *fleet.Session, hostTimeout time.Duration) status.HostStatus {
	t.Helper()
	repo, err := sess.Open()
	if err != nil {
		t.Fatal(err)
	}
	targets, _ := sess.StatusTargets(repo, nil)
	m := status.New(status.Config{Hosts: targets, Timeout: 30 * time.Second,
		HostProbeTimeout: hostTimeout, HostProbeInterval: time.Nanosecond})
	defer m.Close()
	snap := m.Refresh(context.Background())
	if len(snap.Hosts) != 1 {
		t.Fatalf("%d rows", len(snap.Hosts))
	}
	return snap.Hosts[0]
}

// answer answers (or refuses, with refuse) every question for the test's
// life, reporting each key file asked about.
func answer(t *testing.T, sess *fleet.Session, refuse bool) <-chan string {
	asked := make(chan string, 16)
	requests := sess.PassphraseRequests()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		for {
			select {
			case req := <-requests:
				asked <- req.KeyFile
				if refuse {
					req.Refuse()
				} else {
					req.Answer([]byte(testPassphrase))
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return asked
}

// The TUI's way: the session asks through PassphraseRequests, the answer
// unlocks the key for the session's life, asked once.
func TestEncryptedKeyPassphraseAnsweredThroughTheSession(t *testing.T) {
	dir, keyFile := encryptedKeyRepo(t)
	sess := fleet.NewSession(fleet.Config{Repo: dir})
	defer sess.Close()
	asked := answer(t, sess, false)
	for round := range 2 {
		if row := boxStatus(t, sess, 20*time.Second); row.HostError != "" {
			t.Fatalf("round %d: %s", round, row.HostError)
		}
	}
	if got := <-asked; got != keyFile {
		t.Fatalf("asked about %s, want %s", got, keyFile)
	}
	if len(asked) != 0 {
		t.Fatalf("asked %d more times", len(asked))
	}
}

// Esc at the prompt: the host says which key had no passphrase, at once,
// and is not asked about again.
func TestEncryptedKeyPassphraseRefusedNamesTheKey(t *testing.T) {
	dir, keyFile := encryptedKeyRepo(t)
	sess := fleet.NewSession(fleet.Config{Repo: dir})
	defer sess.Close()
	asked := answer(t, sess, true)
	for round := range 2 {
		row := boxStatus(t, sess, 20*time.Second)
		if !strings.Contains(row.HostError, keyFile) || !strings.Contains(row.HostError, "passphrase not given") {
			t.Fatalf("round %d: host error %q", round, row.HostError)
		}
	}
	if <-asked; len(asked) != 0 {
		t.Fatalf("asked %d more times after a refusal", len(asked))
	}
}

// No answer before the host probe's deadline: the host says it waits for
// the key's passphrase; the answer given later is used by the next probe.
func TestEncryptedKeyPassphraseAnsweredAfterTheDeadline(t *testing.T) {
	dir, keyFile := encryptedKeyRepo(t)
	sess := fleet.NewSession(fleet.Config{Repo: dir})
	defer sess.Close()
	requests := sess.PassphraseRequests()
	row := boxStatus(t, sess, time.Second)
	if !strings.Contains(row.HostError, keyFile) || !strings.Contains(row.HostError, "passphrase is asked on screen") {
		t.Fatalf("host error %q", row.HostError)
	}
	(<-requests).Answer([]byte(testPassphrase))
	if row := boxStatus(t, sess, 20*time.Second); row.HostError != "" {
		t.Fatalf("after the answer: %s", row.HostError)
	}
}

// The operator takes longer than ansible_timeout to answer on screen:
// the host connects, the connect timeout bounding only the host's part.
func TestEncryptedKeyPassphraseAnsweredAfterTheConnectTimeout(t *testing.T) {
	dir, keyFile := encryptedKeyRepo(t)
	inventory := filepath.Join(dir, "hosts.yml")
	data, err := os.ReadFile(inventory)
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), "      ansible_port:", "      ansible_timeout: 1\n      ansible_port:", 1))
	if err := os.WriteFile(inventory, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sess := fleet.NewSession(fleet.Config{Repo: dir})
	defer sess.Close()
	requests := sess.PassphraseRequests()
	go func() {
		req := <-requests
		time.Sleep(2 * time.Second) // typing, past the 1 s connect timeout
		req.Answer([]byte(testPassphrase))
	}()
	if row := boxStatus(t, sess, 20*time.Second); row.HostError != "" {
		t.Fatalf("key %s answered after the connect timeout: %s", keyFile, row.HostError)
	}
}

// Without a face listening (and no terminal prompt), an encrypted key
// fails at once with an error naming it.
func TestEncryptedKeyWithoutAPromptNamesTheKey(t *testing.T) {
	dir, keyFile := encryptedKeyRepo(t)
	sess := fleet.NewSession(fleet.Config{Repo: dir})
	defer sess.Close()
	row := boxStatus(t, sess, 20*time.Second)
	if !strings.Contains(row.HostError, keyFile) || !strings.Contains(row.HostError, "ssh-agent") {
		t.Fatalf("host error %q", row.HostError)
	}
}
