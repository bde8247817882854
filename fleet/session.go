package fleet

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/ansible/delegate"
	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/facts"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/vault"
	"github.com/straylight-fleet/straylight/remote"
)

// Config is what a session is built from: the command line's options,
// shared by the CLI and the TUI.
type Config struct {
	Repo      string   // repository root (-C)
	Inventory string   // -i; empty: ansible.cfg's, else the default names
	Limit     string   // -l host pattern
	ExtraVars []string // -e values
	// Vault names the password sources (--vault-password-file,
	// --ask-vault-pass); ANSIBLE_VAULT_PASSWORD_FILE and ansible.cfg's
	// vault_password_file are always consulted.
	Vault VaultOptions
	// Decrypter is a keyring already loaded (tests, the demo); nil: the
	// session loads one from Vault, once.
	Decrypter Decrypter
	// Apply holds --forks, --skip-unsupported, --when-idle and
	// --no-rollback; Hosts is set per deploy.
	Apply apply.Options
	// Transports opens connections to hosts; nil: the session's own
	// (plan.Transports: local, winrm, and ssh with one pooled connection per
	// host, closed by Session.Close).
	Transports plan.TransportFactory
	// SSHPassphrase asks for an encrypted SSH key's passphrase (once per
	// key and session; the answer is not kept); nil: AskSSHPassphrase,
	// else the face listening to Session.PassphraseRequests, else such keys
	// are skipped with an error naming them.
	SSHPassphrase remote.PassphraseFunc
	// AskSSHPassphrase, with no SSHPassphrase, asks on the terminal
	// (/dev/tty, not echoed), one prompt at a time.
	AskSSHPassphrase bool
	// Tags and SkipTags are --tags and --skip-tags.
	Tags, SkipTags []string
	// Playbooks are the playbooks named on the command line (relative to
	// the working directory); none: every playbook found in the repository.
	Playbooks []string
	// CoreVersion is the ansible-core whose semantics apply; empty: the
	// one `ansible --version` reports (run once per session, and only when
	// a condition needs it), else straylight.yml's, else the newest.
	CoreVersion string
	// SuggestAddress, when set, proposes the address of a host added like
	// template (the demo offers a loopback address its lab serves).
	SuggestAddress func(template string) string
	// HostAdded, when set, is told of each host AddHost wrote (the demo
	// starts a lab host for it).
	HostAdded func(name, address string) error
}

// Session is the one setup both faces use: it loads the vault keyring once,
// opens the repository (again after each edit), and builds the planner, the
// apply engine and the status monitor from the same options.
type Session struct {
	cfg Config

	mu     sync.Mutex
	keys   Decrypter
	loaded bool

	trMu    sync.Mutex
	tr      *plan.Transports // built on first use when cfg.Transports is nil
	trErr   error
	ownsTrs bool

	coreOnce sync.Once
	core     string

	passphrases *plan.Passphrases // questions for the TUI (fleet/plan/passphrase.go)
}

// detectedCoreVersion is the ansible-core the operator runs, asked once
// per session (each Open's repository asks only when it needs it).
func (s *Session) detectedCoreVersion() string {
	s.coreOnce.Do(func() { s.core = ansible.DetectCoreVersion(context.Background()) })
	return s.core
}

// NewSession builds a session; nothing is read until it is used. Close it
// when done: it holds the SSH connections.
func NewSession(cfg Config) *Session {
	s := &Session{cfg: cfg, passphrases: plan.NewPassphrases()}
	if cfg.Transports == nil {
		s.ownsTrs = true
		s.cfg.Transports = s.openTransport
	}
	if cfg.Decrypter != nil {
		s.keys, s.loaded = cfg.Decrypter, true
	}
	return s
}

// openTransport is the session's own TransportFactory.
func (s *Session) openTransport(c plan.Connection) (remote.Transport, error) {
	t, err := s.transports()
	if err != nil {
		return nil, err
	}
	return t.Open(c)
}

// transports builds the session's transports once: ansible.cfg's
// host_key_checking, then ANSIBLE_HOST_KEY_CHECKING, SSH_AUTH_SOCK.
func (s *Session) transports() (*plan.Transports, error) {
	s.trMu.Lock()
	defer s.trMu.Unlock()
	if s.tr != nil || s.trErr != nil {
		return s.tr, s.trErr
	}
	env, err := s.sshEnv()
	if err != nil {
		s.trErr = err
		return nil, err
	}
	s.tr = plan.NewTransports(env)
	return s.tr, nil
}

