package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"github.com/straylight-fleet/straylight/internal/plainyaml"
	"gopkg.in/yaml.v3"
)

const vaultHeader = "$ANSIBLE_VAULT;"

// document is one parsed YAML or JSON file, ready to be turned into values.
type document struct {
	root *yaml.Node // nil for an empty document
	dec  *decoder
}

// parseDocument reads a file's bytes as Ansible's DataLoader does: vault
// files are decrypted whole, JSON is read as JSON, anything else as YAML 1.1.
func parseDocument(data []byte, file string, dec Decrypter) (*document, error) {
	plain, secret, err := openVault(data, file, dec)
	if err != nil {
		return nil, err
	}
	return parsePlainDocument(plain, file, dec, secret)
}

// parsePlainDocument parses data already out of the vault; secret says it
// came from there. A plain vars file (internal/plainyaml) skips yaml.v3's
// tokenizer, with the same nodes.
func parsePlainDocument(data []byte, file string, dec Decrypter, secret bool) (*document, error) {
	d := &decoder{file: file, decrypter: dec, secret: secret}
	if root, ok := plainyaml.Parse(data); ok {
		d.noAnchors = true
		return &document{root: root, dec: d}, nil // a block mapping: never JSON
	}
	d.memo, d.building, d.pairsMemo = map[*yaml.Node]decoded{}, map[*yaml.Node]bool{}, map[*yaml.Node][]pair{}
	d.json = json.Valid(data)
	root, err := parseYAMLNode(data, file)
	if err != nil && d.json {
		root, err = jsonAsNode(data)
	}
	if err != nil {
		return nil, err
	}
	return &document{root: root, dec: d}, nil
}

// openVault decrypts a whole vault-encrypted file; secret reports that it was.
func openVault(data []byte, file string, dec Decrypter) ([]byte, bool, error) {
	if !bytes.HasPrefix(data, []byte(vaultHeader)) {
		return data, false, nil
	}
	if dec == nil {
		return nil, false, errorAt(file, 0, "file %s is vault-encrypted: pass --vault-password-file or --ask-vault-pass", file)
	}
	plain, err := dec.Decrypt(data, file)
	if err != nil {
		return nil, false, errorAt(file, 0, "cannot decrypt vault file: %v", err)
	}
	return plain, true, nil
}

// parseYAMLNode parses exactly one document, as PyYAML's get_single_data.
func parseYAMLNode(data []byte, file string) (root *yaml.Node, err error) {
	defer func() {
		// yaml.v3 is third-party code fed outside input: a panic in it must
		// become an error, never a crash.
		if r := recover(); r != nil {
			root, err = nil, errorAt(file, 0, "YAML parser failed: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlSyntaxError(file, data, err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, errorAt(file, next.Line, "expected a single document in the stream")
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// jsonAsNode handles JSON that yaml.v3 cannot read (tabs, long keys): the
// decoded JSON is rebuilt as a node tree, without line numbers.
func jsonAsNode(data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return jsonNode(v), nil
}

func jsonNode(v any) *yaml.Node {
	switch t := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range sortedKeys(t) {
			n.Content = append(n.Content, quotedNode(k), jsonNode(t[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range t {
			n.Content = append(n.Content, jsonNode(e))
		}
		return n
	case string:
		return quotedNode(t)
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Value: jsonLiteral(v)}
}

func quotedNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: s}
}

func jsonLiteral(v any) string {
	switch t := v.(type) {
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return "null"
}
