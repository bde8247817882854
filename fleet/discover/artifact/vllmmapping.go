package artifact

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// vllmMapping is the vllm: mapping of a rendered config file that a start
// script turns into vLLM flags: the seed's config.yml, which
// examples/homelab/roles/windows-vllm-deploy/files/Start-VLLM.ps1
// (Get-VllmArguments) reads as model, served_model_name, port, ... — each
// key the long option with _ for -. It is the host's vllm variables as
// deployed, so the plan can tell what a host runs from the file on it.
func vllmMapping(root *yaml.Node) *yaml.Node {
	m := mapValue(root, "vllm")
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	if model := mapValue(m, "model"); model == nil || model.Kind != yaml.ScalarNode {
		return nil
	}
	return m
}

// recognizeVLLMMapping reads the mapping's keys as the flags the script
// passes; container_name names the container it starts.
func recognizeVLLMMapping(file string, m *yaml.Node) (Findings, error) {
	var args []string
	err := mapPairs(m, func(k, v *yaml.Node) error {
		flag := "--" + strings.ReplaceAll(k.Value, "_", "-")
		switch v.Kind {
		case yaml.SequenceNode:
			items, err := stringList(file, v, k.Value)
			args = append(append(args, flag), items...)
			return err
		case yaml.ScalarNode:
			args = append(args, flag, v.Value)
		}
		return nil
	})
	if err != nil {
		return Findings{}, err
	}
	l := launch{kind: VLLM, args: args, env: map[string]string{}, keys: inConfigFile}
	b := l.backend(Source{File: file, Line: m.Line})
	b.PortOrigin = "vllm: mapping " + b.PortOrigin
	b.Container, _ = flagValue(args, "--container-name")
	b.Notes = append(b.Notes, "a vllm: mapping a start script turns into flags (served_model_name → --served-model-name)")
	if enabled, ok := flagValue(args, "--enabled"); ok && strings.EqualFold(enabled, "false") {
		b.Notes = append(b.Notes, "enabled: false: the start script does not start vLLM")
	}
	return Findings{Backends: []Backend{b}}, nil
}
