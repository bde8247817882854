package ui

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/hvedit"
	"github.com/straylight-fleet/straylight/fleet/status"
)

// statusSource is the live status monitor as the UI uses it
// (*status.Monitor): it probes in the background and publishes snapshots.
type statusSource interface {
	Run(ctx context.Context, interval time.Duration, publish func(status.Snapshot)) <-chan struct{}
	SetTargets(hosts []status.Target, proxy *status.ProxyTarget)
	Close() error
}

// planInterval is how often the plan (drift) is recomputed in the
// background; edits and deploys recompute it at once.
const planInterval = 30 * time.Second

// engine is the apply engine as the UI drives it (*fleet.Engine), through
// the same Observer events as headless --apply.
type engine interface {
	Apply(ctx context.Context, plan *fleet.Plan, obs fleet.Observer) (fleet.ApplySummary, error)
	Restart(ctx context.Context, host string, obs fleet.Observer) error
	TestRoute(ctx context.Context, route string, obs fleet.Observer) (fleet.RouteResult, error)
}

// services is everything the UI asks of the rest of straylight. Every one of
// them may touch the disk or the network, so the model calls them only from
// tea.Cmds, never from Update or View. Tests replace them.
type services struct {
	open     func() (*fleet.Repo, error)
	plan     func(ctx context.Context, repo *fleet.Repo) (*fleet.Plan, error)
	monitor  func(repo *fleet.Repo) statusSource
	targets  func(repo *fleet.Repo) ([]status.Target, *status.ProxyTarget)
	engine   func(repo *fleet.Repo, hosts []string) engine
	gitState func(root string) gitState
	commit   func(root string, files []string, message string) error
	vault    hvedit.Vault // opens vaulted values in host_vars; nil: none
	// planEvery is how often the plan (drift) is recomputed in the background.
	planEvery time.Duration
}

// defaultServices are the real ones, built from the configuration.
func defaultServices(cfg Config) services {
	transports := fleet.DefaultTransports
	keys := &keyring{dec: cfg.Decrypter}
	return services{
		open: func() (*fleet.Repo, error) {
			dec, err := keys.get(cfg.Repo)
			if err != nil {
				return nil, err
			}
			return fleet.Open(fleet.Options{Repo: cfg.Repo, Inventory: cfg.Inventory, Limit: cfg.Limit,
				ExtraVars: cfg.ExtraVars, Decrypter: dec})
		},
		plan: func(ctx context.Context, repo *fleet.Repo) (*fleet.Plan, error) {
			return (&fleet.Planner{Repo: repo, Transports: transports}).Plan(ctx)
		},
		monitor: func(repo *fleet.Repo) statusSource {
			hosts, proxy := repo.Fleet().StatusTargets(transports, nil)
			return status.New(status.Config{Hosts: hosts, Proxy: proxy, Timeout: repo.Settings.ProbeTimeout})
		},
		targets: func(repo *fleet.Repo) ([]status.Target, *status.ProxyTarget) {
			return repo.Fleet().StatusTargets(transports, nil)
		},
		engine: func(repo *fleet.Repo, hosts []string) engine {
			opts := cfg.Apply
			opts.Hosts = hosts
			return &fleet.Engine{Repo: repo, Transports: transports, Opts: opts}
		},
		gitState:  readGitState,
		commit:    hvedit.GitCommit,
		vault:     keys,
		planEvery: planInterval,
	}
}

// keyring is the vault's decrypter: the one given, else the password
// sources ansible-playbook itself would use without asking
// (ANSIBLE_VAULT_PASSWORD_FILE, ansible.cfg's vault_password_file), loaded
// once, in a command.
type keyring struct {
	mu     sync.Mutex
	dec    fleet.Decrypter
	loaded bool
}

func (k *keyring) get(repo string) (fleet.Decrypter, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dec != nil || k.loaded {
		return k.dec, nil
	}
	dec, _, err := fleet.LoadVault(repo, fleet.VaultOptions{})
	if err != nil {
		return nil, err
	}
	k.dec, k.loaded = dec, true
	return dec, nil
}

// Open and Encrypt make the keyring an hvedit.Vault (when its decrypter is
// one: fleet/vault's Keyring), for vaulted values in host_vars.
func (k *keyring) Open(data []byte, file string) ([]byte, string, error) {
	v, err := k.vault()
	if err != nil {
		return nil, "", err
	}
	return v.Open(data, file)
}

func (k *keyring) Encrypt(plaintext []byte, vaultID string) ([]byte, error) {
	v, err := k.vault()
	if err != nil {
		return nil, err
	}
	return v.Encrypt(plaintext, vaultID)
}

func (k *keyring) vault() (hvedit.Vault, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if v, ok := k.dec.(hvedit.Vault); ok {
		return v, nil
	}
	return nil, errors.New("no vault password: pass --vault-password-file or --ask-vault-pass")
}
