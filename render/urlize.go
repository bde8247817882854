package render

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// Jinja2's urlize filter (jinja2/filters.py do_urlize, jinja2/utils.py
// urlize, 3.1.2 and 3.1.6), with Jinja2's default policies, which Ansible
// keeps: urlize.rel "noopener", urlize.target and urlize.extra_schemes
// None.

// pyWordClass and pyNonSpaceClass are Python's Unicode \w and \S inside a
// character class, for Go's regexp (whose \w and \S are ASCII).
const (
	pyWordClass     = `\p{L}\p{N}_`
	pyNonSpaceClass = `[^\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}]`
)

// urlizer holds urlize's patterns, compiled on urlize's first use (they
// took 0.7 ms to compile, which every engine paid at start-up).
type urlizer struct {
	http, email, scheme, lead, trail, space func() *regexp.Regexp
	// skipsAtSign is 3.1.6's refusal of words starting with "@" as email
	// addresses (ansible-core 2.19's Jinja2).
	skipsAtSign func() bool
}

// newURLizer prepares utils.py's _http_re, _email_re, filters.py's
// _uri_scheme_re and urlize's punctuation patterns.
func newURLizer(dataTagging func() bool) *urlizer {
	w, d := pyWordClass, `\p{Nd}`
	http := `(?i)^((https?://|www\.)(([` + w + `%-]+\.)+)?([a-z]{2,63}|xn--[` + w + `%]{2,59})` +
		`|([` + w + `%-]{2,63}\.)+(com|net|int|edu|gov|org|info|mil)` +
		`|(https?://)((([` + d + `]{1,3})(\.[` + d + `]{1,3}){3})|(\[([` + d + `a-f]{0,4}:){2}([` + d + `a-f]{0,4}:?){1,6}\])))` +
		`(?::[` + d + `]{1,5})?(?:[/?#]` + pyNonSpaceClass + `*)?$`
	return &urlizer{
		http:        lazyre.New(http),
		email:       lazyre.New(`^` + pyNonSpaceClass + `+@[` + w + `][` + w + `.-]*\.[` + w + `]+$`),
		scheme:      lazyre.New(`^([` + w + `.+-]{2,}:(/){0,2})$`),
		lead:        lazyre.New(`^([(<]|&lt;)+`),
		trail:       lazyre.New(`([)>.,\n]|&gt;)+$`),
		space:       lazyre.New(`[\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}]+`),
		skipsAtSign: dataTagging,
	}
}

// urlizeOptions are do_urlize's arguments, the policies applied.
type urlizeOptions struct {
	trimLimit    any // nil: no trimming
	rel, target  string
	extraSchemes []string
}

// filter is do_urlize(value, trim_url_limit=None, nofollow=False,
// target=None, rel=None, extra_schemes=None).
func (u *urlizer) filter(in any, args []any) (any, error) {
	opts, err := u.options(args)
	if err != nil {
		return nil, err
	}
	return u.urlize(pyStr(in), opts)
}

// options applies do_urlize's policies: rel's words, "nofollow" when
// asked and "noopener", sorted; the extra schemes checked.
func (u *urlizer) options(args []any) (urlizeOptions, error) {
	parts := map[string]bool{"noopener": true}
	for _, word := range strings.FieldsFunc(pyStrOrEmpty(or(args[3], nil)), isPythonSpace) {
		parts[word] = true
	}
	if pyTruthy(or(args[1], false)) {
		parts["nofollow"] = true
	}
	rel := make([]string, 0, len(parts))
	for word := range parts {
		rel = append(rel, word)
	}
	sort.Strings(rel)
	opts := urlizeOptions{trimLimit: or(args[0], nil), rel: strings.Join(rel, " "), target: pyStrOrEmpty(or(args[2], nil))}
	if _, err := trimURL("", opts.trimLimit); err != nil {
		return opts, err
	}
	schemes, err := u.extraSchemes(or(args[4], nil))
	opts.extraSchemes = schemes
	return opts, err
}

// pyStrOrEmpty is str(x), "" for None (Jinja2 tests `rel or ""` and
// `if target`).
func pyStrOrEmpty(x any) string {
	if x == nil {
		return ""
	}
	return pyStr(x)
}

