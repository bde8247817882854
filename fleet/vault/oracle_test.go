package vault

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// ansibleTool finds one of Ansible's programs, or ends the test as
// oracle.Missing says.
func ansibleTool(t *testing.T, name string) string {
	t.Helper()
	return oracle.Tool(t, name, "apt-get install ansible")
}

// ansibleEnv keeps the operator's Ansible settings out of the oracle's run.
func ansibleEnv(t *testing.T) []string {
	cfg := writeFile(t, t.TempDir(), "ansible.cfg", "", 0o600)
	var env []string
	for _, kv := range os.Environ() {
		if !bytes.HasPrefix([]byte(kv), []byte("ANSIBLE_")) {
			env = append(env, kv)
		}
	}
	return append(env, "ANSIBLE_CONFIG="+cfg, "PAGER=cat", "ANSIBLE_LOCAL_TEMP="+t.TempDir())
}

func runOracle(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env, cmd.Stdin = ansibleEnv(t), bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, stderr.Bytes())
	}
	return out
}

// What straylight encrypts, ansible-vault opens: view and decrypt --output -,
// with --vault-password-file (1.1 header) and --vault-id label@file (1.2).
func TestAnsibleVaultOpensWhatWeEncrypt(t *testing.T) {
	tool := ansibleTool(t, "ansible-vault")
	dir := t.TempDir()
	passFile := writeFile(t, dir, "pw.pass", "oracle-pw\n", 0o600)
	plaintext := []byte("ansible_password: \"W1nRM p@ss\"\nkey: p\xc3\xa4ss\n" + string(bytes.Repeat([]byte("x"), 100)))
	cases := []struct{ vaultID, flag string }{
		{"", "--vault-password-file=" + passFile},
		{"prod", "--vault-id=prod@" + passFile},
	}
	for _, c := range cases {
		sealed, err := Encrypt(plaintext, []byte("oracle-pw"), c.vaultID)
		if err != nil {
			t.Fatal(err)
		}
		vaultFile := writeFile(t, dir, "vault-"+c.vaultID+".yml", string(sealed), 0o600)
		viewed := runOracle(t, nil, tool, "view", c.flag, vaultFile)
		decrypted := runOracle(t, nil, tool, "decrypt", c.flag, "--output", "-", vaultFile)
		// view prints through Display.display, which ends the text with a newline.
		if !bytes.Equal(viewed, append(bytes.Clone(plaintext), '\n')) || !bytes.Equal(decrypted, plaintext) {
			t.Errorf("vault id %q: view gave %q, decrypt gave %q", c.vaultID, viewed, decrypted)
		}
	}
}

// With the same salt, our ciphertext is byte for byte VaultLib.encrypt's.
func TestEncryptMatchesAnsibleVaultLibByteForByte(t *testing.T) {
	python := ansibleTool(t, "/usr/bin/python3")
	if exec.Command(python, "-c", "import ansible.parsing.vault").Run() != nil {
		oracle.Missing(t, "the ansible Python module under /usr/bin/python3 is not installed (apt-get install ansible)")
	}
	salt := bytes.Repeat([]byte{0xa5, 0x3c}, 16)
	var cases []vaultLibCase
	for _, vaultID := range []string{"", "prod"} {
		for _, plaintext := range []string{"", "exactly16bytes!!", "multi\nline\n" + string(bytes.Repeat([]byte("z"), 70))} {
			cases = append(cases, vaultLibCase{Plaintext: plaintext, VaultID: vaultID, Salt: hex.EncodeToString(salt)})
		}
	}
	for i, want := range vaultLibEncrypt(t, python, cases) {
		got, err := encryptWithSalt([]byte(cases[i].Plaintext), []byte("pw"), cases[i].VaultID, salt)
		if err != nil || string(got) != want {
			t.Errorf("case %+v:\n got %q\nwant %q (%v)", cases[i], got, want, err)
		}
	}
}

type vaultLibCase struct {
	Plaintext, VaultID, Salt string
}

// vaultLibEncrypt runs ansible's VaultLib.encrypt once for all cases (password "pw").
func vaultLibEncrypt(t *testing.T, python string, cases []vaultLibCase) []string {
	const script = `import json, sys
from ansible.parsing.vault import VaultLib, VaultSecret
secret = VaultSecret(b"pw")
lib = VaultLib([("default", secret)])
out = [lib.encrypt(c["Plaintext"].encode(), secret, c["VaultID"] or None, bytes.fromhex(c["Salt"])).decode()
       for c in json.load(sys.stdin)]
json.dump(out, sys.stdout)`
	input, _ := json.Marshal(cases)
	var results []string
	if err := json.Unmarshal(runOracle(t, input, python, "-c", script), &results); err != nil || len(results) != len(cases) {
		t.Fatalf("VaultLib gave %d results for %d cases: %v", len(results), len(cases), err)
	}
	return results
}
