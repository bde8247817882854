package fleet

import (
	"io"

	"github.com/straylight-fleet/straylight/fleet/vault"
)

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
	cfg, err := LoadAnsibleConfig(repo)
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
