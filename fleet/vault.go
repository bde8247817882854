package fleet

import (
	"errors"
	"github.com/straylight-fleet/straylight/fleet/hvedit"
	"io"

	"github.com/straylight-fleet/straylight/fleet/ansible"
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

// EditVault is the session's keyring as the vars-file editor uses it, to
// open and write vaulted values in host_vars; the keyring is loaded when
// first needed.
func (s *Session) EditVault() hvedit.Vault { return editVault{s} }

type editVault struct{ s *Session }

func (v editVault) Open(data []byte, file string) ([]byte, string, error) {
	vault, err := v.vault()
	if err != nil {
		return nil, "", err
	}
	return vault.Open(data, file)
}

func (v editVault) Encrypt(plaintext []byte, vaultID string) ([]byte, error) {
	vault, err := v.vault()
	if err != nil {
		return nil, err
	}
	return vault.Encrypt(plaintext, vaultID)
}

func (v editVault) vault() (hvedit.Vault, error) {
	dec, _, err := v.s.Keyring()
	if err != nil {
		return nil, err
	}
	if hv, ok := dec.(hvedit.Vault); ok {
		return hv, nil
	}
	return nil, errors.New("no vault password: pass --vault-password-file or --ask-vault-pass")
}
