package hvedit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/vault"
)

// maxFileSize bounds what Read accepts; vars files are a few kilobytes.
const maxFileSize = 16 << 20

// Doc is a vars file read for editing. Set changes it in memory (several
// edits may follow one another); Save writes it back. A Doc is not safe for
// concurrent use.
type Doc struct {
	name      string
	target    string // the path written (symbolic links resolved); "" for Parse
	opts      Options
	disk      []byte // the bytes on disk when read or last saved
	exists    bool
	mode      fs.FileMode
	file      []byte // the bytes to write: disk plus the edits
	text      []byte // the YAML text of file (decrypted when encrypted)
	encrypted bool
	vaultID   string
}

// Read reads and parses the vars file at path. It fails, naming the file
// and line, on malformed YAML, a top level that is not a mapping, a
// vault-encrypted file without a vault to open it, or (with
// Options.ExpectSHA256) bytes other than those expected.
func Read(path string, opts Options) (*Doc, error) {
	name := nameOf(opts, path)
	target, err := resolveLinks(path)
	if err != nil {
		return nil, &Error{File: name, Err: err}
	}
	data, mode, exists, err := readVarsFile(target, opts.CreateMissing)
	if err != nil {
		return nil, &Error{File: name, Err: err}
	}
	if err := checkExpected(opts.ExpectSHA256, data); err != nil {
		return nil, &Error{File: name, Err: err}
	}
	d, err := Parse(name, data, opts)
	if err != nil {
		return nil, err
	}
	d.target, d.mode, d.exists = target, mode, exists
	return d, nil
}

// Parse is Read for bytes already in memory, named name in messages. The
// Doc it returns can be edited but not saved.
func Parse(name string, data []byte, opts Options) (*Doc, error) {
	d := &Doc{name: name, opts: opts, disk: bytes.Clone(data), file: bytes.Clone(data), text: bytes.Clone(data)}
	if vault.IsEncrypted(data) {
		if err := d.decryptFile(); err != nil {
			return nil, err
		}
	}
	if _, err := newEditor(d.text); err != nil {
		return nil, d.named(err, nil)
	}
	return d, nil
}

func nameOf(opts Options, path string) string {
	if opts.Name != "" {
		return opts.Name
	}
	return path
}

// resolveLinks follows symbolic links so that the rename of Save replaces
// the file a link points to, not the link.
func resolveLinks(path string) (string, error) {
	target, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil
	}
	return target, err
}

func readVarsFile(path string, createMissing bool) ([]byte, fs.FileMode, bool, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) && createMissing {
		return nil, 0o644, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	if !info.Mode().IsRegular() || info.Size() > maxFileSize {
		return nil, 0, false, failf(ErrUnsupported, "not a regular file of at most %d MiB", maxFileSize>>20)
	}
	data, err := os.ReadFile(path)
	return data, info.Mode().Perm(), true, err
}

func checkExpected(expected string, data []byte) error {
	if expected != "" && !strings.EqualFold(expected, SHA256Hex(data)) {
		return ErrChanged
	}
	return nil
}

// SHA256Hex is the hex SHA-256 of data, the form of Options.ExpectSHA256.
func SHA256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// SHA256 is the hex SHA-256 of the bytes read (or last saved): pass it as
// Options.ExpectSHA256 to a later Read or Set of the same file.
func (d *Doc) SHA256() string { return SHA256Hex(d.disk) }

// Bytes is the file as Save would write it.
func (d *Doc) Bytes() []byte { return bytes.Clone(d.file) }

// Changed reports edits not saved yet.
func (d *Doc) Changed() bool { return !d.exists || !bytes.Equal(d.file, d.disk) }

// Encrypted reports a whole-file vault-encrypted vars file.
func (d *Doc) Encrypted() bool { return d.encrypted }

func (d *Doc) decryptFile() error {
	if d.opts.Vault == nil {
		return &Error{File: d.name, Err: failf(ErrVault, "the file is vault-encrypted: a vault password is needed (--vault-password-file or --ask-vault-pass)")}
	}
	plaintext, id, err := d.opts.Vault.Open(d.disk, d.name)
	if err != nil {
		return &Error{File: d.name, Err: fmt.Errorf("%w: cannot open the file: %v", ErrVault, err)}
	}
	d.text, d.encrypted, d.vaultID = plaintext, true, id
	return nil
}

// named fills in the file and, when missing, the key of an error.
func (d *Doc) named(err error, keyPath []string) error {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Err: err}
		err = e
	}
	e.File = d.name
	if e.Key == "" && len(keyPath) > 0 {
		e.Key = dotted(keyPath)
	}
	return err
}

func (d *Doc) setter() setter {
	return setter{vault: d.opts.Vault, name: d.name, validate: d.opts.Validate, secretKey: d.opts.SecretKey, allSecret: d.encrypted}
}
