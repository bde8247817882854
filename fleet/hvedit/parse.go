package hvedit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"gopkg.in/yaml.v3"
)

var yamlLineRE = lazyre.New(`^yaml: line (\d+): (.*)$`)

// parseRoot parses body as one YAML document and returns its top node: a
// mapping, or nil for an empty document. Like Ansible's loader it refuses a
// stream of several documents.
func parseRoot(body []byte) (root *yaml.Node, err error) {
	defer recoverAsSyntaxError(&err)
	dec := yaml.NewDecoder(bytes.NewReader(body))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxError(err)
	}
	if err := checkSingleDocument(dec); err != nil {
		return nil, err
	}
	return topMapping(&doc)
}

// recoverAsSyntaxError turns a panic inside the YAML library into an error:
// outside input must never crash the program.
func recoverAsSyntaxError(err *error) {
	if r := recover(); r != nil {
		*err = failf(ErrSyntax, "the YAML parser failed: %v", r)
	}
}

func checkSingleDocument(dec *yaml.Decoder) error {
	var next yaml.Node
	err := dec.Decode(&next)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return syntaxError(err)
	}
	return &Error{Line: next.Line, Err: failf(ErrUnsupported, "the file holds more than one YAML document")}
}

func topMapping(doc *yaml.Node) (*yaml.Node, error) {
	if len(doc.Content) == 0 {
		return nil, nil
	}
	top := doc.Content[0]
	switch {
	case top.Kind == yaml.MappingNode:
		return top, nil
	case isEmptyNull(top):
		return nil, nil
	}
	return nil, &Error{Line: top.Line, Err: failf(ErrUnsupported, "the top level is %s, not a mapping of variables", kindName(top))}
}

// syntaxError turns yaml.v3's "yaml: line N: msg" into an *Error with a line.
func syntaxError(err error) error {
	m := yamlLineRE().FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	line, _ := strconv.Atoi(m[1])
	return &Error{Line: line, Err: fmt.Errorf("%w: %s", ErrSyntax, m[2])}
}

// isEmptyNull reports a null written as nothing at all ("key:"), without
// even an anchor in front.
func isEmptyNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Style == 0 && n.Value == "" && n.Tag == "!!null" && n.Anchor == ""
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func isVaultTag(tag string) bool {
	return tag == "!vault" || tag == "!vault-encrypted"
}

func isVaulted(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && isVaultTag(n.Tag)
}

func isFlow(n *yaml.Node) bool {
	return n.Style&yaml.FlowStyle != 0
}

// kindName names what a node holds, with its article ("a mapping").
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return scalarKindName(n.ShortTag())
}

func scalarKindName(tag string) string {
	names := map[string]string{"!!str": "a string", "!!int": "an integer", "!!float": "a number",
		"!!bool": "a boolean", "!!null": "null", "!!merge": "a merge key (<<)"}
	if name, ok := names[tag]; ok {
		return name
	}
	return "a value tagged " + tag
}
