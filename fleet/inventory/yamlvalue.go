package inventory

import (
	"fmt"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// maxNesting bounds recursion on hostile input (yaml.v3 allows deeper).
const maxNesting = 5000

// decoder turns yaml.v3 nodes into plain Go values with Ansible's meaning,
// recording origins as it goes.
type decoder struct {
	file      string
	decrypter Decrypter
	json      bool // the file is JSON: Ansible's loader tries json.loads first
	secret    bool // the whole file came out of the vault
	// memo, building and pairsMemo are for anchors, aliases and merge
	// keys; a plain document (internal/plainyaml) has none (noAnchors),
	// each of its nodes is read once, and they stay nil.
	memo      map[*yaml.Node]decoded
	building  map[*yaml.Node]bool
	pairsMemo map[*yaml.Node][]pair
	noAnchors bool
	depth     int
}

type decoded struct {
	value  any
	secret bool
}

// pair is one key of a mapping, after merge keys and duplicates were applied.
type pair struct {
	key     string
	ident   string // Python's dict identity: 1, 1.0 and true are one key
	keyNode *yaml.Node
	value   *yaml.Node
}

// value converts a node. out, when not nil, receives the origins of the keys
// and items nested in it under path. The bool reports vault content inside.
// Every node is converted once, as PyYAML constructs each node once: a
// node reached again (an alias, a merge) shares the first value, so
// "billion laughs" documents cost no more than their text. A document
// without anchors reaches each node once and remembers none.
func (d *decoder) value(n *yaml.Node, path string, out *[]pathOrigin) (any, bool, error) {
	if d.depth++; d.depth > maxNesting {
		return nil, false, errorAt(d.file, n.Line, "data nested too deeply")
	}
	defer func() { d.depth-- }()
	if d.noAnchors {
		return d.convert(n, path, out)
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, false, errorAt(d.file, n.Line, "unknown alias *%s", n.Value)
		}
		n, out = n.Alias, nil // origins are recorded where the anchor is
	}
	if m, ok := d.memo[n]; ok {
		return m.value, m.secret, nil
	}
	if d.building[n] {
		return nil, false, errorAt(d.file, n.Line, "recursive alias")
	}
	d.building[n] = true
	v, secret, err := d.convert(n, path, out)
	delete(d.building, n)
	if err == nil {
		d.memo[n] = decoded{v, secret}
	}
	return v, secret, err
}

func (d *decoder) convert(n *yaml.Node, path string, out *[]pathOrigin) (any, bool, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return d.scalar(n)
	case yaml.MappingNode:
		return d.mapping(n, path, out)
	case yaml.SequenceNode:
		return d.sequence(n, path, out)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, false, nil
		}
		return d.value(n.Content[0], path, out)
	}
	return nil, false, errorAt(d.file, n.Line, "unexpected YAML node")
}

func (d *decoder) scalar(n *yaml.Node) (any, bool, error) {
	if n.Style&yaml.TaggedStyle != 0 {
		return d.tagged(n)
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, d.secret, nil
	}
	v, err := d.plain(n)
	if err != nil {
		return nil, false, errorAt(d.file, n.Line, "%v", err)
	}
	return v, d.secret, nil
}

