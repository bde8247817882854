package render

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// fromJSON is Ansible's from_json as the core in use runs it: under
// ansible-core 2.19 (its "tagless" profile) an object holding one of
// Ansible's serialization markers fails.
func fromJSON(dataTagging func() bool) func(any, []any) (any, error) {
	return func(in any, _ []any) (any, error) {
		return decodePythonJSON(in, dataTagging())
	}
}

// decodePythonJSON is Python's json.loads of a str (NaN and Infinity read,
// a repeated key keeping its first place and last value); anything else
// fails.
func decodePythonJSON(in any, refuseMarkers bool) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("the JSON object must be str, bytes or bytearray, not %s", typeName(in))
	}
	if strings.HasPrefix(s, "\ufeff") {
		//lint:ignore ST1005 Python's message, byte for byte
		return nil, errors.New("Unexpected UTF-8 BOM (decode using utf-8-sig)")
	}
	d := &jsonDecoder{s: s, refuseMarkers: refuseMarkers}
	d.skipSpace()
	value, err := d.value()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.i != len(s) {
		return nil, d.fail("Extra data")
	}
	return value, nil
}

// jsonDecoder is Python's json scanner (the C one: ASCII digits only,
// strict strings) over s from i.
type jsonDecoder struct {
	s string
	i int
	// refuseMarkers: an object with a key of ansible-core 2.19's
	// serialization markers fails.
	refuseMarkers bool
}

func (d *jsonDecoder) fail(msg string) error {
	return fmt.Errorf("%s: char %d", msg, d.i)
}

// skipSpace skips JSON's whitespace: space, tab, newline, return.
func (d *jsonDecoder) skipSpace() {
	for d.i < len(d.s) && strings.IndexByte(" \t\n\r", d.s[d.i]) >= 0 {
		d.i++
	}
}

// value reads one value at i.
func (d *jsonDecoder) value() (any, error) {
	if d.i >= len(d.s) {
		return nil, d.fail("Expecting value")
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		d.i++
		return d.str()
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return d.keyword()
}

// keywords are the names json.loads reads, with their values.
var jsonKeywords = []struct {
	word  string
	value any
}{{"null", nil}, {"true", true}, {"false", false}, {"NaN", math.NaN()}, {"Infinity", math.Inf(1)}, {"-Infinity", math.Inf(-1)}}

func (d *jsonDecoder) keyword() (any, error) {
	for _, k := range jsonKeywords {
		if strings.HasPrefix(d.s[d.i:], k.word) {
			d.i += len(k.word)
			return k.value, nil
		}
	}
	return nil, d.fail("Expecting value")
}

// number reads -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?: an int without a
// fraction or exponent, else a float; -Infinity too.
func (d *jsonDecoder) number() (any, error) {
	start := d.i
	if strings.HasPrefix(d.s[d.i:], "-Infinity") {
		return d.keyword()
	}
	if d.s[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.s) && d.s[d.i] == '0':
		d.i++
	case d.digits() == 0:
		d.i = start
		return nil, d.fail("Expecting value")
	}
	isFloat := d.fraction()
	isFloat = d.exponent() || isFloat
	text := d.s[start:d.i]
	if isFloat {
		f, _ := strconv.ParseFloat(text, 64) // out of range: ±Inf or 0, as Python's float()
		return f, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		return nil, fmt.Errorf("integer %s is too large for straylight's engine (64 bits)", text)
	}
	return n, nil
}

func (d *jsonDecoder) digits() int {
	start := d.i
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		d.i++
	}
	return d.i - start
}

// fraction reads \.\d+ if it is there whole.
func (d *jsonDecoder) fraction() bool {
	if d.i+1 >= len(d.s) || d.s[d.i] != '.' {
		return false
	}
	d.i++
	if d.digits() == 0 {
		d.i--
		return false
	}
	return true
}

// exponent reads [eE][-+]?\d+ if it is there whole.
func (d *jsonDecoder) exponent() bool {
	start := d.i
	if d.i >= len(d.s) || d.s[d.i] != 'e' && d.s[d.i] != 'E' {
		return false
	}
	d.i++
	if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
		d.i++
	}
	if d.digits() == 0 {
		d.i = start
		return false
	}
	return true
}

// str reads a string's rest after its opening quote: escapes decoded
// (surrogate pairs joined), control characters refused.
func (d *jsonDecoder) str() (string, error) {
	var b strings.Builder
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return b.String(), nil
		case c < 0x20:
			return "", d.fail("Invalid control character at")
		case c == '\\':
			if err := d.escape(&b); err != nil {
				return "", err
			}
		default:
			r, size := utf8.DecodeRuneInString(d.s[d.i:])
			b.WriteRune(r)
			d.i += size
		}
	}
	return "", d.fail("Unterminated string starting at")
}

