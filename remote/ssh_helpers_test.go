package remote

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/sshdtest"
)

// sshLab is one real sshd and a home directory with .ssh/known_hosts
// trusting it.
type sshLab struct {
	srv  *sshdtest.Server
	home string
	env  SSHEnv
}

func newSSHLab(t *testing.T) *sshLab {
	t.Helper()
	srv := sshdtest.Start(t)
	home := t.TempDir()
	lab := &sshLab{srv: srv, home: home, env: SSHEnv{Home: home}}
	lab.writeSSHFile(t, "known_hosts", srv.KnownHostsLine()+"\n")
	return lab
}

func (l *sshLab) writeSSHFile(t *testing.T, name, content string) string {
	t.Helper()
	dir := filepath.Join(l.home, ".ssh")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// vars are a host's Ansible variables reaching the lab's sshd as user
// with the client key; extra entries are added (a nil value deletes).
func (l *sshLab) vars(user string, extra map[string]any) map[string]any {
	vars := map[string]any{
		"ansible_host": l.srv.Host, "ansible_port": l.srv.Port, "ansible_user": user,
		"ansible_ssh_private_key_file": l.srv.ClientKeyFile,
	}
	for k, v := range extra {
		if v == nil {
			delete(vars, k)
		} else {
			vars[k] = v
		}
	}
	return vars
}

func (l *sshLab) settings(t *testing.T, user string, extra map[string]any) SSHSettings {
	t.Helper()
	s, err := SSHSettingsFromVars("case", MapVars(l.vars(user, extra)), l.env)
	if err != nil {
		t.Fatalf("settings: %v", err)
	}
	return s
}

func (l *sshLab) dial(t *testing.T, user string, extra map[string]any) *SSH {
	t.Helper()
	conn, err := DialSSH(testContext(t), l.settings(t, user, extra))
	if err != nil {
		t.Fatalf("dial: %v\nsshd log:\n%s", err, l.srv.Log())
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func runOK(t *testing.T, tr Transport, script string) string {
	t.Helper()
	res, err := tr.Run(testContext(t), Command{Script: script})
	if err != nil {
		t.Fatalf("run %q: %v", script, err)
	}
	if res.ExitCode != 0 {
		t.Fatalf("run %q: exit %d: %s", script, res.ExitCode, res.Stderr)
	}
	return strings.TrimSpace(res.Stdout)
}

func portString(port int) string { return strconv.Itoa(port) }

func splitAddr(t *testing.T, addr string) (string, string) {
	t.Helper()
	i := strings.LastIndex(addr, ":")
	return addr[:i], addr[i+1:]
}

func newEd25519(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
