package inventory

import (
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ansible's INI plugin passes every value through Python's ast.literal_eval
// and keeps the raw text when that raises: "42" is an int, "True" a bool,
// "[1, 2]" a list, "'x y'" the string x y, and "true" or "yes" stay strings.
// pyLiteral reproduces literal_eval for the literals it accepts; anything
// else (names, calls, operators, syntax errors) reports ok=false.

// maxPyNesting is CPython's tokenizer limit on nested brackets.
const maxPyNesting = 200

type pyParser struct {
	src   string
	pos   int
	depth int
}

// pyLiteral evaluates src as ast.literal_eval would.
func pyLiteral(src string) (v any, ok bool) {
	p := &pyParser{src: strings.TrimLeft(src, " \t")}
	v, ok = p.exprList(false)
	if !ok {
		return nil, false
	}
	p.skipSpace(false)
	if p.pos != len(p.src) {
		return nil, false
	}
	return v, true
}

// skipSpace skips blanks and comments; inside brackets newlines too.
func (p *pyParser) skipSpace(inBrackets bool) {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			p.pos++
		case c == '#':
			p.skipComment()
		case c == '\\' && strings.HasPrefix(p.src[p.pos:], "\\\n"):
			p.pos += 2
		case (c == '\n' || c == '\r') && (inBrackets || p.onlyBlankAfter()):
			p.pos++
		default:
			return
		}
	}
}

func (p *pyParser) skipComment() {
	for p.pos < len(p.src) && p.src[p.pos] != '\n' {
		p.pos++
	}
}

// onlyBlankAfter: a newline outside brackets may only end the input.
func (p *pyParser) onlyBlankAfter() bool {
	rest := p.src[p.pos:]
	for _, line := range strings.Split(rest, "\n") {
		line = strings.TrimLeft(line, " \t\f\r")
		if line != "" && line[0] != '#' {
			return false
		}
	}
	return true
}

