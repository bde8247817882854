package render

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// addURLFilters adds Ansible's urldecode (urls.py), urlsplit
// (urlsplit.py) and to_uuid (core.py).
func addURLFilters(filters map[string]filter) {
	filters["urldecode"] = filter{fn: filterURLDecode}
	filters["urlsplit"] = filter{params: []string{"query"}, fn: filterURLSplit}
	filters["to_uuid"] = filter{params: []string{"namespace"}, fn: filterToUUID}
}

// filterURLDecode is urllib.parse.unquote_plus: + is a space, %xx escapes
// are bytes read as UTF-8 (invalid ones replaced); not a str fails.
func filterURLDecode(in any, _ []any) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("'%s' object has no attribute 'replace'", typeName(in))
	}
	return pyUnquote(strings.ReplaceAll(s, "+", " ")), nil
}

// pyUnquote is urllib.parse.unquote: each run of ASCII characters has its
// %xx escapes (two hex digits, else kept) decoded as UTF-8 with
// errors='replace'; other characters are kept as they are.
func pyUnquote(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		n := asciiRun(s)
		if n == 0 {
			_, size := utf8.DecodeRuneInString(s)
			b.WriteString(s[:size])
			s = s[size:]
			continue
		}
		b.WriteString(decodeUTF8Replace(unquoteBytes(s[:n])))
		s = s[n:]
	}
	return b.String()
}

// asciiRun is the length of s's leading run of ASCII bytes.
func asciiRun(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return i
		}
	}
	return len(s)
}

// unquoteBytes is urllib.parse.unquote_to_bytes on ASCII text.
func unquoteBytes(s string) []byte {
	parts := strings.Split(s, "%")
	out := []byte(parts[0])
	for _, part := range parts[1:] {
		if len(part) >= 2 {
			if v, err := hex.DecodeString(part[:2]); err == nil {
				out = append(append(out, v...), part[2:]...)
				continue
			}
		}
		out = append(append(out, '%'), part...)
	}
	return out
}

// decodeUTF8Replace is Python's bytes.decode('utf-8', 'replace'): each
// maximal invalid subpart (a lone bad byte, or a sequence cut short) is
// one U+FFFD.
func decodeUTF8Replace(b []byte) string {
	var out strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			size = invalidSubpart(b)
		}
		out.WriteRune(r)
		b = b[size:]
	}
	return out.String()
}

// invalidSubpart is the length of the invalid sequence at b's start: its
// lead byte and the continuation bytes that could still follow it.
func invalidSubpart(b []byte) int {
	lo, hi, length := utf8Second(b[0])
	n := 1
	for n < length && n < len(b) && b[n] >= lo && b[n] <= hi {
		n++
		lo, hi = 0x80, 0xBF
	}
	return n
}

// utf8Second is the range of the byte after lead, and the sequence's
// length (1 for a byte no sequence starts with).
func utf8Second(lead byte) (lo, hi byte, length int) {
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		return 0x80, 0xBF, 2
	case lead == 0xE0:
		return 0xA0, 0xBF, 3
	case lead == 0xED:
		return 0x80, 0x9F, 3
	case lead >= 0xE1 && lead <= 0xEF:
		return 0x80, 0xBF, 3
	case lead == 0xF0:
		return 0x90, 0xBF, 4
	case lead >= 0xF1 && lead <= 0xF3:
		return 0x80, 0xBF, 4
	case lead == 0xF4:
		return 0x80, 0x8F, 4
	}
	return 0, 0, 1
}

// urlParts is a urllib.parse.SplitResult.
type urlParts struct {
	scheme, netloc, path, query, fragment string
}

// schemeChars are urllib.parse's scheme_chars.
const schemeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."

