package hvedit

import (
	"fmt"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/vault"
	"gopkg.in/yaml.v3"
)

// decodeValue reads a node's value as Ansible would: a vault value's
// plaintext (its vault id stored in vaultID), an `!unsafe` value's text, and
// otherwise what yaml.v3 decodes.
func (st setter) decodeValue(n *yaml.Node, vaultID *string) (any, error) {
	switch {
	case isVaulted(n):
		return st.openVault(n, vaultID)
	case n.Kind == yaml.ScalarNode && n.Tag == "!unsafe":
		return n.Value, nil
	}
	return decodeNode(n)
}

func decodeNode(n *yaml.Node) (v any, err error) {
	defer recoverAsSyntaxError(&err)
	err = n.Decode(&v)
	return v, err
}

func (st setter) openVault(n *yaml.Node, vaultID *string) (any, error) {
	if st.vault == nil {
		return nil, failf(ErrVault, "the value is vault-encrypted: a vault password is needed (--vault-password-file or --ask-vault-pass)")
	}
	plaintext, id, err := st.vault.Open([]byte(n.Value), st.name)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot open the vault value: %v", ErrVault, err)
	}
	*vaultID = id
	return string(plaintext), nil
}

// renderVault encrypts the new value with the old value's vault id and
// writes it as a `!vault |` block indented like the old one.
func (st setter) renderVault(e *editor, old *yaml.Node, ch *change) (rendered, error) {
	text, ok := ch.newValue.(string)
	if !ok {
		return rendered{}, failf(ErrInvalid, "a vault-encrypted value holds text: give the new value as a string")
	}
	sealed, err := st.vault.Encrypt([]byte(text), ch.vaultID)
	if err != nil {
		return rendered{}, fmt.Errorf("%w: cannot encrypt the new value: %v", ErrVault, err)
	}
	block := vault.FormatYAMLBlock(sealed, e.vaultIndent(old))
	block = e.propertiesOf(old) + strings.TrimPrefix(block, "!vault")
	return rendered{inline: strings.ReplaceAll(block, "\n", e.src.eol)}, nil
}

// vaultIndent is the indentation of a `!vault |` value's first line of text.
func (e *editor) vaultIndent(n *yaml.Node) int {
	for line := e.src.nextLine(e.src.start(n)); line >= 0 && line < len(e.src.body); line = e.src.nextLine(line) {
		if !e.src.isBlankLine(line) {
			return e.src.indentAt(line)
		}
	}
	return 0
}

// propertiesOf is the tag and anchor text in front of a node ("!vault").
func (e *editor) propertiesOf(n *yaml.Node) string {
	start := e.src.start(n)
	return strings.TrimRight(string(e.src.body[start:e.src.skipProperties(start)]), " \t")
}

// verify parses the new text again and checks that keyPath holds exactly the
// new value and that nothing else changed.
func (st setter) verify(before *editor, ch *change) error {
	after, err := newEditor(ch.newText)
	if err != nil {
		return st.unverified(ch, 0, "the edited text does not parse (%v)", err)
	}
	if p, changed := otherChange(flatten(before.root), flatten(after.root), pathOf(ch.keyPath)); changed {
		return st.unverified(ch, 0, "the edit would also change %s", p)
	}
	sp, err := lookup(after.root, ch.keyPath)
	if err != nil || !sp.found(ch.keyPath) {
		return st.unverified(ch, 0, "the key is missing from the edited text")
	}
	return st.verifyValue(sp.value, ch)
}

func (st setter) verifyValue(n *yaml.Node, ch *change) error {
	var id string
	got, err := st.decodeValue(n, &id)
	switch {
	case err != nil:
		return st.unverified(ch, n.Line, "the new value does not read back (%v)", err)
	case !sameValue(got, ch.newValue) && ch.secret:
		return st.unverified(ch, n.Line, "the new value reads back differently")
	case !sameValue(got, ch.newValue):
		return st.unverified(ch, n.Line, "the new value reads back as %s", display(got))
	case ch.vaulted && id != ch.vaultID:
		return st.unverified(ch, n.Line, "the new value opens with vault id %s, not %s", id, ch.vaultID)
	}
	ch.line = n.Line
	return nil
}

func (st setter) unverified(ch *change, line int, format string, args ...any) error {
	return &Error{Line: line, Key: dotted(ch.keyPath), Err: failf(ErrVerify, format, args...)}
}