func (p *pyParser) peek(inBrackets bool) byte {
	p.skipSpace(inBrackets)
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

// exprList parses "a" or "a, b, ..." (a tuple, which becomes a list).
func (p *pyParser) exprList(inBrackets bool) (any, bool) {
	first, ok := p.expr(inBrackets)
	if !ok {
		return nil, false
	}
	if p.peek(inBrackets) != ',' {
		return first, true
	}
	items := []any{first}
	for p.peek(inBrackets) == ',' {
		p.pos++
		if !p.startsExpr(inBrackets) {
			break
		}
		v, ok := p.expr(inBrackets)
		if !ok {
			return nil, false
		}
		items = append(items, v)
	}
	return items, true
}

func (p *pyParser) startsExpr(inBrackets bool) bool {
	switch p.peek(inBrackets) {
	case 0, ')', ']', '}', ':', ',':
		return false
	}
	return true
}

// expr is an atom, optionally signed (only numbers may be).
func (p *pyParser) expr(inBrackets bool) (any, bool) {
	c := p.peek(inBrackets)
	if c != '-' && c != '+' {
		v, _, ok := p.atom(inBrackets)
		return v, ok
	}
	p.pos++
	v, isNum, ok := p.atom(inBrackets)
	if !ok || !isNum {
		return nil, false
	}
	if c == '-' {
		return negate(v), true
	}
	return v, true
}

func negate(v any) any {
	switch n := v.(type) {
	case int:
		return -n
	case float64:
		return -n
	}
	return v
}

// atom parses one literal; isNum reports an int or float (not a bool), the
// only things Python lets a sign apply to.
func (p *pyParser) atom(inBrackets bool) (v any, isNum bool, ok bool) {
	c := p.peek(inBrackets)
	switch {
	case c == '(' || c == '[' || c == '{':
		v, ok = p.bracketed(c)
		return v, false, ok
	case c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	case c == '\'' || c == '"':
		v, ok = p.strings(inBrackets)
		return v, false, ok
	}
	return p.name(inBrackets)
}

func (p *pyParser) bracketed(open byte) (any, bool) {
	if p.depth++; p.depth >= maxPyNesting {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.pos++
	switch open {
	case '(':
		return p.parenthesized()
	case '[':
		return p.listItems(']')
	}
	return p.braced()
}

func (p *pyParser) parenthesized() (any, bool) {
	if p.peek(true) == ')' {
		p.pos++
		return []any{}, true
	}
	v, ok := p.exprList(true)
	if !ok || p.peek(true) != ')' {
		return nil, false
	}
	p.pos++
	return v, true
}

func (p *pyParser) listItems(closer byte) (any, bool) {
	items := []any{}
	for p.peek(true) != closer {
		v, ok := p.expr(true)
		if !ok {
			return nil, false
		}
		items = append(items, v)
		if !p.itemSeparator(closer) {
			return nil, false
		}
	}
	p.pos++
	return items, true
}

// itemSeparator consumes a comma, or accepts the closing bracket.
func (p *pyParser) itemSeparator(closer byte) bool {
	switch p.peek(true) {
	case ',':
		p.pos++
		return true
	case closer:
		return true
	}
	return false
}

// braced is a dict ({k: v, ...}) or a set ({a, b}, which becomes a list).
func (p *pyParser) braced() (any, bool) {
	if p.peek(true) == '}' {
		p.pos++
		return map[string]any{}, true
	}
	first, ok := p.expr(true)
	if !ok {
		return nil, false
	}
	if p.peek(true) != ':' {
		return p.setRest(first)
	}
	return p.dictRest(first)
}

func (p *pyParser) setRest(first any) (any, bool) {
	if !hashable(first) || !p.itemSeparator('}') {
		return nil, false
	}
	rest, ok := p.listItems('}')
	if !ok {
		return nil, false
	}
	return append([]any{first}, rest.([]any)...), true
}

func (p *pyParser) dictRest(key any) (any, bool) {
	m := map[string]any{}
	names := map[string]string{} // Python key identity -> first spelling
	for {
		if !hashable(key) || p.peek(true) != ':' {
			return nil, false
		}
		p.pos++
		v, ok := p.expr(true)
		if !ok || !p.itemSeparator('}') {
			return nil, false
		}
		id := keyIdentity(key)
		if _, seen := names[id]; !seen {
			names[id] = keyString(key)
		}
		m[names[id]] = v
		if p.peek(true) == '}' {
			p.pos++
			return m, true
		}
		if key, ok = p.expr(true); !ok {
			return nil, false
		}
	}
}

// hashable: lists and dicts cannot be dict keys or set members (Python
// raises TypeError, which Ansible does not catch; refusing is close enough).
func hashable(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return false
	}
	return true
}

func (p *pyParser) name(inBrackets bool) (any, bool, bool) {
	start := p.pos
	for p.pos < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		if !isIdentRune(r, p.pos == start) {
			break
		}
		p.pos += size
	}
	word := p.src[start:p.pos]
	if word == "" {
		return nil, false, false
	}
	if isStringPrefix(word) && p.pos < len(p.src) && (p.src[p.pos] == '\'' || p.src[p.pos] == '"') {
		p.pos = start
		v, ok := p.strings(inBrackets)
		return v, false, ok
	}
	switch word {
	case "True":
		return true, false, true
	case "False":
		return false, false, true
	case "None":
		return nil, false, true
	}
	return nil, false, false
}

func isIdentRune(r rune, first bool) bool {
	if r == '_' || unicode.IsLetter(r) {
		return true
	}
	return !first && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r))
}

func isStringPrefix(word string) bool {
	switch strings.ToLower(word) {
	case "r", "u", "b", "br", "rb", "f", "fr", "rf":
		return true
	}
	return false
}

// number parses a Python int or float literal.
func (p *pyParser) number() (any, bool, bool) {
	start := p.pos
	for p.pos < len(p.src) && isNumberByte(p.src, p.pos) {
		p.pos++
	}
	text := p.src[start:p.pos]
	if p.pos < len(p.src) {
		if r, _ := utf8.DecodeRuneInString(p.src[p.pos:]); isIdentRune(r, false) {
			return nil, false, false // 1abc, 1j (complex), 0x1g
		}
	}
	v, ok := pyNumber(text)
	return v, ok, ok
}

