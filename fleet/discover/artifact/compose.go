package artifact

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// recognizeCompose reads the services of a compose file.
func recognizeCompose(file string, services *yaml.Node) (Findings, error) {
	if services.Kind != yaml.MappingNode {
		return Findings{}, keyError(file, services, "services", "a mapping")
	}
	var found Findings
	err := mapPairs(services, func(name, svc *yaml.Node) error {
		c, err := composeService(file, name, svc)
		if err != nil {
			return err
		}
		if b, ok := c.backend(); ok {
			found.Backends = append(found.Backends, b)
		}
		return nil
	})
	return found, err
}

func composeService(file string, name, svc *yaml.Node) (container, error) {
	key := "services." + name.Value
	if svc.Kind != yaml.MappingNode {
		return container{}, keyError(file, svc, key, "a mapping")
	}
	c := container{image: scalar(mapValue(svc, "image")), name: name.Value, ports: map[int]int{},
		src: Source{File: file, Line: serviceLine(name, svc)}}
	if n := scalar(mapValue(svc, "container_name")); n != "" {
		c.name = n
	}
	for _, read := range []func(string, *yaml.Node, string) error{c.readCommand, c.readEntrypoint,
		c.readEnvironment, c.readPorts, c.readEnvFiles} {
		if err := read(file, svc, key); err != nil {
			return container{}, err
		}
	}
	return c, nil
}

// serviceLine is the line of the command when there is one (it holds the
// flags), else of the image, else of the service's name.
func serviceLine(name, svc *yaml.Node) int {
	for _, key := range []string{"command", "entrypoint", "image"} {
		if n := mapKey(svc, key); n != nil {
			return n.Line
		}
	}
	return name.Line
}

func (c *container) readCommand(file string, svc *yaml.Node, key string) error {
	n := mapValue(svc, "command")
	if n == nil {
		return nil
	}
	words, err := commandWords(file, n, key+".command")
	c.command = unescapeDollars(words)
	return err
}

func (c *container) readEntrypoint(file string, svc *yaml.Node, key string) error {
	n := mapValue(svc, "entrypoint")
	if n == nil {
		return nil
	}
	words, err := commandWords(file, n, key+".entrypoint")
	c.entrypoint, c.hasEntrypoint = unescapeDollars(words), true
	return err
}

// unescapeDollars applies compose's $$ → $ escape.
func unescapeDollars(words []string) []string {
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, "$$", "$")
	}
	return words
}

// readEnvironment reads a mapping (NAME: value) or a list ("NAME=value").
func (c *container) readEnvironment(file string, svc *yaml.Node, key string) error {
	c.env = map[string]string{}
	n := mapValue(svc, "environment")
	if n == nil {
		return nil
	}
	if n.Kind == yaml.MappingNode {
		return mapPairs(n, func(k, v *yaml.Node) error {
			c.env[k.Value] = scalar(v)
			return nil
		})
	}
	items, err := stringList(file, n, key+".environment")
	for _, item := range items {
		c.addEnv(item)
	}
	return err
}

func (c *container) readEnvFiles(file string, svc *yaml.Node, key string) error {
	n := mapValue(svc, "env_file")
	if n == nil || n.Kind == yaml.SequenceNode && len(n.Content) > 0 && n.Content[0].Kind == yaml.MappingNode {
		c.envFiles = append(c.envFiles, envFilePaths(n)...)
		return nil
	}
	files, err := stringList(file, n, key+".env_file")
	c.envFiles = files
	return err
}

// envFilePaths reads the long env_file syntax (- path: x).
func envFilePaths(n *yaml.Node) []string {
	var out []string
	if n == nil {
		return nil
	}
	for _, item := range n.Content {
		if p := scalar(mapValue(item, "path")); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// readPorts reads short ("8001:8000", 8000) and long (target/published) syntax.
func (c *container) readPorts(file string, svc *yaml.Node, key string) error {
	n := mapValue(svc, "ports")
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return keyError(file, n, key+".ports", "a list")
	}
	for _, item := range n.Content {
		if item = deref(item); item.Kind == yaml.MappingNode {
			c.longPort(item)
			continue
		}
		c.addPort(scalar(item))
	}
	return nil
}

func (c *container) longPort(item *yaml.Node) {
	target, err := strconv.Atoi(scalar(mapValue(item, "target")))
	if err != nil {
		return
	}
	published, _ := strconv.Atoi(scalar(mapValue(item, "published")))
	c.ports[target] = published
}
