package ansible

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"gopkg.in/yaml.v3"
)

// Located is a position in a repository file, for error messages.
type Located struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

func (l Located) String() string {
	if l.Line == 0 {
		return l.File
	}
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

// InputError is bad input in the repository: it names the file, the line and,
// where one applies, the key.
type InputError struct {
	At  Located
	Key string
	Msg string
}

func (e *InputError) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", e.At, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.At, e.Msg)
}

// readYAMLFile parses a YAML file into its document node, naming the file and
// line of a syntax error. An empty file yields a nil node.
func readYAMLFile(path string) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(path, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// yamlError turns yaml.v3's "yaml: line N: msg" into an InputError.
func yamlError(path string, data []byte, err error) error {
	var line int
	var msg string
	if n, _ := fmt.Sscanf(err.Error(), "yaml: line %d:", &line); n == 1 {
		msg = err.Error()[len(fmt.Sprintf("yaml: line %d: ", line)):]
	} else {
		msg = err.Error()
	}
	return &InputError{At: Located{File: path, Line: problemLine(path, data, line)}, Msg: "malformed YAML: " + msg}
}

// problemLine is the line Ansible names for a YAML syntax error. For parser
// errors yaml.v3 prints the 0-based line of the enclosing construct; the
// inventory reader, which reads the same YAML, finds the problem's own line.
func problemLine(path string, data []byte, printed int) int {
	var ie *inventory.Error
	if _, err := inventory.ParseVars(data, path, "", nil); errors.As(err, &ie) && ie.Line > 0 {
		return ie.Line
	}
	return printed
}

// mapPairs returns the key/value node pairs of a mapping node.
func mapPairs(n *yaml.Node) [][2]*yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out
}

// decodeAny decodes a node into plain Go values (map[string]any, []any, ...),
// its plain scalars read as YAML 1.1 reads them (yaml11Scalars).
func decodeAny(n *yaml.Node) (any, error) {
	var v any
	if err := yaml11Scalars(n); err != nil {
		return nil, err
	}
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return normalize(v), nil
}

// normalize turns yaml.v3's map[string]interface{} trees into map[string]any
// with string keys everywhere (non-string keys are formatted).
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalize(e)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = normalize(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = normalize(e)
		}
		return t
	}
	return v
}

// yaml11Scalars retags the plain (untagged, unquoted) scalars under n with
// the value YAML 1.1 gives them, as Ansible's PyYAML reads playbooks, roles
// and vars files: yaml.v3 resolves by YAML 1.2, where 1e3, 0o17 and 08080
// are numbers and yes, 1:30 and 2024-01-01 are not (PyYAML: the strings
// "1e3", "0o17" and "08080", true, the integer 90 and a date, which
// templates print as 2024-01-01). inventory.ResolvePlain is the one YAML
// 1.1 resolver, the inventory's.
func yaml11Scalars(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Style == 0 && yaml12Resolved[n.Tag] {
		v, err := inventory.ResolvePlain(n.Value)
		if err != nil {
			return fmt.Errorf("line %d: %v", n.Line, err)
		}
		n.Tag, n.Value = yamlTagged(v, n.Value)
		n.Style = yaml.TaggedStyle // read once: 1.0e+3 is now 1000, no int
	}
	for _, c := range n.Content {
		if err := yaml11Scalars(c); err != nil {
			return err
		}
	}
	return nil
}

// yaml12Resolved are the tags yaml.v3 gives an untagged plain scalar.
var yaml12Resolved = map[string]bool{"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true, "!!timestamp": true}

// yamlTagged is the tag and text yaml.v3 decodes back into v.
func yamlTagged(v any, text string) (tag, value string) {
	switch x := v.(type) {
	case nil:
		return "!!null", "null"
	case bool:
		return "!!bool", strconv.FormatBool(x)
	case int:
		return "!!int", strconv.Itoa(x)
	case float64:
		return "!!float", yamlFloatText(x)
	case string:
		return "!!str", x
	}
	return "!!str", text
}

func yamlFloatText(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	case math.IsNaN(f):
		return ".nan"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
