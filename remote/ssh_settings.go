package remote

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SSHSettings is one host's SSH connection, after Ansible's variables,
// ~/.ssh/config and ansible.cfg have been merged (see SSHSettingsFromVars).
type SSHSettings struct {
	Alias    string // inventory name: the key ~/.ssh/config's Host blocks match
	Host     string // address dialled (ansible_host, else HostName, else Alias)
	Port     int    // 0: 22
	User     string // login user; "" refused
	Password string // ansible_password; never in messages
	// IdentityFiles are private keys tried in order (ansible_ssh_private_key_file,
	// then ~/.ssh/config's IdentityFile entries).
	IdentityFiles []string
	// AgentSocket is SSH_AUTH_SOCK; "" means no agent.
	AgentSocket string
	// Passphrase is asked for an encrypted key no agent offers; nil means
	// such keys are skipped with an error naming them. The answer is never
	// stored.
	Passphrase PassphraseFunc
	// Jumps are the ProxyJump hops, outermost first.
	Jumps []SSHJump
	// KnownHostsFiles are read for host keys (UserKnownHostsFile, else
	// ~/.ssh/known_hosts and ~/.ssh/known_hosts2).
	KnownHostsFiles []string
	// HostKeyChecking false (ansible.cfg host_key_checking = False) accepts any
	// host key; the transport then reports itself insecure.
	HostKeyChecking bool
	Become          Become
	// ConnectTimeout bounds TCP connect plus the SSH handshake and
	// authentication (ansible_timeout, ConnectTimeout); 0 means 10 s. The
	// time the operator takes to answer a passphrase prompt is not part of it.
	ConnectTimeout time.Duration
	// PassphraseTimeout bounds the wait for the operator's answers to
	// Passphrase before the connect starts (within the caller's context);
	// 0 means 5 minutes.
	PassphraseTimeout time.Duration
	// KeepAliveInterval is ServerAliveInterval; 0 means 15 s. After
	// KeepAliveCountMax (0: 3) unanswered probes the connection is closed.
	KeepAliveInterval time.Duration
	KeepAliveCountMax int
	// Clock names backup files; nil means time.Now.
	Clock func() time.Time
}

// SSHJump is one ProxyJump hop ([user@]host[:port]). Its user, port and keys
// come from ~/.ssh/config's block for the hop when the hop leaves them out.
type SSHJump struct {
	Alias         string
	Host          string
	Port          int
	User          string
	IdentityFiles []string
}

// Become is Ansible's privilege escalation for a host.
type Become struct {
	Enabled bool
	Method  string // "sudo" (default) or "su"
	User    string // "": root
	// Password is ansible_become_password; sent on stdin when sudo or su asks,
	// never on a command line, never in messages.
	Password string
}

// SSHEnv is what the process around the inventory contributes: ansible.cfg,
// the environment and the user's OpenSSH files.
type SSHEnv struct {
	// Home is the directory holding .ssh/ (OpenSSH uses the passwd entry's home,
	// not $HOME). "" means the current user's passwd home.
	Home string
	// ConfigFile is ~/.ssh/config; "" means <Home>/.ssh/config, "none" none.
	ConfigFile string
	// HostKeyChecking is ansible.cfg's host_key_checking (or
	// ANSIBLE_HOST_KEY_CHECKING); nil means true.
	HostKeyChecking *bool
	// AgentSocket is SSH_AUTH_SOCK.
	AgentSocket string
	// Passphrase asks the user for an encrypted key's passphrase.
	Passphrase PassphraseFunc
	Clock      func() time.Time
}

// SSHEnvFromProcess fills an SSHEnv from this process: the passwd home,
// SSH_AUTH_SOCK and ANSIBLE_HOST_KEY_CHECKING. cfgHostKeyChecking is
// ansible.cfg's value (nil when the file does not set it); the environment
// variable wins over it, as in Ansible.
func SSHEnvFromProcess(cfgHostKeyChecking *bool) (SSHEnv, error) {
	env := SSHEnv{AgentSocket: os.Getenv("SSH_AUTH_SOCK"), HostKeyChecking: cfgHostKeyChecking}
	if raw, ok := os.LookupEnv("ANSIBLE_HOST_KEY_CHECKING"); ok {
		value, err := parseAnsibleBool(raw)
		if err != nil {
			return SSHEnv{}, fmt.Errorf("ANSIBLE_HOST_KEY_CHECKING: %w", err)
		}
		env.HostKeyChecking = &value
	}
	return env, nil
}

// VarLookup returns a host's (templated, vault-decrypted) variable.
type VarLookup func(name string) (any, bool)

