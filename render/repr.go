package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/straylight-fleet/straylight/internal/pyfmt"
)

// pyStr is Python's str() of an engine value: what {{ }} prints (None aside,
// which Ansible prints as an empty string) and what string filters see.
func pyStr(x any) string {
	if s, ok := x.(string); ok {
		return s
	}
	return pyRepr(x)
}

// pyRepr is Python's repr() of an engine value.
func pyRepr(x any) string {
	var b strings.Builder
	writeRepr(&b, x)
	return b.String()
}

func writeRepr(b *strings.Builder, x any) {
	switch v := x.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		b.WriteString(pyBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case float64:
		b.WriteString(pyFloat(v))
	case string:
		b.WriteString(pyQuote(v))
	case pyList:
		writeListRepr(b, v)
	case pyTuple:
		writeTupleRepr(b, v)
	case pyDict:
		writeDictRepr(b, v)
	case error:
		b.WriteString(v.Error())
	case fmt.Stringer:
		b.WriteString(v.String())
	default:
		fmt.Fprintf(b, "%v", v) // not a Python value (a gonja internal)
	}
}

func writeListRepr(b *strings.Builder, l pyList) {
	b.WriteByte('[')
	for i, item := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		writeRepr(b, item)
	}
	b.WriteByte(']')
}

func writeTupleRepr(b *strings.Builder, t pyTuple) {
	b.WriteByte('(')
	for i, item := range t {
		if i > 0 {
			b.WriteString(", ")
		}
		writeRepr(b, item)
	}
	if len(t) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
}

func writeDictRepr(b *strings.Builder, d pyDict) {
	b.WriteByte('{')
	for i, key := range d.keys() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pyQuote(key))
		b.WriteString(": ")
		writeRepr(b, d[key].val)
	}
	b.WriteByte('}')
}

func pyBool(v bool) string {
	if v {
		return "True"
	}
	return "False"
}

// pyFloat is Python's repr of a float: the shortest digits that round-trip,
// positional for exponents from -4 to 15, scientific outside.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return pyfmt.FiniteFloat(f)
}

// pyQuote is Python's repr of a str: single quotes unless the text has a
// single quote and no double quote.
func pyQuote(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		writeReprRune(&b, r, quote)
	}
	b.WriteByte(quote)
	return b.String()
}

func writeReprRune(b *strings.Builder, r rune, quote byte) {
	switch {
	case r == '\\' || r == rune(quote):
		b.WriteByte('\\')
		b.WriteRune(r)
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\t':
		b.WriteString(`\t`)
	case r == ' ' || (r > ' ' && r < 0x7f):
		b.WriteRune(r)
	case r < 0x100 && !unicode.IsPrint(r):
		fmt.Fprintf(b, `\x%02x`, r)
	case !unicode.IsPrint(r) && r < 0x10000:
		fmt.Fprintf(b, `\u%04x`, r)
	case !unicode.IsPrint(r):
		fmt.Fprintf(b, `\U%08x`, r)
	default:
		b.WriteRune(r)
	}
}

// isPythonSpace is Python's str.isspace (and re's \s), what strip(),
// split() and int() skip: Go's unicode.IsSpace and the separators U+001C
// to U+001F, which Go does not count as space.
func isPythonSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// trimPythonSpace is Python's s.strip().
func trimPythonSpace(s string) string { return strings.TrimFunc(s, isPythonSpace) }