func (s *Session) sshEnv() (remote.SSHEnv, error) {
	cfg, err := ansible.LoadAnsibleConfig(s.cfg.Repo)
	if err != nil {
		return remote.SSHEnv{}, err
	}
	checking, err := cfg.HostKeyCheckingValue()
	if err != nil {
		return remote.SSHEnv{}, err
	}
	env, err := remote.SSHEnvFromProcess(checking)
	env.Passphrase = s.passphraseFunc()
	return env, err
}

// passphraseFunc is who answers for encrypted keys: the configured
// function, the terminal, or the face listening to PassphraseRequests.
func (s *Session) passphraseFunc() remote.PassphraseFunc {
	switch {
	case s.cfg.SSHPassphrase != nil:
		return s.cfg.SSHPassphrase
	case s.cfg.AskSSHPassphrase:
		return terminalPassphrase()
	}
	return s.passphrases.Ask
}

// PassphraseRequest is a connection's question for an encrypted SSH key's
// passphrase (plan.PassphraseRequest): Answer or Refuse it.
type PassphraseRequest = plan.PassphraseRequest

// ErrPassphraseRefused: the operator declined to give a key's passphrase.
var ErrPassphraseRefused = plan.ErrPassphraseRefused

// PassphraseRequests is where a face that owns the screen (the TUI) hears
// that a connection needs an encrypted key's passphrase; each request is
// answered (Answer) or declined (Refuse). Until it is answered, the
// connections needing the key fail within their deadline with an error
// naming the key, and the next attempt after the answer uses it. Without
// a listener (and no SSHPassphrase or AskSSHPassphrase), such keys fail at
// once.
func (s *Session) PassphraseRequests() <-chan PassphraseRequest { return s.passphrases.Listen() }

// terminalPassphrase asks for a key's passphrase on the terminal, as ssh
// does; hosts are read in parallel, so prompts are taken one at a time.
func terminalPassphrase() remote.PassphraseFunc {
	var mu sync.Mutex
	return func(_ context.Context, keyFile string) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		return vault.TerminalPrompt(fmt.Sprintf("Enter passphrase for key '%s': ", keyFile))
	}
}

// insecureReason says why a host's connection is insecure ("" when not).
func (s *Session) insecureReason(c plan.Connection) string {
	if !s.ownsTrs {
		return plan.InsecureReason(c)
	}
	t, err := s.transports()
	if err != nil {
		return ""
	}
	return t.InsecureReason(c)
}

// Close closes the session's SSH connections.
func (s *Session) Close() error {
	s.trMu.Lock()
	defer s.trMu.Unlock()
	if s.tr == nil {
		return nil
	}
	return s.tr.Close()
}

// Config is the configuration the session was built from.
func (s *Session) Config() Config { return s.cfg }

// Keyring loads the vault keyring the first time (it may prompt, so faces
// call it before taking the terminal). It is nil when no password source
// exists: a vaulted file then fails with a message naming it. warnings are
// the password sources that failed while others worked, returned only by
// the call that loaded the keyring.
func (s *Session) Keyring() (dec Decrypter, warnings []string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded {
		return s.keys, nil, nil
	}
	dec, warnings, err = LoadVault(s.cfg.Repo, s.cfg.Vault)
	if err != nil {
		return nil, nil, fmt.Errorf("vault: %w", err)
	}
	s.keys, s.loaded = dec, true
	return dec, warnings, nil
}

// Open reads the repository afresh: ansible.cfg, straylight.yml, the
// inventory, the playbooks and their roles; when a file reads a gathered
// fact, the hosts of the plays that gather facts are asked for theirs, a
// fork's worth at a time.
func (s *Session) Open() (*Repo, error) {
	dec, _, err := s.Keyring()
	if err != nil {
		return nil, err
	}
	gatherer := facts.New(facts.Dial(s.cfg.Transports), 0).WithBecome(func(tr remote.Transport, b ansible.BecomeSpec) remote.Transport {
		return plan.WithBecome(tr, &b)
	})
	r, err := ansible.Open(ansible.Options{Repo: s.cfg.Repo, Inventory: s.cfg.Inventory, Limit: s.cfg.Limit,
		ExtraVars: s.cfg.ExtraVars, Decrypter: dec, Tags: s.cfg.Tags, SkipTags: s.cfg.SkipTags, CoreVersion: s.cfg.CoreVersion,
		DetectCoreVersion: s.detectedCoreVersion, Playbooks: s.cfg.Playbooks, Facts: gatherer})
	if err != nil {
		return nil, err
	}
	gatherer.Prefetch(r, s.forks())
	return newRepo(r), nil
}

