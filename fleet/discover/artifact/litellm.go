package artifact

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// litellmSections are the top-level keys of a LiteLLM proxy config.
var litellmSections = []string{"model_list", "router_settings", "litellm_settings", "general_settings", "environment_variables"}

// recognizeLiteLLM reads model_list (each model_name → litellm_params) and
// general_settings.master_key. Keys are kept as references only.
func recognizeLiteLLM(file string, root, list *yaml.Node) (Findings, error) {
	if list.Kind != yaml.SequenceNode {
		return Findings{}, keyError(file, list, "model_list", "a list")
	}
	p := Proxy{Kind: LiteLLM, Source: Source{File: file, Line: list.Line}}
	for i, entry := range list.Content {
		r, err := litellmRoute(file, i, deref(entry))
		if err != nil {
			return Findings{}, err
		}
		p.Routes = append(p.Routes, r)
	}
	p.MasterKey = secretFrom(scalar(mapValue(mapValue(root, "general_settings"), "master_key")), inLiteLLM)
	for _, s := range litellmSections {
		if mapValue(root, s) != nil {
			p.Settings = append(p.Settings, s)
		}
	}
	return Findings{Proxies: []Proxy{p}}, nil
}

func litellmRoute(file string, i int, entry *yaml.Node) (Route, error) {
	key := fmt.Sprintf("model_list[%d]", i)
	if entry.Kind != yaml.MappingNode {
		return Route{}, keyError(file, entry, key, "a mapping")
	}
	name := mapValue(entry, "model_name")
	if name == nil || name.Kind != yaml.ScalarNode || name.Value == "" {
		return Route{}, fmt.Errorf("%s:%d: %s.model_name: missing or not a string", file, entry.Line, key)
	}
	params := mapValue(entry, "litellm_params")
	if params == nil || params.Kind != yaml.MappingNode {
		return Route{}, fmt.Errorf("%s:%d: %s.litellm_params: missing or not a mapping", file, entry.Line, key)
	}
	return Route{
		Alias:   name.Value,
		Model:   scalar(mapValue(params, "model")),
		APIBase: scalar(mapValue(params, "api_base")),
		APIKey:  secretFrom(scalar(mapValue(params, "api_key")), inLiteLLM),
		Source:  Source{File: file, Line: name.Line},
	}, nil
}
