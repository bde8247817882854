package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// litellmConfig is the part of LiteLLM's config.yaml the proxy acts on
// (testdata/wire/litellm_config.yaml).
type litellmConfig struct {
	deployments  []litellmDeployment
	groupAliases map[string]string // router_settings.model_group_alias
	masterKey    string            // "" = no auth, as LiteLLM without a master key
}

// litellmDeployment is one model_list entry.
type litellmDeployment struct {
	alias    string // model_name: what clients send
	model    string // litellm_params.model, e.g. openai/llama31-8b-wintermute
	upstream string // model minus exactly one provider segment
	apiBase  string
	apiKey   string
	id       string // model_info.id (LiteLLM hashes the deployment)
}

type litellmFile struct {
	ModelList []struct {
		ModelName     string         `yaml:"model_name"`
		LitellmParams map[string]any `yaml:"litellm_params"`
	} `yaml:"model_list"`
	RouterSettings struct {
		ModelGroupAlias map[string]any `yaml:"model_group_alias"`
	} `yaml:"router_settings"`
	GeneralSettings struct {
		MasterKey any `yaml:"master_key"`
	} `yaml:"general_settings"`
}

// parseLiteLLMConfig reads config.yaml; `os.environ/VAR` values come from env.
// Errors name the key and the variable, never a value.
func parseLiteLLMConfig(raw []byte, env map[string]string) (litellmConfig, error) {
	var f litellmFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return litellmConfig{}, fmt.Errorf("litellm config: %w", err)
	}
	r := envResolver{env: env}
	cfg := litellmConfig{groupAliases: map[string]string{}}
	cfg.masterKey = r.value("general_settings.master_key", f.GeneralSettings.MasterKey)
	for i, m := range f.ModelList {
		d := r.deployment(fmt.Sprintf("model_list[%d]", i), m.ModelName, m.LitellmParams)
		cfg.deployments = append(cfg.deployments, d)
	}
	for alias, group := range f.RouterSettings.ModelGroupAlias {
		cfg.groupAliases[alias] = fmt.Sprint(group)
	}
	if r.err == nil && len(cfg.deployments) == 0 {
		r.err = errors.New("litellm config: model_list is empty")
	}
	return cfg, r.err
}

// envResolver resolves LiteLLM's `os.environ/VAR` indirection; the first
// failure is kept.
type envResolver struct {
	env map[string]string
	err error
}

func (r *envResolver) value(key string, v any) string {
	if v == nil {
		return ""
	}
	s := fmt.Sprint(v)
	name, indirect := strings.CutPrefix(s, "os.environ/")
	if !indirect {
		return s
	}
	val, ok := r.env[name]
	if !ok && r.err == nil {
		r.err = fmt.Errorf("litellm config: %s: environment variable %s is not set", key, name)
	}
	return val
}

func (r *envResolver) deployment(key, alias string, params map[string]any) litellmDeployment {
	d := litellmDeployment{
		alias:   alias,
		model:   r.value(key+".litellm_params.model", params["model"]),
		apiBase: r.value(key+".litellm_params.api_base", params["api_base"]),
		apiKey:  r.value(key+".litellm_params.api_key", params["api_key"]),
	}
	if alias == "" || d.model == "" {
		r.fail(fmt.Errorf("litellm config: %s needs model_name and litellm_params.model", key))
	}
	d.upstream = stripProvider(d.model)
	sum := sha256.Sum256([]byte(alias + "\x00" + d.model + "\x00" + d.apiBase))
	d.id = hex.EncodeToString(sum[:])
	return d
}

func (r *envResolver) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// stripProvider is get_llm_provider's model.split("/", 1): exactly one
// leading segment goes (openai/a/b → a/b).
func stripProvider(model string) string {
	if _, rest, ok := strings.Cut(model, "/"); ok {
		return rest
	}
	return model
}

// lookup finds the deployments serving alias (or a model_group_alias of it).
func (c litellmConfig) lookup(alias string) []litellmDeployment {
	if target, ok := c.groupAliases[alias]; ok {
		alias = target
	}
	var out []litellmDeployment
	for _, d := range c.deployments {
		if d.alias == alias {
			out = append(out, d)
		}
	}
	return out
}

// aliases lists model names once each, in config order.
func (c litellmConfig) aliases() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range c.deployments {
		if !seen[d.alias] {
			seen[d.alias] = true
			out = append(out, d.alias)
		}
	}
	return out
}
