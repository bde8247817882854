package vault

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/term"
)

func noEnv(string) string { return "" }

func envOf(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestSplitVaultID(t *testing.T) {
	cases := map[string][2]string{
		"prod@secrets/prod.pass": {"prod", "secrets/prod.pass"},
		"secrets/plain.pass":     {"", "secrets/plain.pass"},
		"dev@prompt":             {"dev", "prompt"},
		"a@b@c":                  {"a", "b@c"},
	}
	for slug, want := range cases {
		if label, source := SplitVaultID(slug); label != want[0] || source != want[1] {
			t.Errorf("%q: got %q %q", slug, label, source)
		}
	}
}

// Ansible's order: vault_identity_list, --vault-id, --vault-password-file,
// ANSIBLE_VAULT_PASSWORD_FILE, --ask-vault-pass.
func TestLoadKeyringOrderFollowsAnsible(t *testing.T) {
	dir := t.TempDir()
	file := func(name string) string { return writeFile(t, dir, name, name+"-pw\n", 0o600) }
	keys, err := LoadKeyring(Options{
		VaultIDs:      []string{"cli@" + file("cli"), file("bare")},
		PasswordFiles: []string{file("pwfile")},
		AskVaultPass:  true,
		Getenv: envOf(map[string]string{
			EnvIdentityList: " listed@" + file("listed") + " ,",
			EnvPasswordFile: file("envfile"),
		}),
		Prompt: func(string) ([]byte, error) { return []byte("typed"), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"listed", "cli", "default", "default", "default", "default"}
	if got := keys.VaultIDs(); !slices.Equal(got, want) {
		t.Errorf("vault ids %v, want %v", got, want)
	}
}

func TestEnvironmentOverridesAnsibleCfg(t *testing.T) {
	dir := t.TempDir()
	cfgFile := writeFile(t, dir, "cfg.pass", "cfg\n", 0o600)
	envFile := writeFile(t, dir, "env.pass", "env\n", 0o600)
	opts := Options{ConfigPasswordFile: cfgFile, ConfigIdentityList: []string{"c@" + cfgFile}}
	opts.Getenv = noEnv
	if keys, err := LoadKeyring(opts); err != nil || !slices.Equal(keys.VaultIDs(), []string{"c", "default"}) {
		t.Fatalf("from ansible.cfg: %v %v", keys.VaultIDs(), err)
	}
	opts.Getenv = envOf(map[string]string{EnvPasswordFile: envFile, EnvIdentityList: "e@" + envFile})
	keys, err := LoadKeyring(opts)
	if err != nil || !slices.Equal(keys.VaultIDs(), []string{"e", "default"}) {
		t.Fatalf("from the environment: %v %v", keys.VaultIDs(), err)
	}
	if _, err := keys.Decrypt(mustEncrypt(t, "v", "env"), "v"); err != nil {
		t.Errorf("the environment's file was not the one read: %v", err)
	}
}

func mustEncrypt(t *testing.T, plaintext, password string) []byte {
	t.Helper()
	sealed, err := Encrypt([]byte(plaintext), []byte(password), "")
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

// Ansible strips whitespace around a file's password, and CR/LF around a script's.
func TestPasswordFileAndScriptTrimming(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		writeFile(t, dir, "file.pass", " \tpass word \r\n\n", 0o600):                     "pass word",
		writeFile(t, dir, "script.sh", "#!/bin/sh\nprintf ' script pw \\r\\n'\n", 0o700): " script pw ",
	}
	for path, want := range cases {
		keys, err := LoadKeyring(Options{PasswordFiles: []string{path}, Getenv: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := keys.Decrypt(mustEncrypt(t, "v", want), path); err != nil {
			t.Errorf("%s: password is not %q: %v", filepath.Base(path), want, err)
		}
	}
}

func TestFailingScriptDoesNotLeakItsOutput(t *testing.T) {
	script := writeFile(t, t.TempDir(), "pw.sh", "#!/bin/sh\necho leaked-secret\nexit 3\n", 0o700)
	_, err := LoadKeyring(Options{PasswordFiles: []string{script}, Getenv: noEnv})
	wantErr(t, err, ErrPasswordSource, script, "leaked-secret")
	if !strings.Contains(err.Error(), "status 3") {
		t.Errorf("error %q does not give the exit status", err)
	}
}

func TestClientScriptGetsTheVaultID(t *testing.T) {
	body := "#!/bin/sh\n[ \"$1\" = --vault-id ] || exit 9\n[ \"$2\" = prod ] && { echo " + prodPassword + "; exit 0; }\nexit 2\n"
	script := writeFile(t, t.TempDir(), "keys-client.sh", body, 0o700)
	keys, err := LoadKeyring(Options{VaultIDs: []string{"prod@" + script}, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Decrypt(fixture(t, "vault/vars-prod.yml"), "vars-prod.yml"); err != nil {
		t.Error(err)
	}
	_, err = LoadKeyring(Options{VaultIDs: []string{"dev@" + script}, Getenv: noEnv})
	wantErr(t, err, ErrPasswordSource, script)
	if !strings.Contains(err.Error(), "no secret for vault id dev") {
		t.Errorf("error %q does not say the client script lacks vault id dev", err)
	}
}

// Like Ansible, a password file may itself be vaulted with an earlier password.
func TestVaultedPasswordFile(t *testing.T) {
	dir := t.TempDir()
	first := writeFile(t, dir, "first.pass", "first\n", 0o600)
	vaulted := writeFile(t, dir, "second.pass", string(mustEncrypt(t, prodPassword+"\n", "first")), 0o600)
	keys, err := LoadKeyring(Options{VaultIDs: []string{"one@" + first, "prod@" + vaulted}, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if _, id, err := keys.Open(fixture(t, "vault/vars-prod.yml"), "p"); err != nil || id != "prod" {
		t.Errorf("opened by %q: %v", id, err)
	}
}

func TestBadSourceIsAWarningWhenAnotherWorks(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.pass", "good\n", 0o600)
	empty := writeFile(t, dir, "empty.pass", " \n", 0o600)
	missing := filepath.Join(dir, "missing.pass")
	keys, err := LoadKeyring(Options{PasswordFiles: []string{missing, empty, good, dir}, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if warnings := strings.Join(keys.Warnings(), "\n"); !strings.Contains(warnings, missing) || !strings.Contains(warnings, empty) {
		t.Errorf("warnings %q do not name the bad files", warnings)
	}
	_, err = LoadKeyring(Options{PasswordFiles: []string{missing}, Getenv: noEnv})
	wantErr(t, err, ErrPasswordSource, missing)
}

func TestPrompts(t *testing.T) {
	var asked []string
	prompt := func(text string) ([]byte, error) { asked = append(asked, text); return []byte(" typed\n"), nil }
	keys, err := LoadKeyring(Options{VaultIDs: []string{"prod@prompt", "prompt"}, AskVaultPass: true, Prompt: prompt, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Vault password (prod): ", "Vault password (default): ", "Vault password: "}
	if !slices.Equal(asked, want) || !slices.Equal(keys.VaultIDs(), []string{"prod", "default", "default"}) {
		t.Errorf("asked %q, vault ids %v", asked, keys.VaultIDs())
	}
	if _, err := keys.Decrypt(mustEncrypt(t, "v", "typed"), "v"); err != nil {
		t.Errorf("prompted password was not stripped: %v", err)
	}
}

func TestPromptFailuresAreErrors(t *testing.T) {
	good := writeFile(t, t.TempDir(), "good.pass", "good\n", 0o600)
	answers := map[string]Prompter{
		"empty": func(string) ([]byte, error) { return []byte("  \n"), nil },
		"eof":   func(string) ([]byte, error) { return nil, io.EOF },
	}
	for name, prompt := range answers {
		_, err := LoadKeyring(Options{PasswordFiles: []string{good}, AskVaultPass: true, Prompt: prompt, Getenv: noEnv})
		if err == nil {
			t.Errorf("%s answer at the prompt: no error", name)
		}
	}
	_, err := LoadKeyring(Options{AskVaultPass: true, Prompt: answers["eof"], Getenv: noEnv})
	if !errors.Is(err, io.EOF) || !errors.Is(err, ErrPasswordSource) {
		t.Errorf("got %v", err)
	}
}

func TestExpandPath(t *testing.T) {
	getenv := envOf(map[string]string{"VAULT_DIR": "/etc/vault", "HOME": "/home/op"})
	t.Setenv("HOME", "/home/op")
	cases := map[string]string{
		"$VAULT_DIR/pw":   "/etc/vault/pw",
		"${VAULT_DIR}/pw": "/etc/vault/pw",
		"$UNSET/pw":       "${UNSET}/pw",
		"~/pw":            "/home/op/pw",
		"relative/~/pw":   "relative/~/pw",
		"plain/file.pass": "plain/file.pass",
	}
	for in, want := range cases {
		if got := expandPath(in, getenv); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// TerminalPrompt under a real pseudo-terminal (util-linux `script`): the
// prompt shows, the password typed after it does not echo, and comes back intact.
func TestTerminalPromptDoesNotEcho(t *testing.T) {
	if os.Getenv("STRAYLIGHT_VAULT_PROMPT_CHILD") == "1" {
		tty, _ := os.Open("/dev/tty")
		before, _ := term.GetState(tty.Fd())
		password, err := TerminalPrompt("Vault password: ")
		after, _ := term.GetState(tty.Fd())
		fmt.Printf("result=%x err=%v restored=%v\n", password, err, reflect.DeepEqual(before, after))
		return
	}
	scriptTool := ansibleTool(t, "script") // util-linux: gives the prompt a pseudo-terminal
	child := fmt.Sprintf("STRAYLIGHT_VAULT_PROMPT_CHILD=1 %q -test.run='^TestTerminalPromptDoesNotEcho$'", os.Args[0])
	cmd := exec.Command(scriptTool, "-qec", child, "/dev/null")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	before := readUntil(t, stdout, "Vault password: ")
	io.WriteString(stdin, "typed-secret\r")
	after, _ := io.ReadAll(stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v\n%s%s", err, before, after)
	}
	if want := fmt.Sprintf("result=%x err=<nil> restored=true", "typed-secret"); !strings.Contains(string(after), want) {
		t.Fatalf("want %s in the session:\n%q", want, after)
	}
	if strings.Contains(string(after), "typed-secret") {
		t.Errorf("the password was echoed:\n%q", after)
	}
}

// A kill while the prompt is up (SIGTERM; Ctrl-C is a key in raw mode)
// ends the process as the signal's default does, though the process takes
// the signal as main does, with the terminal restored: stty, run on the
// same pseudo-terminal once it has died, finds echo and canonical input
// back on. Without restoreOnSignal the prompt waits on (the session's
// input is closed after 10 s, and the prompt returns).
func TestTerminalPromptRestoresTerminalOnSignal(t *testing.T) {
	if os.Getenv("STRAYLIGHT_VAULT_PROMPT_CHILD") == "kill" {
		signal.Notify(make(chan os.Signal, 1), syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		fmt.Printf("pid=%d\n", os.Getpid())
		_, err := TerminalPrompt("Vault password: ")
		fmt.Printf("the prompt returned: %v\n", err)
		return
	}
	scriptTool := ansibleTool(t, "script")
	child := fmt.Sprintf("STRAYLIGHT_VAULT_PROMPT_CHILD=kill %q -test.run='^TestTerminalPromptRestoresTerminalOnSignal$'; echo status=$?; stty -a", os.Args[0])
	cmd := exec.Command(scriptTool, "-qec", child, "/dev/null")
	stdin, _ := cmd.StdinPipe() // open: script ends the session at its EOF
	defer stdin.Close()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	before := readUntil(t, stdout, "Vault password: ")
	var pid int
	if _, err := fmt.Sscanf(before[strings.Index(before, "pid="):], "pid=%d", &pid); err != nil {
		t.Fatalf("no pid in %q", before)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	unblock := time.AfterFunc(10*time.Second, func() { stdin.Close() }) // bounds a hang; no timing assertion
	defer unblock.Stop()
	after, _ := io.ReadAll(stdout)
	_ = cmd.Wait()
	session := string(after)
	if strings.Contains(session, "the prompt returned") || !strings.Contains(session, "status=143") {
		t.Errorf("want the child ended by SIGTERM (status 143):\n%s", session)
	}
	settings := strings.Fields(session[strings.Index(session, "status="):])
	for _, want := range []string{"echo", "icanon"} {
		if !slices.Contains(settings, want) {
			t.Errorf("the terminal was left without %s:\n%s", want, session)
		}
	}
}

// readUntil reads r until it has seen marker (EOF first fails the test).
func readUntil(t *testing.T, r io.Reader, marker string) string {
	t.Helper()
	var seen []byte
	chunk := make([]byte, 256)
	for !strings.Contains(string(seen), marker) {
		n, err := r.Read(chunk)
		seen = append(seen, chunk[:n]...)
		if err != nil {
			t.Fatalf("no %q before %v:\n%q", marker, err, seen)
		}
	}
	return string(seen)
}

func TestReadRawLineEditing(t *testing.T) {
	cases := []struct {
		typed, want string
		err         error
	}{
		{"secret\r", "secret", nil},
		{"secret\n", "secret", nil},
		{"sex\x7fcret\r", "secret", nil},
		{"p\xc3\xa4\x08a\r", "pa", nil}, // Backspace erases the whole ä
		{"wrong\x15right\r", "right", nil},
		{"\x7f\x7fok\x04\r", "ok", nil}, // Ctrl-D is ignored mid-line
		{"abc\x03", "", errInterrupted},
		{"\x04", "", io.EOF},
		{"no enter", "", io.EOF},
	}
	for _, c := range cases {
		got, err := readRawLine(strings.NewReader(c.typed))
		if string(got) != c.want || !errors.Is(err, c.err) {
			t.Errorf("typed %q: got %q, %v; want %q, %v", c.typed, got, err, c.want, c.err)
		}
	}
}
