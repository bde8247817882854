package inventory

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// The YAML inventory reader follows ansible/plugins/inventory/yaml.py. It
// first turns the document into a list of operations without touching the
// inventory, so that a document that turns out not to be a YAML inventory
// can still be tried as INI, as Ansible does, from a clean state.

type opKind int

const (
	opAddGroup opKind = iota
	opGroupVar
	opAddChild
	opAddHost
	opHostVar
	opWarn
)

type invOp struct {
	kind   opKind
	group  string // group, or parent for opAddChild
	name   string // host, child, variable or warning text
	port   int
	at     Origin
	entry  *varEntry
	target string // host for opHostVar
}

type yamlInventory struct {
	d   *decoder
	ops []invOp
}

// parseYAMLInventory reads a YAML (or JSON) inventory, already out of the
// vault, into operations. isMapping reports that the text was a YAML
// mapping, so an error is about a YAML inventory and not a sign of INI.
func parseYAMLInventory(data []byte, file string, dec Decrypter, secret bool) (ops []invOp, isMapping bool, err error) {
	doc, err := parsePlainDocument(data, file, dec, secret)
	if err != nil {
		return nil, false, err
	}
	if doc.root == nil {
		return nil, false, errorAt(file, 0, "parsed empty YAML file")
	}
	root := resolveAlias(doc.root)
	if root.Kind != yaml.MappingNode {
		return nil, false, errorAt(file, root.Line, "YAML inventory has invalid structure, it should be a dictionary")
	}
	r := &yamlInventory{d: doc.dec}
	err = r.topLevel(root)
	return r.ops, true, err
}

func (r *yamlInventory) topLevel(root *yaml.Node) error {
	pairs, err := r.d.pairs(root)
	if err != nil {
		return err
	}
	if err := r.rejectPluginConfig(pairs); err != nil {
		return err
	}
	for _, p := range pairs {
		if _, err := r.group(p.keyNode, p.value); err != nil {
			return err
		}
	}
	return nil
}

func (r *yamlInventory) rejectPluginConfig(pairs []pair) error {
	for _, p := range pairs {
		if p.key != "plugin" {
			continue
		}
		v, _, err := r.d.value(p.value, "", nil)
		if err == nil && truthy(v) {
			return errorAt(r.d.file, p.keyNode.Line, "plugin configuration YAML file, not YAML inventory (inventory plugins are not supported)")
		}
	}
	return nil
}

func (r *yamlInventory) emit(op invOp) { r.ops = append(r.ops, op) }

func (r *yamlInventory) at(n *yaml.Node) Origin {
	return Origin{File: r.d.file, Line: n.Line, Secret: r.d.secret}
}

// group is _parse_group: it returns the group's name, even for a definition
// it skipped, as Ansible does.
func (r *yamlInventory) group(keyNode, data *yaml.Node) (string, error) {
	name, err := r.name(keyNode, "group name")
	if err != nil {
		return "", err
	}
	data = resolveAlias(data)
	if data.Kind != yaml.MappingNode && !isNull(data) {
		r.emit(invOp{kind: opWarn, name: fmt.Sprintf("%s:%d: skipping '%s' as this is not a valid group definition", r.d.file, keyNode.Line, name)})
		return name, nil
	}
	if name == "" {
		return "", errorAt(r.d.file, keyNode.Line, "invalid empty group name")
	}
	r.emit(invOp{kind: opAddGroup, group: name, at: r.at(keyNode)})
	if isNull(data) {
		return name, nil
	}
	return name, r.groupSections(name, data)
}

// name converts a group name or host pattern key, which must be a string.
func (r *yamlInventory) name(keyNode *yaml.Node, what string) (string, error) {
	v, err := r.d.rawKey(keyNode)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", errorAt(r.d.file, keyNode.Line, "invalid %s %s: it must be a string; enclose it in quotes", what, keyString(v))
	}
	return s, nil
}

func isNull(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return false
	}
	if n.Style&yaml.TaggedStyle != 0 {
		return n.Tag == "!!null"
	}
	v, err := resolvePlain(n.Value)
	return err == nil && v == nil
}

func (r *yamlInventory) groupSections(name string, data *yaml.Node) error {
	shared, err := r.d.pairs(data)
	if err != nil {
		return err
	}
	pairs := append([]pair(nil), shared...) // checkSection rewrites entries
	for i := range pairs {
		if err := r.checkSection(name, &pairs[i]); err != nil {
			return err
		}
	}
	for _, p := range pairs {
		if err := r.section(name, p); err != nil {
			return err
		}
	}
	return nil
}

