package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzVaultDecrypt feeds arbitrary bytes to every entry point that reads vault
// text. It must never panic; an error must be one of the package's kinds and
// name the file; a success must survive re-encryption. The committed corpus
// (testdata/fuzz/FuzzVaultDecrypt) comes from the ansible-vault fixtures, so
// mutations start from real, decryptable data.
func FuzzVaultDecrypt(f *testing.F) {
	for _, pattern := range []string{"testdata/vault/vars-*.yml", "testdata/vault/strings/*"} {
		paths, _ := filepath.Glob(pattern)
		for _, path := range paths {
			if data, err := os.ReadFile(path); err == nil {
				f.Add(data)
			}
		}
	}
	keys := keyringOf(f, "default", defaultPassword, "prod", prodPassword)
	f.Fuzz(func(t *testing.T, data []byte) {
		if env, err := ParseEnvelope(data); err == nil {
			_ = env.Marshal()
		}
		plaintext, id, err := keys.Open(data, "fuzz.yml")
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		checkReencrypts(t, keys, plaintext, id)
	})
}

func checkFuzzError(t *testing.T, err error) {
	var named *Error
	if !errors.As(err, &named) || named.File != "fuzz.yml" {
		t.Fatalf("error without the file name: %v", err)
	}
	kinds := []error{ErrNotEncrypted, ErrFormat, ErrWrongPassword}
	for _, kind := range kinds {
		if errors.Is(err, kind) {
			assertNoLeak(t, err.Error(), defaultPassword, prodPassword)
			return
		}
	}
	t.Fatalf("unexpected kind of error: %v", err)
}

func checkReencrypts(t *testing.T, keys *Keyring, plaintext []byte, id string) {
	sealed, err := keys.Encrypt(plaintext, id)
	if errors.Is(err, ErrAlreadyEncrypted) {
		return // the plaintext was itself vault text
	}
	if err != nil {
		t.Fatalf("re-encrypt: %v", err)
	}
	again, err := keys.Decrypt(sealed, "again")
	if err != nil || !bytes.Equal(again, plaintext) {
		t.Fatalf("re-encrypted value does not round-trip: %v", err)
	}
}
