package ansible

import (
	"fmt"
	"strconv"
	"strings"
)

// AsInt reads an integer as Ansible values give it: a number or a numeric string.
func AsInt(v any) (int, bool) {
	switch t := v.(type) {
	case int:
		return t, true
	case int64:
		return int(t), true
	case float64:
		return int(t), t == float64(int(t))
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(t))
		return n, err == nil
	}
	return 0, false
}

// AsFloat reads a number as Ansible values give it: a number or a numeric string.
func AsFloat(v any) (float64, bool) {
	switch t := v.(type) {
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case float64:
		return t, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil
	}
	return 0, false
}

// Evaluated is one variable as Ansible would see it on a host: templated,
// or why it could not be.
type Evaluated struct {
	Value  any
	Err    error
	Secret bool // the variable is secret, or its value holds a secret value
}

// EvaluateVars templates the named variables of host as the first play
// that targets it sees them (role defaults such as
// `{{ vllm.max_model_len | default(8192) }}` become 9000). Names the host
// does not have are left out.
func (r *Repo) EvaluateVars(host string, names []string) (map[string]Evaluated, error) {
	for _, run := range r.Runs {
		if !run.Targets(host) {
			continue
		}
		hs, err := r.ScopeOf(host, run)
		if err != nil {
			return nil, err
		}
		return hs.evaluate(names), nil
	}
	return nil, fmt.Errorf("no play targets %s", host)
}

func (hs *HostScope) evaluate(names []string) map[string]Evaluated {
	out := map[string]Evaluated{}
	for _, name := range names {
		raw, ok := hs.scope.Raw(name)
		if !ok {
			continue
		}
		v, err := hs.repo.engine().TemplateValue(hs.scope, raw)
		if err != nil && hs.holdsSecret(err.Error()) {
			err = fmt.Errorf("templating %s failed (the message is withheld: it holds a secret value)", name)
		}
		secret := IsSecretKey(name) || hs.vars.Origin(name).Secret || hs.holdsSecret(v)
		out[name] = Evaluated{Value: v, Err: err, Secret: secret}
	}
	return out
}

// holdsSecret reports whether a templated value contains a secret value.
func (hs *HostScope) holdsSecret(v any) bool {
	text := fmt.Sprint(v)
	for _, s := range hs.secrets {
		if s != "" && strings.Contains(text, s) {
			return true
		}
	}
	return false
}
