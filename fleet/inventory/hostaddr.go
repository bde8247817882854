package inventory

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// maxRangeHosts bounds what one host range like web[1:100000000] may expand
// to; Ansible would try and run out of memory.
const maxRangeHosts = 100000

// Address patterns from ansible/parsing/utils/addresses.py.
const (
	numericRange      = `\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`
	hexadecimalRange  = `\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`
	alphanumericRange = `\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`
	ipv6Component     = `(?:[0-9a-f]{1,4}|` + hexadecimalRange + `)`
	ipv4Component     = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|` + numericRange + `)`
	wordChar          = `[\p{L}\p{N}_]`
)

var (
	bracketedHostPort = lazyre.New(`^\[(.+)\]:([0-9]+)$`)
	hostPort          = lazyre.New(`^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$`)
	ipv4Address       = lazyre.New(`(?i)^(?:` + ipv4Component + `\.){3}` + ipv4Component + `$`)
	ipv6Address       = lazyre.New(`(?i)^(?:` + ipv6Alternatives(ipv6Component) + `)$`)
	hostnameLabel     = lazyre.New(`(?i)^(?:` + wordChar + `|` + alphanumericRange + `)(?:[\p{L}\p{N}_-]|` + alphanumericRange + `)*$`)
	patternWords      = lazyre.New(`(?:[^\s:\[\]]|\[[^\]]*\])+`)
)

func ipv6Alternatives(c string) string {
	return strings.Join([]string{
		`(?:` + c + `:){7}` + c,
		`(?:` + c + `:){1,6}:`,
		`(?:` + c + `:)(?::` + c + `){1,6}`,
		`(?:` + c + `:){2}(?::` + c + `){1,5}`,
		`(?:` + c + `:){3}(?::` + c + `){1,4}`,
		`(?:` + c + `:){4}(?::` + c + `){1,3}`,
		`(?:` + c + `:){5}(?::` + c + `){1,2}`,
		`(?:` + c + `:){6}(?::` + c + `)`,
		`:(?::` + c + `){1,6}`,
		c + `?::`,
		`(?:0:){6}(?:` + c + `\.){3}` + c,
		`::(?:ffff:)?(?:` + c + `\.){3}` + c,
		`(?:0:){5}ffff:(?:` + c + `\.){3}` + c,
	}, "|")
}

var errNotAddress = errors.New("not a valid network hostname")

// parseAddress is Ansible's parse_address: a host name or IP address with
// an optional :port, ranges allowed or not.
func parseAddress(address string, allowRanges bool) (host string, port int, err error) {
	if address, port, err = splitPort(address); err != nil {
		return "", 0, err
	}
	if !isIPv4(address) && !isHostname(address) && !ipv6Address().MatchString(address) {
		return "", 0, errNotAddress
	}
	if !allowRanges && strings.Contains(address, "[") {
		return "", 0, errNotAddress
	}
	return address, port, nil
}

// splitPort takes a :port off address. Both forms need a ':', so an
// address without one never compiles their expressions.
func splitPort(address string) (string, int, error) {
	if !strings.Contains(address, ":") {
		return address, 0, nil
	}
	port := 0
	for _, re := range []*regexp.Regexp{bracketedHostPort(), hostPort()} {
		if m := re.FindStringSubmatch(address); m != nil {
			p, err := strconv.Atoi(m[2])
			if err != nil {
				return "", 0, errNotAddress
			}
			address, port = m[1], p
		}
	}
	return address, port, nil
}

// isIPv4: the expression needs exactly three dots, so other names never
// compile it.
func isIPv4(s string) bool { return strings.Count(s, ".") == 3 && ipv4Address().MatchString(s) }

// isHostname checks each dot-separated label; a label may not end in '_'
// or '-' (Ansible's negative lookbehind, which Go's regexp lacks).
func isHostname(s string) bool {
	for _, label := range strings.Split(s, ".") {
		if !isHostnameLabel(label) || strings.HasSuffix(label, "_") || strings.HasSuffix(label, "-") {
			return false
		}
	}
	return true
}

// isHostnameLabel is hostnameLabel's match; a plain ASCII label (a word
// character, then word characters and '-') matches without compiling it.
func isHostnameLabel(label string) bool {
	if label != "" && label[0] != '-' && strings.Trim(label, asciiLabelChars) == "" {
		return true
	}
	return hostnameLabel().MatchString(label)
}

// asciiLabelChars are the ASCII characters hostnameLabel takes anywhere
// but first ('-' may not start a label).
const asciiLabelChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

// expandHostPattern is BaseInventoryPlugin._expand_hostpattern: the host
// names a pattern stands for and the port it names (0 for none).
func expandHostPattern(pattern string) ([]string, int, error) {
	name, port, err := parseAddress(pattern, true)
	if err != nil {
		name, port = pattern, 0
	}
	if !strings.Contains(name, "[") {
		return []string{name}, port, nil
	}
	budget := maxRangeHosts
	names, err := expandHostnameRange(name, &budget)
	return names, port, err
}

// expandHostnameRange expands the first [a:b(:step)] range, recursively.
func expandHostnameRange(line string, budget *int) ([]string, error) {
	head, nrange, tail, err := splitFirstRange(line)
	if err != nil {
		return nil, err
	}
	seq, width, err := rangeSequence(nrange)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, item := range seq {
		name := head + zfill(item, width) + tail
		if strings.Contains(name, "[") {
			more, err := expandHostnameRange(name, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
			continue
		}
		if *budget--; *budget < 0 {
			return nil, fmt.Errorf("host range %q expands to more than %d hosts", line, maxRangeHosts)
		}
		out = append(out, name)
	}
	return out, nil
}

// splitFirstRange mimics line.replace('[','|',1).replace(']','|',1).split('|').
func splitFirstRange(line string) (head, nrange, tail string, err error) {
	s := strings.Replace(line, "[", "|", 1)
	s = strings.Replace(s, "]", "|", 1)
	parts := strings.Split(s, "|")
	if len(parts) != 3 {
		return "", "", "", fmt.Errorf("invalid host range in %q", line)
	}
	return parts[0], parts[1], parts[2], nil
}

const asciiLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// rangeSequence lists the items of "beg:end[:step]" and the zero-padding
// width (0 for none).
func rangeSequence(nrange string) ([]string, int, error) {
	bounds := strings.Split(nrange, ":")
	if len(bounds) != 2 && len(bounds) != 3 {
		return nil, 0, errors.New("host range must be begin:end or begin:end:step")
	}
	beg, end, step := bounds[0], bounds[1], "1"
	if len(bounds) == 3 {
		step = bounds[2]
	}
	if beg == "" {
		beg = "0"
	}
	if end == "" {
		return nil, 0, errors.New("host range must specify end value")
	}
	width := 0
	if beg[0] == '0' && len(beg) > 1 {
		if width = len(beg); width != len(end) {
			return nil, 0, errors.New("host range must specify equal-length begin and end formats")
		}
	}
	if seq, ok, err := letterRange(beg, end, step); ok || err != nil {
		return seq, width, err
	}
	seq, err := numericSequence(beg, end, step)
	return seq, width, err
}

// letterRange is the string.ascii_letters branch; ok is false when Python
// would fall through to the numeric branch (a ValueError).
func letterRange(beg, end, step string) ([]string, bool, error) {
	ib, ie := strings.Index(asciiLetters, beg), strings.Index(asciiLetters, end)
	if ib < 0 || ie < 0 {
		return nil, false, nil
	}
	if ib > ie {
		return nil, true, errors.New("host range must have begin <= end")
	}
	st, ok := pyInt(step)
	if !ok || st == 0 {
		return nil, false, nil
	}
	var seq []string
	for i := ib; i <= ie && st > 0; i += st {
		seq = append(seq, asciiLetters[i:i+1])
	}
	return seq, true, nil
}

func numericSequence(beg, end, step string) ([]string, error) {
	b, ok1 := pyInt(beg)
	e, ok2 := pyInt(end)
	st, ok3 := pyInt(step)
	if !ok1 || !ok2 || !ok3 || st == 0 {
		return nil, fmt.Errorf("invalid host range [%s:%s:%s]", beg, end, step)
	}
	var seq []string
	// Python's range(beg, end+1, step).
	for i := b; (st > 0 && i < e+1) || (st < 0 && i > e+1); i += st {
		seq = append(seq, strconv.Itoa(i))
		if len(seq) > maxRangeHosts {
			return nil, fmt.Errorf("host range expands to more than %d hosts", maxRangeHosts)
		}
	}
	return seq, nil
}

// pyInt is Python's int(str) for the small values host ranges use.
func pyInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	if !isDigitPart(s) {
		return 0, false
	}
	b, ok := new(big.Int).SetString(strings.ReplaceAll(s, "_", ""), 10)
	if !ok || !b.IsInt64() || b.Int64() > 1<<40 {
		return 0, false
	}
	if neg {
		return -int(b.Int64()), true
	}
	return int(b.Int64()), true
}

// zfill is Python's str.zfill.
func zfill(s string, width int) string {
	if len(s) >= width {
		return s
	}
	sign := ""
	if s != "" && (s[0] == '-' || s[0] == '+') {
		sign, s = s[:1], s[1:]
	}
	return sign + strings.Repeat("0", width-len(sign)-len(s)) + s
}

// safeGroupName is to_safe_group_name with the transformation forced: every
// character that is not a word character, and a leading digit, become '_'.
func safeGroupName(name string) string {
	var b strings.Builder
	for i, r := range []rune(name) {
		if !isWordRune(r) || (i == 0 && unicode.IsDigit(r)) {
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// splitHostPattern is Ansible's split_host_pattern: commas separate
// patterns; without commas, a single address stays whole and anything else
// is split on ':' (outside brackets).
func splitHostPattern(pattern string) []string {
	var parts []string
	switch {
	case strings.Contains(pattern, ","):
		parts = strings.Split(pattern, ",")
	default:
		if _, _, err := parseAddress(pattern, true); err == nil {
			parts = []string{pattern}
		} else {
			parts = patternWords().FindAllString(pattern, -1)
		}
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
