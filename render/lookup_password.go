package render

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The password lookup, as ansible-core's lib/ansible/plugins/lookup/
// password.py runs it (2.19 and 2.14 alike for what follows): the term is
// a path, then key=value parameters (length, encrypt, chars, ident, seed;
// any other is an error); the path is read on the controller, its content
// right-stripped, and what comes before its last " salt=" is the
// password. straylight runs it where that is the whole answer: the file
// exists and the lookup does not hash (encrypt). Where the file does not
// exist yet (or is /dev/null), Ansible makes a random password — and writes
// it to the file, on a --check run too; with encrypt it hashes with a salt
// it may write there. Those are not supported: the task is Ansible's.
// Every password it reads is a secret (Engine.LookupSecrets).

// passwordParams are the lookup's parameters (VALID_PARAMS).
var passwordParams = []string{"length", "encrypt", "chars", "ident", "seed"}

// lookupPassword reads each term's password file.
func lookupPassword(e *Engine, _ *Scope, terms []any, kw map[string]any) ([]any, error) {
	var out []any
	for _, t := range terms {
		pw, err := readPassword(pyStr(t), kw)
		if err != nil {
			return nil, err
		}
		e.noteSecret(pw)
		out = append(out, pw)
	}
	return out, nil
}

// readPassword is one term's password.
func readPassword(term string, kw map[string]any) (string, error) {
	path, params, err := passwordTerm(term)
	if err != nil {
		return "", err
	}
	if encrypt := orKeyword(params["encrypt"], kw["encrypt"]); encrypt != "" {
		return "", passwordUnsupported("with encrypt, where Ansible hashes the password with a salt it may write to the file")
	}
	path, err = passwordPath(path)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
		return "", passwordUnsupported("where the file does not exist yet, to which Ansible writes a new random password")
	case err != nil:
		return "", err
	}
	content := strings.TrimRight(string(data), " \t\n\r\v\f")
	if i := strings.LastIndex(content, " salt="); i >= 0 {
		content = content[:i]
	}
	return content, nil
}

// passwordTerm splits a term into its path and key=value parameters, as
// _parse_parameters does where no word after the path lacks an =.
func passwordTerm(term string) (string, map[string]string, error) {
	path, rest, _ := strings.Cut(term, " ")
	params := map[string]string{}
	for _, word := range strings.Fields(rest) {
		k, v, ok := strings.Cut(word, "=")
		if !ok || strings.ContainsAny(word, `'"`) {
			return "", nil, passwordUnsupported("with a path holding spaces or quoted parameters")
		}
		if !slices.Contains(passwordParams, k) {
			//lint:ignore ST1005 the lookup's own message
			return "", nil, fmt.Errorf("Unrecognized parameter(s) given to password lookup: %s", k)
		}
		params[k] = v
	}
	return path, params, nil
}

// passwordPath is the file the lookup reads: an absolute path, or one
// under the home directory (~), cleaned as unfrackpath cleans it. /dev/null
// (a new password every run), a relative path (the loader's base
// directory) and one with $ (expandvars) are not supported.
func passwordPath(path string) (string, error) {
	switch {
	case path == "/dev/null":
		return "", passwordUnsupported("on /dev/null, a new random password on every run")
	case strings.Contains(path, "$"):
		return "", passwordUnsupported("on a path with $, which Ansible expands")
	case path == "~" || strings.HasPrefix(path, "~/"):
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		path = home + path[1:]
	case !filepath.IsAbs(path):
		return "", passwordUnsupported("on a relative path, which Ansible reads from the playbook's directory")
	}
	return filepath.Clean(path), nil
}

func orKeyword(param string, kw any) string {
	if param != "" {
		return param
	}
	if kw == nil {
		return ""
	}
	return pyStr(kw)
}

func passwordUnsupported(where string) error {
	return fmt.Errorf("lookup plugin \"password\" %s %s", notSupportedMark, where)
}
