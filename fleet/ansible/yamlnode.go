package ansible

import (
	"errors"
	"fmt"
	"os"

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

// decodeAny decodes a node into plain Go values (map[string]any, []any, ...).
func decodeAny(n *yaml.Node) (any, error) {
	var v any
	yaml11Bools(n)
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

// yaml11Bools retags the plain scalars YAML 1.1 reads as booleans (yes,
// no, on, off in any of their cases), as Ansible's PyYAML does.
func yaml11Bools(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Style == 0 && n.Tag == "!!str" && yaml11Bool[n.Value] {
		n.Tag = "!!bool"
		n.Value = fmt.Sprint(isTrueWord(n.Value))
	}
	for _, c := range n.Content {
		yaml11Bools(c)
	}
}

var yaml11Bool = map[string]bool{
	"yes": true, "Yes": true, "YES": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
}
