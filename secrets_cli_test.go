package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/vault"
)

const (
	demoWinRMPassword = "Wintermute-Armitage-2025!"
	demoMasterKey     = "sk-straylight-demo-7f3a9c2e"
	rotatedMasterKey  = "sk-rotated-key-5d1e90b4c7"
)

// rotateMasterKey re-encrypts the example's vault file with a new LiteLLM
// master key, so the next apply changes a line of motoko's config that
// differs only in a secret.
func rotateMasterKey(t *testing.T, dir string) {
	t.Helper()
	pw, err := os.ReadFile(filepath.Join(dir, "vault-password.txt"))
	if err != nil {
		t.Fatal(err)
	}
	plain := "vault_winrm_password: \"" + demoWinRMPassword + "\"\nvault_litellm_master_key: \"" + rotatedMasterKey + "\"\n"
	enc, err := vault.Encrypt([]byte(plain), []byte(strings.TrimSpace(string(pw))), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "group_vars", "all", "vault.yml"), enc, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestNoSecretInAnythingStraylightWrites: a lab apply with vaulted WinRM
// credentials and a vaulted master key that changes. Everything straylight
// printed, logged and saved is searched for each secret's plaintext.
func TestNoSecretInAnythingStraylightWrites(t *testing.T) {
	d := startCLILab(t)
	rotateMasterKey(t, d.Dir)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	runs := []cliResult{
		runCLI(t, "-C", d.Dir, "--check"),
		runCLI(t, "-C", d.Dir, "--check", "--json", "--plan-out", planFile),
		runCLI(t, "-C", d.Dir, "--apply", "--yes", "--json"),
		runCLI(t, "-C", d.Dir, "--apply", "--yes"),
	}
	wantExit(t, runs[2], exitOK)
	wantContains(t, "check", runs[0].stdout, "secret value changed (not shown)")
	var corpus []string
	for _, r := range runs {
		corpus = append(corpus, r.stdout, r.stderr)
	}
	corpus = append(corpus, readAll(t, planFile), readTree(t, filepath.Join(d.Dir, ".straylight")))
	for _, secret := range []string{demoWinRMPassword, demoMasterKey, rotatedMasterKey} {
		for i, text := range corpus {
			if strings.Contains(text, secret) {
				t.Errorf("output %d holds the secret %q", i, secret[:4]+"…")
			}
		}
	}
	wantServed(t, d, "wintermute", "llama31-8b-wintermute")
}

// TestShowSecretsLiftsMaskingForHumanOutputOnly.
func TestShowSecretsLiftsMaskingForHumanOutputOnly(t *testing.T) {
	d := startCLILab(t)
	rotateMasterKey(t, d.Dir)
	human := runCLI(t, "-C", d.Dir, "--check", "--show-secrets")
	wantContains(t, "human plan", human.stdout, rotatedMasterKey)
	js := runCLI(t, "-C", d.Dir, "--check", "--json", "--show-secrets")
	if strings.Contains(js.stdout, rotatedMasterKey) || strings.Contains(js.stdout, demoMasterKey) {
		t.Fatal("--show-secrets leaked a secret into JSON")
	}
}

func TestWrongVaultPasswordNamesTheFile(t *testing.T) {
	d := startCLILab(t)
	wrong := filepath.Join(t.TempDir(), "wrong.txt")
	os.WriteFile(wrong, []byte("not-the-password\n"), 0o600)
	os.Remove(filepath.Join(d.Dir, "vault-password.txt"))
	r := runCLI(t, "-C", d.Dir, "--check", "--vault-password-file", wrong)
	wantExit(t, r, exitFailure)
	wantContains(t, "stderr", r.stderr, "vault.yml")
	if strings.Contains(r.stderr, "not-the-password") {
		t.Fatal("the password appears in the error")
	}
}

func readAll(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func readTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			data, _ := os.ReadFile(p)
			b.Write(data)
		}
		return nil
	})
	return b.String()
}
