package remote

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func settingsWith(t *testing.T, vars map[string]any, config string) (SSHSettings, error) {
	t.Helper()
	home := t.TempDir()
	if config != "" {
		if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, ".ssh", "config"), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return SSHSettingsFromVars("riviera", MapVars(vars), SSHEnv{Home: home})
}

func TestSSHSettingsInventoryBeatsSSHConfig(t *testing.T) {
	config := "Host riviera\n  HostName riviera.lan\n  User cfguser\n  Port 2200\n  IdentityFile ~/.ssh/riviera_key\n  ProxyJump jumper@bastion:2201\n" +
		"Host bastion\n  HostName bastion.lan\n  IdentityFile %d/.ssh/bastion_key\n"
	s, err := settingsWith(t, map[string]any{"ansible_user": "invuser", "ansible_become": "yes",
		"ansible_become_password": "pw", "ansible_become_user": "vllm"}, config)
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != "riviera.lan" || s.User != "invuser" || s.Port != 2200 || !s.HostKeyChecking {
		t.Errorf("settings %+v", s)
	}
	if len(s.IdentityFiles) != 1 || !strings.HasSuffix(s.IdentityFiles[0], "/.ssh/riviera_key") || strings.HasPrefix(s.IdentityFiles[0], "~") {
		t.Errorf("identity files %v", s.IdentityFiles)
	}
	if len(s.Jumps) != 1 || s.Jumps[0].Host != "bastion.lan" || s.Jumps[0].User != "jumper" || s.Jumps[0].Port != 2201 ||
		!strings.HasSuffix(s.Jumps[0].IdentityFiles[0], "/.ssh/bastion_key") {
		t.Errorf("jumps %+v", s.Jumps)
	}
	if !s.Become.Enabled || s.Become.User != "vllm" || s.Become.Password != "pw" {
		t.Errorf("become %+v", s.Become)
	}
}

func TestSSHSettingsAnsibleHostIsWhatSSHConfigMatches(t *testing.T) {
	config := "Host 10-0-0-5.example\n  User fromconfig\n"
	s, err := settingsWith(t, map[string]any{"ansible_host": "10-0-0-5.example"}, config)
	if err != nil || s.User != "fromconfig" || s.Host != "10-0-0-5.example" {
		t.Fatalf("%+v, %v", s, err)
	}
}

func TestSSHSettingsCommonAndExtraArgs(t *testing.T) {
	s, err := settingsWith(t, map[string]any{"ansible_user": "u",
		"ansible_ssh_common_args": `-o ProxyJump="ops@gate:2022" -o StrictHostKeyChecking=no -o ControlMaster=auto`,
		"ansible_ssh_extra_args":  "-oServerAliveInterval=5 -p 2222"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Jumps) != 1 || s.Jumps[0].User != "ops" || s.Jumps[0].Host != "gate" || s.Jumps[0].Port != 2022 {
		t.Errorf("jumps %+v", s.Jumps)
	}
	if s.HostKeyChecking || s.Port != 2222 || s.KeepAliveInterval.Seconds() != 5 {
		t.Errorf("settings %+v", s)
	}
	other := filepath.Join(t.TempDir(), "ssh_config")
	if err := os.WriteFile(other, []byte("Host riviera\n  HostName from-F.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = settingsWith(t, map[string]any{"ansible_user": "u", "ansible_ssh_common_args": "-F " + other}, "Host riviera\n  HostName default.example\n")
	if err != nil || s.Host != "from-F.example" {
		t.Fatalf("-F: %+v, %v", s, err)
	}
	s, err = settingsWith(t, map[string]any{"ansible_user": "u", "ansible_ssh_common_args": "-J a,b@c:23"}, "")
	if err != nil || len(s.Jumps) != 2 || s.Jumps[1].User != "b" || s.Jumps[1].Port != 23 {
		t.Fatalf("-J: %+v, %v", s.Jumps, err)
	}
}

func TestSSHSettingsErrorsNameTheKey(t *testing.T) {
	for vars, want := range map[*map[string]any]string{
		{"ansible_user": "u", "ansible_ssh_common_args": "-o ProxyCommand=nc %h %p"}: "ProxyCommand",
		{"ansible_user": "u", "ansible_ssh_common_args": "-o Bogus=1"}:               "bogus",
		{"ansible_user": "u", "ansible_ssh_common_args": "-X"}:                       "-X",
		{"ansible_user": "u", "ansible_port": "twenty"}:                              "ansible_port",
		{"ansible_user": "u", "ansible_become": "perhaps"}:                           "ansible_become",
		{"ansible_user": "u", "ansible_become_method": "doas"}:                       "ansible_become_method",
		{"ansible_user": "u", "ansible_ssh_common_args": `-o "ProxyJump=x`}:          "unterminated",
		{"ansible_host": "a b", "ansible_user": "u"}:                                 "not a host name",
	} {
		_, err := settingsWith(t, *vars, "")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "riviera") {
			t.Errorf("%v: want an error naming %q, got %v", *vars, want, err)
		}
	}
}

func TestSSHSettingsHostKeyCheckingFromAnsible(t *testing.T) {
	off := false
	s, err := SSHSettingsFromVars("riviera", MapVars(map[string]any{"ansible_user": "u"}), SSHEnv{Home: t.TempDir(), HostKeyChecking: &off})
	if err != nil || s.HostKeyChecking {
		t.Fatalf("ansible.cfg host_key_checking=False: %+v, %v", s, err)
	}
	s, err = SSHSettingsFromVars("riviera", MapVars(map[string]any{"ansible_user": "u", "ansible_host_key_checking": "true"}),
		SSHEnv{Home: t.TempDir(), HostKeyChecking: &off})
	if err != nil || !s.HostKeyChecking {
		t.Fatalf("host var beats ansible.cfg: %+v, %v", s, err)
	}
	t.Setenv("ANSIBLE_HOST_KEY_CHECKING", "False")
	env, err := SSHEnvFromProcess(nil)
	if err != nil || env.HostKeyChecking == nil || *env.HostKeyChecking {
		t.Fatalf("ANSIBLE_HOST_KEY_CHECKING: %+v, %v", env, err)
	}
}
