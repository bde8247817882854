package hvedit

import (
	"bytes"
	"fmt"
	"github.com/straylight-fleet/straylight/internal/atomicfile"
	"os"
)

// Get returns the current value of keyPath for the edit form.
func (d *Doc) Get(keyPath []string) (Field, error) {
	if err := checkKeyPath(keyPath); err != nil {
		return Field{}, d.named(err, keyPath)
	}
	e, err := newEditor(d.text)
	if err != nil {
		return Field{}, d.named(err, keyPath)
	}
	sp, err := lookup(e.root, keyPath)
	if err != nil || !sp.found(keyPath) {
		return Field{Text: Unset, Secret: d.setter().secretPath(keyPath) || d.encrypted}, d.namedOrNil(err, keyPath)
	}
	return d.field(sp, keyPath)
}

func (d *Doc) namedOrNil(err error, keyPath []string) error {
	if err == nil {
		return nil
	}
	return d.named(err, keyPath)
}

func (d *Doc) field(sp spot, keyPath []string) (Field, error) {
	st := d.setter()
	var id string
	v, err := st.decodeValue(sp.value, &id)
	if err != nil {
		return Field{}, d.named(&Error{Line: sp.value.Line, Err: err}, keyPath)
	}
	f := Field{Value: v, Present: true, Vaulted: isVaulted(sp.value), Line: sp.value.Line}
	f.Secret = f.Vaulted || d.encrypted || st.secretPath(keyPath)
	f.Text = shown(v, f.Secret)
	return f, nil
}

func shown(v any, secret bool) string {
	if secret {
		return Masked
	}
	return display(v)
}

// Set changes keyPath to value in memory and returns what changed; Save
// writes it. On error the Doc is left as it was.
func (d *Doc) Set(keyPath []string, value any) (Result, error) {
	return d.setWith(d.setter(), keyPath, value)
}

func (d *Doc) setWith(st setter, keyPath []string, value any) (Result, error) {
	ch, err := st.set(d.text, keyPath, value)
	if err != nil {
		return Result{}, d.named(err, keyPath)
	}
	newFile, err := d.seal(ch.newText)
	if err != nil {
		return Result{}, d.named(err, keyPath)
	}
	res := d.result(ch, newFile)
	d.text, d.file = ch.newText, newFile
	return res, nil
}

// seal re-encrypts the text of an encrypted file with the vault id that
// opened it, and checks that the result opens to the same text.
func (d *Doc) seal(text []byte) ([]byte, error) {
	if !d.encrypted {
		return text, nil
	}
	sealed, err := d.opts.Vault.Encrypt(text, d.vaultID)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot re-encrypt the file: %v", ErrVault, err)
	}
	opened, id, err := d.opts.Vault.Open(sealed, d.name)
	if err != nil || id != d.vaultID || !bytes.Equal(opened, text) {
		return nil, failf(ErrVerify, "the re-encrypted file does not open to the edited text")
	}
	return sealed, nil
}

func (d *Doc) result(ch *change, newFile []byte) Result {
	r := Result{
		File: d.name, Line: ch.line, Key: dotted(ch.keyPath), KeyPath: append([]string(nil), ch.keyPath...),
		OldFile: bytes.Clone(d.file), NewFile: bytes.Clone(newFile),
		OldValue: ch.oldValue, NewValue: ch.newValue, Added: ch.added, Secret: ch.secret,
		Vaulted: ch.vaulted, FileEncrypted: d.encrypted, VaultID: ch.vaultID,
	}
	if d.encrypted {
		r.VaultID = d.vaultID
	}
	r.OldText, r.NewText = oldText(ch), shown(ch.newValue, ch.secret)
	r.Description = describeResult(r)
	return r
}

func oldText(ch *change) string {
	switch {
	case ch.added:
		return Unset
	case ch.secret:
		return Masked
	case !ch.oldShown:
		return "(unreadable)"
	}
	return display(ch.oldValue)
}

// describeResult writes the one-line description, e.g.
// "host_vars/armitage.yml:12: vllm.gpu_memory_utilization 0.85 → 0.9".
func describeResult(r Result) string {
	s := fmt.Sprintf("%s:%d: %s %s → %s", r.File, r.Line, r.Key, r.OldText, r.NewText)
	if r.Secret {
		s = fmt.Sprintf("%s:%d: %s (secret changed)", r.File, r.Line, r.Key)
	}
	if r.Added {
		s += " (added)"
	}
	if r.FileEncrypted {
		s += fmt.Sprintf(" (vault-encrypted file, re-encrypted with vault id %s)", r.VaultID)
	}
	return s
}

// Save writes the edits atomically (a temporary file in the same directory,
// synced, then renamed over the file, keeping its mode). It refuses with
// ErrChanged, writing nothing, when the file on disk no longer holds the
// bytes that were read (checked just before the rename's preparation; an
// editor saving in the same instant can still slip between).
func (d *Doc) Save() error {
	if d.target == "" {
		return &Error{File: d.name, Err: failf(ErrUnsupported, "the document was parsed from memory and has no file to save to")}
	}
	if !d.Changed() {
		return nil
	}
	if err := d.checkUnchanged(); err != nil {
		return &Error{File: d.name, Err: err}
	}
	if err := atomicfile.Write(d.target, d.file, d.mode); err != nil {
		return &Error{File: d.name, Err: err}
	}
	d.disk, d.exists = bytes.Clone(d.file), true
	return nil
}

func (d *Doc) checkUnchanged() error {
	current, err := os.ReadFile(d.target)
	switch {
	case !d.exists && os.IsNotExist(err):
		return nil
	case !d.exists && err == nil:
		return fmt.Errorf("%w (it was created meanwhile)", ErrChanged)
	case err != nil:
		return err
	case !bytes.Equal(current, d.disk):
		return ErrChanged
	}
	return nil
}

// Set reads the file at path, changes keyPath to value and saves it: Read,
// Doc.Set and Doc.Save in one call. With Options.ExpectSHA256 it refuses a
// file that changed since the caller read it.
func Set(path string, keyPath []string, value any, opts Options) (Result, error) {
	d, err := Read(path, opts)
	if err != nil {
		return Result{}, err
	}
	res, err := d.Set(keyPath, value)
	if err == nil {
		err = d.Save()
	}
	if err != nil {
		return Result{}, err
	}
	return res, nil
}
