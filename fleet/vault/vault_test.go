package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestEncryptDecryptRoundTrip(t *testing.T) {
	for _, size := range []int{0, 1, 15, 16, 17, 31, 32, 33, 200} { // around the padding boundaries
		plaintext := bytes.Repeat([]byte{'x'}, size)
		sealed, err := Encrypt(plaintext, []byte("pw"), "")
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decrypt(sealed, []byte("pw"), "round-trip")
		if err != nil || !bytes.Equal(got, plaintext) {
			t.Fatalf("size %d: got %q, %v", size, got, err)
		}
	}
}

func TestEncryptFormatsLikeAnsibleVault(t *testing.T) {
	cases := []struct{ vaultID, header string }{
		{"", "$ANSIBLE_VAULT;1.1;AES256"},
		{"default", "$ANSIBLE_VAULT;1.1;AES256"},
		{"prod", "$ANSIBLE_VAULT;1.2;AES256;prod"},
	}
	for _, c := range cases {
		sealed, err := Encrypt([]byte(strings.Repeat("secret ", 40)), []byte("pw"), c.vaultID)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(sealed), "\n")
		if lines[0] != c.header || lines[len(lines)-1] != "" {
			t.Errorf("vault id %q: header %q, last line %q", c.vaultID, lines[0], lines[len(lines)-1])
		}
		for _, line := range lines[1 : len(lines)-2] {
			if len(line) != 80 {
				t.Errorf("payload line of %d columns, want 80", len(line))
			}
		}
	}
}

func TestEncryptDrawsAFreshSalt(t *testing.T) {
	a, _ := Encrypt([]byte("same"), []byte("pw"), "")
	b, _ := Encrypt([]byte("same"), []byte("pw"), "")
	if bytes.Equal(a, b) {
		t.Error("two encryptions are identical: the salt is not random")
	}
}

func TestEncryptRefusesBadInput(t *testing.T) {
	_, err := Encrypt([]byte("x"), nil, "")
	wantErr(t, err, ErrEmptyPassword, "")
	sealed, _ := Encrypt([]byte("x"), []byte("pw"), "")
	_, err = Encrypt(sealed, []byte("pw"), "")
	wantErr(t, err, ErrAlreadyEncrypted, "")
	for _, id := range []string{"a;b", "a@b", " a", "a\n", "prød"} {
		if _, err := Encrypt([]byte("x"), []byte("pw"), id); err == nil {
			t.Errorf("vault id %q accepted", id)
		}
	}
}

func TestWrongPassword(t *testing.T) {
	_, err := Decrypt(fixture(t, "vault/vars-default.yml"), []byte("not-the-password"), "group_vars/all/vault.yml")
	wantErr(t, err, ErrWrongPassword, "group_vars/all/vault.yml", "not-the-password", "W1nRM")
}

func TestTruncatedFilesFailClearly(t *testing.T) {
	data := fixture(t, "vault/vars-default.yml")
	for cut := len("$ANSIBLE_VAULT"); cut < len(data)-1; cut += 7 {
		_, err := Decrypt(data[:cut], []byte(defaultPassword), "vault.yml")
		if err == nil {
			t.Fatalf("cut at %d of %d decrypted", cut, len(data))
		}
		if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("cut at %d: unexpected kind of error %v", cut, err)
		}
		wantErr(t, err, err, "vault.yml", defaultPassword)
	}
}

// Whole 80-column lines dropped: the hex stays well formed, the HMAC catches it.
func TestTruncatedAtLineBoundaryFailsHMAC(t *testing.T) {
	sealed, _ := Encrypt(bytes.Repeat([]byte("v"), 200), []byte("pw"), "")
	lines := bytes.Split(sealed, []byte("\n"))
	shortened := bytes.Join(append(lines[:len(lines)-3:len(lines)-3], []byte("")), []byte("\n"))
	_, err := Decrypt(shortened, []byte("pw"), "cut.yml")
	if err == nil {
		t.Fatal("truncated data decrypted")
	}
	wantErr(t, err, err, "cut.yml", "pw")
}

func TestTamperedCiphertextAndHMACFailVerification(t *testing.T) {
	original := fixture(t, "vault/vars-default.yml")
	env, err := ParseEnvelope(original)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []*[]byte{&env.Ciphertext, &env.HMAC, &env.Salt} {
		(*part)[len(*part)/2] ^= 0x01
		_, err := Decrypt(env.Marshal(), []byte(defaultPassword), "tampered.yml")
		wantErr(t, err, ErrWrongPassword, "tampered.yml", defaultPassword, "W1nRM")
		(*part)[len(*part)/2] ^= 0x01
	}
	if _, err := Decrypt(env.Marshal(), []byte(defaultPassword), "restored.yml"); err != nil {
		t.Fatalf("restored envelope: %v", err)
	}
}