// MapVars is a VarLookup over a map.
func MapVars(vars map[string]any) VarLookup {
	return func(name string) (any, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// SSHSettingsFromVars builds a host's settings the way Ansible's ssh
// connection does: inventory variables first, ~/.ssh/config for what they
// leave out, ansible_ssh_common_args/extra_args for -o options and -J.
func SSHSettingsFromVars(alias string, vars VarLookup, env SSHEnv) (SSHSettings, error) {
	s, err := settingsFromVars(alias, vars, env)
	if err != nil {
		return SSHSettings{}, fmt.Errorf("ssh %s: %w", alias, err)
	}
	return s, nil
}

func settingsFromVars(alias string, vars VarLookup, env SSHEnv) (SSHSettings, error) {
	home, err := sshHome(env.Home)
	if err != nil {
		return SSHSettings{}, err
	}
	r := varReader{get: vars}
	s := SSHSettings{Alias: alias, AgentSocket: env.AgentSocket, Passphrase: env.Passphrase,
		Clock: env.Clock, HostKeyChecking: env.HostKeyChecking == nil || *env.HostKeyChecking}
	r.readConnection(&s)
	r.readBecome(&s.Become)
	if r.err != nil {
		return SSHSettings{}, r.err
	}
	opts, err := parseSSHArgs(r.str("ansible_ssh_common_args") + " " + r.str("ansible_ssh_extra_args"))
	if err != nil {
		return SSHSettings{}, err
	}
	cfg, err := loadSSHConfig(stringOr(expandHome(opts.configFile, home), env.ConfigFile), home)
	if err != nil {
		return SSHSettings{}, err
	}
	return s, mergeSettings(&s, opts, cfg, home)
}

// varReader reads variables, remembering the first malformed one.
type varReader struct {
	get VarLookup
	err error
}

func (r *varReader) str(names ...string) string {
	for _, name := range names {
		if v, ok := r.get(name); ok && v != nil {
			return fmt.Sprint(v)
		}
	}
	return ""
}

func (r *varReader) integer(names ...string) int {
	text := r.str(names...)
	if text == "" || r.err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		r.err = fmt.Errorf("%s %q is not a number", names[0], text)
	}
	return n
}

func (r *varReader) boolean(name string) *bool {
	text := r.str(name)
	if text == "" || r.err != nil {
		return nil
	}
	value, err := parseAnsibleBool(text)
	if err != nil {
		r.err = fmt.Errorf("%s: %w", name, err)
	}
	return &value
}

func (r *varReader) readConnection(s *SSHSettings) {
	s.Host = r.str("ansible_host", "ansible_ssh_host")
	s.Port = r.integer("ansible_port", "ansible_ssh_port")
	s.User = r.str("ansible_user", "ansible_ssh_user")
	s.Password = r.str("ansible_password", "ansible_ssh_pass", "ansible_ssh_password")
	if key := r.str("ansible_ssh_private_key_file", "ansible_private_key_file"); key != "" {
		s.IdentityFiles = append(s.IdentityFiles, key)
	}
	if seconds := r.integer("ansible_timeout", "ansible_ssh_timeout"); seconds > 0 {
		s.ConnectTimeout = time.Duration(seconds) * time.Second
	}
	if check := r.boolean("ansible_ssh_host_key_checking"); check != nil {
		s.HostKeyChecking = *check
	}
	if check := r.boolean("ansible_host_key_checking"); check != nil {
		s.HostKeyChecking = *check
	}
}

// BecomeFromVars is the privilege escalation a host's variables ask for
// (ansible_become, ansible_become_method, ansible_become_user and the
// password), whatever its connection.
func BecomeFromVars(vars VarLookup) (Become, error) {
	r := varReader{get: vars}
	var b Become
	r.readBecome(&b)
	return b, r.err
}

func (r *varReader) readBecome(b *Become) {
	if enabled := r.boolean("ansible_become"); enabled != nil {
		b.Enabled = *enabled
	}
	b.Method = r.str("ansible_become_method")
	b.User = r.str("ansible_become_user")
	b.Password = r.str("ansible_become_password", "ansible_become_pass", "ansible_sudo_pass")
	if r.err == nil {
		r.err = b.check()
	}
}

func (b Become) check() error {
	switch b.Method {
	case "", "sudo", "su":
	default:
		return fmt.Errorf("ansible_become_method %q: straylight speaks sudo and su", b.Method)
	}
	if b.User != "" && !validUserName(b.User) {
		return fmt.Errorf("ansible_become_user %q is not a user name", b.User)
	}
	if strings.ContainsAny(b.Password, "\r\n") {
		return errors.New("ansible_become_password holds a line break, which sudo and su cannot read")
	}
	return nil
}

// parseAnsibleBool reads Ansible's booleans (yes/no, true/false, on/off, 1/0).
func parseAnsibleBool(text string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "yes", "y", "true", "t", "on", "1":
		return true, nil
	case "no", "n", "false", "f", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", text)
}

// sshHome is the directory OpenSSH reads ~/.ssh from: the passwd home.
func sshHome(home string) (string, error) {
	if home != "" {
		return home, nil
	}
	dir, err := passwdHome()
	if err != nil {
		return "", fmt.Errorf("finding the home directory for ~/.ssh: %w", err)
	}
	return dir, nil
}

func expandHome(path, home string) string {
	if path == "~" {
		return home
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		return filepath.Join(home, rest)
	}
	return path
}

func (s SSHSettings) check() error {
	switch {
	case s.Host == "" || strings.ContainsAny(s.Host, " \t\r\n/@?#"):
		return fmt.Errorf("host %q is not a host name or address", s.Host)
	case s.User == "":
		return errors.New("no user: set ansible_user or User in ~/.ssh/config")
	case s.Port < 0 || s.Port > 65535:
		return fmt.Errorf("port %d is outside 1-65535", s.Port)
	}
	return s.Become.check()
}
