package delegate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakePlaybook writes a stand-in for ansible-playbook (a shell script) that
// records its arguments and, for each --vault-id ID@FILE, the file's and
// its directory's modes and content, then prints two plugin events and a
// line of its own.
func fakePlaybook(t *testing.T, record string) string {
	t.Helper()
	script := `#!/bin/sh
printf '%s\n' "$@" > ` + record + `
for a in "$@"; do
  case "$a" in *@*) f=${a#*@}; stat -c '%a' "$f" >> ` + record + `.modes; stat -c '%a' "$(dirname "$f")" >> ` + record + `.modes; cat "$f" >> ` + record + `.modes; echo >> ` + record + `.modes; echo "$f" > ` + record + `.path;;
  esac
done
printf '\036straylight {"event": "task", "task": "Fetch", "path": "/r/playbooks/gpu.yml:10", "action": "ansible.builtin.get_url"}\n'
echo "PLAY RECAP (not an event)"
printf '\036straylight {"event": "result", "host": "alpha", "status": "changed", "task": "Fetch", "path": "/r/playbooks/gpu.yml:10"}\n'
exit 2
`
	path := filepath.Join(t.TempDir(), "ansible-playbook")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunHandsVaultPasswordsInPrivateFiles: the vault passwords reach the
// run as --vault-id files (0600, in a 0700 directory), never as arguments,
// and are gone when the run ends; events stream in order, other lines are
// output, and a non-zero exit is a result.
func TestRunHandsVaultPasswordsInPrivateFiles(t *testing.T) {
	record := filepath.Join(t.TempDir(), "args")
	r := &Runner{Bin: fakePlaybook(t, record), Root: t.TempDir(), Inventory: "inventory/hosts.yml", ExtraVars: []string{"a=1"},
		Vault: []VaultPassword{{ID: "", Password: []byte("pw-one")}, {ID: "prod", Password: []byte("pw-two")}}}
	var got []Event
	res, err := r.Run(context.Background(), Run{Playbook: "playbooks/gpu.yml", Hosts: []string{"alpha", "beta"}, Check: true},
		func(ev Event) { got = append(got, ev) })
	if err != nil || res.ExitCode != 2 || !strings.Contains(res.Output, "PLAY RECAP (not an event)") {
		t.Fatalf("Run: %v %+v", err, res)
	}
	if len(got) != 2 || got[0].Kind != "task" || got[1].Status != Changed || got[1].Host != "alpha" {
		t.Errorf("events: %+v", got)
	}
	if file, line := got[1].Where("/r"); file != "playbooks/gpu.yml" || line != 10 {
		t.Errorf("Where: %s:%d", file, line)
	}
	args, _ := os.ReadFile(record)
	for _, want := range []string{"--limit\nalpha,beta\n", "--check\n--diff\n", "-i\ninventory/hosts.yml\n", "-e\na=1\n", "--vault-id\ndefault@", "--vault-id\nprod@", "playbooks/gpu.yml\n"} {
		if !strings.Contains(string(args), want) {
			t.Errorf("arguments miss %q:\n%s", want, args)
		}
	}
	if strings.Contains(string(args), "pw-one") || strings.Contains(string(args), "pw-two") {
		t.Errorf("a vault password is on the command line:\n%s", args)
	}
	if modes, _ := os.ReadFile(record + ".modes"); string(modes) != "600\n700\npw-one\n600\n700\npw-two\n" {
		t.Errorf("vault files (mode, directory mode, content): %q", modes)
	}
	path, _ := os.ReadFile(record + ".path")
	if _, err := os.Stat(filepath.Dir(strings.TrimSpace(string(path)))); !os.IsNotExist(err) {
		t.Errorf("the run's directory is left behind: %v", err)
	}
}

// TestRunDeadline: a run past its timeout is killed, with its process
// group, and is an error that says so.
func TestRunDeadline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ansible-playbook")
	if err := os.WriteFile(path, []byte("#!/bin/sh\nsleep 60 &\nsleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &Runner{Bin: path, Root: t.TempDir(), Timeout: 200 * time.Millisecond}
	_, err := r.Run(context.Background(), Run{Playbook: "site.yml", Hosts: []string{"alpha"}}, func(Event) {})
	if err == nil || !strings.Contains(err.Error(), "did not finish within 200ms") {
		t.Errorf("Run: %v", err)
	}
}

func TestMergeAndFind(t *testing.T) {
	for _, c := range [][3]Status{{OK, Changed, Changed}, {Skipped, OK, OK}, {Changed, Failed, Failed}, {Skipped, Skipped, Skipped}} {
		if got := Merge(c[0], c[1]); got != c[2] {
			t.Errorf("Merge(%s, %s) = %s, want %s", c[0], c[1], got, c[2])
		}
	}
	if _, err := Find(filepath.Join(t.TempDir(), "none")); err == nil || !strings.HasPrefix(err.Error(), "ansible_playbook: ") {
		t.Errorf("Find of a missing path: %v", err)
	}
}
