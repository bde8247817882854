package vault

import "testing"

// BenchmarkDecryptInlineValue: one `!vault` value, one password. Nearly all of
// it is the 10000 PBKDF2 rounds Ansible's format requires.
func BenchmarkDecryptInlineValue(b *testing.B) {
	data := fixture(b, "vault/strings/ansible_password")
	for b.Loop() {
		if _, err := Decrypt(data, []byte(defaultPassword), "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseEnvelope: the format work alone, without key derivation.
func BenchmarkParseEnvelope(b *testing.B) {
	data := fixture(b, "vault/vars-default.yml")
	for b.Loop() {
		if _, err := ParseEnvelope(data); err != nil {
			b.Fatal(err)
		}
	}
}
