package main

import (
	"fmt"

	"github.com/straylight-fleet/straylight/fleet"
)

// session is the run's one setup, built once from the options: the vault
// keyring, the repository, the planner (with --forks), the engine and the
// monitor, for --check, --apply and the TUI alike.
func (a *app) session() *fleet.Session {
	if a.sess == nil {
		var files []string
		if a.opts.vaultPasswordFile != "" {
			files = append(files, a.opts.vaultPasswordFile)
		}
		cfg := fleet.Config{
			Repo: a.opts.repo, Inventory: a.opts.inventory, Limit: a.opts.limit, ExtraVars: a.opts.extraVars,
			Tags: a.opts.tags, SkipTags: a.opts.skipTags, Playbooks: a.opts.playbooks,
			Vault: fleet.VaultOptions{PasswordFiles: files, Ask: a.opts.askVaultPass, Stderr: a.stderr},
			Apply: a.applyOptions(),
			// The TUI holds the terminal: it asks in its own prompt (Session.PassphraseRequests).
			AskSSHPassphrase: a.opts.check || a.opts.apply,
		}
		a.demoHooks(&cfg)
		a.sess = fleet.NewSession(cfg)
	}
	return a.sess
}

// keyring loads the vault keyring from --vault-password-file,
// --ask-vault-pass, ANSIBLE_VAULT_PASSWORD_FILE and ansible.cfg, once, before
// any UI starts (the prompt needs the terminal). It is nil when no password
// was given: a vaulted file then fails with a message naming it and the flags.
func (a *app) keyring() error {
	_, warnings, err := a.session().Keyring()
	for _, w := range warnings {
		fmt.Fprintln(a.stderr, "straylight: warning:", w)
	}
	return err
}