// Plan renders every planned host's tasks and compares them with the hosts,
// reading up to four hosts per fork at once. It never writes.
// The tasks straylight does not run itself are planned and applied through
// the operator's ansible-playbook when one is found (AnsibleRunner).
func (s *Session) Plan(ctx context.Context, repo *Repo) (*plan.Plan, error) {
	runner, err := s.AnsibleRunner(repo)
	if err != nil {
		return nil, err
	}
	p := &plan.Planner{Repo: repo.repo, Fleet: repo.Fleet(), Transports: s.cfg.Transports, Parallel: s.forks() * 4, Ansible: runner}
	return p.Plan(ctx)
}

// Engine is the apply engine for repo, restricted to hosts (nil: all).
func (s *Session) Engine(repo *Repo, hosts []string) *apply.Engine {
	opts := s.cfg.Apply
	opts.Hosts = hosts
	runner, _ := s.AnsibleRunner(repo) // a bad ansible_playbook failed the plan already
	return &apply.Engine{Repo: repo.repo, Fleet: repo.Fleet(), Transports: s.cfg.Transports, Opts: opts, Ansible: runner}
}

// AnsibleRunner is the ansible-playbook that runs the tasks straylight does
// not (fleet/ansible/delegate): straylight.yml's ansible_playbook, else the
// one on PATH, given the session's inventory, -e, tags and vault passwords;
// nil when there is none.
func (s *Session) AnsibleRunner(repo *Repo) (*delegate.Runner, error) {
	r := repo.repo
	bin, err := delegate.Find(r.Settings.AnsiblePlaybook)
	if err != nil {
		return nil, fmt.Errorf("straylight.yml: %w", err)
	}
	if bin == "" {
		return nil, nil
	}
	return &delegate.Runner{Bin: bin, Root: r.Root, Inventory: r.InventoryPath, ExtraVars: absExtraVarFiles(r.ExtraVarArgs()),
		Tags: r.Tags(), SkipTags: r.SkipTags(), Vault: s.vaultPasswords(), Timeout: r.Settings.AnsibleTimeout}, nil
}

// absExtraVarFiles makes -e @FILE paths absolute: ansible-playbook runs in
// the repository, straylight where it was started.
func absExtraVarFiles(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if file, ok := strings.CutPrefix(a, "@"); ok && !filepath.IsAbs(file) {
			if abs, err := filepath.Abs(file); err == nil {
				out[i] = "@" + abs
			}
		}
	}
	return out
}

// vaultPasswords are the keyring's passwords, for ansible-playbook.
func (s *Session) vaultPasswords() []delegate.VaultPassword {
	s.mu.Lock()
	kr, ok := s.keys.(*vault.Keyring)
	s.mu.Unlock()
	if !ok {
		return nil
	}
	ids, passwords := kr.Passwords()
	out := make([]delegate.VaultPassword, len(ids))
	for i := range ids {
		out[i] = delegate.VaultPassword{ID: ids[i], Password: passwords[i]}
	}
	return out
}

func (s *Session) forks() int {
	if s.cfg.Apply.Forks < 1 {
		return 10
	}
	return s.cfg.Apply.Forks
}

// Restrict keeps only what a saved plan recorded (see plan.Restrict); it
// reads the saved plan from path.
func (s *Session) Restrict(fresh *plan.Plan, path string) (*plan.Plan, error) {
	saved, err := plan.LoadPlan(path)
	if err != nil {
		return nil, err
	}
	return plan.Restrict(fresh, saved)
}

// VaultOptions are the vault password sources of a run.
type VaultOptions struct {
	PasswordFiles []string // --vault-password-file
	Ask           bool     // --ask-vault-pass
	Stderr        io.Writer
}

// LoadVault builds the keyring ansible-playbook would: the given sources,
// ANSIBLE_VAULT_PASSWORD_FILE and ansible.cfg's vault_password_file. It
// returns nil (no error) when no password source exists; warnings are
// password sources that failed while others worked.
func LoadVault(repo string, opts VaultOptions) (Decrypter, []string, error) {
	cfg, err := ansible.LoadAnsibleConfig(repo)
	if err != nil {
		return nil, nil, err
	}
	k, err := vault.LoadKeyring(vault.Options{PasswordFiles: opts.PasswordFiles, AskVaultPass: opts.Ask,
		ConfigPasswordFile: cfg.VaultPassword, Stderr: opts.Stderr})
	if err != nil {
		return nil, nil, err
	}
	if len(k.VaultIDs()) == 0 {
		return nil, k.Warnings(), nil
	}
	return k, k.Warnings(), nil
}
