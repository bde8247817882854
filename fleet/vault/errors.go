package vault

import (
	"errors"
	"fmt"
)

// Kinds of failure, for errors.Is. Every error returned for a given input is an
// *Error wrapping one of these, with a detail that names no password and no
// plaintext.
var (
	// ErrNotEncrypted: the data does not start with the $ANSIBLE_VAULT header.
	ErrNotEncrypted = errors.New("not vault-encrypted data (no $ANSIBLE_VAULT header)")
	// ErrFormat: a bad header, bad hex, a missing part, bad padding.
	ErrFormat = errors.New("malformed vault data")
	// ErrWrongPassword: the HMAC did not verify. A wrong password and altered
	// (tampered or truncated) data are indistinguishable here, by design.
	ErrWrongPassword = errors.New("wrong vault password, or the data was altered (HMAC check failed)")
	// ErrNoPassword: the keyring holds no password at all.
	ErrNoPassword = errors.New("no vault password given (use --vault-password-file, --vault-id or --ask-vault-pass)")
	// ErrUnknownVaultID: Encrypt asked for a vault id the keyring has no password for.
	ErrUnknownVaultID = errors.New("no vault password for this vault id")
	// ErrEmptyPassword: a password source yielded nothing (Ansible refuses these too).
	ErrEmptyPassword = errors.New("empty vault password")
	// ErrAlreadyEncrypted: Encrypt was handed vault text (Ansible refuses it too).
	ErrAlreadyEncrypted = errors.New("input is already vault-encrypted")
	// ErrPasswordSource: a password file, script or prompt could not be used.
	ErrPasswordSource = errors.New("vault password source failed")
)

// Error names the file (as the caller named it) that a vault operation failed on.
type Error struct {
	File string // may be empty when there is no file (Encrypt)
	Err  error
}

func (e *Error) Error() string {
	if e.File == "" {
		return "vault: " + e.Err.Error()
	}
	return "vault: " + e.File + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// inFile wraps err with the file name unless it already carries one.
func inFile(file string, err error) error {
	var named *Error
	if errors.As(err, &named) {
		return err
	}
	return &Error{File: file, Err: err}
}

func formatErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}
