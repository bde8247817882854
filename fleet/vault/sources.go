package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Environment variables LoadKeyring reads, as Ansible does.
const (
	EnvPasswordFile = "ANSIBLE_VAULT_PASSWORD_FILE"
	EnvIdentityList = "ANSIBLE_VAULT_IDENTITY_LIST"
)

// Sources that prompt instead of naming a file (Ansible's --vault-id label@prompt,
// and what --ask-vault-pass becomes).
const (
	sourcePrompt        = "prompt"
	sourceAskVaultPass  = "prompt_ask_vault_pass"
	clientScriptSuffix  = "-client"
	clientUnknownIDExit = 2
)

// Options are the vault flags of the command line, plus the ansible.cfg
// settings the caller found ([defaults] vault_password_file and
// vault_identity_list; the environment overrides both, as in Ansible).
type Options struct {
	VaultIDs      []string // --vault-id, each "label@source" or "source"; source "prompt" asks
	PasswordFiles []string // --vault-password-file
	AskVaultPass  bool     // --ask-vault-pass
	VaultIDMatch  bool     // try only passwords whose vault id matches (vault_id_match)

	ConfigPasswordFile string   // ansible.cfg vault_password_file
	ConfigIdentityList []string // ansible.cfg vault_identity_list

	Getenv func(string) string // nil: os.Getenv
	Prompt Prompter            // nil: TerminalPrompt
	Stderr io.Writer           // where password scripts' stderr goes; nil: os.Stderr
}

// LoadKeyring builds the keyring ansible-playbook would build, in its order:
// vault_identity_list, then each --vault-id, then each --vault-password-file
// and ANSIBLE_VAULT_PASSWORD_FILE (as "default"), then --ask-vault-pass. An
// executable password file is run and its stdout used; a "-client" script is
// passed --vault-id LABEL. A source that fails is an error only if no source
// worked (otherwise it is listed in Warnings), except a prompt, which always is.
func LoadKeyring(opts Options) (*Keyring, error) {
	k := NewKeyring()
	k.SetVaultIDMatch(opts.VaultIDMatch)
	var failures []error
	for _, slug := range opts.slugs() {
		label, source := SplitVaultID(slug)
		err := k.addSource(label, source, opts)
		if err != nil && isPromptSource(source) {
			return nil, err
		}
		if err != nil {
			failures = append(failures, err)
			k.warnings = append(k.warnings, err.Error())
		}
	}
	if len(k.secrets) == 0 && len(failures) > 0 {
		return nil, errors.Join(failures...)
	}
	return k, nil
}

// SplitVaultID splits a --vault-id value at its first '@' into label and
// source; without '@' the label is "" (Ansible's None) and all is the source.
func SplitVaultID(slug string) (label, source string) {
	label, source, found := strings.Cut(slug, "@")
	if !found {
		return "", slug
	}
	return label, source
}

func (o Options) slugs() []string {
	slugs := append(o.identityList(), o.VaultIDs...)
	for _, file := range o.passwordFiles() {
		slugs = append(slugs, DefaultVaultID+"@"+file)
	}
	if o.AskVaultPass {
		slugs = append(slugs, DefaultVaultID+"@"+sourceAskVaultPass)
	}
	return slugs
}

