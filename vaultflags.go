package main

import (
	"fmt"

	"github.com/straylight-fleet/straylight/fleet"
)

// keyring builds the vault keyring from --vault-password-file,
// --ask-vault-pass, ANSIBLE_VAULT_PASSWORD_FILE and ansible.cfg, once, before
// any UI starts (the prompt needs the terminal). It is nil when no password
// was given: a vaulted file then fails with a message naming it and the flags.
func (a *app) keyring() (fleet.Decrypter, error) {
	if a.decrypterLoaded {
		return a.decrypter, nil
	}
	var files []string
	if a.opts.vaultPasswordFile != "" {
		files = append(files, a.opts.vaultPasswordFile)
	}
	d, warnings, err := fleet.LoadVault(a.opts.repo, fleet.VaultOptions{PasswordFiles: files, Ask: a.opts.askVaultPass, Stderr: a.stderr})
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	for _, w := range warnings {
		fmt.Fprintln(a.stderr, "straylight: warning:", w)
	}
	a.decrypter, a.decrypterLoaded = d, true
	return d, nil
}
