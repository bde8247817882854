package vault

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// These fixtures were made by Debian's ansible-vault (testdata/make-fixtures.sh).

func TestDecryptsWholeFilesMadeByAnsibleVault(t *testing.T) {
	want := fixture(t, "plain/vars.yml")
	keys, err := LoadKeyring(Options{
		VaultIDs:      []string{"prod@" + fixturePath("passwords/prod.pass")},
		PasswordFiles: []string{fixturePath("passwords/default.pass"), fixturePath("passwords/padded.pass")},
		Getenv:        func(string) string { return "" },
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ file, header, openedBy string }{
		{"vault/vars-default.yml", "$ANSIBLE_VAULT;1.1;AES256\n", "default"},
		{"vault/vars-prod.yml", "$ANSIBLE_VAULT;1.2;AES256;prod\n", "prod"},
		{"vault/vars-padded.yml", "$ANSIBLE_VAULT;1.1;AES256\n", "default"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data := fixture(t, c.file)
			if !bytes.HasPrefix(data, []byte(c.header)) {
				t.Fatalf("fixture header is not %q", c.header)
			}
			got, id, err := keys.Open(data, c.file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) || id != c.openedBy {
				t.Errorf("got %q opened by %q, want plain/vars.yml opened by %q", got, id, c.openedBy)
			}
		})
	}
}

func TestDecryptsEncryptStringValuesInYAML(t *testing.T) {
	keys := keyringOf(t, "default", defaultPassword, "prod", prodPassword)
	values := vaultScalars(t, fixture(t, "vault/inline.yml"))
	wantIDs := map[string]string{
		"ansible_password": "default", "litellm_master_key": "prod",
		"block_sized": "default", "unicode_value": "prod", "multi_line": "default",
	}
	if len(values) != len(wantIDs) {
		t.Fatalf("found %d !vault values, want %d", len(values), len(wantIDs))
	}
	for name, text := range values {
		got, id, err := keys.Open([]byte(text), "vault/inline.yml:"+name)
		if err != nil {
			t.Fatal(err)
		}
		if want := fixture(t, "plain/strings/"+name); !bytes.Equal(got, want) || id != wantIDs[name] {
			t.Errorf("%s: got %q (vault id %s), want %q (vault id %s)", name, got, id, want, wantIDs[name])
		}
	}
}

// vaultScalars returns the text of each top-level `!vault` value, as the
// inventory loader will hand it to Decrypt.
func vaultScalars(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		t.Fatal(err)
	}
	mapping := root.Content[0]
	values := map[string]string{}
	for i := 0; i < len(mapping.Content); i += 2 {
		if value := mapping.Content[i+1]; value.Tag == "!vault" {
			values[mapping.Content[i].Value] = value.Value
		}
	}
	return values
}

func TestFormatYAMLBlockMatchesEncryptString(t *testing.T) {
	inline := string(fixture(t, "vault/inline.yml"))
	for _, name := range []string{"ansible_password", "litellm_master_key", "multi_line"} {
		block := name + ": " + FormatYAMLBlock(fixture(t, "vault/strings/"+name), 10) + "\n"
		if !strings.Contains(inline, block) {
			t.Errorf("%s: FormatYAMLBlock output is not in encrypt_string's output:\n%s", name, block)
		}
	}
}

func TestFixtureEnvelopeFields(t *testing.T) {
	env, err := ParseEnvelope(fixture(t, "vault/vars-prod.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if env.Version != "1.2" || env.Cipher != "AES256" || env.VaultID != "prod" {
		t.Errorf("header fields %q %q %q", env.Version, env.Cipher, env.VaultID)
	}
	if len(env.Salt) != 32 || len(env.HMAC) != 32 || len(env.Ciphertext)%16 != 0 {
		t.Errorf("payload sizes salt %d hmac %d ciphertext %d", len(env.Salt), len(env.HMAC), len(env.Ciphertext))
	}
}

// Marshal of a parsed ansible-vault file gives back the same bytes.
func TestMarshalReproducesAnsibleVaultFiles(t *testing.T) {
	for _, file := range []string{"vault/vars-default.yml", "vault/vars-prod.yml", "vault/strings/unicode_value"} {
		data := fixture(t, file)
		env, err := ParseEnvelope(data)
		if err != nil {
			t.Fatal(err)
		}
		if got := env.Marshal(); !bytes.Equal(got, data) {
			t.Errorf("%s: Marshal differs:\n%s\nwant\n%s", file, got, data)
		}
	}
}