// pyURLSplit is urllib.parse.urlsplit (Python 3.11): leading C0 controls
// and spaces stripped, tabs and newlines removed, then scheme, netloc,
// path, query and fragment; a bad IPv6 netloc fails.
func pyURLSplit(url string) (urlParts, error) {
	url = strings.TrimLeft(url, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	url = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(url)
	var u urlParts
	if i := strings.Index(url, ":"); i > 0 && isASCIILetter(url[0]) && strings.Trim(url[:i], schemeChars) == "" {
		u.scheme, url = strings.ToLower(url[:i]), url[i+1:]
	}
	if strings.HasPrefix(url, "//") {
		end := len(url)
		if i := strings.IndexAny(url[2:], "/?#"); i >= 0 {
			end = 2 + i
		}
		u.netloc, url = url[2:end], url[end:]
		if err := checkBrackets(u.netloc); err != nil {
			return u, err
		}
	}
	url, u.fragment, _ = strings.Cut(url, "#")
	u.path, u.query, _ = strings.Cut(url, "?")
	return u, checkNetloc(u.netloc)
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

//lint:ignore ST1005 Python's message, byte for byte
var errInvalidIPv6 = errors.New("Invalid IPv6 URL")

// checkBrackets is urlsplit's IPv6 check: brackets paired, nothing
// before the [ or between the ] and the port's colon, and an IPv6
// address (or IPvFuture) inside.
func checkBrackets(netloc string) error {
	open, closed := strings.Contains(netloc, "["), strings.Contains(netloc, "]")
	if open != closed {
		return errInvalidIPv6
	}
	if !open {
		return nil
	}
	hostPort := netloc[strings.LastIndex(netloc, "@")+1:]
	before, bracketed, found := strings.Cut(hostPort, "[")
	host, port, _ := strings.Cut(bracketed, "]")
	if !found {
		host, _, _ = strings.Cut(hostPort, ":")
	} else if before != "" || port != "" && !strings.HasPrefix(port, ":") {
		return errInvalidIPv6
	}
	return checkBracketedHost(host)
}

var ipvFuture = lazyre.New(`\Av[a-fA-F0-9]+\.(?s:.+)\z`)

// checkBracketedHost is urllib.parse._check_bracketed_host.
func checkBracketedHost(host string) error {
	if strings.HasPrefix(host, "v") {
		if !ipvFuture().MatchString(host) {
			return errors.New("IPvFuture address is invalid")
		}
		return nil
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("'%s' does not appear to be an IPv4 or IPv6 address", host)
	}
	if addr.Is4() {
		//lint:ignore ST1005 Python's message, byte for byte
		return errors.New("An IPv4 address cannot be in brackets")
	}
	return nil
}

// checkNetloc is urllib.parse._checknetloc: a netloc whose NFKC form
// brings in a URL delimiter fails.
func checkNetloc(netloc string) error {
	if asciiRun(netloc) == len(netloc) {
		return nil
	}
	n := strings.NewReplacer("@", "", ":", "", "#", "", "?", "").Replace(netloc)
	if normalized := norm.NFKC.String(n); normalized != n && strings.ContainsAny(normalized, "/?#@:") {
		return fmt.Errorf("netloc '%s' contains invalid characters under NFKC normalization", netloc)
	}
	return nil
}

// hostInfo is SplitResult._hostinfo: hostname and port ("" for none).
func (u urlParts) hostInfo() (host, port string) {
	hostPort := u.netloc[strings.LastIndex(u.netloc, "@")+1:]
	if _, bracketed, found := strings.Cut(hostPort, "["); found {
		host, rest, _ := strings.Cut(bracketed, "]")
		_, port, _ = strings.Cut(rest, ":")
		return host, port
	}
	host, port, _ = strings.Cut(hostPort, ":")
	return host, port
}

// userInfo is SplitResult's username and password (nil when absent).
func (u urlParts) userInfo() (username, password any) {
	i := strings.LastIndex(u.netloc, "@")
	if i < 0 {
		return nil, nil
	}
	name, pass, hasPassword := strings.Cut(u.netloc[:i], ":")
	if !hasPassword {
		return name, nil
	}
	return name, pass
}

// hostname is SplitResult.hostname: lowered but for an IPv6 zone.
func (u urlParts) hostname() any {
	host, _ := u.hostInfo()
	if host == "" {
		return nil
	}
	name, zone, hasZone := strings.Cut(host, "%")
	if hasZone {
		return strings.ToLower(name) + "%" + zone
	}
	return strings.ToLower(name)
}

// port is SplitResult.port: an int, None, or an error for one that is not
// ASCII digits or is past 65535.
func (u urlParts) port() (any, error) {
	_, port := u.hostInfo()
	if port == "" {
		return nil, nil
	}
	if strings.Trim(port, "0123456789") != "" {
		//lint:ignore ST1005 Python's message, byte for byte
		return nil, fmt.Errorf("Port could not be cast to integer value as %s", pyRepr(port))
	}
	n, err := strconv.Atoi(port)
	if err != nil || n > 65535 {
		//lint:ignore ST1005 Python's message, byte for byte
		return nil, errors.New("Port out of range 0-65535")
	}
	return n, nil
}

// dict is Ansible's object_to_dict of the SplitResult: its public
// attributes in dir()'s (sorted) order.
func (u urlParts) dict() (pyDict, error) {
	port, err := u.port()
	if err != nil {
		return nil, err
	}
	username, password := u.userInfo()
	d := newDict(9)
	for _, field := range []struct {
		key   string
		value any
	}{{"fragment", u.fragment}, {"hostname", u.hostname()}, {"netloc", u.netloc}, {"password", password},
		{"path", u.path}, {"port", port}, {"query", u.query}, {"scheme", u.scheme}, {"username", username}} {
		d.set(field.key, field.value)
	}
	return d, nil
}

// filterURLSplit is Ansible's urlsplit: the dict of the URL's parts, or
// the one named by query.
func filterURLSplit(in any, args []any) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("urlsplit expects a string, got %s", typeName(in))
	}
	u, err := pyURLSplit(s)
	if err != nil {
		return nil, err
	}
	d, err := u.dict()
	if err != nil {
		return nil, err
	}
	query := or(args[0], "")
	if !pyTruthy(query) {
		return d, nil
	}
	value, found := d.get(pyStr(query))
	if !found {
		return nil, fmt.Errorf("urlsplit: unknown URL component: %s", pyStr(query))
	}
	return value, nil
}

