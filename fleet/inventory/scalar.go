package inventory

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/pyfmt"
)

// Ansible parses YAML with PyYAML, which follows YAML 1.1: "yes", "on" and
// "off" are booleans, "017" is octal, "1:30" is 90, "1e3" is a string and
// "2024-01-02" a date. These are PyYAML's implicit resolvers (resolver.py).
// They compile on first use (lazyre.New): the plain decimals most
// repositories hold take plainDecimal's path and never need them, and
// compiling the four cost ~3.8 M instructions at every start.
var (
	yamlFloat = lazyre.New(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?` +
		`|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?` +
		`|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*` +
		`|[-+]?\.(?:inf|Inf|INF)` +
		`|\.(?:nan|NaN|NAN))$`)
	yamlInt = lazyre.New(`^(?:[-+]?0b[0-1_]+` +
		`|[-+]?0[0-7_]+` +
		`|[-+]?(?:0|[1-9][0-9_]*)` +
		`|[-+]?0x[0-9a-fA-F_]+` +
		`|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yamlTimestamp = lazyre.New(`^([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)` +
		`(?:(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.([0-9]*))?` +
		`(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?)?$`)
	yamlTimestampImplicit = lazyre.New(`^(?:[0-9]{4}-[0-9][0-9]-[0-9][0-9]` +
		`|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?` +
		`(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)
)

// ResolvePlain gives an untagged, unquoted YAML scalar its YAML 1.1 value,
// as PyYAML's resolver and constructors do: nil, a bool, an int (a float64
// beyond int), a float64, or a string (a date or time as its isoformat()).
func ResolvePlain(s string) (any, error) { return resolvePlain(s) }

// resolvePlain gives an untagged, unquoted YAML scalar its YAML 1.1 value.
func resolvePlain(s string) (any, error) {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return nil, nil
	case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return true, nil
	case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
		return false, nil
	case "=":
		// PyYAML resolves "=" to tag:yaml.org,2002:value and has no
		// constructor for it.
		return nil, errors.New("could not determine a constructor for the tag 'tag:yaml.org,2002:value'")
	}
	return resolveNumberOrTime(s)
}

func resolveNumberOrTime(s string) (any, error) {
	switch c := s[0]; {
	case c == '.' || c == '-' || c == '+' || (c >= '0' && c <= '9'):
	default:
		return s, nil
	}
	switch plainDecimal(s) {
	case decimalInt:
		return constructInt(s)
	case decimalFloat:
		return constructFloat(s)
	}
	if strings.Count(s, ".") > 1 { // 127.0.0.1: each resolver allows one dot at most
		return s, nil
	}
	if yamlFloat().MatchString(s) {
		return constructFloat(s)
	}
	if yamlInt().MatchString(s) {
		return constructInt(s)
	}
	if yamlTimestampImplicit().MatchString(s) {
		return constructTimestamp(s)
	}
	return s, nil
}

// decimalKind is what plainDecimal recognises.
type decimalKind int

const (
	notDecimal   decimalKind = iota
	decimalInt               // [1-9][0-9]* or 0: yamlInt's third form, never yamlFloat
	decimalFloat             // [0-9]+.[0-9]+: yamlFloat's first form, never yamlInt
)

// plainDecimal recognises the numbers repositories hold most (8000, 0.9)
// without the resolvers' expressions; anything else (signs, _, octal,
// 1:30, 1e3, dates) is notDecimal and goes to them.
func plainDecimal(s string) decimalKind {
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	switch {
	case digits == 0:
		return notDecimal
	case digits == len(s) && (s[0] != '0' || len(s) == 1):
		return decimalInt
	}
	frac := s[digits:]
	if len(frac) > 1 && frac[0] == '.' && strings.Trim(frac[1:], "0123456789") == "" {
		return decimalFloat
	}
	return notDecimal
}

// constructInt follows PyYAML's construct_yaml_int.
func constructInt(s string) (any, error) {
	v := strings.ReplaceAll(s, "_", "")
	if v == "" {
		return nil, fmt.Errorf("invalid int %q", s)
	}
	neg := v[0] == '-'
	if v[0] == '-' || v[0] == '+' {
		v = v[1:]
	}
	switch {
	case v == "0":
		return 0, nil
	case strings.HasPrefix(v, "0b"):
		return parseIntBase(v[2:], 2, neg, s)
	case strings.HasPrefix(v, "0x"):
		return parseIntBase(v[2:], 16, neg, s)
	case strings.HasPrefix(v, "0"):
		return parseIntBase(v, 8, neg, s)
	case strings.Contains(v, ":"):
		return sexagesimalInt(v, neg, s)
	}
	return parseIntBase(v, 10, neg, s)
}

// parseIntBase parses digits; integers beyond int64 become float64 (Python
// would keep a big int; no inventory needs one). One that fits int64 is
// read without a big.Int (four allocations each, for every port and size
// of every host_vars file).
func parseIntBase(digits string, base int, neg bool, orig string) (any, error) {
	if n, err := strconv.ParseInt(digits, base, 64); err == nil && n != math.MinInt64 && strconv.IntSize == 64 {
		if neg {
			n = -n
		}
		return int(n), nil
	}
	b, ok := new(big.Int).SetString(digits, base)
	if !ok || digits == "" {
		return nil, fmt.Errorf("invalid int %q", orig)
	}
	if neg {
		b.Neg(b)
	}
	return bigToValue(b), nil
}

func bigToValue(b *big.Int) any {
	if b.IsInt64() && strconv.IntSize == 64 {
		return int(b.Int64())
	}
	f, _ := new(big.Float).SetInt(b).Float64()
	return f
}

func sexagesimalInt(v string, neg bool, orig string) (any, error) {
	total := new(big.Int)
	sixty := big.NewInt(60)
	for _, part := range strings.Split(v, ":") {
		d, ok := new(big.Int).SetString(part, 10)
		if !ok {
			return nil, fmt.Errorf("invalid int %q", orig)
		}
		total.Mul(total, sixty).Add(total, d)
	}
	if neg {
		total.Neg(total)
	}
	return bigToValue(total), nil
}

// constructFloat follows PyYAML's construct_yaml_float.
func constructFloat(s string) (any, error) {
	v := strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if v != "" && v[0] == '-' {
		sign = -1
	}
	if v != "" && (v[0] == '-' || v[0] == '+') {
		v = v[1:]
	}
	switch {
	case v == ".inf":
		return sign * math.Inf(1), nil
	case v == ".nan":
		return math.NaN(), nil
	case strings.Contains(v, ":"):
		return sexagesimalFloat(v, sign, s)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, fmt.Errorf("invalid float %q", s)
	}
	return sign * f, nil
}

func sexagesimalFloat(v string, sign float64, orig string) (any, error) {
	total := 0.0
	for _, part := range strings.Split(v, ":") {
		d, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid float %q", orig)
		}
		total = total*60 + d
	}
	return sign * total, nil
}

// constructTimestamp returns a date or datetime as the string Ansible's JSON
// encoder writes for it (Python's isoformat()).
func constructTimestamp(s string) (any, error) {
	m := yamlTimestamp().FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("invalid timestamp %q", s)
	}
	year, month, day := atoi(m[1]), atoi(m[2]), atoi(m[3])
	if !validDate(year, month, day) {
		return nil, fmt.Errorf("invalid date %q", s)
	}
	date := fmt.Sprintf("%04d-%02d-%02d", year, month, day)
	if m[4] == "" {
		return date, nil
	}
	return isoDateTime(date, m, s)
}

func isoDateTime(date string, m []string, orig string) (any, error) {
	hour, minute, second := atoi(m[4]), atoi(m[5]), atoi(m[6])
	if hour > 23 || minute > 59 || second > 59 {
		return nil, fmt.Errorf("invalid time %q", orig)
	}
	out := fmt.Sprintf("%sT%02d:%02d:%02d", date, hour, minute, second)
	if frac := m[7]; frac != "" {
		frac = (frac + "000000")[:6]
		if frac != "000000" {
			out += "." + frac
		}
	}
	tz, err := isoOffset(m[8], m[9], m[10], m[11], orig)
	return out + tz, err
}

func isoOffset(tz, sign, hours, minutes, orig string) (string, error) {
	switch {
	case sign != "":
		h, mi := atoi(hours), atoi(minutes)
		if h*60+mi >= 24*60 {
			return "", fmt.Errorf("invalid time zone offset %q", orig)
		}
		if h == 0 && mi == 0 {
			sign = "+"
		}
		return fmt.Sprintf("%s%02d:%02d", sign, h, mi), nil
	case tz == "Z":
		return "+00:00", nil
	}
	return "", nil
}

func validDate(year, month, day int) bool {
	if year < 1 || month < 1 || month > 12 || day < 1 {
		return false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return t.Day() == day
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// constructTagged gives a scalar with an explicit standard tag its value.
func constructTagged(tag, s string) (any, error) {
	switch tag {
	case "!!str":
		return s, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		return constructBool(s)
	case "!!int":
		if !yamlInt().MatchString(s) {
			return nil, fmt.Errorf("invalid int %q", s)
		}
		return constructInt(s)
	case "!!float":
		return constructTaggedFloat(s)
	case "!!timestamp":
		return constructTimestamp(s)
	}
	return nil, fmt.Errorf("could not determine a constructor for the tag %q", tag)
}

func constructBool(s string) (any, error) {
	switch strings.ToLower(s) {
	case "yes", "true", "on":
		return true, nil
	case "no", "false", "off":
		return false, nil
	}
	return nil, fmt.Errorf("invalid bool %q", s)
}

func constructTaggedFloat(s string) (any, error) {
	if yamlInt().MatchString(s) {
		v, err := constructInt(s)
		if i, ok := v.(int); ok {
			return float64(i), err
		}
		return v, err
	}
	return constructFloat(s)
}

// jsonNumber converts a JSON number the way Python's json module does: an
// int when it has no fraction or exponent, a float otherwise.
func jsonNumber(s string) (any, error) {
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("invalid number %q", s)
		}
		return f, nil
	}
	neg := strings.HasPrefix(s, "-")
	return parseIntBase(strings.TrimPrefix(s, "-"), 10, neg, s)
}

// pyFloatRepr formats a float as Python's repr() does ("1.0", "1e+16").
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return pyfmt.FiniteFloat(f)
}

// keyString turns a mapping key into the string ansible-inventory's JSON
// output shows for it (Python's json.dumps of a dict key).
func keyString(v any) string {
	switch k := v.(type) {
	case string:
		return k
	case nil:
		return "null"
	case bool:
		if k {
			return "true"
		}
		return "false"
	case int:
		return strconv.Itoa(k)
	case float64:
		return pyFloatRepr(k)
	}
	return fmt.Sprint(v)
}
