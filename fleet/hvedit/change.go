package hvedit

import (
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// change is one planned edit of a document's text.
type change struct {
	keyPath  []string
	newText  []byte
	line     int
	oldValue any
	oldShown bool // oldValue could be decoded for display
	newValue any
	added    bool
	vaulted  bool
	vaultID  string
	secret   bool
}

// setter carries what one edit needs besides the text.
type setter struct {
	vault     Vault
	name      string
	validate  Validator
	secretKey func(string) bool
	allSecret bool // the file is vault-encrypted
	reseal    bool // encrypt a vault value afresh even when its text stays
}

// set plans and verifies the edit of keyPath to value in text. Nothing is
// returned but an error unless the new text parses back with keyPath holding
// exactly value and every other key its old value.
func (st setter) set(text []byte, keyPath []string, value any) (*change, error) {
	if err := checkKeyPath(keyPath); err != nil {
		return nil, err
	}
	want, err := normalize(value)
	if err != nil {
		return nil, &Error{Key: dotted(keyPath), Err: err}
	}
	e, err := newEditor(text)
	if err != nil {
		return nil, err
	}
	sp, err := lookup(e.root, keyPath)
	if err != nil {
		return nil, err
	}
	ch := &change{keyPath: keyPath, newValue: want, added: !sp.found(keyPath)}
	ch.secret = st.allSecret || st.secretPath(keyPath) || (!ch.added && isVaulted(sp.value))
	if err := st.checkValue(ch, sp); err != nil {
		return nil, err
	}
	return ch, st.plan(e, sp, ch)
}

func checkKeyPath(keyPath []string) error {
	if len(keyPath) == 0 || slices.Contains(keyPath, "") {
		return &Error{Key: dotted(keyPath), Err: failf(ErrInvalid, "the key path must name at least one key and no empty key")}
	}
	if !slices.ContainsFunc(keyPath, isBadKey) {
		return nil
	}
	return &Error{Err: failf(ErrInvalid, "key path %.80q: keys must be valid UTF-8 without control characters, at most %d characters", dotted(keyPath), maxKeyLength)}
}

// maxKeyLength keeps keys within YAML's 1024-character limit on implicit
// keys, quotes included.
const maxKeyLength = 1000

func isBadKey(k string) bool {
	return !utf8.ValidString(k) || strings.ContainsFunc(k, needsEscape) || utf8.RuneCountInString(k) > maxKeyLength
}

func (st setter) secretPath(keyPath []string) bool {
	return st.secretKey != nil && slices.ContainsFunc(keyPath, st.secretKey)
}

// checkValue applies the validator, hiding its message (which may quote the
// value) when the value is secret.
func (st setter) checkValue(ch *change, sp spot) error {
	if st.validate == nil {
		return nil
	}
	msg := st.validate(ch.keyPath, ch.newValue)
	if msg == "" {
		return nil
	}
	if ch.secret {
		msg = "the new value is not valid (details hidden: the value is secret)"
	}
	return &Error{Line: spotLine(sp), Key: dotted(ch.keyPath), Err: failf(ErrInvalid, "%s", msg)}
}

func spotLine(sp spot) int {
	switch {
	case sp.value != nil:
		return sp.value.Line
	case sp.mapping != nil:
		return sp.mapping.Line
	}
	return 0
}

// plan reads the old value, renders the new one, splices it in and verifies.
func (st setter) plan(e *editor, sp spot, ch *change) error {
	splices, err := st.splices(e, sp, ch)
	if err != nil {
		return st.located(err, sp, ch)
	}
	ch.newText = e.src.text(applySplices(e.src.body, splices))
	return st.verify(e, ch)
}

// splices plans the edit; none when the key already holds the value, so that
// an unchanged value (or vault value) keeps its bytes.
func (st setter) splices(e *editor, sp spot, ch *change) ([]splice, error) {
	if ch.added {
		return e.placement(sp, ch.keyPath, e.renderValue(ch.newValue, nil, sp.mapping, sp.flow))
	}
	r, same, err := st.renderReplacement(e, sp, ch)
	if err != nil || same {
		return nil, err
	}
	return e.placement(sp, ch.keyPath, r)
}

// renderReplacement reads the old value of a found key and renders the new
// one: a `!vault |` block in place of a vault value. same reports an old
// value equal to the new one.
func (st setter) renderReplacement(e *editor, sp spot, ch *change) (r rendered, same bool, err error) {
	if sp.value.Kind != yaml.AliasNode && isAliased(e.root, sp.value) {
		return r, false, failf(ErrUnsupported, "the value is anchored (&%s) and shared through aliases; edit it by hand", sp.value.Anchor)
	}
	old, err := st.decodeValue(sp.value, &ch.vaultID)
	ch.oldValue, ch.oldShown, ch.vaulted = old, err == nil, isVaulted(sp.value)
	switch {
	case ch.vaulted && err != nil:
		return r, false, err
	case err == nil && sameValue(old, ch.newValue) && !(st.reseal && ch.vaulted):
		return r, true, nil
	case ch.vaulted:
		r, err = st.renderVault(e, sp.value, ch)
		return r, false, err
	}
	return e.renderValue(ch.newValue, sp.value, sp.mapping, sp.flow), false, nil
}

// placement turns the rendered value into splices for the three cases of a
// spot: a found key, a missing key, a null parent.
func (e *editor) placement(sp spot, keyPath []string, r rendered) ([]splice, error) {
	indent := 0
	if sp.mapping != nil {
		indent = e.src.childIndent(sp.mapping)
	}
	switch {
	case sp.found(keyPath):
		if err := checkReplaceable(sp.value); err != nil {
			return nil, err
		}
		return e.replaceValue(sp.key, sp.value, r, indent, sp.flow)
	case sp.nullParent(keyPath):
		return e.replaceNull(sp.key, sp.value, keyPath[sp.depth:], r, indent, sp.flow)
	}
	return e.addEntry(sp.mapping, keyPath[sp.depth:], r, sp.flow)
}

// checkReplaceable refuses block collections with a tag or anchor in front:
// those start on the key's line and cannot be cut out line by line.
func checkReplaceable(v *yaml.Node) error {
	if isBlockCollection(v) && (v.Style&yaml.TaggedStyle != 0 || v.Anchor != "") {
		return failf(ErrUnsupported, "the old value (%s) carries a tag or anchor; edit it by hand", kindName(v))
	}
	return nil
}

// located adds the line and key to an error that has none.
func (st setter) located(err error, sp spot, ch *change) error {
	if _, ok := err.(*Error); ok {
		return err
	}
	return &Error{Line: spotLine(sp), Key: dotted(ch.keyPath), Err: err}
}
