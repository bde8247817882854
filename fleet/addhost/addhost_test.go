package addhost

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/fleet/vault"
	"gopkg.in/yaml.v3"
)

const testPassword = "addhost-test-password"

const iniInventory = `# The lab, INI style.
[windows_vllm]
wintermute ansible_host=127.0.0.2
armitage ansible_host=127.0.0.3 ansible_port=5986   # the small one

[gpu:children]
windows_vllm

[extra]
armitage

[windows_vllm:vars]
ansible_connection=winrm
`

const yamlInventory = `# The lab, YAML style.
all:
  children:
    windows_vllm:
      hosts:
        wintermute:
          ansible_host: 127.0.0.2
        armitage:
          ansible_host: 127.0.0.3   # the small one
          ansible_port: 5986

        # comment between hosts stays
    extra:
      hosts:
        armitage:
`

const armitageVars = `# vLLM Configuration
vllm:
  model: "Qwen/Qwen2.5-7B-Instruct-AWQ"
  served_model_name: "qwen2.5-7b-armitage"
  container_name: "vllm-armitage"
  port: 8000  # keep
  aliases: [armitage-fast, armitages]
`

// repo writes an inventory and armitage's host_vars into a temporary
// repository and returns its root.
func repo(t *testing.T, invName, inv, vars string) string {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, invName), inv)
	if vars != "" {
		write(t, filepath.Join(root, "host_vars", "armitage.yml"), vars)
	}
	return root
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func keyring(t *testing.T) *vault.Keyring {
	t.Helper()
	k := vault.NewKeyring()
	if err := k.Add("", []byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	return k
}

// request loads the repository's inventory and armitage's variables.
func request(t *testing.T, root, invName, name string) Request {
	t.Helper()
	k := keyring(t)
	inv, err := inventory.Load([]string{filepath.Join(root, invName)}, k)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := inv.HostVars("armitage", inventory.Layers{})
	if err != nil {
		t.Fatal(err)
	}
	return Request{Root: root, Template: "armitage", Name: name, Address: "127.0.0.9", Inventory: inv,
		TemplateVars: vars, Vault: k, Decrypter: k}
}

func add(t *testing.T, req Request) *Result {
	t.Helper()
	r, err := Prepare(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Write(); err != nil {
		t.Fatal(err)
	}
	return r
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// onlyAdded checks that after is before with whole lines added, and
// returns those lines.
func onlyAdded(t *testing.T, before, after string) []string {
	t.Helper()
	b, a := strings.SplitAfter(before, "\n"), strings.SplitAfter(after, "\n")
	var added []string
	i := 0
	for _, line := range a {
		if i < len(b) && line == b[i] {
			i++
			continue
		}
		added = append(added, line)
	}
	if i != len(b) {
		t.Fatalf("a line of the old file is gone or changed (kept %d of %d):\n%s", i, len(b), after)
	}
	return added
}

func TestINIInventoryGetsOneLinePerGroupAndNothingElseChanges(t *testing.T) {
	root := repo(t, "hosts.ini", iniInventory, armitageVars)
	add(t, request(t, root, "hosts.ini", "molly"))
	after := read(t, filepath.Join(root, "hosts.ini"))
	added := onlyAdded(t, iniInventory, after)
	want := []string{"molly ansible_host=127.0.0.9 ansible_port=5986   # the small one\n", "molly\n"}
	if strings.Join(added, "") != strings.Join(want, "") {
		t.Fatalf("added lines %q, want %q", added, want)
	}
	if !strings.Contains(after, "armitage ansible_host=127.0.0.3 ansible_port=5986   # the small one\nmolly ansible_host=127.0.0.9") {
		t.Fatalf("the new line is not right after the template's:\n%s", after)
	}
	assertGroups(t, root, "hosts.ini", "molly", "extra", "gpu", "windows_vllm")
}

func TestYAMLInventoryGetsTheEntryCopiedInEachGroup(t *testing.T) {
	root := repo(t, "hosts.yml", yamlInventory, armitageVars)
	add(t, request(t, root, "hosts.yml", "molly"))
	after := read(t, filepath.Join(root, "hosts.yml"))
	added := strings.Join(onlyAdded(t, yamlInventory, after), "")
	want := "        molly:\n          ansible_host: 127.0.0.9\n          ansible_port: 5986\n        molly:\n"
	if added != want {
		t.Fatalf("added %q, want %q", added, want)
	}
	assertGroups(t, root, "hosts.yml", "molly", "extra", "windows_vllm")
}

func TestYAMLEntryWithoutVariablesGetsTheAddress(t *testing.T) {
	inv := "all:\n  children:\n    windows_vllm:\n      hosts:\n        wintermute:\n        armitage:\n"
	root := repo(t, "hosts.yml", inv, armitageVars)
	add(t, request(t, root, "hosts.yml", "molly"))
	added := strings.Join(onlyAdded(t, inv, read(t, filepath.Join(root, "hosts.yml"))), "")
	if added != "        molly:\n          ansible_host: 127.0.0.9\n" {
		t.Fatalf("added %q", added)
	}
}

func assertGroups(t *testing.T, root, invName, host string, want ...string) {
	t.Helper()
	inv, err := inventory.Load([]string{filepath.Join(root, invName)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := inv.GroupNames(host)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%s is in groups %v, want %v", host, got, want)
	}
	vars, err := inv.HostVars(host, inventory.Layers{})
	if err != nil {
		t.Fatal(err)
	}
	if vars.Values["ansible_host"] != "127.0.0.9" {
		t.Fatalf("%s's ansible_host is %v", host, vars.Values["ansible_host"])
	}
}

func TestHostVarsAreCopiedWithTheTemplatesNameReplaced(t *testing.T) {
	root := repo(t, "hosts.yml", yamlInventory, armitageVars)
	r := add(t, request(t, root, "hosts.yml", "molly"))
	got := read(t, filepath.Join(root, "host_vars", "molly.yml"))
	want := strings.NewReplacer(`"qwen2.5-7b-armitage"`, `"qwen2.5-7b-molly"`, `"vllm-armitage"`, `"vllm-molly"`,
		"[armitage-fast, armitages]", "[molly-fast, armitages]").Replace(armitageVars)
	if got != want {
		t.Fatalf("host_vars/molly.yml:\n%s\nwant:\n%s", got, want)
	}
	if len(r.Adapted) != 3 {
		t.Fatalf("adapted %q, want the three values naming armitage", r.Adapted)
	}
	if read(t, filepath.Join(root, "host_vars", "armitage.yml")) != armitageVars {
		t.Fatal("the template's host_vars changed")
	}
}

func TestAnsibleHostInHostVarsIsSetThereNotInTheInventory(t *testing.T) {
	inv := "[windows_vllm]\nwintermute\narmitage\n"
	root := repo(t, "hosts", inv, "ansible_host: 127.0.0.3\nvllm:\n  port: 8000\n")
	add(t, request(t, root, "hosts", "molly"))
	if added := onlyAdded(t, inv, read(t, filepath.Join(root, "hosts"))); strings.Join(added, "") != "molly\n" {
		t.Fatalf("inventory lines added %q: the address belongs in host_vars", added)
	}
	if got := read(t, filepath.Join(root, "host_vars", "molly.yml")); got != "ansible_host: \"127.0.0.9\"\nvllm:\n  port: 8000\n" {
		t.Fatalf("host_vars/molly.yml:\n%s", got)
	}
}

func TestVaultValueIsEncryptedAfresh(t *testing.T) {
	k := keyring(t)
	sealed, err := k.Encrypt([]byte("sk-armitage-key"), "")
	if err != nil {
		t.Fatal(err)
	}
	vars := "vllm:\n  port: 8000\n  api_key: " + vault.FormatYAMLBlock(sealed, 4) + "\n"
	root := repo(t, "hosts.yml", yamlInventory, vars)
	add(t, request(t, root, "hosts.yml", "molly"))
	got := read(t, filepath.Join(root, "host_vars", "molly.yml"))
	if strings.Contains(got, "sk-") {
		t.Fatalf("plaintext in the copy:\n%s", got)
	}
	copied := vaultValue(t, got, "vllm", "api_key")
	if copied == string(sealed) || bytes.Contains([]byte(got), sealed[len(sealed)-80:]) {
		t.Fatal("the copy shares the template's ciphertext: not re-encrypted")
	}
	plain, err := k.Decrypt([]byte(copied), "molly.yml")
	if err != nil || string(plain) != "sk-molly-key" {
		t.Fatalf("the copy decrypts to %q, %v; want the renamed sk-molly-key", plain, err)
	}
}

func vaultValue(t *testing.T, text string, keys ...string) string {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(text), &node); err != nil {
		t.Fatal(err)
	}
	n := node.Content[0]
	for _, k := range keys {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				n = n.Content[i+1]
				break
			}
		}
	}
	if n.Tag != "!vault" {
		t.Fatalf("%v is not a !vault value in\n%s", keys, text)
	}
	return n.Value
}

func TestVaultEncryptedFileIsEncryptedAfresh(t *testing.T) {
	k := keyring(t)
	plain := "vllm:\n  container_name: vllm-armitage\n"
	sealed, err := k.Encrypt([]byte(plain), "")
	if err != nil {
		t.Fatal(err)
	}
	root := repo(t, "hosts.yml", yamlInventory, string(sealed))
	add(t, request(t, root, "hosts.yml", "molly"))
	got := read(t, filepath.Join(root, "host_vars", "molly.yml"))
	if !vault.IsEncrypted([]byte(got)) || strings.Contains(got, "vllm") || got == string(sealed) {
		t.Fatalf("the copy is not freshly vault-encrypted:\n%s", got)
	}
	opened, err := k.Decrypt([]byte(got), "molly.yml")
	if err != nil || string(opened) != "vllm:\n  container_name: vllm-molly\n" {
		t.Fatalf("the copy opens to %q, %v", opened, err)
	}
}

func TestRefusalsNameTheProblemAndWriteNothing(t *testing.T) {
	cases := []struct{ name, address, want string }{
		{"wintermute", "127.0.0.9", "hosts.yml:6: host wintermute is already in the inventory"},
		{"windows_vllm", "127.0.0.9", "windows_vllm is the name of an inventory group"},
		{"bad name", "127.0.0.9", `new host name "bad name": " " is not allowed`},
		{"-molly", "127.0.0.9", "must start with a letter or a digit"},
		{"molly", "not an address!", "ansible_host of molly"},
		{"molly", "", "the address is empty"},
	}
	for _, c := range cases {
		root := repo(t, "hosts.yml", yamlInventory, armitageVars)
		req := request(t, root, "hosts.yml", c.name)
		req.Address = c.address
		_, err := Prepare(req)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %q: error %v, want one containing %q", c.name, c.address, err, c.want)
		}
		assertUntouched(t, root)
	}
}

