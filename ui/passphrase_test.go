package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/internal/sshdtest"
)

const uiTestPassphrase = "correct horse 9"

// encryptedKeyRepo is a repository with one GPU host, box, on a real sshd,
// logging in with an encrypted key; its host key is trusted.
func encryptedKeyRepo(t *testing.T) (dir, keyFile string) {
	t.Helper()
	srv := sshdtest.Start(t)
	keyFile = srv.WriteEncryptedKey(t, uiTestPassphrase)
	dir = t.TempDir()
	knownHosts := filepath.Join(dir, "known_hosts")
	files := map[string]string{
		"known_hosts":    srv.KnownHostsLine() + "\n",
		"ansible.cfg":    "[defaults]\ninventory = hosts.yml\n",
		"straylight.yml": "refresh_seconds: 0.2\nprobe_timeout_seconds: 2\n",
		"hosts.yml": fmt.Sprintf(`all:
  hosts:
    box:
      ansible_host: 127.0.0.1
      ansible_port: %d
      ansible_user: %s
      ansible_ssh_private_key_file: %s
      ansible_ssh_common_args: "-F none -o UserKnownHostsFile=%s"
      vllm: {model: m, served_model_name: m, port: 9}
`, srv.Port, sshdtest.KeyUser, keyFile, knownHosts),
		"site.yml": "- hosts: all\n  gather_facts: false\n  tasks: []\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, keyFile
}

// boxRow is box's live status, if a snapshot came.
func boxRow(m Model) (status.HostStatus, bool) {
	if m.snap == nil {
		return status.HostStatus{}, false
	}
	for _, h := range m.snap.Hosts {
		if h.Host == "box" {
			return h, true
		}
	}
	return status.HostStatus{}, false
}

// leakWatch fails the test if any frame ever shows the passphrase.
type leakWatch struct {
	mu     sync.Mutex
	leaked string
}

func (w *leakWatch) look(m Model) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if frame := m.Render(); strings.Contains(frame, "horse") && w.leaked == "" {
		w.leaked = frame
	}
}

// The TUI asks for the key's passphrase in a masked prompt; enter
// answers it and box connects; the passphrase is never drawn.
func TestTUIAsksTheKeyPassphrase(t *testing.T) {
	dir, keyFile := encryptedKeyRepo(t)
	tm, g := startUI(t, dir, 140, 30)
	watch := &leakWatch{}
	waitUntil(t, g, "the passphrase prompt", func(m Model) bool {
		return m.asking != nil && strings.Contains(m.Render(), "Passphrase for SSH key "+keyFile)
	})
	waitAfter(t, g, "box connected", func(m Model) bool {
		watch.look(m)
		row, ok := boxRow(m)
		return ok && m.asking == nil && row.HostError == "" && (len(row.GPUs) > 0 || row.GPUError != "")
	}, func() { press(tm, strings.Split(uiTestPassphrase, "")...); press(tm, "enter") })
	if watch.leaked != "" {
		t.Fatalf("a frame showed the passphrase:\n%s", watch.leaked)
	}
	finalView(t, tm)
}

// Esc declines: box says which key has no passphrase.
func TestTUIPassphraseEscLeavesTheHostUnconnected(t *testing.T) {
	dir, keyFile := encryptedKeyRepo(t)
	tm, g := startUI(t, dir, 140, 30)
	waitUntil(t, g, "the passphrase prompt", func(m Model) bool { return m.asking != nil })
	waitAfter(t, g, "box refused", func(m Model) bool {
		row, ok := boxRow(m)
		return ok && m.asking == nil && strings.Contains(row.HostError, keyFile) && strings.Contains(row.HostError, "passphrase not given")
	}, func() { press(tm, "s", "e", "c", "esc") })
	finalView(t, tm)
}
