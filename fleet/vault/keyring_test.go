package vault

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// The inventory loader's view of a keyring.
type decrypter interface {
	Decrypt(data []byte, file string) ([]byte, error)
}

var _ decrypter = (*Keyring)(nil)

func TestKeyringTriesTheMatchingVaultIDFirst(t *testing.T) {
	// Both "shared" and "prod" hold the prod password; the header says prod.
	keys := keyringOf(t, "dev", "nope", "shared", prodPassword, "prod", prodPassword)
	_, id, err := keys.Open(fixture(t, "vault/vars-prod.yml"), "vars-prod.yml")
	if err != nil || id != "prod" {
		t.Fatalf("opened by %q (%v), want prod", id, err)
	}
	_, id, err = keys.Open(fixture(t, "vault/vars-default.yml"), "vars-default.yml")
	if err == nil || id != "" {
		t.Fatalf("opened by %q without its password", id)
	}
}

// Like Ansible, a password under another label still opens the data: the
// label in the header is a hint, not part of what the HMAC covers.
func TestKeyringFallsBackToOtherVaultIDs(t *testing.T) {
	keys := keyringOf(t, "staging", prodPassword)
	got, id, err := keys.Open(fixture(t, "vault/vars-prod.yml"), "vars-prod.yml")
	if err != nil || id != "staging" || !bytes.Equal(got, fixture(t, "plain/vars.yml")) {
		t.Fatalf("got %q by %q, %v", got, id, err)
	}
	keys.SetVaultIDMatch(true)
	_, err = keys.Decrypt(fixture(t, "vault/vars-prod.yml"), "vars-prod.yml")
	wantErr(t, err, ErrUnknownVaultID, "vars-prod.yml", prodPassword)
}

func TestKeyringWrongPasswordsNameTheTriedVaultIDs(t *testing.T) {
	keys := keyringOf(t, "dev", "wrong-one", "", "wrong-two")
	_, err := keys.Decrypt(fixture(t, "vault/vars-prod.yml"), "host_vars/wintermute.yml")
	wantErr(t, err, ErrWrongPassword, "host_vars/wintermute.yml", "wrong-one", "wrong-two", "W1nRM")
	if !strings.Contains(err.Error(), "dev, default") {
		t.Errorf("error %q does not list the vault ids tried", err)
	}
}

func TestEmptyKeyring(t *testing.T) {
	keys := NewKeyring()
	_, err := keys.Decrypt(fixture(t, "vault/vars-default.yml"), "v.yml")
	wantErr(t, err, ErrNoPassword, "v.yml")
	_, err = keys.Encrypt([]byte("x"), "")
	wantErr(t, err, ErrNoPassword, "")
}

func TestKeyringFormatErrorsComeBeforePasswords(t *testing.T) {
	_, err := NewKeyring().Decrypt([]byte("$ANSIBLE_VAULT;1.1;AES256\nzz\n"), "bad.yml")
	wantErr(t, err, ErrFormat, "bad.yml")
}

func TestKeyringReencryptsWithTheVaultIDThatOpened(t *testing.T) {
	keys := keyringOf(t, "default", defaultPassword, "prod", prodPassword)
	_, id, err := keys.Open(fixture(t, "vault/strings/litellm_master_key"), "inline")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := keys.Encrypt([]byte("sk-new-key"), id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sealed, []byte("$ANSIBLE_VAULT;1.2;AES256;prod\n")) {
		t.Errorf("re-encrypted header: %q", sealed[:40])
	}
	if got, err := Decrypt(sealed, []byte(prodPassword), "new"); err != nil || string(got) != "sk-new-key" {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestKeyringEncryptChoosesThePassword(t *testing.T) {
	keys := keyringOf(t, "prod", prodPassword, "default", defaultPassword)
	first, _ := keys.Encrypt([]byte("x"), "")
	if !bytes.HasPrefix(first, []byte("$ANSIBLE_VAULT;1.2;AES256;prod\n")) {
		t.Errorf("empty vault id did not pick the first password: %q", first[:31])
	}
	byDefault, _ := keys.Encrypt([]byte("x"), "default")
	if _, err := Decrypt(byDefault, []byte(defaultPassword), "d"); err != nil {
		t.Errorf("vault id default: %v", err)
	}
	_, err := keys.Encrypt([]byte("x"), "staging")
	wantErr(t, err, ErrUnknownVaultID, "", prodPassword, defaultPassword)
}

func TestKeyringAddRefusesEmptyPasswordsAndBadIDs(t *testing.T) {
	keys := NewKeyring()
	wantErr(t, keys.Add("prod", nil), ErrEmptyPassword, "")
	if keys.Add("a;b", []byte("pw")) == nil || len(keys.VaultIDs()) != 0 {
		t.Error("bad vault id accepted")
	}
}

func TestKeyringKeepsItsOwnCopyOfPasswords(t *testing.T) {
	password := []byte(defaultPassword)
	keys := NewKeyring()
	if err := keys.Add("", password); err != nil {
		t.Fatal(err)
	}
	copy(password, "XXXX")
	if _, err := keys.Decrypt(fixture(t, "vault/vars-default.yml"), "v"); err != nil {
		t.Error(err)
	}
}

func TestKeyringConcurrentUse(t *testing.T) {
	keys := keyringOf(t, "default", defaultPassword)
	data := fixture(t, "vault/strings/block_sized")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := keys.Decrypt(data, "block_sized"); err != nil {
				t.Error(err)
			}
		})
	}
	_ = keys.Add("prod", []byte(prodPassword))
	wg.Wait()
}