func isNumberByte(s string, i int) bool {
	c := s[i]
	switch {
	case c >= '0' && c <= '9', c == '_', c == '.':
		return true
	case c == '+' || c == '-':
		return i > 0 && (s[i-1] == 'e' || s[i-1] == 'E') && !isHexLiteralUpTo(s, i)
	case strings.IndexByte("xXoObBeEabcdefABCDEF", c) >= 0:
		return true
	}
	return false
}

// isHexLiteralUpTo reports whether the literal ending before i is hex, where
// "e" is a digit and not an exponent.
func isHexLiteralUpTo(s string, i int) bool {
	j := i
	for j > 0 && isNumberByteNoSign(s[j-1]) {
		j--
	}
	return len(s[j:i]) > 1 && s[j] == '0' && (s[j+1] == 'x' || s[j+1] == 'X')
}

func isNumberByteNoSign(c byte) bool {
	return (c >= '0' && c <= '9') || c == '_' || c == '.' || strings.IndexByte("xXoObBeEabcdefABCDEF", c) >= 0
}

// pyNumber validates and converts a number token with Python's grammar.
func pyNumber(text string) (any, bool) {
	if len(text) > 1 && text[0] == '0' {
		if base := prefixBase(text[1]); base != 0 {
			return pyPrefixedInt(text[2:], base)
		}
	}
	if isPyDecimalInt(text) {
		return pyBig(strings.ReplaceAll(text, "_", ""), 10)
	}
	if !isPyFloat(text) {
		return nil, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
	if err != nil && f == 0 {
		return nil, false
	}
	return f, true
}

func prefixBase(c byte) int {
	switch c {
	case 'x', 'X':
		return 16
	case 'o', 'O':
		return 8
	case 'b', 'B':
		return 2
	}
	return 0
}

// pyPrefixedInt: digits after 0x/0o/0b, single underscores allowed between
// (and right after the prefix).
func pyPrefixedInt(digits string, base int) (any, bool) {
	if digits == "" || strings.HasSuffix(digits, "_") || strings.Contains(digits, "__") {
		return nil, false
	}
	return pyBig(strings.ReplaceAll(digits, "_", ""), base)
}

func pyBig(digits string, base int) (any, bool) {
	b, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return nil, false
	}
	return bigToValue(b), true
}

// isPyDecimalInt: "0", "000", "1_000"; not "017" (leading zeros).
func isPyDecimalInt(s string) bool {
	if !isDigitPart(s) {
		return false
	}
	return s[0] != '0' || strings.Trim(s, "0_") == ""
}

// isDigitPart: digits with single underscores between them.
func isDigitPart(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '_' && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// isPyFloat: pointfloat or exponentfloat ("1.", ".5", "1e3", "1_0.5e-2").
func isPyFloat(s string) bool {
	mant := s
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if !isExponent(s[i+1:]) {
			return false
		}
		mant = s[:i]
		if !strings.Contains(mant, ".") {
			return isDigitPart(mant)
		}
	}
	whole, frac, hasDot := strings.Cut(mant, ".")
	if !hasDot || (whole == "" && frac == "") {
		return false
	}
	return (whole == "" || isDigitPart(whole)) && (frac == "" || isDigitPart(frac))
}

func isExponent(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return isDigitPart(s)
}

// strings parses one or more adjacent string literals, concatenated.
func (p *pyParser) strings(inBrackets bool) (any, bool) {
	var b strings.Builder
	kind := ""
	for p.startsString(inBrackets) {
		s, isBytes, ok := p.stringLiteral()
		if !ok {
			return nil, false
		}
		k := "str"
		if isBytes {
			k = "bytes"
		}
		if kind != "" && kind != k {
			return nil, false
		}
		kind = k
		b.WriteString(s)
	}
	return b.String(), kind != ""
}