func (d *decoder) plain(n *yaml.Node) (any, error) {
	if !d.json {
		return resolvePlain(n.Value)
	}
	switch n.Value {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	return jsonNumber(n.Value)
}

// tagged handles explicit tags: YAML's standard ones, and Ansible's !unsafe
// and !vault.
func (d *decoder) tagged(n *yaml.Node) (any, bool, error) {
	switch n.Tag {
	case "!vault", "!vault-encrypted":
		return d.vaultValue(n.Value, n.Line)
	case "!unsafe":
		return n.Value, d.secret, nil
	}
	v, err := constructTagged(n.Tag, n.Value)
	if err != nil {
		return nil, false, errorAt(d.file, n.Line, "%v", err)
	}
	return v, d.secret, nil
}

// vaultValue decrypts an inline vault value; the plaintext is a string.
func (d *decoder) vaultValue(text string, line int) (any, bool, error) {
	if d.decrypter == nil {
		return nil, false, errorAt(d.file, line, "file %s holds a vault-encrypted value: pass --vault-password-file or --ask-vault-pass", d.file)
	}
	plain, err := d.decrypter.Decrypt([]byte(text), d.file)
	if err != nil {
		return nil, false, errorAt(d.file, line, "cannot decrypt vault value: %v", err)
	}
	return string(plain), true, nil
}

func (d *decoder) checkCollectionTag(n *yaml.Node, want string) error {
	if n.Style&yaml.TaggedStyle == 0 || n.Tag == want || n.Tag == "!unsafe" {
		return nil
	}
	return errorAt(d.file, n.Line, "could not determine a constructor for the tag %q", n.Tag)
}

func (d *decoder) mapping(n *yaml.Node, path string, out *[]pathOrigin) (any, bool, error) {
	if err := d.checkCollectionTag(n, "!!map"); err != nil {
		return nil, false, err
	}
	pairs, err := d.pairs(n)
	if err != nil {
		return nil, false, err
	}
	if v, secret, handled, err := d.jsonSpecial(pairs); handled {
		return v, secret, err
	}
	m := make(map[string]any, len(pairs))
	anySecret := d.secret
	for _, p := range pairs {
		v, secret, err := d.child(p.value, joinPath(path, p.key), p.keyNode.Line, p.keyNode.Column, out)
		if err != nil {
			return nil, false, err
		}
		m[p.key] = v
		anySecret = anySecret || secret
	}
	return m, anySecret, nil
}

// child converts a nested value, recording its own origin before the
// origins nested inside it and marking it secret when anything inside is.
func (d *decoder) child(n *yaml.Node, path string, line, column int, out *[]pathOrigin) (any, bool, error) {
	if out == nil {
		return d.value(n, path, nil)
	}
	at := len(*out)
	*out = append(*out, pathOrigin{path: path, origin: Origin{File: d.file, Line: line, Column: column, Secret: d.secret}})
	v, secret, err := d.value(n, path, out)
	if secret {
		(*out)[at].origin.Secret = true
	}
	return v, secret, err
}

// jsonSpecial decodes Ansible's JSON encodings of vault and unsafe values
// ({"__ansible_vault": "..."}, {"__ansible_unsafe": "..."}); handled is
// false for any other mapping.
func (d *decoder) jsonSpecial(pairs []pair) (v any, secret, handled bool, err error) {
	if !d.json || len(pairs) != 1 || pairs[0].value.Kind != yaml.ScalarNode {
		return nil, false, false, nil
	}
	switch pairs[0].key {
	case "__ansible_vault":
		v, secret, err = d.vaultValue(pairs[0].value.Value, pairs[0].value.Line)
		return v, secret, true, err
	case "__ansible_unsafe":
		return pairs[0].value.Value, d.secret, true, nil
	}
	return nil, false, false, nil
}

func (d *decoder) sequence(n *yaml.Node, path string, out *[]pathOrigin) (any, bool, error) {
	if err := d.checkCollectionTag(n, "!!seq"); err != nil {
		return nil, false, err
	}
	list := make([]any, len(n.Content))
	anySecret := d.secret
	for i, item := range n.Content {
		v, secret, err := d.child(item, joinPath(path, strconv.Itoa(i)), item.Line, item.Column, out)
		if err != nil {
			return nil, false, err
		}
		list[i] = v
		anySecret = anySecret || secret
	}
	return list, anySecret, nil
}

// pairs lists a mapping's keys in order, as PyYAML builds a dict: merge keys
// ("<<") first flattened in, a later duplicate replacing the earlier value
// in the earlier position. Each mapping is flattened once.
func (d *decoder) pairs(n *yaml.Node) ([]pair, error) {
	if d.noAnchors {
		return d.flatten(n)
	}
	if p, ok := d.pairsMemo[n]; ok {
		if p == nil && len(n.Content) > 0 {
			return nil, errorAt(d.file, n.Line, "recursive merge")
		}
		return p, nil
	}
	d.pairsMemo[n] = nil // in progress
	p, err := d.flatten(n)
	if err != nil {
		delete(d.pairsMemo, n)
		return nil, err
	}
	d.pairsMemo[n] = p
	return p, nil
}

func (d *decoder) flatten(n *yaml.Node) ([]pair, error) {
	if d.depth++; d.depth > maxNesting {
		return nil, errorAt(d.file, n.Line, "data nested too deeply")
	}
	defer func() { d.depth-- }()
	merged, explicit, err := d.splitMerge(n)
	if err != nil {
		return nil, err
	}
	if len(merged) == 0 && !repeatsIdent(explicit) {
		return explicit, nil // nearly every mapping: nothing to merge or replace
	}
	out := []pair{}
	index := map[string]int{}
	for _, p := range append(merged, explicit...) {
		if i, ok := index[p.ident]; ok {
			out[i].keyNode, out[i].value = p.keyNode, p.value
			continue
		}
		index[p.ident] = len(out)
		out = append(out, p)
	}
	return out, nil
}

// repeatsIdent reports whether two pairs share a key identity. Mappings
// are small: comparing each pair with those before it costs less than the
// map flatten would otherwise build for each.
func repeatsIdent(pairs []pair) bool {
	if len(pairs) > 32 {
		seen := make(map[string]bool, len(pairs))
		for _, p := range pairs {
			if seen[p.ident] {
				return true
			}
			seen[p.ident] = true
		}
		return false
	}
	for i := range pairs {
		for _, earlier := range pairs[:i] {
			if earlier.ident == pairs[i].ident {
				return true
			}
		}
	}
	return false
}

// splitMerge separates the pairs merged in with "<<" from the mapping's own.
func (d *decoder) splitMerge(n *yaml.Node) (merged, explicit []pair, err error) {
	explicit = make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) && !d.json {
			m, err := d.mergeSources(v)
			if err != nil {
				return nil, nil, err
			}
			merged = append(merged, m...)
			continue
		}
		key, ident, err := d.key(k)
		if err != nil {
			return nil, nil, err
		}
		explicit = append(explicit, pair{key: key, ident: ident, keyNode: k, value: v})
	}
	return merged, explicit, nil
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Tag == "!!merge"
}

