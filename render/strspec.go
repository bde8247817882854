package render

//lint:file-ignore ST1005 CPython's error messages, byte for byte

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Python's format spec mini-language, for str.format's fields (Python/
// formatter_unicode.c): [[fill]align][sign][#][0][width][grouping]
// [.precision][type], for a str, an int (a bool too) or a float.

// formatSpec is a parsed format spec; zero values mean not given, but for
// precision (-1).
type formatSpec struct {
	fill      string
	align     byte
	sign      byte
	alternate bool
	zero      bool
	width     int
	grouping  byte
	precision int
	kind      byte
}

// formatValue is format(value, spec): str(value) for an empty spec.
func formatValue(value any, spec string) (string, error) {
	if spec == "" {
		return pyStr(value), nil
	}
	p, err := parseFormatSpec(spec, value)
	if err != nil {
		return "", err
	}
	switch v := value.(type) {
	case string:
		return p.formatString(v)
	case bool:
		return p.formatInt(boolToInt(v), "bool")
	case int:
		return p.formatInt(v, "int")
	case float64:
		return p.formatFloat(v)
	}
	return "", fmt.Errorf("unsupported format string passed to %s.__format__", typeName(value))
}

func parseFormatSpec(spec string, value any) (formatSpec, error) {
	if strings.ContainsAny(spec, "{}") {
		return formatSpec{}, fmt.Errorf("str.format() nested field in the format spec '%s' "+notSupportedMark, spec)
	}
	p := formatSpec{precision: -1}
	rest := p.parseAlign(spec)
	rest = p.parseFlags(rest)
	rest, err := p.parseNumbers(rest)
	switch {
	case err != nil:
		return p, err
	case len(rest) > 1:
		return p, fmt.Errorf("Invalid format specifier '%s' for object of type '%s'", spec, typeName(value))
	case rest != "":
		p.kind = rest[0]
	}
	return p, nil
}

func isAlign(c byte) bool { return strings.IndexByte("<>=^", c) >= 0 }

// parseAlign reads [[fill]align].
func (p *formatSpec) parseAlign(spec string) string {
	_, size := utf8.DecodeRuneInString(spec)
	if size > 0 && len(spec) > size && isAlign(spec[size]) {
		p.fill, p.align = spec[:size], spec[size]
		return spec[size+1:]
	}
	if spec != "" && isAlign(spec[0]) {
		p.align = spec[0]
		return spec[1:]
	}
	return spec
}

// parseFlags reads [sign][#][0].
func (p *formatSpec) parseFlags(rest string) string {
	if rest != "" && strings.IndexByte("+- ", rest[0]) >= 0 {
		p.sign, rest = rest[0], rest[1:]
	}
	if strings.HasPrefix(rest, "#") {
		p.alternate, rest = true, rest[1:]
	}
	if strings.HasPrefix(rest, "0") {
		p.zero, rest = true, rest[1:]
	}
	return rest
}

// parseNumbers reads [width][grouping][.precision].
func (p *formatSpec) parseNumbers(rest string) (string, error) {
	p.width, rest = leadingInt(rest)
	if rest != "" && (rest[0] == ',' || rest[0] == '_') {
		p.grouping, rest = rest[0], rest[1:]
	}
	if !strings.HasPrefix(rest, ".") {
		return rest, nil
	}
	precision, after := leadingInt(rest[1:])
	if len(after) == len(rest)-1 {
		return "", errors.New("Format specifier missing precision")
	}
	p.precision = precision
	return after, nil
}

// leadingInt reads the decimal digits s starts with (0 when none).
func leadingInt(s string) (int, string) {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n, s[end:]
}

func (p formatSpec) formatString(s string) (string, error) {
	switch {
	case p.kind != 0 && p.kind != 's':
		return "", fmt.Errorf("Unknown format code '%c' for object of type 'str'", p.kind)
	case p.sign != 0:
		return "", errors.New("Sign not allowed in string format specifier")
	case p.alternate:
		return "", errors.New("Alternate form (#) not allowed in string format specifier")
	case p.grouping != 0:
		return "", fmt.Errorf("Cannot specify '%c' with 's'.", p.grouping)
	case p.align == '=':
		return "", errors.New("'=' alignment not allowed in string format specifier")
	}
	if runes := []rune(s); p.precision >= 0 && p.precision < len(runes) {
		s = string(runes[:p.precision])
	}
	return p.pad("", s, '<'), nil
}

// intBase is the base of an int presentation type.
func intBase(kind byte) (int, bool) {
	switch kind {
	case 0, 'd':
		return 10, true
	case 'x', 'X':
		return 16, true
	case 'o':
		return 8, true
	case 'b':
		return 2, true
	}
	return 0, false
}

func (p formatSpec) formatInt(n int, typ string) (string, error) {
	if p.kind != 0 && strings.IndexByte("eEfFgG%", p.kind) >= 0 {
		return p.formatFloat(float64(n))
	}
	base, ok := intBase(p.kind)
	switch {
	case p.kind == 'n' || p.kind == 'c':
		return "", fmt.Errorf("str.format() presentation type '%c' "+notSupportedMark, p.kind)
	case p.zero && p.grouping != 0:
		return "", errors.New("str.format() zero padding with grouping " + notSupportedMark)
	case !ok:
		return "", fmt.Errorf("Unknown format code '%c' for object of type '%s'", p.kind, typ)
	case p.precision >= 0:
		return "", errors.New("Precision not allowed in integer format specifier")
	case p.grouping == ',' && base != 10:
		return "", fmt.Errorf("Cannot specify ',' with '%c'.", p.kind)
	}
	digits := strconv.FormatUint(absInt(n), base)
	if p.kind == 'X' {
		digits = strings.ToUpper(digits)
	}
	groupSize := 4
	if base == 10 {
		groupSize = 3
	}
	return p.pad(p.signOf(n < 0)+p.basePrefix(), groupDigits(digits, p.grouping, groupSize), '>'), nil
}

func absInt(n int) uint64 {
	if n < 0 {
		return uint64(-(n + 1)) + 1
	}
	return uint64(n)
}

// basePrefix is # form's 0x, 0o or 0b.
func (p formatSpec) basePrefix() string {
	if !p.alternate || p.kind == 0 || p.kind == 'd' {
		return ""
	}
	return "0" + string(p.kind)
}

func (p formatSpec) signOf(negative bool) string {
	switch {
	case negative:
		return "-"
	case p.sign == '+' || p.sign == ' ':
		return string(p.sign)
	}
	return ""
}

func (p formatSpec) formatFloat(x float64) (string, error) {
	if p.alternate || (p.zero && p.grouping != 0) || (p.kind == 0 && p.precision >= 0) {
		return "", errors.New("str.format() float spec with #, zero padding and grouping, or a precision without a type " + notSupportedMark)
	}
	digits, err := p.floatDigits(math.Abs(x))
	if err != nil {
		return "", err
	}
	intEnd := strings.IndexAny(digits, ".eE%")
	if intEnd < 0 {
		intEnd = len(digits)
	}
	digits = groupDigits(digits[:intEnd], p.grouping, 3) + digits[intEnd:]
	return p.pad(p.signOf(math.Signbit(x)), digits, '>'), nil
}

// floatDigits is |x| in the spec's presentation type.
func (p formatSpec) floatDigits(x float64) (string, error) {
	precision := p.precision
	if precision < 0 {
		precision = 6
	}
	switch p.kind {
	case 0:
		return pyFloat(x), nil
	case 'f', 'F', 'e', 'E':
		return nonFinite(x, p.kind, strconv.FormatFloat(x, lowerKind(p.kind), precision, 64)), nil
	case 'g', 'G':
		return nonFinite(x, p.kind, strconv.FormatFloat(x, lowerKind(p.kind), max(precision, 1), 64)), nil
	case '%':
		return nonFinite(x, 'f', strconv.FormatFloat(x*100, 'f', precision, 64)) + "%", nil
	}
	return "", fmt.Errorf("Unknown format code '%c' for object of type 'float'", p.kind)
}

func lowerKind(kind byte) byte { return kind | 0x20 }

// nonFinite is inf or nan as Python writes them (upper case for F, E and
// G), else digits (upper case for E and G).
func nonFinite(x float64, kind byte, digits string) string {
	upper := kind == 'F' || kind == 'E' || kind == 'G'
	switch {
	case math.IsInf(x, 0):
		digits = "inf"
	case math.IsNaN(x):
		digits = "nan"
	}
	if upper {
		return strings.ToUpper(digits)
	}
	return digits
}

// groupDigits puts sep between each size digits, from the right.
func groupDigits(digits string, sep byte, size int) string {
	if sep == 0 {
		return digits
	}
	var b strings.Builder
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%size == 0 {
			b.WriteByte(sep)
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

// pad fills to the spec's width: sign (and base prefix) and digits,
// aligned as the spec says (or defaultAlign); 0 before the width pads
// with zeros after the sign.
func (p formatSpec) pad(sign, digits string, defaultAlign byte) string {
	fill, align := p.fill, p.align
	if fill == "" {
		fill = " "
		if p.zero {
			fill = "0"
		}
	}
	if align == 0 {
		align = defaultAlign
		if p.zero && defaultAlign == '>' {
			align = '='
		}
	}
	missing := p.width - utf8.RuneCountInString(sign+digits)
	if missing <= 0 {
		return sign + digits
	}
	switch align {
	case '<':
		return sign + digits + repeatString(fill, missing)
	case '^':
		return repeatString(fill, missing/2) + sign + digits + repeatString(fill, missing-missing/2)
	case '=':
		return sign + repeatString(fill, missing) + digits
	}
	return repeatString(fill, missing) + sign + digits
}
