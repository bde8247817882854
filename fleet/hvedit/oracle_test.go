package hvedit

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/vault"
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
	cfg := writeTemp(t, "ansible.cfg", "")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANSIBLE_") {
			env = append(env, kv)
		}
	}
	return append(env, "ANSIBLE_CONFIG="+cfg, "PAGER=cat", "ANSIBLE_LOCAL_TEMP="+t.TempDir(),
		"ANSIBLE_LOCALHOST_WARNING=false", "ANSIBLE_NOCOLOR=1", "HOME="+t.TempDir())
}

func runOracle(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = ansibleEnv(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s%s", filepath.Base(name), args, err, out, stderr.Bytes())
	}
	return string(out)
}

// keyringFromFile loads the password file the way the command line does.
func keyringFromFile(t *testing.T, passFile string) *vault.Keyring {
	t.Helper()
	pw, err := os.ReadFile(passFile)
	if err != nil {
		t.Fatal(err)
	}
	k := vault.NewKeyring()
	if err := k.Add("", bytes.TrimSpace(pw)); err != nil {
		t.Fatal(err)
	}
	return k
}

// A `!vault |` value made by the real `ansible-vault encrypt_string`, edited
// here, is opened by `ansible-vault view` and read by Ansible itself.
func TestAnsibleReadsTheReEncryptedValue(t *testing.T) {
	tool := ansibleTool(t, "ansible-vault")
	ansible := ansibleTool(t, "ansible")
	dir := t.TempDir()
	passFile := filepath.Join(dir, "pw.pass")
	if err := os.WriteFile(passFile, []byte(testPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	block := runOracle(t, tool, "encrypt_string", "--vault-password-file", passFile, "--name", "master_key", oldSecret)
	text := "# LiteLLM proxy\r\nlitellm:\r\n  port: 4000\r\n" + indentBlock(block, "  ", "\r\n") + "\r\n  drop_params: true  # keep\r\n"
	path := filepath.Join(dir, "motoko.yml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Set(path, []string{"litellm", "master_key"}, newSecret, Options{Vault: keyringFromFile(t, passFile)})
	if err != nil {
		t.Fatal(err)
	}
	valueFile := filepath.Join(dir, "value.vault")
	if err := os.WriteFile(valueFile, []byte(vaultText(t, string(res.NewFile), "litellm", "master_key")), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := runOracle(t, tool, "view", "--vault-password-file", passFile, valueFile); got != newSecret+"\n" {
		t.Errorf("ansible-vault view printed %q", got)
	}
	out := runOracle(t, ansible, "localhost", "-i", "localhost,", "-c", "local", "-m", "debug",
		"-a", "var=litellm", "-e", "@"+path, "--vault-password-file", passFile)
	if !strings.Contains(out, `"master_key": "`+newSecret+`"`) || !strings.Contains(out, `"drop_params": true`) {
		t.Errorf("ansible read:\n%s", out)
	}
	if strings.Count(readString(t, path), "\r\n") != strings.Count(readString(t, path), "\n") {
		t.Error("line endings were mixed")
	}
}

// indentBlock indents encrypt_string's "name: !vault |" output under a key.
func indentBlock(block, pad, eol string) string {
	lines := strings.Split(strings.TrimRight(block, "\n"), "\n")
	for i := range lines {
		lines[i] = pad + lines[i]
	}
	return strings.Join(lines, eol)
}

// A whole file encrypted by the real `ansible-vault encrypt` with a vault id,
// edited here, is opened by `ansible-vault view` with that vault id.
func TestAnsibleVaultViewsTheReEncryptedFile(t *testing.T) {
	tool := ansibleTool(t, "ansible-vault")
	dir := t.TempDir()
	passFile := filepath.Join(dir, "prod.pass")
	if err := os.WriteFile(passFile, []byte(prodPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := seedCopy(t, "armitage.yml")
	plain := readString(t, path)
	runOracle(t, tool, "encrypt", "--vault-id", "prod@"+passFile, "--encrypt-vault-id", "prod", path)
	k := vault.NewKeyring()
	if err := k.Add("prod", []byte(prodPassword)); err != nil {
		t.Fatal(err)
	}
	if _, err := Set(path, []string{"vllm", "gpu_memory_utilization"}, 0.9, Options{Vault: k}); err != nil {
		t.Fatal(err)
	}
	// view adds a final newline only when the text lacks one.
	want := strings.Replace(plain, "0.85", "0.9", 1)
	if got := runOracle(t, tool, "view", "--vault-id", "prod@"+passFile, path); got != want {
		t.Errorf("ansible-vault view printed\n%s\nwant\n%s", got, want)
	}
	if !strings.HasPrefix(readString(t, path), "$ANSIBLE_VAULT;1.2;AES256;prod\n") {
		t.Errorf("header lost the vault id:\n%s", readString(t, path))
	}
}