// extraSchemes checks each scheme against _uri_scheme_re (a string is
// iterated by character, as Python does).
func (u *urlizer) extraSchemes(x any) ([]string, error) {
	if x == nil {
		return nil, nil
	}
	items, err := pyIter(x)
	if err != nil {
		return nil, err
	}
	schemes := make([]string, len(items))
	for i, item := range items {
		schemes[i] = pyStr(item)
		if !u.scheme().MatchString(schemes[i]) {
			//lint:ignore ST1005 Jinja2's message, byte for byte
			return nil, fmt.Errorf("%s is not a valid URI scheme prefix.", pyRepr(item))
		}
	}
	return schemes, nil
}

// urlize is utils.urlize: the escaped text split on whitespace runs, each
// word's URL or email address, between its leading and trailing
// punctuation, made a link.
func (u *urlizer) urlize(text string, opts urlizeOptions) (any, error) {
	text = markupEscape(text)
	var b strings.Builder
	last := 0
	for _, gap := range u.space().FindAllStringIndex(text, -1) {
		word, err := u.linkWord(text[last:gap[0]], opts)
		if err != nil {
			return nil, err
		}
		b.WriteString(word + text[gap[0]:gap[1]])
		last = gap[1]
	}
	word, err := u.linkWord(text[last:], opts)
	return b.String() + word, err
}

// linkWord is urlize's loop body for one word.
func (u *urlizer) linkWord(word string, opts urlizeOptions) (string, error) {
	head, middle, tail := "", word, ""
	if m := u.lead().FindString(middle); m != "" {
		head, middle = m, middle[len(m):]
	}
	if loc := u.trail().FindStringIndex(middle); loc != nil {
		tail, middle = middle[loc[0]:], middle[:loc[0]]
	}
	middle, tail = balanced(middle, tail)
	linked, err := u.link(middle, opts)
	return head + linked + tail, err
}

// balanced moves closing parentheses and brackets (with what precedes
// them) from tail back into middle while middle has more opening ones.
func balanced(middle, tail string) (string, string) {
	for _, pair := range [][2]string{{"(", ")"}, {"<", ">"}, {"&lt;", "&gt;"}} {
		open := strings.Count(middle, pair[0])
		if open <= strings.Count(middle, pair[1]) {
			continue
		}
		for range min(open, strings.Count(tail, pair[1])) {
			end := strings.Index(tail, pair[1]) + len(pair[1])
			middle, tail = middle+tail[:end], tail[end:]
		}
	}
	return middle, tail
}

// link is middle made a link: a web address (https:// added when it has
// no scheme), a mailto: address, a bare email address, or an extra
// scheme's URL.
func (u *urlizer) link(middle string, opts urlizeOptions) (string, error) {
	attrs := ""
	if opts.rel != "" {
		attrs += ` rel="` + markupEscape(opts.rel) + `"`
	}
	if opts.target != "" {
		attrs += ` target="` + markupEscape(opts.target) + `"`
	}
	switch {
	case u.http().MatchString(middle):
		href := middle
		if !strings.HasPrefix(middle, "https://") && !strings.HasPrefix(middle, "http://") {
			href = "https://" + middle
		}
		shown, err := trimURL(middle, opts.trimLimit)
		return `<a href="` + href + `"` + attrs + `>` + shown + `</a>`, err
	case strings.HasPrefix(middle, "mailto:") && u.email().MatchString(middle[7:]):
		return `<a href="` + middle + `">` + middle[7:] + `</a>`, nil
	case u.bareEmail(middle):
		return `<a href="mailto:` + middle + `">` + middle + `</a>`, nil
	}
	for _, scheme := range opts.extraSchemes {
		if middle != scheme && strings.HasPrefix(middle, scheme) {
			middle = `<a href="` + middle + `"` + attrs + `>` + middle + `</a>`
		}
	}
	return middle, nil
}

// bareEmail is urlize's test for an email address without mailto:.
func (u *urlizer) bareEmail(middle string) bool {
	if u.skipsAtSign() && strings.HasPrefix(middle, "@") {
		return false
	}
	return strings.Contains(middle, "@") && !strings.HasPrefix(middle, "www.") && !strings.Contains(middle, ":") && u.email().MatchString(middle)
}

// trimURL is urlize's trim_url: x cut to limit code points (Python's
// slice) and "..." when longer.
func trimURL(x string, limit any) (string, error) {
	if limit == nil {
		return x, nil
	}
	n, err := intArgument(limit)
	if err != nil {
		return "", err
	}
	runes := []rune(x)
	if len(runes) <= n {
		return x, nil
	}
	if n < 0 {
		n = max(len(runes)+n, 0)
	}
	return string(runes[:n]) + "...", nil
}