// Changing one hex digit of the text changes a payload byte, or (when it hits
// the salt/HMAC/ciphertext separators) the structure: never a silent success.
func TestTamperedTextNeverDecrypts(t *testing.T) {
	data := fixture(t, "vault/vars-prod.yml")
	lines := bytes.Split(data, []byte("\n"))
	for line := 1; line < len(lines)-1; line++ {
		for col := 0; col < len(lines[line]); col += 13 {
			_, err := Decrypt(flipHexDigit(data, line, col), []byte(prodPassword), "v.yml")
			if err == nil {
				t.Fatalf("line %d col %d: tampered data decrypted", line, col)
			}
		}
	}
}

func TestBadHeaders(t *testing.T) {
	payload := string(fixture(t, "vault/vars-default.yml"))
	payload = payload[strings.Index(payload, "\n"):]
	headers := []string{
		"$ANSIBLE_VAULT", "$ANSIBLE_VAULT;1.1", "$ANSIBLE_VAULT;1.0;AES", "$ANSIBLE_VAULT;2.0;AES256",
		"$ANSIBLE_VAULT;1.1;AES128", "$ANSIBLE_VAULTX;1.1;AES256", "$ANSIBLE_VAULT;;",
	}
	for _, header := range headers {
		_, err := Decrypt([]byte(header+payload), []byte(defaultPassword), "h.yml")
		wantErr(t, err, ErrFormat, "h.yml")
	}
}

func TestHeaderWhitespaceAndExtraFieldsAreTolerated(t *testing.T) {
	text := string(fixture(t, "vault/vars-prod.yml"))
	text = strings.Replace(text, "$ANSIBLE_VAULT;1.2;AES256;prod\n", "$ANSIBLE_VAULT; 1.2 ;AES256; prod;extra  \n", 1)
	env, err := ParseEnvelope([]byte(text))
	if err != nil || env.VaultID != "prod" {
		t.Fatalf("got %+v, %v", env, err)
	}
}

func TestNotEncrypted(t *testing.T) {
	for _, data := range []string{"", "a: 1\n", " $ANSIBLE_VAULT;1.1;AES256\n", "$ANSIBLE_VAULT;1.1;AES256\nü\n"} {
		_, err := Decrypt([]byte(data), []byte("pw"), "plain.yml")
		wantErr(t, err, ErrNotEncrypted, "plain.yml")
	}
}

func TestBadHexAndMissingParts(t *testing.T) {
	cases := map[string]string{
		"odd length":    "$ANSIBLE_VAULT;1.1;AES256\n616\n",
		"not hex":       "$ANSIBLE_VAULT;1.1;AES256\nzz\n",
		"space in line": "$ANSIBLE_VAULT;1.1;AES256\n61 62\n",
		"one part":      "$ANSIBLE_VAULT;1.1;AES256\n6162\n",
		"two parts":     "$ANSIBLE_VAULT;1.1;AES256\n61620a6364\n",
		"bad inner hex": "$ANSIBLE_VAULT;1.1;AES256\n7a7a0a61610a6161\n",
		"short HMAC":    "$ANSIBLE_VAULT;1.1;AES256\n61610a61610a6161\n",
		"empty payload": "$ANSIBLE_VAULT;1.1;AES256\n",
	}
	for name, data := range cases {
		_, err := Decrypt([]byte(data), []byte("pw"), "hex.yml")
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "hex.yml") {
			t.Errorf("%s: got %v, want a format error naming hex.yml", name, err)
		}
	}
}

// Python's splitlines accepts CRLF and CR line ends; so do we.
func TestCRLFLineEnds(t *testing.T) {
	data := fixture(t, "vault/vars-default.yml")
	for _, eol := range []string{"\r\n", "\r"} {
		converted := bytes.ReplaceAll(data, []byte("\n"), []byte(eol))
		if _, err := Decrypt(converted, []byte(defaultPassword), "crlf.yml"); err != nil {
			t.Errorf("%q line ends: %v", eol, err)
		}
	}
}

// A correct HMAC over data that is not PKCS#7 padded (only someone holding the
// password could make one) is still refused after decryption.
func TestBadPaddingAfterValidHMAC(t *testing.T) {
	for _, unpadded := range [][]byte{[]byte("no padding here!"), bytes.Repeat([]byte{0}, 16), []byte("short")} {
		keys, _ := deriveKeys([]byte("pw"), []byte("salt"))
		ciphertext, _ := keys.ctr(unpadded)
		env := &Envelope{Version: "1.1", Cipher: "AES256", Salt: []byte("salt"), Ciphertext: ciphertext, HMAC: keys.mac(ciphertext)}
		_, err := Decrypt(env.Marshal(), []byte("pw"), "pad.yml")
		wantErr(t, err, ErrFormat, "pad.yml")
	}
}

func TestIsEncrypted(t *testing.T) {
	if !IsEncrypted(fixture(t, "vault/vars-default.yml")) || IsEncrypted(fixture(t, "plain/vars.yml")) {
		t.Error("IsEncrypted misjudges the fixtures")
	}
}

func TestFormatYAMLBlockDefaultIndent(t *testing.T) {
	got := FormatYAMLBlock([]byte("$ANSIBLE_VAULT;1.1;AES256\n6161\n"), 0)
	if want := "!vault |\n          $ANSIBLE_VAULT;1.1;AES256\n          6161"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