// mergeSources returns the pairs a "<<" value brings in: one mapping, or a
// list of them where earlier mappings win over later ones.
func (d *decoder) mergeSources(v *yaml.Node) ([]pair, error) {
	v = resolveAlias(v)
	if v.Kind == yaml.MappingNode {
		return d.pairs(v)
	}
	if v.Kind != yaml.SequenceNode {
		return nil, errorAt(d.file, v.Line, "expected a mapping or list of mappings for merging")
	}
	var out []pair
	for i := len(v.Content) - 1; i >= 0; i-- {
		item := resolveAlias(v.Content[i])
		if item.Kind != yaml.MappingNode {
			return nil, errorAt(d.file, item.Line, "expected a mapping for merging")
		}
		p, err := d.pairs(item)
		if err != nil {
			return nil, err
		}
		out = append(out, p...)
	}
	return out, nil
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// key converts a mapping key to the string Ansible's output shows for it,
// and to its identity as a Python dict key.
func (d *decoder) key(k *yaml.Node) (string, string, error) {
	k = resolveAlias(k)
	if k.Kind != yaml.ScalarNode {
		return "", "", errorAt(d.file, k.Line, "found unhashable key")
	}
	v, _, err := d.scalar(k)
	if err != nil {
		return "", "", err
	}
	return keyString(v), keyIdentity(v), nil
}

// keyIdentity makes equal Python keys equal: True == 1 == 1.0.
func keyIdentity(v any) string {
	switch t := v.(type) {
	case string:
		return "s" + t
	case bool:
		if t {
			return "n1"
		}
		return "n0"
	case int:
		return "n" + keyString(t)
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<62 {
			return "n" + keyString(int(t))
		}
		return "n" + keyString(t)
	}
	return "null"
}

// rawKey converts a mapping key keeping its type, for the inventory's group
// and host names which must be strings.
func (d *decoder) rawKey(k *yaml.Node) (any, error) {
	k = resolveAlias(k)
	if k.Kind != yaml.ScalarNode {
		return nil, errorAt(d.file, k.Line, "found unhashable key")
	}
	v, _, err := d.scalar(k)
	return v, err
}

type namedEntry struct {
	key   string
	entry *varEntry
}

// orderedEntries reads a variables mapping, one entry per key, in order.
func (d *decoder) orderedEntries(n *yaml.Node) ([]namedEntry, error) {
	pairs, err := d.pairs(n)
	if err != nil {
		return nil, err
	}
	out := make([]namedEntry, 0, len(pairs))
	for _, p := range pairs {
		e, err := d.entry(p)
		if err != nil {
			return nil, err
		}
		out = append(out, namedEntry{p.key, e})
	}
	return out, nil
}

// entries reads a variables mapping into a varSet.
func (d *decoder) entries(n *yaml.Node) (varSet, error) {
	list, err := d.orderedEntries(n)
	vs := make(varSet, len(list))
	for _, e := range list {
		vs.set(e.key, e.entry)
	}
	return vs, err
}

func (d *decoder) entry(p pair) (*varEntry, error) {
	origins := make([]pathOrigin, 0, 1)
	v, _, err := d.child(p.value, p.key, p.keyNode.Line, p.keyNode.Column, &origins)
	if err != nil {
		return nil, err
	}
	return &varEntry{value: v, origins: origins}, nil
}

// describe names a value's type in Ansible's words, for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

// truthy is Python's truth value of a decoded value.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case int:
		return t != 0
	case float64:
		return t != 0
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}
