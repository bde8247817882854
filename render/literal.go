package render

import (
	"errors"
	"strconv"
	"strings"
)

// Ansible (ansible_eval_concat) turns a templated string that looks like a
// list, a dict or a bool back into one with Python's ast.literal_eval, after
// mapping the JSON names true/false/null. literalEval implements the part of
// Python's literal syntax that repr() and hand-written YAML values produce.

var errNotLiteral = errors.New("not a Python literal")

// convertData is ansible_eval_concat's conversion of a rendered string.
func convertData(s string) any {
	if !strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "[") && s != "True" && s != "False" {
		return s
	}
	value, err := literalEval(s)
	if err != nil {
		return s
	}
	return value
}

func literalEval(s string) (any, error) {
	p := &literalParser{src: s}
	value, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return nil, errNotLiteral
	}
	return value, nil
}

type literalParser struct {
	src string
	pos int
}

func (p *literalParser) skipSpace() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			p.pos++
		case c == '\\' && strings.HasPrefix(p.src[p.pos:], "\\\n"):
			p.pos += 2
		case c == '#':
			p.skipComment()
		default:
			return
		}
	}
}

func (p *literalParser) skipComment() {
	end := strings.IndexByte(p.src[p.pos:], '\n')
	if end < 0 {
		p.pos = len(p.src)
		return
	}
	p.pos += end
}

func (p *literalParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *literalParser) value() (any, error) {
	switch c := p.peek(); {
	case c == '[':
		return p.sequence('[', ']')
	case c == '(':
		return p.sequence('(', ')')
	case c == '{':
		return p.braces()
	case c == '\'' || c == '"' || isStringPrefix(p.src[p.pos:]):
		return p.strings()
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	case isIdentStart(c):
		return p.name()
	}
	return nil, errNotLiteral
}

// sequence parses a list or a tuple (both become lists).
func (p *literalParser) sequence(open, close byte) (any, error) {
	p.pos++
	items := pyList{}
	for p.peek() != close {
		item, err := p.value()
		if err != nil {
			return nil, err
		}
		items = append(items, item)
		if !p.separator(close) {
			return nil, errNotLiteral
		}
	}
	p.pos++
	if open == '(' && len(items) == 1 && p.src[p.pos-2] != ',' {
		return items[0], nil
	}
	return items, nil
}

// separator consumes a comma, or accepts the closing bracket.
func (p *literalParser) separator(close byte) bool {
	switch p.peek() {
	case ',':
		p.pos++
		return true
	case close:
		return true
	}
	return false
}

// braces parses a dict, or a set (which becomes a list).
func (p *literalParser) braces() (any, error) {
	p.pos++
	dict := newDict(0)
	var set pyList
	for p.peek() != '}' {
		key, err := p.value()
		if err != nil {
			return nil, err
		}
		if p.peek() != ':' {
			set = append(set, key)
		} else if err := p.dictEntry(dict, key); err != nil {
			return nil, err
		}
		if !p.separator('}') {
			return nil, errNotLiteral
		}
	}
	p.pos++
	if set != nil {
		if len(dict) > 0 {
			return nil, errNotLiteral
		}
		return set, nil
	}
	return dict, nil
}

func (p *literalParser) dictEntry(dict pyDict, key any) error {
	p.pos++
	value, err := p.value()
	if err != nil {
		return err
	}
	dict.set(dictKey(key), value)
	return nil
}

func (p *literalParser) name() (any, error) {
	start := p.pos
	for p.pos < len(p.src) && isIdentPart(p.src[p.pos]) {
		p.pos++
	}
	switch p.src[start:p.pos] {
	case "True", "true":
		return true, nil
	case "False", "false":
		return false, nil
	case "None", "null":
		return nil, nil
	}
	return nil, errNotLiteral
}

func (p *literalParser) number() (any, error) {
	start := p.pos
	for p.pos < len(p.src) && strings.IndexByte("+-0123456789abcdefABCDEFxXoO._", p.src[p.pos]) >= 0 {
		if p.pos > start && (p.src[p.pos] == '+' || p.src[p.pos] == '-') && !strings.ContainsAny(p.src[p.pos-1:p.pos], "eE") {
			break
		}
		p.pos++
	}
	return parseNumber(p.src[start:p.pos])
}

func parseNumber(text string) (any, error) {
	clean := strings.ReplaceAll(text, "_", "")
	if n, err := strconv.ParseInt(clean, 0, 64); err == nil && !isLegacyOctal(clean) {
		return int(n), nil
	}
	if strings.ContainsAny(clean, "xXoObB") || (isLegacyOctal(clean) && !strings.ContainsAny(clean, ".eE")) {
		return nil, errNotLiteral
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil {
		return nil, errNotLiteral
	}
	return f, nil
}

// isLegacyOctal rejects 0755: Python 3 has no such literal (Go reads it as octal).
func isLegacyOctal(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9' && strings.Trim(s, "0") != ""
}

// strings parses one or more adjacent string literals ('a' "b" is 'ab').
func (p *literalParser) strings() (any, error) {
	var b strings.Builder
	for {
		c := p.peek()
		if c != '\'' && c != '"' && !isStringPrefix(p.src[p.pos:]) {
			return b.String(), nil
		}
		text, err := p.stringLiteral()
		if err != nil {
			return nil, err
		}
		b.WriteString(text)
	}
}

func isStringPrefix(s string) bool {
	lower := strings.ToLower(s)
	for _, prefix := range []string{"r'", `r"`, "u'", `u"`} {
		if strings.HasPrefix(lower, prefix) {
			return true
		}
	}
	return false
}

func (p *literalParser) stringLiteral() (string, error) {
	raw, quote := p.stringStart()
	start := p.pos
	for p.pos < len(p.src) && !strings.HasPrefix(p.src[p.pos:], quote) {
		if p.src[p.pos] == '\n' && len(quote) == 1 {
			return "", errNotLiteral
		}
		if p.src[p.pos] == '\\' {
			p.pos++
		}
		p.pos++
	}
	if p.pos >= len(p.src) {
		return "", errNotLiteral
	}
	content := p.src[start:p.pos]
	p.pos += len(quote)
	if raw {
		return content, nil
	}
	return pyUnescape(content), nil
}

// stringStart reads a literal's prefix and opening quote (one or three).
func (p *literalParser) stringStart() (raw bool, quote string) {
	if c := p.src[p.pos]; c != '\'' && c != '"' {
		raw = c == 'r' || c == 'R'
		p.pos++
	}
	quote = p.src[p.pos : p.pos+1]
	if strings.HasPrefix(p.src[p.pos:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	p.pos += len(quote)
	return raw, quote
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }
