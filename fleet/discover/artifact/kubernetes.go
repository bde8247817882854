package artifact

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// podSpecPaths are where each workload kind keeps its pod spec
// (Kubernetes API reference: Pod, Deployment, StatefulSet, DaemonSet,
// ReplicaSet, Job, CronJob).
var podSpecPaths = map[string][]string{
	"Pod":         {"spec"},
	"Deployment":  {"spec", "template", "spec"},
	"StatefulSet": {"spec", "template", "spec"},
	"DaemonSet":   {"spec", "template", "spec"},
	"ReplicaSet":  {"spec", "template", "spec"},
	"Job":         {"spec", "template", "spec"},
	"CronJob":     {"spec", "jobTemplate", "spec", "template", "spec"},
}

// podSpec is the pod spec of a Kubernetes workload manifest, or nil when
// the document is not one.
func podSpec(root *yaml.Node) *yaml.Node {
	keys, ok := podSpecPaths[scalar(mapValue(root, "kind"))]
	if !ok || scalar(mapValue(root, "apiVersion")) == "" {
		return nil
	}
	n := root
	for _, k := range keys {
		if n = mapValue(n, k); n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
	}
	return n
}

// recognizeManifest reads the containers of a workload's pod spec. In
// Kubernetes a container's command replaces the image's ENTRYPOINT and its
// args the image's CMD; env is a list of name/value pairs, ports a list of
// containerPort entries. The server's port is the container's: how it is
// reached from outside (a Service, a NodePort) is not the pod's to say.
func recognizeManifest(file string, spec *yaml.Node) (Findings, error) {
	var found Findings
	for _, key := range []string{"initContainers", "containers"} {
		list := mapValue(spec, key)
		if list == nil {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			return Findings{}, keyError(file, list, key, "a list")
		}
		for i, item := range list.Content {
			c, err := podContainer(file, deref(item), key+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return Findings{}, err
			}
			if b, ok := c.backend(); ok {
				b.Notes = append(b.Notes, "a Kubernetes container: its port is the pod's, reached through a Service")
				found.Backends = append(found.Backends, b)
			}
		}
	}
	return found, nil
}

func podContainer(file string, item *yaml.Node, key string) (container, error) {
	if item.Kind != yaml.MappingNode {
		return container{}, keyError(file, item, key, "a mapping")
	}
	c := container{image: scalar(mapValue(item, "image")), name: scalar(mapValue(item, "name")),
		env: map[string]string{}, ports: map[int]int{}, src: Source{File: file, Line: containerLine(item)}}
	if n := mapValue(item, "command"); n != nil {
		words, err := commandWords(file, n, key+".command")
		if err != nil {
			return container{}, err
		}
		c.entrypoint, c.hasEntrypoint = words, true
	}
	if n := mapValue(item, "args"); n != nil {
		words, err := commandWords(file, n, key+".args")
		if err != nil {
			return container{}, err
		}
		c.command = words
	}
	c.podEnv(mapValue(item, "env"))
	c.podPorts(mapValue(item, "ports"))
	return c, nil
}

// containerLine is the line of the command or args (they hold the flags),
// else of the image.
func containerLine(item *yaml.Node) int {
	for _, key := range []string{"command", "args", "image"} {
		if n := mapKey(item, key); n != nil {
			return n.Line
		}
	}
	return item.Line
}

// podEnv reads env entries with a literal value (valueFrom is resolved by
// the cluster, not here).
func (c *container) podEnv(list *yaml.Node) {
	if list == nil || list.Kind != yaml.SequenceNode {
		return
	}
	for _, e := range list.Content {
		if name := scalar(mapValue(deref(e), "name")); isEnvName(name) && mapValue(deref(e), "value") != nil {
			c.env[name] = scalar(mapValue(deref(e), "value"))
		}
	}
}

func (c *container) podPorts(list *yaml.Node) {
	if list == nil || list.Kind != yaml.SequenceNode {
		return
	}
	for _, p := range list.Content {
		if port, err := strconv.Atoi(scalar(mapValue(deref(p), "containerPort"))); err == nil {
			c.ports[port] = 0
		}
	}
}
