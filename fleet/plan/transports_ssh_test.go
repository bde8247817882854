package plan

import (
	"testing"

	"github.com/straylight-fleet/straylight/remote"
)

func openSSHForTest(t *testing.T, vars map[string]any) remote.Transport {
	t.Helper()
	tr := NewTransports(remote.SSHEnv{Home: t.TempDir(), ConfigFile: "none"})
	t.Cleanup(func() { tr.Close() })
	c := Connection{Host: "box", Kind: "ssh", Address: "127.0.0.1", Vars: remote.MapVars(vars)}
	out, err := tr.Open(c) // nothing is dialled until the first call
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Play and task keywords set become where the host's variables do not;
// ansible_become_user beats become_user, as variables beat keywords in
// Ansible; the password always comes from the variables.
func TestWithBecomeKeywordsUnderVariables(t *testing.T) {
	tr := openSSHForTest(t, map[string]any{"ansible_user": "ops", "ansible_become_user": "svc", "ansible_become_password": "pw"})
	got := WithBecome(tr, &BecomeSpec{Set: true, Become: true, User: "root", Method: "su"}).(*PooledSSH).Become()
	want := remote.Become{Enabled: true, User: "svc", Method: "su", Password: "pw"}
	if got != want {
		t.Errorf("become %+v, want %+v", got, want)
	}
	if WithBecome(tr, nil) != tr {
		t.Error("no keywords: the transport changes")
	}
	off := openSSHForTest(t, map[string]any{"ansible_user": "ops", "ansible_become": false})
	if b := WithBecome(off, &BecomeSpec{Set: true, Become: true}).(*PooledSSH).Become(); b.Enabled {
		t.Errorf("ansible_become: false lost to the become keyword: %+v", b)
	}
}

// Transports without privilege escalation are used as they are.
func TestWithBecomeLeavesLocalAlone(t *testing.T) {
	local := remote.NewLocal(remote.LocalConfig{})
	if WithBecome(local, &BecomeSpec{Set: true, Become: true}) != remote.Transport(local) {
		t.Error("the local transport was wrapped")
	}
}

// host_key_checking = False (through the env) marks an SSH host insecure.
func TestSSHInsecureReason(t *testing.T) {
	off := false
	tr := NewTransports(remote.SSHEnv{Home: t.TempDir(), ConfigFile: "none", HostKeyChecking: &off})
	c := Connection{Host: "box", Kind: "ssh", Address: "127.0.0.1", Vars: remote.MapVars(map[string]any{"ansible_user": "ops"})}
	if r := tr.InsecureReason(c); r == "" {
		t.Error("host key checking off is not marked insecure")
	}
	on := NewTransports(remote.SSHEnv{Home: t.TempDir(), ConfigFile: "none"})
	if r := on.InsecureReason(c); r != "" {
		t.Errorf("checked host marked insecure: %s", r)
	}
}
