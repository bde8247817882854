package vault

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Keyring holds vault passwords, each with its vault id, in the order they
// were given (the order Ansible tries them). It is safe for concurrent use.
//
// It satisfies the inventory loader's
//
//	interface{ Decrypt(data []byte, file string) ([]byte, error) }
//
// for whole files and `!vault` scalars alike.
type Keyring struct {
	mu       sync.RWMutex
	secrets  []secret
	idMatch  bool
	warnings []string
}

type secret struct {
	vaultID  string
	password []byte
}

// NewKeyring returns an empty keyring; see LoadKeyring for the command line.
func NewKeyring() *Keyring {
	return &Keyring{}
}

// Add appends a password for vaultID ("" means "default"). The keyring keeps
// its own copy of password.
func (k *Keyring) Add(vaultID string, password []byte) error {
	if len(password) == 0 {
		return &Error{Err: fmt.Errorf("vault id %s: %w", normalizeVaultID(vaultID), ErrEmptyPassword)}
	}
	if err := checkVaultID(vaultID); err != nil {
		return &Error{Err: err}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.secrets = append(k.secrets, secret{normalizeVaultID(vaultID), bytes.Clone(password)})
	return nil
}

// SetVaultIDMatch makes Decrypt try only the passwords whose vault id matches
// the header's, like Ansible's vault_id_match setting. Off by default.
func (k *Keyring) SetVaultIDMatch(only bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.idMatch = only
}

// VaultIDs lists the vault id of every password, in order (repeats included).
func (k *Keyring) VaultIDs() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	ids := make([]string, len(k.secrets))
	for i, s := range k.secrets {
		ids[i] = s.vaultID
	}
	return ids
}

// Passwords returns a copy of every vault id and its password, in order:
// what ansible-playbook is handed when straylight delegates tasks to it
// (fleet/ansible/delegate).
func (k *Keyring) Passwords() (ids []string, passwords [][]byte) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, s := range k.secrets {
		ids = append(ids, s.vaultID)
		passwords = append(passwords, bytes.Clone(s.password))
	}
	return ids, passwords
}

// Warnings lists the password sources LoadKeyring skipped because another
// source worked (Ansible warns about them and goes on).
func (k *Keyring) Warnings() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return append([]string(nil), k.warnings...)
}

// Decrypt opens vault text (a whole file or a `!vault` value); file names
// the source in errors.
func (k *Keyring) Decrypt(data []byte, file string) ([]byte, error) {
	plaintext, _, err := k.Open(data, file)
	return plaintext, err
}

// Open is Decrypt that also returns the vault id of the password that opened
// the data: pass it to Encrypt to re-encrypt an edited value the way
// `ansible-vault edit` does. That id is the password's label, which need not
// be the (unauthenticated) label in the header.
//
// Passwords whose vault id matches the header's (or "default" for a 1.1
// header) are tried first, then the others in order. ansible-core 2.14 in
// fact tries all of them in keyring order unless vault_id_match is set; the
// only difference is which label is reported when two passwords both work.
func (k *Keyring) Open(data []byte, file string) ([]byte, string, error) {
	env, err := ParseEnvelope(data)
	if err != nil {
		return nil, "", inFile(file, err)
	}
	candidates := k.candidates(env.headerVaultID())
	for _, s := range candidates {
		plaintext, err := env.open(s.password)
		if err == nil {
			return plaintext, s.vaultID, nil
		}
		if !errors.Is(err, ErrWrongPassword) {
			return nil, "", inFile(file, err)
		}
	}
	return nil, "", inFile(file, k.noneOpened(env, candidates))
}

func (k *Keyring) candidates(headerID string) []secret {
	k.mu.RLock()
	defer k.mu.RUnlock()
	var matching, others []secret
	for _, s := range k.secrets {
		if s.vaultID == headerID {
			matching = append(matching, s)
		} else if !k.idMatch {
			others = append(others, s)
		}
	}
	return append(matching, others...)
}

func (k *Keyring) noneOpened(env *Envelope, tried []secret) error {
	if len(tried) > 0 {
		return fmt.Errorf("%w; tried vault ids %s (the data is labelled %s)", ErrWrongPassword, joinIDs(tried), env.headerVaultID())
	}
	if len(k.VaultIDs()) == 0 {
		return ErrNoPassword
	}
	return fmt.Errorf("%w %s (vault_id_match is on; have %s)", ErrUnknownVaultID, env.headerVaultID(), strings.Join(k.VaultIDs(), ", "))
}

func joinIDs(secrets []secret) string {
	ids := make([]string, len(secrets))
	for i, s := range secrets {
		ids[i] = s.vaultID
	}
	return strings.Join(ids, ", ")
}

// Encrypt seals plaintext with the first password labelled vaultID, writing
// that label into a 1.2 header ("default" gives a 1.1 header). An empty
// vaultID picks the keyring's first password and its label, as ansible-vault
// does without --encrypt-vault-id.
func (k *Keyring) Encrypt(plaintext []byte, vaultID string) ([]byte, error) {
	s, err := k.encryptSecret(vaultID)
	if err != nil {
		return nil, &Error{Err: err}
	}
	return Encrypt(plaintext, s.password, s.vaultID)
}

func (k *Keyring) encryptSecret(vaultID string) (secret, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if len(k.secrets) == 0 {
		return secret{}, ErrNoPassword
	}
	if vaultID == "" {
		return k.secrets[0], nil
	}
	for _, s := range k.secrets {
		if s.vaultID == vaultID {
			return s, nil
		}
	}
	return secret{}, fmt.Errorf("%w %.40q (have %s)", ErrUnknownVaultID, vaultID, joinIDs(k.secrets))
}