// jsonEscapes are the one-character escapes.
var jsonEscapes = map[byte]string{'"': `"`, '\\': `\`, '/': "/", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t"}

func (d *jsonDecoder) escape(b *strings.Builder) error {
	if d.i+1 >= len(d.s) {
		return d.fail("Unterminated string starting at")
	}
	c := d.s[d.i+1]
	if c != 'u' {
		text, ok := jsonEscapes[c]
		if !ok {
			return d.fail("Invalid \\escape")
		}
		b.WriteString(text)
		d.i += 2
		return nil
	}
	r, err := d.unicodeEscape()
	if err != nil {
		return err
	}
	b.WriteRune(r)
	return nil
}

// unicodeEscape reads \uXXXX, and a low surrogate's \uXXXX after a high
// one; a lone surrogate, which Go strings cannot hold, fails.
func (d *jsonDecoder) unicodeEscape() (rune, error) {
	r, ok := d.hex4(d.i + 2)
	if !ok {
		return 0, d.fail("Invalid \\uXXXX escape")
	}
	d.i += 6
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if low, ok := d.hex4(d.i + 2); ok && strings.HasPrefix(d.s[d.i:], `\u`) {
		if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
			d.i += 6
			return pair, nil
		}
	}
	return 0, d.fail("lone surrogate (not supported by straylight) at")
}

func (d *jsonDecoder) hex4(at int) (rune, bool) {
	if at+4 > len(d.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(d.s[at:at+4], 16, 32)
	return rune(n), err == nil && !strings.ContainsAny(d.s[at:at+4], "+-_xX")
}

func (d *jsonDecoder) array() (any, error) {
	d.i++
	out := pyList{}
	d.skipSpace()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return out, nil
	}
	for {
		d.skipSpace()
		item, err := d.value()
		if err != nil {
			return nil, err
		}
		out = append(out, item)
		if done, err := d.separator(']'); done || err != nil {
			return out, err
		}
	}
}

// separator reads the comma between items, or the closing bracket (done).
func (d *jsonDecoder) separator(closing byte) (bool, error) {
	d.skipSpace()
	switch {
	case d.i < len(d.s) && d.s[d.i] == closing:
		d.i++
		return true, nil
	case d.i < len(d.s) && d.s[d.i] == ',':
		d.i++
		return false, nil
	}
	return false, d.fail("Expecting ',' delimiter")
}

func (d *jsonDecoder) object() (any, error) {
	d.i++
	out := newDict(0)
	d.skipSpace()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return out, nil
	}
	for {
		key, value, err := d.member()
		if err != nil {
			return nil, err
		}
		out.set(key, value)
		if done, err := d.separator('}'); done || err != nil {
			return out, errors.Join(err, d.checkMarkers(out))
		}
	}
}

// jsonMarkers are the keys 2.19's tagless profile refuses (its
// deserialize_map), in its order; the type key's value names the type.
var jsonMarkers = []string{"__ansible_unsafe", "__ansible_vault", "__ansible_type"}

// checkMarkers is the tagless profile's object_hook.
func (d *jsonDecoder) checkMarkers(object pyDict) error {
	if !d.refuseMarkers {
		return nil
	}
	for _, key := range jsonMarkers {
		value, found := object.get(key)
		if !found {
			continue
		}
		name := key
		if key == "__ansible_type" {
			name = pyStr(value)
		}
		//lint:ignore ST1005 ansible-core 2.19's message, byte for byte
		return fmt.Errorf("Object of type '%s' is not JSON deserializable by the 'tagless' profile.", name)
	}
	return nil
}

// member reads "key": value.
func (d *jsonDecoder) member() (string, any, error) {
	d.skipSpace()
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		return "", nil, d.fail("Expecting property name enclosed in double quotes")
	}
	d.i++
	key, err := d.str()
	if err != nil {
		return "", nil, err
	}
	d.skipSpace()
	if d.i >= len(d.s) || d.s[d.i] != ':' {
		return "", nil, d.fail("Expecting ':' delimiter")
	}
	d.i++
	d.skipSpace()
	value, err := d.value()
	return key, value, err
}

// fromYAMLAll is Ansible's from_yaml_all: the documents of a str, each
// read as from_yaml reads one (a list here, where Python gives a
// generator that `| list` makes one); anything else is returned as it is,
// but None, which ansible-core 2.19 makes [].
func fromYAMLAll(dataTagging func() bool) func(any, []any) (any, error) {
	return func(in any, _ []any) (any, error) {
		s, ok := in.(string)
		switch {
		case in == nil && dataTagging():
			return pyList{}, nil
		case !ok:
			return in, nil
		}
		return yamlDocuments(s)
	}
}

// yamlDocuments reads every document of s.
func yamlDocuments(s string) (pyList, error) {
	decoder := yaml.NewDecoder(strings.NewReader(s))
	out := pyList{}
	for {
		var doc yaml.Node
		err := decoder.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("from_yaml_all: %v", err)
		}
		out = append(out, canonicalNode(&doc))
	}
}