// checkSection applies Ansible's rules for vars/children/hosts: a string
// means a one-key mapping; anything else but a mapping or null is an error.
func (r *yamlInventory) checkSection(group string, p *pair) error {
	if p.key != "vars" && p.key != "children" && p.key != "hosts" {
		return nil
	}
	v := resolveAlias(p.value)
	if v.Kind == yaml.MappingNode || isNull(v) {
		return nil
	}
	if s, ok := r.scalarString(v); ok {
		p.value = &yaml.Node{Kind: yaml.MappingNode, Line: v.Line, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: s, Line: v.Line},
			{Kind: yaml.ScalarNode, Value: "null", Line: v.Line},
		}}
		return nil
	}
	return errorAt(r.d.file, p.keyNode.Line, "invalid %q entry for %q group, requires a dictionary", p.key, group)
}

func (r *yamlInventory) scalarString(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		return "", false
	}
	v, _, err := r.d.scalar(n)
	s, ok := v.(string)
	return s, ok && err == nil
}

func (r *yamlInventory) section(group string, p pair) error {
	v := resolveAlias(p.value)
	if v.Kind != yaml.MappingNode {
		if !isNull(v) {
			r.emit(invOp{kind: opWarn, name: fmt.Sprintf("%s:%d: skipping key (%s) in group (%s) as it is not a mapping", r.d.file, p.keyNode.Line, p.key, group)})
		}
		return nil
	}
	switch p.key {
	case "vars":
		return r.groupVars(group, v)
	case "children":
		return r.children(group, v)
	case "hosts":
		return r.hosts(group, v)
	}
	r.emit(invOp{kind: opWarn, name: fmt.Sprintf("%s:%d: skipping unexpected key (%s) in group (%s), only \"vars\", \"children\" and \"hosts\" are valid", r.d.file, p.keyNode.Line, p.key, group)})
	return nil
}

func (r *yamlInventory) groupVars(group string, n *yaml.Node) error {
	vars, err := r.d.orderedEntries(n)
	for _, v := range vars {
		r.emit(invOp{kind: opGroupVar, group: group, name: v.key, entry: v.entry, at: v.entry.origins[0].origin})
	}
	return err
}

func (r *yamlInventory) children(group string, n *yaml.Node) error {
	pairs, err := r.d.pairs(n)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		child, err := r.group(p.keyNode, p.value)
		if err != nil {
			return err
		}
		r.emit(invOp{kind: opAddChild, group: group, name: child, at: r.at(p.keyNode)})
	}
	return nil
}

func (r *yamlInventory) hosts(group string, n *yaml.Node) error {
	pairs, err := r.d.pairs(n)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		if err := r.hostEntry(group, p); err != nil {
			return err
		}
	}
	return nil
}

// hostEntry expands one host pattern and sets its variables on each host.
func (r *yamlInventory) hostEntry(group string, p pair) error {
	pattern, err := r.name(p.keyNode, "host pattern")
	if err != nil {
		return err
	}
	names, port, err := expandHostPattern(pattern)
	if err != nil {
		return errorAt(r.d.file, p.keyNode.Line, "%v", err)
	}
	vars, err := r.hostVars(p)
	if err != nil {
		return err
	}
	for _, name := range names {
		r.emit(invOp{kind: opAddHost, group: group, name: name, port: port, at: r.at(p.keyNode)})
		for _, v := range vars {
			r.emit(invOp{kind: opHostVar, target: name, name: v.key, entry: v.entry})
		}
	}
	return nil
}

// hostVars reads a host's variables; a false-ish value (null, "", 0, [])
// means none, anything else but a mapping is an error.
func (r *yamlInventory) hostVars(p pair) ([]namedEntry, error) {
	v := resolveAlias(p.value)
	if v.Kind != yaml.MappingNode {
		value, _, err := r.d.value(v, "", nil)
		if err != nil || !truthy(value) {
			return nil, err
		}
		return nil, errorAt(r.d.file, p.keyNode.Line, "invalid data for host %s: expected a dictionary of variables, got %s", p.key, describe(value))
	}
	return r.d.orderedEntries(v)
}

// apply plays the operations into the model.
func (m *model) apply(ops []invOp) error {
	for _, op := range ops {
		if err := m.applyOne(op); err != nil {
			return errorAt(op.at.File, op.at.Line, "%v", err)
		}
	}
	return nil
}

func (m *model) applyOne(op invOp) error {
	switch op.kind {
	case opAddGroup:
		_, err := m.addGroup(op.group)
		return err
	case opGroupVar:
		return m.setGroupVar(m.groupByName[op.group], op.name, op.entry)
	case opAddChild:
		return m.addChild(op.group, op.name)
	case opAddHost:
		return m.addHost(op.name, op.group, op.port, op.at)
	case opHostVar:
		m.hostByName[op.target].vars.set(op.name, op.entry)
	case opWarn:
		m.warn("%s", op.name)
	}
	return nil
}
