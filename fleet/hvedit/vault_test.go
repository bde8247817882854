package hvedit

import (
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/vault"
	"gopkg.in/yaml.v3"
)

const (
	testPassword = "hvedit-test-password"
	prodPassword = "hvedit-test-prod"
	oldSecret    = "sk-old-master-key"
	newSecret    = "sk-new-master-key"
)

func testKeyring(t testing.TB) *vault.Keyring {
	t.Helper()
	k := vault.NewKeyring()
	if err := k.Add("", []byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	if err := k.Add("prod", []byte(prodPassword)); err != nil {
		t.Fatal(err)
	}
	return k
}

// vaultedVars is a LiteLLM vars file whose master_key is a `!vault |` value
// sealed with vaultID.
func vaultedVars(t testing.TB, k *vault.Keyring, vaultID string) string {
	t.Helper()
	sealed, err := k.Encrypt([]byte(oldSecret), vaultID)
	if err != nil {
		t.Fatal(err)
	}
	return "# LiteLLM proxy\nlitellm:\n  port: 4000\n  master_key: " + vault.FormatYAMLBlock(sealed, 6) + "\n  drop_params: true  # keep\n"
}

// vaultText returns the vault text of the value at keyPath.
func vaultText(t *testing.T, text string, keyPath ...string) string {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil {
		t.Fatal(err)
	}
	sp, err := lookup(root.Content[0], keyPath)
	if err != nil || !sp.found(keyPath) || !isVaulted(sp.value) {
		t.Fatalf("no vault value at %v in\n%s", keyPath, text)
	}
	return sp.value.Value
}

func TestVaultValueIsReEncryptedWithItsVaultID(t *testing.T) {
	k := testKeyring(t)
	for _, id := range []string{"default", "prod"} {
		text := vaultedVars(t, k, id)
		d, err := Parse("host_vars/motoko.yml", []byte(text), Options{Vault: k})
		if err != nil {
			t.Fatal(err)
		}
		res, err := d.Set([]string{"litellm", "master_key"}, newSecret)
		if err != nil {
			t.Fatal(err)
		}
		after := string(res.NewFile)
		plaintext, gotID, err := k.Open([]byte(vaultText(t, after, "litellm", "master_key")), "x")
		if err != nil || string(plaintext) != newSecret || gotID != id {
			t.Fatalf("vault id %s: opened %q with %s: %v", id, plaintext, gotID, err)
		}
		checkOnlyTheBlockChanged(t, text, after)
		if !res.Secret || !res.Vaulted || res.VaultID != id || res.OldValue != oldSecret {
			t.Errorf("result secret=%v vaulted=%v id=%s", res.Secret, res.Vaulted, res.VaultID)
		}
		if want := "host_vars/motoko.yml:4: litellm.master_key (secret changed)"; res.Description != want {
			t.Errorf("description %q", res.Description)
		}
		assertNoSecret(t, res.Description+res.OldText+res.NewText+after)
	}
}

func checkOnlyTheBlockChanged(t *testing.T, before, after string) {
	t.Helper()
	for _, kept := range []string{"# LiteLLM proxy\nlitellm:\n  port: 4000\n  master_key: !vault |\n      $ANSIBLE_VAULT;", "\n  drop_params: true  # keep\n"} {
		if !strings.Contains(after, kept) {
			t.Errorf("lost %q:\n%s", kept, after)
		}
	}
	if strings.Count(after, "\n") != strings.Count(before, "\n") {
		t.Errorf("the block changed length:\n%s", after)
	}
}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{oldSecret, newSecret, testPassword, prodPassword} {
		if strings.Contains(s, secret) {
			t.Errorf("%q leaks a secret", s)
		}
	}
}

func TestVaultValueErrorsKeepTheSecret(t *testing.T) {
	k := testKeyring(t)
	text := vaultedVars(t, k, "")
	_, err := Parse("host_vars/motoko.yml", []byte(text), Options{})
	if err != nil {
		t.Fatalf("reading a file with a vault value needs no password until it is edited: %v", err)
	}
	d, _ := Parse("host_vars/motoko.yml", []byte(text), Options{})
	_, err = d.Set([]string{"litellm", "master_key"}, newSecret)
	wantKind(t, err, ErrVault, "host_vars/motoko.yml:4: litellm.master_key", "vault password")

	d, _ = Parse("host_vars/motoko.yml", []byte(text), Options{Vault: k})
	_, err = d.Set([]string{"litellm", "master_key"}, 42)
	wantKind(t, err, ErrInvalid, "a vault-encrypted value holds text")

	reject := func([]string, any) string { return "bad value " + newSecret }
	d, _ = Parse("host_vars/motoko.yml", []byte(text), Options{Vault: k, Validate: reject})
	_, err = d.Set([]string{"litellm", "master_key"}, newSecret)
	wantKind(t, err, ErrInvalid, "details hidden")
	assertNoSecret(t, err.Error())

	wrong := vault.NewKeyring()
	_ = wrong.Add("", []byte("not the password"))
	d, _ = Parse("host_vars/motoko.yml", []byte(text), Options{Vault: wrong})
	_, err = d.Set([]string{"litellm", "master_key"}, newSecret)
	wantKind(t, err, ErrVault, "host_vars/motoko.yml")
	assertNoSecret(t, err.Error())
}

func TestVaultValueFieldIsSecret(t *testing.T) {
	k := testKeyring(t)
	d, err := Parse("host_vars/motoko.yml", []byte(vaultedVars(t, k, "")), Options{Vault: k})
	if err != nil {
		t.Fatal(err)
	}
	f, err := d.Get([]string{"litellm", "master_key"})
	if err != nil || f.Value != oldSecret || !f.Secret || !f.Vaulted || f.Text != Masked {
		t.Errorf("field %+v, %v", f, err)
	}
}

func TestEncryptedFileIsReEncryptedWithItsVaultID(t *testing.T) {
	k := testKeyring(t)
	plain := readString(t, seedCopy(t, "armitage.yml"))
	sealed, err := k.Encrypt([]byte(plain), "prod")
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "armitage.yml", string(sealed))
	res, err := Set(path, []string{"vllm", "gpu_memory_utilization"}, 0.9, Options{Name: "host_vars/armitage.yml", Vault: k})
	if err != nil {
		t.Fatal(err)
	}
	written := readString(t, path)
	opened, id, err := k.Open([]byte(written), path)
	want := strings.Replace(plain, "0.85", "0.9", 1)
	if err != nil || string(opened) != want || id != "prod" || !strings.HasPrefix(written, "$ANSIBLE_VAULT;1.2;AES256;prod\n") {
		t.Fatalf("opened %q with %s (%v):\n%s", opened, id, err, written)
	}
	if !res.FileEncrypted || !res.Secret || res.VaultID != "prod" || string(res.NewFile) != written {
		t.Errorf("result %+v", res)
	}
	if want := "host_vars/armitage.yml:12: vllm.gpu_memory_utilization (secret changed) (vault-encrypted file, re-encrypted with vault id prod)"; res.Description != want {
		t.Errorf("description %q", res.Description)
	}
	_, err = Read(path, Options{Name: "host_vars/armitage.yml"})
	wantKind(t, err, ErrVault, "host_vars/armitage.yml", "vault password")
}