func (o Options) identityList() []string {
	list := o.ConfigIdentityList
	if env := o.getenv(EnvIdentityList); env != "" {
		list = strings.Split(env, ",")
	}
	var ids []string
	for _, id := range list {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

func (o Options) passwordFiles() []string {
	files := append([]string(nil), o.PasswordFiles...)
	if env := o.getenv(EnvPasswordFile); env != "" {
		return append(files, env)
	}
	if o.ConfigPasswordFile != "" {
		files = append(files, o.ConfigPasswordFile)
	}
	return files
}

func (o Options) getenv(name string) string {
	if o.Getenv == nil {
		return os.Getenv(name)
	}
	return o.Getenv(name)
}

func isPromptSource(source string) bool {
	return source == sourcePrompt || source == sourceAskVaultPass
}

func (k *Keyring) addSource(label, source string, opts Options) error {
	password, err := k.readSource(label, source, opts)
	if err != nil {
		return err
	}
	return k.Add(label, password)
}

func (k *Keyring) readSource(label, source string, opts Options) ([]byte, error) {
	if isPromptSource(source) {
		return promptPassword(opts.Prompt, label, source)
	}
	return k.readPasswordFile(label, expandPath(source, opts.getenv), opts.Stderr)
}

// readPasswordFile follows Ansible's get_file_vault_secret: an executable
// file is a script to run, anything else holds the password.
func (k *Keyring) readPasswordFile(label, path string, stderr io.Writer) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, sourceError(path, "vault password file not found or unreadable")
	}
	if info.IsDir() {
		return nil, sourceError(path, "vault password file is a directory")
	}
	if info.Mode().Perm()&0o111 != 0 {
		return runPasswordScript(path, label, stderr)
	}
	return k.readPlainPasswordFile(path)
}

// readPlainPasswordFile strips surrounding whitespace as Ansible does
// (bytes.strip(), then strip(b"\r\n")). Like Ansible, a password file may
// itself be vault-encrypted with a password given earlier.
func (k *Keyring) readPlainPasswordFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, sourceError(path, "cannot read vault password file")
	}
	password := bytes.Trim(raw, asciiSpace)
	if IsEncrypted(password) {
		if password, err = k.Decrypt(password, path); err != nil {
			return nil, err
		}
	}
	return nonEmpty(path, bytes.Trim(password, "\r\n"))
}

// asciiSpace is what Python's bytes.strip() removes.
const asciiSpace = " \t\n\r\v\f"

// runPasswordScript runs an executable password file like Ansible's
// ScriptVaultSecret: stdin and stderr are the user's (so it may prompt),
// stdout minus surrounding CR/LF is the password.
func runPasswordScript(path, label string, stderr io.Writer) ([]byte, error) {
	cmd := exec.Command(path, scriptArgs(path, label)...)
	cmd.Stdin, cmd.Stderr = os.Stdin, stderr
	if stderr == nil {
		cmd.Stderr = os.Stderr
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, scriptError(path, label, err)
	}
	return nonEmpty(path, bytes.Trim(out, "\r\n"))
}

// scriptArgs gives a client script ("name-client" or "name-client.ext") the
// vault id it is asked for, when the --vault-id named one.
func scriptArgs(path, label string) []string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if !strings.HasSuffix(base, clientScriptSuffix) || label == "" {
		return nil
	}
	return []string{"--vault-id", label}
}

func scriptError(path, label string, err error) error {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return sourceError(path, "cannot run vault password script (remove its executable bit if it is not a script)")
	}
	if exit.ExitCode() == clientUnknownIDExit && scriptArgs(path, label) != nil {
		return sourceError(path, fmt.Sprintf("vault password client script has no secret for vault id %s", label))
	}
	return sourceError(path, fmt.Sprintf("vault password script exited with status %d", exit.ExitCode()))
}

func nonEmpty(path string, password []byte) ([]byte, error) {
	if len(password) == 0 {
		return nil, &Error{File: path, Err: ErrEmptyPassword}
	}
	return password, nil
}

func sourceError(path, detail string) error {
	return &Error{File: path, Err: fmt.Errorf("%w: %s", ErrPasswordSource, detail)}
}

// expandPath expands $VAR, ${VAR} and a leading ~ like Ansible's unfrackpath
// (os.path.expandvars then expanduser); unset variables stay as written.
func expandPath(path string, getenv func(string) string) string {
	path = os.Expand(path, func(name string) string {
		if value := getenv(name); value != "" {
			return value
		}
		return "${" + name + "}"
	})
	if path == "~" || strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return home + path[1:]
		}
	}
	return path
}
