package render

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// jsonStyle holds the json.dumps arguments Ansible's filters use.
type jsonStyle struct {
	indent      int // negative: no indentation (one line)
	sortKeys    bool
	itemSep     string
	keySep      string
	ensureASCII bool
}

// filterToJSON is Ansible's to_json: json.dumps with Python's defaults.
func filterToJSON(in any, args []any) (any, error) {
	style := jsonStyle{indent: -1, itemSep: ", ", keySep: ": ", ensureASCII: true}
	if indent, ok := or(args[0], nil).(int); ok {
		style.indent, style.itemSep = indent, ","
	}
	style.sortKeys = pyTruthy(or(args[1], false))
	style.ensureASCII = pyTruthy(or(args[2], true))
	return dumpJSON(in, style)
}

// filterJinjaToJSON is Jinja2's tojson (jinja2/utils.py
// htmlsafe_json_dumps, 3.1.6): json.dumps with Jinja2's default policy
// sort_keys=True, then <, >, & and ' written as \u escapes. gonja's had
// no spaces after , and : and wrote 2.0 as 2.
func filterJinjaToJSON(in any, args []any) (any, error) {
	style := jsonStyle{indent: -1, sortKeys: true, itemSep: ", ", keySep: ": ", ensureASCII: true}
	if indent, ok := or(args[0], nil).(int); ok {
		style.indent, style.itemSep = indent, ","
	}
	out, err := dumpJSON(in, style)
	return htmlSafeJSON().Replace(out), err
}

func htmlSafeJSON() *strings.Replacer {
	return strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`, "'", `\u0027`)
}

// filterToNiceJSON is Ansible's to_nice_json: indent 4, sorted keys.
func filterToNiceJSON(in any, args []any) (any, error) {
	style := jsonStyle{indent: 4, sortKeys: true, itemSep: ",", keySep: ": ", ensureASCII: true}
	if indent, ok := or(args[0], nil).(int); ok {
		style.indent = indent
	}
	style.sortKeys = pyTruthy(or(args[1], true))
	style.ensureASCII = pyTruthy(or(args[2], true))
	return dumpJSON(in, style)
}

func dumpJSON(x any, style jsonStyle) (string, error) {
	var b strings.Builder
	if err := style.write(&b, x, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

func (s jsonStyle) write(b *strings.Builder, x any, depth int) error {
	switch v := x.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case float64:
		b.WriteString(jsonFloat(v))
	case string:
		b.WriteString(jsonQuote(v, s.ensureASCII))
	case pyList:
		return s.writeList(b, v, depth)
	case pyTuple:
		return s.writeList(b, pyList(v), depth)
	case pyDict:
		return s.writeDict(b, v, depth)
	case groupsMap:
		return s.writeDict(b, v.dict(), depth)
	case *hostView:
		return s.writeDict(b, v.dict(), depth)
	case error:
		return v
	default:
		//lint:ignore ST1005 Python json's message, byte for byte
		return fmt.Errorf("Object of type %s is not JSON serializable", typeName(x))
	}
	return nil
}

func (s jsonStyle) writeList(b *strings.Builder, list pyList, depth int) error {
	if len(list) == 0 {
		b.WriteString("[]")
		return nil
	}
	b.WriteByte('[')
	for i, item := range list {
		s.separate(b, i, depth+1)
		if err := s.write(b, item, depth+1); err != nil {
			return err
		}
	}
	s.newline(b, depth)
	b.WriteByte(']')
	return nil
}

func (s jsonStyle) writeDict(b *strings.Builder, d pyDict, depth int) error {
	if len(d) == 0 {
		b.WriteString("{}")
		return nil
	}
	keys := d.keys()
	if s.sortKeys {
		sort.Strings(keys)
	}
	b.WriteByte('{')
	for i, key := range keys {
		s.separate(b, i, depth+1)
		b.WriteString(jsonQuote(key, s.ensureASCII))
		b.WriteString(s.keySep)
		if err := s.write(b, d[key].val, depth+1); err != nil {
			return err
		}
	}
	s.newline(b, depth)
	b.WriteByte('}')
	return nil
}

// separate writes what goes before the i-th item of a container.
func (s jsonStyle) separate(b *strings.Builder, i, depth int) {
	if i > 0 {
		b.WriteString(s.itemSep)
	}
	s.newline(b, depth)
}

func (s jsonStyle) newline(b *strings.Builder, depth int) {
	if s.indent < 0 {
		return
	}
	b.WriteByte('\n')
	b.WriteString(repeatString(" ", s.indent*depth))
}

func jsonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return pyFloat(f)
}

var jsonShortEscapes = map[rune]string{'"': `\"`, '\\': `\\`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`}

// jsonQuote is Python's JSON string encoding (ensure_ascii escapes all
// non-ASCII as \uXXXX, with surrogate pairs).
func jsonQuote(s string, ensureASCII bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if short, ok := jsonShortEscapes[r]; ok {
			b.WriteString(short)
			continue
		}
		switch {
		case r < 0x20 || (ensureASCII && r > 0x7e):
			writeJSONEscape(&b, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func writeJSONEscape(b *strings.Builder, r rune) {
	if r < 0x10000 {
		fmt.Fprintf(b, `\u%04x`, r)
		return
	}
	r -= 0x10000
	fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
}
