// Package hvedit changes one value in an Ansible vars file (host_vars,
// group_vars) by editing the file's bytes in place: only the lines the change
// needs are touched, so comments, quoting, key order, blank lines, line
// endings and a byte-order mark all survive. Every edit is verified by
// parsing the new text again: the edited key must hold exactly the requested
// value and every other key its old value, or nothing is written.
//
// The usual flow is the UI's: Read a file, show its value (Doc.Get) in a form,
// Doc.Set the new value, preview Result, then Doc.Save, which refuses when the
// file changed on disk in between. Set does all three at once. Doc.CopyFor
// derives a new host's file from a template host's: the template's name
// renamed in its values, vault data encrypted afresh.
package hvedit

import (
	"errors"
	"fmt"
	"strings"
)

// Vault opens and seals ansible-vault text; *vault.Keyring satisfies it. Open
// returns the plaintext and the vault id of the password that opened it, which
// Encrypt is given back to re-encrypt an edited value the way
// `ansible-vault edit` does.
type Vault interface {
	Open(data []byte, file string) ([]byte, string, error)
	Encrypt(plaintext []byte, vaultID string) ([]byte, error)
}

// Validator checks a new value before anything is edited and returns "" when
// it is valid, else the reason. value has the shapes yaml.v3 decodes to: int,
// float64, string, bool, nil, []any.
type Validator func(keyPath []string, value any) string

// Options tune Read and Set. The zero value works for files without vault data.
type Options struct {
	// Name is how messages and descriptions name the file, e.g.
	// "host_vars/armitage.yml"; the path as given when empty.
	Name string
	// Vault opens and re-encrypts `!vault |` values and vault-encrypted
	// files; without it, editing them is refused.
	Vault Vault
	// Validate, when set, is applied to the new value first.
	Validate Validator
	// SecretKey reports key names whose values are secrets (fleet.IsSecretKey);
	// vault values and values in vault-encrypted files are secret regardless.
	SecretKey func(key string) bool
	// ExpectSHA256, when set, is the hex SHA-256 of the bytes the caller read
	// earlier (Doc.SHA256): Read and Set refuse a file whose bytes differ.
	ExpectSHA256 string
	// CreateMissing makes Read of a file that does not exist yield an empty
	// document, which Save creates (mode 0644) unless the file appeared since.
	CreateMissing bool
}

// Masked stands for a secret value in OldText, NewText and descriptions.
const Masked = "(secret)"

// Unset stands for the old value of a key that was added.
const Unset = "(unset)"

// Result describes one edit.
type Result struct {
	File    string   // the file as Options.Name names it
	Line    int      // 1-based line of the new value in the (plain) text
	Key     string   // dotted key path, e.g. "vllm.gpu_memory_utilization"
	KeyPath []string // the key path as given
	// OldFile and NewFile are the whole file before and after, as on disk
	// (vault text for a vault-encrypted file).
	OldFile, NewFile []byte
	// OldValue and NewValue are the decoded values (a vault value's
	// plaintext): never show them when Secret. OldValue is nil when Added.
	OldValue, NewValue any
	// OldText and NewText are the values for display: YAML flow text, Masked
	// when Secret, Unset for the old value of an added key.
	OldText, NewText string
	Added            bool   // the key was absent (its value came from a default)
	Secret           bool   // show the value masked
	Vaulted          bool   // the value is an inline `!vault |` value
	FileEncrypted    bool   // the whole file is vault-encrypted and was re-encrypted
	VaultID          string // the vault id the new value or file was encrypted with
	// Description is one line, e.g.
	// "host_vars/armitage.yml:12: vllm.gpu_memory_utilization 0.85 → 0.9".
	Description string
}

// Field is the current value of a key, for the edit form.
type Field struct {
	Value   any    // decoded value; a vault value's plaintext (never show it when Secret)
	Present bool   // false: the key is absent and its value comes from elsewhere
	Secret  bool   // show the value masked
	Vaulted bool   // an inline `!vault |` value
	Line    int    // 1-based line of the value, 0 when absent
	Text    string // display text: YAML flow text, Masked when Secret, Unset when absent
}

// Kinds of failure, for errors.Is. Every error Read, Set and Save return is an
// *Error wrapping one of these (or an I/O error).
var (
	ErrChanged     = errors.New("the file changed on disk since it was read; read it again and redo the edit")
	ErrInvalid     = errors.New("invalid value")
	ErrUnsupported = errors.New("cannot edit this safely")
	ErrSyntax      = errors.New("malformed YAML")
	ErrVerify      = errors.New("the edit did not verify, nothing was written")
	ErrVault       = errors.New("vault")
	ErrNotGitRepo  = errors.New("not a git repository")
)

// Error names the file, line (when known) and key an edit failed on. It never
// holds a secret value.
type Error struct {
	File string
	Line int
	Key  string
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		b.WriteString(": " + e.Key)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// failf builds an error wrapping kind with a formatted detail.
func failf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)
}

// dotted joins a key path for messages.
func dotted(keyPath []string) string {
	return strings.Join(keyPath, ".")
}
