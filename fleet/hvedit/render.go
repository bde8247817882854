package hvedit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// quoting is how a string scalar is written.
type quoting int

const (
	plainQuoting quoting = iota
	doubleQuoting
	singleQuoting
)

// renderScalar writes a normalized scalar value as YAML text that both
// yaml.v3 and Ansible's YAML 1.1 loader read back as that same value.
// Strings use q when it can hold them, else double quotes.
func renderScalar(v any, q quoting) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(t)
	case float64:
		return renderFloat(t)
	case string:
		return renderString(t, q)
	}
	return fmt.Sprint(v) // integers
}

// renderFloat keeps a decimal point, which YAML 1.1 needs to read a float
// (0.9 stays 0.9; 1 becomes 1.0), and signs the exponent for the same reason.
func renderFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	if a := math.Abs(f); a != 0 && (a >= 1e16 || a < 1e-6) {
		mantissa, exponent, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
		return withPoint(mantissa) + "e" + exponent
	}
	return withPoint(strconv.FormatFloat(f, 'f', -1, 64))
}

func withPoint(number string) string {
	if strings.Contains(number, ".") {
		return number
	}
	return number + ".0"
}

func renderString(s string, q quoting) string {
	switch {
	case q == plainQuoting && isSafePlain(s):
		return s
	case q == singleQuoting && canSingleQuote(s):
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return doubleQuote(s)
}

// plainRE is deliberately narrow: text outside it is quoted. It leaves out
// every YAML indicator, ": " and " #", flow punctuation and leading or
// trailing spaces.
var plainRE = lazyre.New(`^[A-Za-z0-9_/][A-Za-z0-9_./@+~-]*(?: [A-Za-z0-9_./@+~-]+)*$`)

// yaml11SpecialRE lists plain words YAML 1.1 (Ansible's loader) reads as
// something other than a string although yaml.v3 may not.
var yaml11SpecialRE = lazyre.New(`^(?:[yYnN~]|[yY]es|YES|[nN]o|NO|[tT]rue|TRUE|[fF]alse|FALSE|[oO]n|ON|[oO]ff|OFF|[nN]ull|NULL|\.(?:inf|Inf|INF|nan|NaN|NAN))$`)

// isSafePlain reports a string that can be written unquoted and still read
// back as the same string by yaml.v3 and YAML 1.1 alike.
func isSafePlain(s string) bool {
	if !plainRE().MatchString(s) || yaml11SpecialRE().MatchString(s) {
		return false
	}
	return !startsLikeNumber(s)
}

// startsLikeNumber: text starting with a digit is plain only when it holds a
// letter that no YAML 1.1 number, date or base prefix uses ("7b-awq" is fine,
// "1e5", "0x1F", "2024-01-02", "1_000" and "12:30" are not).
func startsLikeNumber(s string) bool {
	if s[0] < '0' || s[0] > '9' {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsLetter(r) && !strings.ContainsRune("abcdefABCDEFxXoObBtTzZ", r)
	})
}

func canSingleQuote(s string) bool {
	for _, r := range s {
		if needsEscape(r) {
			return false
		}
	}
	return true
}

// needsEscape reports characters that must be escaped in a double-quoted
// scalar: controls, line and paragraph separators, the BOM, non-characters.
func needsEscape(r rune) bool {
	switch {
	case r == utf8.RuneError, r == 0xFEFF, r == 0x2028, r == 0x2029, r == 0x85:
		return true
	case r < 0x20, r >= 0x7F && r < 0xA0:
		return true
	}
	return !unicode.IsPrint(r) && r != ' '
}

func doubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		b.WriteString(escapeRune(r))
	}
	b.WriteByte('"')
	return b.String()
}

func escapeRune(r rune) string {
	named := map[rune]string{'"': `\"`, '\\': `\\`, '\n': `\n`, '\t': `\t`, '\r': `\r`, 0: `\0`}
	if e, ok := named[r]; ok {
		return e
	}
	if !needsEscape(r) {
		return string(r)
	}
	if r <= 0xFF {
		return fmt.Sprintf(`\x%02X`, r)
	}
	if r <= 0xFFFF {
		return fmt.Sprintf(`\u%04X`, r)
	}
	return fmt.Sprintf(`\U%08X`, r)
}

// renderFlowList writes a list of strings as "[a, b]".
func renderFlowList(list []any, q quoting) string {
	items := make([]string, len(list))
	for i, e := range list {
		items[i] = renderScalar(e, q)
	}
	return "[" + strings.Join(items, ", ") + "]"
}

// blockListLines writes a list of strings as "- a", "- b" lines.
func blockListLines(list []any, q quoting) []string {
	lines := make([]string, len(list))
	for i, e := range list {
		lines[i] = "- " + renderScalar(e, q)
	}
	return lines
}

// display is the one-line text shown for a value in descriptions and commit
// messages: YAML flow text for scalars and lists of scalars, a summary for
// anything bigger.
func display(v any) string {
	switch t := v.(type) {
	case nil, bool, string, float64, int, int64, uint64:
		return renderScalar(t, plainQuoting)
	case []any:
		if isScalarList(t) {
			return renderFlowList(t, plainQuoting)
		}
		return fmt.Sprintf("(a list of %d)", len(t))
	case map[string]any:
		return fmt.Sprintf("(a mapping of %d)", len(t))
	case map[any]any:
		return fmt.Sprintf("(a mapping of %d)", len(t))
	}
	return fmt.Sprintf("(a %T)", v)
}

func isScalarList(list []any) bool {
	for _, e := range list {
		switch e.(type) {
		case string, int, int64, uint64, float64, bool, nil:
		default:
			return false
		}
	}
	return true
}
