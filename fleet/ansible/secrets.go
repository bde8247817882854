package ansible

import (
	"fmt"
	"strings"
)

// secretKeyNames are variable (or mapping key) names whose values are secrets
// wherever they come from.
var secretKeyNames = map[string]bool{
	"ansible_password": true, "ansible_winrm_password": true, "ansible_become_password": true,
	"ansible_become_pass": true, "ansible_ssh_pass": true, "master_key": true, "api_key": true,
}

// secretNameEndings: by operators' convention a variable whose name ends
// so holds a secret (redis_password, hf_token, openai_api_key), wherever it
// is defined.
var secretNameEndings = []string{"password", "passwd", "_secret", "_token", "_api_key", "_master_key", "_private_key"}

// IsSecretKey reports whether a variable or key name holds a secret: a
// name of secretKeyNames, a vault_ one, or one ending as secretNameEndings.
func IsSecretKey(name string) bool {
	if secretKeyNames[name] || strings.HasPrefix(name, "vault_") {
		return true
	}
	lower := strings.ToLower(name)
	for _, end := range secretNameEndings {
		if strings.HasSuffix(lower, end) {
			return true
		}
	}
	return false
}

// collectSecrets returns the templated values of every secret variable of the
// host: those from the vault and those with secret names, nested keys too.
func (hs *HostScope) collectSecrets() []string {
	var out []string
	for name, raw := range hs.vars.Values {
		if IsSecretKey(name) || hs.vars.Origin(name).Secret {
			out = append(out, hs.secretLeaves(raw)...)
			continue
		}
		out = append(out, hs.nestedSecrets(raw)...)
	}
	return AppendUnique(nil, out...)
}

func (hs *HostScope) nestedSecrets(v any) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if IsSecretKey(k) {
				out = append(out, hs.secretLeaves(e)...)
			} else {
				out = append(out, hs.nestedSecrets(e)...)
			}
		}
	case []any:
		for _, e := range t {
			out = append(out, hs.nestedSecrets(e)...)
		}
	}
	return out
}

// secretLeaves templates a secret value and returns its string leaves. A
// value that fails to template contributes its raw text.
func (hs *HostScope) secretLeaves(raw any) []string {
	v, err := hs.template(raw)
	if err != nil {
		v = raw
	}
	return leaves(v)
}

func leaves(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case map[string]any:
		var out []string
		for _, e := range t {
			out = append(out, leaves(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, leaves(e)...)
		}
		return out
	case bool:
		return nil // a flag (use_hf_token: true) is no secret; masking "true" would hide every true
	}
	return []string{fmt.Sprint(v)}
}
