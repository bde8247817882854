// Package vault reads and writes Ansible Vault data the way ansible-core 2.14
// does (parsing/vault/__init__.py): the $ANSIBLE_VAULT;1.1;AES256 and
// $ANSIBLE_VAULT;1.2;AES256;<vault-id> envelopes of whole files and of
// `!vault |` values, AES-256-CTR with an HMAC-SHA256 over the ciphertext and
// keys from PBKDF2-HMAC-SHA256.
//
// Most callers want a Keyring, built from the command line with LoadKeyring.
// Errors name the file the caller passed in and never hold a password or
// plaintext.
package vault

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// Decrypt opens vault text with one password. file names the source in errors.
func Decrypt(data, password []byte, file string) ([]byte, error) {
	env, err := ParseEnvelope(data)
	if err != nil {
		return nil, inFile(file, err)
	}
	plaintext, err := env.open(password)
	if err != nil {
		return nil, inFile(file, err)
	}
	return plaintext, nil
}

// Encrypt seals plaintext with a fresh random salt and formats it as
// ansible-vault does: a 1.1 header when vaultID is "" or "default", else a 1.2
// header carrying vaultID; payload lines of 80 columns; a final newline.
func Encrypt(plaintext, password []byte, vaultID string) ([]byte, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, &Error{Err: fmt.Errorf("random salt: %w", err)}
	}
	return encryptWithSalt(plaintext, password, vaultID, salt)
}

func encryptWithSalt(plaintext, password []byte, vaultID string, salt []byte) ([]byte, error) {
	if err := checkEncryptInput(plaintext, password, vaultID); err != nil {
		return nil, &Error{Err: err}
	}
	env := &Envelope{Version: versionFor(vaultID), Cipher: cipherAES256, VaultID: vaultID}
	if err := env.seal(plaintext, password, salt); err != nil {
		return nil, &Error{Err: err}
	}
	return env.Marshal(), nil
}

func checkEncryptInput(plaintext, password []byte, vaultID string) error {
	if len(password) == 0 {
		return ErrEmptyPassword
	}
	if IsEncrypted(plaintext) {
		return ErrAlreadyEncrypted
	}
	return checkVaultID(vaultID)
}

// checkVaultID refuses labels that the header could not carry back intact.
func checkVaultID(vaultID string) error {
	if strings.ContainsAny(vaultID, ";@") || strings.TrimSpace(vaultID) != vaultID {
		return fmt.Errorf("vault id %.40q: must not contain ';' or '@' or surrounding spaces", vaultID)
	}
	for _, r := range vaultID {
		if r < 0x20 || r >= 0x7f { // Ansible only recognises pure-ASCII vault text
			return fmt.Errorf("vault id %.40q: must be printable ASCII", vaultID)
		}
	}
	return nil
}

func normalizeVaultID(vaultID string) string {
	if vaultID == "" {
		return DefaultVaultID
	}
	return vaultID
}

// FormatYAMLBlock formats vault text as the value of a YAML key, the way
// `ansible-vault encrypt_string` prints it: "!vault |" and then each line of
// the vault text indented by indent spaces (10 when indent <= 0), with no
// trailing newline. Write it after "key: ".
func FormatYAMLBlock(vaultText []byte, indent int) string {
	if indent <= 0 {
		indent = 10
	}
	lines := []string{"!vault |"}
	for _, line := range splitLines(vaultText) {
		if len(line) > 0 {
			lines = append(lines, strings.Repeat(" ", indent)+string(line))
		}
	}
	return strings.Join(lines, "\n")
}