func (p *pyParser) startsString(inBrackets bool) bool {
	c := p.peek(inBrackets)
	if c == '\'' || c == '"' {
		return true
	}
	i := p.pos
	for i < len(p.src) && i-p.pos < 2 && strings.IndexByte("rRuUbBfF", p.src[i]) >= 0 {
		i++
	}
	return i > p.pos && i < len(p.src) && (p.src[i] == '\'' || p.src[i] == '"') && isStringPrefix(p.src[p.pos:i])
}

// stringLiteral parses prefix, quotes and body of one literal.
func (p *pyParser) stringLiteral() (string, bool, bool) {
	start := p.pos
	for p.src[p.pos] != '\'' && p.src[p.pos] != '"' {
		p.pos++
	}
	prefix := strings.ToLower(p.src[start:p.pos])
	if strings.Contains(prefix, "f") {
		return "", false, false // f-strings are not literals
	}
	quote := p.src[p.pos : p.pos+1]
	if strings.HasPrefix(p.src[p.pos:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	p.pos += len(quote)
	body, ok := p.stringBody(quote)
	if !ok {
		return "", false, false
	}
	isBytes := strings.Contains(prefix, "b")
	if strings.Contains(prefix, "r") {
		return body, isBytes, !isBytes || isASCII(body)
	}
	s, ok := unescapePy(body, isBytes)
	return s, isBytes, ok
}

// stringBody finds the closing quote, skipping escaped characters.
func (p *pyParser) stringBody(quote string) (string, bool) {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case strings.HasPrefix(p.src[p.pos:], quote):
			body := p.src[start:p.pos]
			p.pos += len(quote)
			return body, true
		case c == '\\':
			p.pos += 2
		case c == '\n' && len(quote) == 1:
			return "", false
		default:
			p.pos++
		}
	}
	return "", false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// unescapePy applies Python's backslash escapes.
func unescapePy(body string, isBytes bool) (string, bool) {
	if isBytes && !isASCII(body) {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(body); {
		if body[i] != '\\' {
			b.WriteByte(body[i])
			i++
			continue
		}
		n, ok := writeEscape(&b, body[i+1:], isBytes)
		if !ok {
			return "", false
		}
		i += 1 + n
	}
	return b.String(), true
}

var simpleEscapes = map[byte]string{
	'\n': "", '\\': "\\", '\'': "'", '"': "\"", 'a': "\a", 'b': "\b",
	'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v",
}

// writeEscape writes the character an escape stands for and returns how
// many bytes after the backslash it used.
func writeEscape(b *strings.Builder, rest string, isBytes bool) (int, bool) {
	if rest == "" {
		return 0, false
	}
	c := rest[0]
	if s, ok := simpleEscapes[c]; ok {
		b.WriteString(s)
		return 1, true
	}
	switch {
	case c >= '0' && c <= '7':
		return writeOctal(b, rest, isBytes)
	case c == 'x':
		return writeHex(b, rest, 2, isBytes)
	case c == 'u' && !isBytes:
		return writeHex(b, rest, 4, false)
	case c == 'U' && !isBytes:
		return writeHex(b, rest, 8, false)
	case c == 'N' && !isBytes:
		return 0, false // \N{name}: no name table here
	}
	b.WriteByte('\\') // unknown escapes keep their backslash
	return 0, true
}

func writeOctal(b *strings.Builder, rest string, isBytes bool) (int, bool) {
	n := 0
	for n < 3 && n < len(rest) && rest[n] >= '0' && rest[n] <= '7' {
		n++
	}
	v, _ := strconv.ParseUint(rest[:n], 8, 32)
	return n, writeCode(b, rune(v), isBytes)
}

func writeHex(b *strings.Builder, rest string, digits int, isBytes bool) (int, bool) {
	if len(rest) < 1+digits {
		return 0, false
	}
	v, err := strconv.ParseUint(rest[1:1+digits], 16, 32)
	if err != nil || v > unicode.MaxRune {
		return 0, false
	}
	return 1 + digits, writeCode(b, rune(v), isBytes)
}

func writeCode(b *strings.Builder, r rune, isBytes bool) bool {
	if isBytes {
		if r > 0xff {
			return false
		}
		b.WriteByte(byte(r))
		return true
	}
	b.WriteRune(r)
	return true
}