// ansibleUUIDNamespace is core.py's UUID_NAMESPACE_ANSIBLE.
const ansibleUUIDNamespace = "361E6D51-FAEC-444A-9079-341386DA8E2E"

// filterToUUID is Ansible's to_uuid: uuid.uuid5(namespace, str(value)).
func filterToUUID(in any, args []any) (any, error) {
	namespace := or(args[0], ansibleUUIDNamespace)
	ns, err := parseUUID(namespace)
	if err != nil {
		//lint:ignore ST1005 Python's message, byte for byte
		return nil, fmt.Errorf("Invalid value '%s' for 'namespace': %v", pyStr(namespace), err)
	}
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte(pyStr(in)))
	sum := h.Sum(nil)[:16]
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	return formatUUID(sum), nil
}

// parseUUID is uuid.UUID(hex): urn:, uuid:, braces and hyphens dropped,
// then 32 hex digits.
func parseUUID(x any) ([]byte, error) {
	s, ok := x.(string)
	if !ok {
		return nil, fmt.Errorf("'%s' object has no attribute 'replace'", typeName(x))
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "urn:", ""), "uuid:", "")
	s = strings.ReplaceAll(strings.Trim(s, "{}"), "-", "")
	b, err := hex.DecodeString(s)
	if len(s) != 32 || err != nil {
		return nil, errors.New("badly formed hexadecimal UUID string")
	}
	return b, nil
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