func assertUntouched(t *testing.T, root string) {
	t.Helper()
	if read(t, filepath.Join(root, "hosts.yml")) != yamlInventory {
		t.Error("the inventory was written")
	}
	entries, _ := os.ReadDir(filepath.Join(root, "host_vars"))
	if len(entries) != 1 {
		t.Errorf("host_vars holds %d files, want only armitage's", len(entries))
	}
}

func TestAFailureBeforeTheRenamesWritesNothing(t *testing.T) {
	root := repo(t, "hosts.yml", yamlInventory, armitageVars)
	r, err := Prepare(request(t, root, "hosts.yml", "molly"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "hosts.yml"), yamlInventory+"# edited meanwhile\n")
	err = r.Write()
	if err == nil || !strings.Contains(err.Error(), "hosts.yml changed on disk") {
		t.Fatalf("error %v, want the inventory named as changed", err)
	}
	if _, err := os.Stat(filepath.Join(root, "host_vars", "molly.yml")); err == nil {
		t.Fatal("host_vars/molly.yml was written although the inventory was not")
	}
	assertNoTemporaries(t, root)
}

func TestAFailedRenameIsUndone(t *testing.T) {
	root := repo(t, "hosts.yml", yamlInventory, armitageVars)
	r, err := Prepare(request(t, root, "hosts.yml", "molly"))
	if err != nil {
		t.Fatal(err)
	}
	// The inventory's rename works; the new host_vars file's destination
	// becomes a directory, so its rename fails.
	if err := os.Mkdir(filepath.Join(root, "host_vars", "molly.yml"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.Files[1].Created = false // past the existence check, to reach the rename
	r.Files[1].Old = nil
	if err := r.Write(); err == nil {
		t.Fatal("the write succeeded over a directory")
	}
	if read(t, filepath.Join(root, "hosts.yml")) != yamlInventory {
		t.Fatal("the inventory kept the new host although host_vars failed")
	}
	assertNoTemporaries(t, root)
}

func assertNoTemporaries(t *testing.T, root string) {
	t.Helper()
	for _, dir := range []string{root, filepath.Join(root, "host_vars")} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("temporary file left: %s", filepath.Join(dir, e.Name()))
			}
		}
	}
}

func TestAHostDeclaredByARangeIsRefused(t *testing.T) {
	inv := "[windows_vllm]\narmitage\nweb[1:2]\n[other]\narmitage:2222\n"
	root := repo(t, "hosts", inv, "")
	_, err := Prepare(request(t, root, "hosts", "molly"))
	if err == nil || !strings.Contains(err.Error(), "hosts:5") || !strings.Contains(err.Error(), "armitage:2222") {
		t.Fatalf("error %v, want hosts:5 naming the pattern", err)
	}
}
