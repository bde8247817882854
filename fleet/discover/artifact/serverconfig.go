package artifact

import (
	"gopkg.in/yaml.v3"
)

// serverConfigKeys are the keys, besides the model, that mark a YAML file as
// a `--config` file of vLLM (FlexibleArgumentParser: long option names
// without dashes) or SGLang (same convention, model under model-path).
var serverConfigKeys = []string{"port", "host", "served-model-name", "api-key", "tensor-parallel-size",
	"max-model-len", "gpu-memory-utilization", "dtype", "tp", "tp-size", "mem-fraction-static", "context-length"}

// serverConfigKind tells a vLLM or SGLang config from any other YAML.
func serverConfigKind(root *yaml.Node) (Kind, bool) {
	hasMore := false
	for _, k := range serverConfigKeys {
		hasMore = hasMore || mapValue(root, k) != nil
	}
	switch {
	case !hasMore:
		return "", false
	case mapValue(root, "model-path") != nil:
		return SGLang, true
	case mapValue(root, "model") != nil && mapValue(root, "model").Kind == yaml.ScalarNode:
		return VLLM, true
	}
	return "", false
}

// recognizeServerConfig turns the config's keys back into the flags they
// stand for and reads them like a command line.
func recognizeServerConfig(file string, root *yaml.Node, kind Kind) (Findings, error) {
	var args []string
	err := mapPairs(root, func(k, v *yaml.Node) error {
		if v.Kind == yaml.SequenceNode {
			items, err := stringList(file, v, k.Value)
			args = append(append(args, "--"+k.Value), items...)
			return err
		}
		if v.Kind == yaml.ScalarNode {
			args = append(args, "--"+k.Value, v.Value)
		}
		return nil
	})
	if err != nil {
		return Findings{}, err
	}
	l := launch{kind: kind, args: args, env: map[string]string{}, keys: inConfigFile}
	b := l.backend(Source{File: file, Line: root.Line})
	b.PortOrigin = "config file " + b.PortOrigin
	b.Notes = append(b.Notes, "a --config file: flags on the command line that loads it take precedence")
	return Findings{Backends: []Backend{b}}, nil
}
