//lint:file-ignore ST1005 the version test's messages are core.py's, byte for byte

package render

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// The version test (`x is version('2.9', '>=')`, old name version_compare)
// is Ansible's version_compare: lib/ansible/plugins/test/core.py:192-245 at
// ansible-core 2.19.14 (core.py:158-211 at 2.14.18, the same code). It
// compares to_text of both sides as the version class version_type names;
// every message below is core.py's, the same in both cores.

// versionOperators is core.py's op_map, in its order (the order its
// message lists them).
var versionOperators = []struct{ name, op string }{
	{"==", "eq"}, {"=", "eq"}, {"eq", "eq"}, {"<", "lt"}, {"lt", "lt"}, {"<=", "le"}, {"le", "le"},
	{">", "gt"}, {"gt", "gt"}, {">=", "ge"}, {"ge", "ge"}, {"!=", "ne"}, {"<>", "ne"}, {"ne", "ne"},
}

// versionTypes is core.py's type_map, in its order.
var versionTypes = []string{"loose", "strict", "semver", "semantic", "pep440"}

// versionOrder compares two version strings as one version class does:
// -1, 0 or 1, or the error the class raises.
type versionOrder func(a, b string) (int, error)

func versionTest() test {
	return test{params: []string{"version", "operator", "strict", "version_type"}, fn: versionCompare}
}

// versionCompare checks in core.py's order: strict with version_type, the
// empty values, the version type, the operator, then the comparison.
func versionCompare(in any, args []any) (bool, error) {
	version, operator, strict, versionType := or(args[0], nil), or(args[1], "eq"), or(args[2], nil), or(args[3], nil)
	if err := checkVersionArgs(in, version, strict, versionType); err != nil {
		return false, err
	}
	order, err := versionClass(strict, versionType)
	if err != nil {
		return false, err
	}
	op, err := versionOperator(operator)
	if err != nil {
		return false, err
	}
	c, err := order(pyStr(in), pyStr(version))
	if err != nil {
		return false, fmt.Errorf("Version comparison failed: %s", err)
	}
	return map[string]bool{"eq": c == 0, "ne": c != 0, "lt": c < 0, "le": c <= 0, "gt": c > 0, "ge": c >= 0}[op], nil
}

func checkVersionArgs(value, version, strict, versionType any) error {
	switch {
	case strict != nil && versionType != nil:
		return fmt.Errorf("Cannot specify both 'strict' and 'version_type'")
	case !pyTruthy(value):
		return fmt.Errorf("Input version value cannot be empty")
	case !pyTruthy(version):
		return fmt.Errorf("Version parameter to compare against cannot be empty")
	}
	return nil
}

func versionClass(strict, versionType any) (versionOrder, error) {
	if pyTruthy(strict) {
		return strictVersionOrder, nil
	}
	if !pyTruthy(versionType) {
		return looseVersionOrder, nil
	}
	name, _ := versionType.(string)
	switch name {
	case "loose":
		return looseVersionOrder, nil
	case "strict":
		return strictVersionOrder, nil
	case "semver", "semantic":
		return semanticVersionOrder, nil
	case "pep440":
		return pep440VersionOrder, nil
	}
	return nil, fmt.Errorf("Invalid version type (%s). Must be one of %s", pyStr(versionType), quotedList(versionTypes))
}

func versionOperator(operator any) (string, error) {
	names := make([]string, len(versionOperators))
	for i, o := range versionOperators {
		if s, ok := operator.(string); ok && s == o.name {
			return o.op, nil
		}
		names[i] = o.name
	}
	return "", fmt.Errorf("Invalid operator type (%s). Must be one of %s", pyStr(operator), quotedList(names))
}

// quotedList is ', '.join(map(repr, names)).
func quotedList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = pyQuote(n)
	}
	return strings.Join(quoted, ", ")
}

// LooseVersion: lib/ansible/module_utils/compat/version.py:271-340 at
// 2.19.14. component_re `(\d+ | [a-z]+ | \.)` splits the string into
// numbers, runs of lowercase letters and what lies between (kept as
// strings: "-", "RC", "+"); dots are dropped. The lists compare as Python
// lists: a number meeting a string where they first differ raises
// "'<' not supported between instances of 'int' and 'str'", whatever the
// operator (_cmp always asks `<` of unequal lists).

// looseComponent is one item of LooseVersion.version.
type looseComponent struct {
	text   string
	number bool // digits, read by int(): compared by value
}

func looseVersionOrder(a, b string) (int, error) {
	ca, errA := looseComponents(a)
	cb, errB := looseComponents(b)
	if errA != nil {
		return 0, errA
	}
	if errB != nil {
		return 0, errB
	}
	return compareLooseLists(ca, cb)
}

func looseComponents(s string) ([]looseComponent, error) {
	if err := checkASCIIDigits(s); err != nil {
		return nil, err
	}
	var out []looseComponent
	for len(s) > 0 {
		n := looseRunLength(s)
		if s[:n] != "." {
			out = append(out, looseComponent{text: s[:n], number: isASCIIDigit(rune(s[0]))})
		}
		s = s[n:]
	}
	return out, nil
}

// looseRunLength is the length of s's first component: a run of digits,
// of lowercase letters, one dot, or a run of anything else.
func looseRunLength(s string) int {
	kind := looseKind(rune(s[0]))
	if kind == '.' {
		return 1
	}
	for i, r := range s {
		if looseKind(r) != kind {
			return i
		}
	}
	return len(s)
}

func looseKind(r rune) rune {
	switch {
	case isASCIIDigit(r):
		return '0'
	case r >= 'a' && r <= 'z':
		return 'a'
	case r == '.':
		return '.'
	}
	return '-'
}

func compareLooseLists(a, b []looseComponent) (int, error) {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] || (a[i].number && b[i].number && compareDigits(a[i].text, b[i].text) == 0) {
			continue
		}
		if a[i].number != b[i].number {
			return 0, fmt.Errorf("'<' not supported between instances of '%s' and '%s'", looseType(a[i]), looseType(b[i]))
		}
		if a[i].number {
			return compareDigits(a[i].text, b[i].text), nil
		}
		return strings.Compare(a[i].text, b[i].text), nil
	}
	return compareOrdered(float64(len(a)), float64(len(b))), nil
}

func looseType(c looseComponent) string {
	if c.number {
		return "int"
	}
	return "str"
}

// checkASCIIDigits refuses digits other than 0-9: Python's \d and int()
// read every Unicode decimal digit, which straylight does not.
func checkASCIIDigits(s string) error {
	for _, r := range s {
		if unicode.IsDigit(r) && !isASCIIDigit(r) {
			return fmt.Errorf("version '%s': straylight does not compare non-ASCII digits", s)
		}
	}
	return nil
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// compareDigits orders two runs of ASCII digits by their value (Python's
// ints have no size limit, so neither has this).
func compareDigits(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return compareOrdered(float64(len(a)), float64(len(b)))
	}
	return strings.Compare(a, b)
}

// StrictVersion: compat/version.py:136-202 at 2.19.14. version_re
// `^(\d+) \. (\d+) (\. (\d+))? ([ab](\d+))?$` (ASCII; Python's $ also
// matches before a final newline); a missing patch is 0; a pre-release
// sorts before the release, 'a' before 'b'.
var strictVersionRe = lazyre.New(`^(\d+)\.(\d+)(?:\.(\d+))?(?:([ab])(\d+))?\n?$`)

func strictVersionOrder(a, b string) (int, error) {
	ma, mb := strictVersionRe().FindStringSubmatch(a), strictVersionRe().FindStringSubmatch(b)
	if ma == nil {
		return 0, fmt.Errorf("invalid version number '%s'", a)
	}
	if mb == nil {
		return 0, fmt.Errorf("invalid version number '%s'", b)
	}
	for i := 1; i <= 3; i++ {
		if c := compareDigits(or0(ma[i]), or0(mb[i])); c != 0 {
			return c, nil
		}
	}
	return comparePrerelease(ma[4:], mb[4:]), nil
}

func or0(digits string) string {
	if digits == "" {
		return "0"
	}
	return digits
}

// comparePrerelease orders StrictVersion's (letter, number) tags, none
// after any.
func comparePrerelease(a, b []string) int {
	switch {
	case a[0] == "" || b[0] == "":
		return compareOrdered(float64(len(b[0])), float64(len(a[0])))
	case a[0] != b[0]:
		return strings.Compare(a[0], b[0])
	}
	return compareDigits(a[1], b[1])
}

// SemanticVersion: lib/ansible/utils/version.py:13-35 (SEMVER_RE, with
// Python's $) and 218-248 (_cmp) at 2.19.14: major.minor.patch compared as
// numbers; a pre-release before the release; pre-release identifiers
// compared one by one, numbers (_Numeric) before words (_Alpha, compared
// as strings), a shorter list first; build metadata ignored.
var semverRe = lazyre.New(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\n?$`)

func semanticVersionOrder(a, b string) (int, error) {
	ma, err := semverMatch(a)
	if err != nil {
		return 0, err
	}
	mb, err := semverMatch(b)
	if err != nil {
		return 0, err
	}
	for i := 1; i <= 3; i++ {
		if c := compareDigits(ma[i], mb[i]); c != 0 {
			return c, nil
		}
	}
	return compareSemverPrerelease(ma[4], mb[4]), nil
}

func semverMatch(s string) ([]string, error) {
	if err := checkASCIIDigits(s); err != nil {
		return nil, err
	}
	m := semverRe().FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("invalid semantic version '%s'", s)
	}
	return m, nil
}

func compareSemverPrerelease(a, b string) int {
	if a == "" || b == "" {
		return compareOrdered(float64(len(b)), float64(len(a)))
	}
	ia, ib := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(ia) && i < len(ib); i++ {
		if c := compareSemverIdentifier(ia[i], ib[i]); c != 0 {
			return c
		}
	}
	return compareOrdered(float64(len(ia)), float64(len(ib)))
}

// compareSemverIdentifier: _Numeric (str.isdigit) before _Alpha.
func compareSemverIdentifier(a, b string) int {
	na, nb := allDigits(a), allDigits(b)
	switch {
	case na && nb:
		return compareDigits(a, b)
	case na != nb:
		return map[bool]int{true: -1, false: 1}[na]
	}
	return strings.Compare(a, b)
}

func allDigits(s string) bool {
	return strings.TrimLeft(s, "0123456789") == ""
}

// pep440 is packaging.version.Version: packaging 23.0 under Debian's 2.14
// (src/packaging/version.py at e3f21826, tag 23.0), 26.4 in the 2.19 venv
// (read at 929fd4b1, tag 26.3, whose parsing and _cmpkey 26.4 keeps). The
// two read and order the same strings but for the letters noted at
// pep440Invalid.
//
// pep440Re is VERSION_PATTERN (version.py:113-142 at 23.0, 192-226 at
// 26.3) anchored, the old pattern's greedy quantifiers in place of 26's
// possessive ones (26.3:228-239 picks the old one where Python lacks
// them; they match the same strings). It is compiled case-insensitive
// (version.py:181 at 23.0, 396 at 26.3) and run on an ASCII string whose
// Python whitespace (\s) is trimmed: Go's (?i) would fold ſ and K to s
// and k as 23.0 does and 26 does not.
var pep440Re = lazyre.New(`(?i)^v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)` +
	`(?:[._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?([0-9]+)?)?` +
	`(?:-([0-9]+)|[._-]?(post|rev|r)[._-]?([0-9]+)?)?` +
	`(?:[._-]?(dev)[._-]?([0-9]+)?)?` +
	`(?:\+([a-z0-9]+(?:[._-][a-z0-9]+)*))?$`)

// pep440Re's groups, VERSION_PATTERN's names in comments.
const (
	pep440Epoch        = 1 + iota // epoch
	pep440Release                 // release
	pep440PreLetter               // pre_l
	pep440PreNumber               // pre_n
	pep440PostImplicit            // post_n1: 1.0-1
	pep440PostLetter              // post_l
	pep440PostNumber              // post_n2
	pep440DevLetter               // dev_l
	pep440DevNumber               // dev_n
	pep440Local                   // local
)

// pep440Version is _cmpkey's key (version.py:503-563 at 23.0,
// 1178-1252 at 26.3) with its numbers kept as digit strings, of any
// length: the epoch, the release without its trailing zeros, the suffix,
// and the local version's segments (none sorts before any).
type pep440Version struct {
	epoch   string
	release []string
	suffix  [6]string
	local   []pep440LocalSegment
}

// pep440LocalSegment is one segment of a local version, as
// _parse_local_version reads it (version.py:491-500 at 23.0, 1152-1162
// at 26.3): digits are a number, anything else a lowercased string.
type pep440LocalSegment struct {
	text   string
	number bool
}

func pep440VersionOrder(a, b string) (int, error) {
	va, err := pep440Parse(a)
	if err != nil {
		return 0, err
	}
	vb, err := pep440Parse(b)
	if err != nil {
		return 0, err
	}
	return comparePEP440(va, vb), nil
}

func comparePEP440(a, b pep440Version) int {
	if c := compareDigits(a.epoch, b.epoch); c != 0 {
		return c
	}
	if c := compareDigitLists(a.release, b.release); c != 0 {
		return c
	}
	if c := compareDigitLists(a.suffix[:], b.suffix[:]); c != 0 {
		return c
	}
	return comparePEP440Local(a.local, b.local)
}

func pep440Parse(s string) (pep440Version, error) {
	trimmed := strings.TrimFunc(s, isPythonSpace)
	m := pep440Re().FindStringSubmatch(trimmed)
	if m == nil || !isASCII(trimmed) {
		return pep440Version{}, pep440Invalid(s, trimmed)
	}
	release, local := strings.Split(m[pep440Release], "."), pep440LocalSegments(m[pep440Local])
	if err := checkPythonIntDigits(pep440Numbers(m, release, local)); err != nil {
		return pep440Version{}, err
	}
	return pep440Version{epoch: or0(m[pep440Epoch]), release: trimTrailingZeros(release), suffix: pep440Suffix(m), local: local}, nil
}

// pep440Invalid is InvalidVersion's message (26's, the string's repr;
// 23.0 puts it in single quotes whatever it holds), or straylight's
// refusal where the two packagings differ: 23.0's pattern is not ASCII
// only, so under IGNORECASE it matches İ and ı where it asks for i, ſ
// for s and K (the Kelvin sign) for k, and keeps them (1.0.poſt1 has the
// post-release letter poſt, unequal to 1.0.post1); 26 refuses them.
func pep440Invalid(s, trimmed string) error {
	folded := strings.NewReplacer("İ", "i", "ı", "i", "ſ", "s", "\u212a", "k").Replace(trimmed)
	if folded != trimmed && isASCII(folded) && pep440Re().MatchString(folded) {
		return fmt.Errorf("pep440 version %s: packaging 23.0 reads its letters İ, ı, ſ or K where it asks for i, s or k, packaging 26 refuses them; straylight refuses them", pyQuote(s))
	}
	return fmt.Errorf("Invalid version: %s", pyQuote(s))
}

// pep440Suffix is _cmpkey's suffix (pre rank, pre number, post rank, post
// number, dev rank, dev number), the ranks shifted by one to stay digit
// strings: pre-release dev-only 0, a 1, b 2, rc 3, none 4; no post 0,
// post 1; dev 0, no dev 1. A missing number is 0 (_parse_letter_version,
// version.py:452-485 at 23.0, 1125-1146 at 26.3).
func pep440Suffix(m []string) [6]string {
	postNumber := m[pep440PostImplicit] + m[pep440PostNumber]
	hasPost, hasDev := postNumber != "" || m[pep440PostLetter] != "", m[pep440DevLetter] != ""
	preRank := pep440PreRank(m[pep440PreLetter], hasPost, hasDev)
	return [6]string{preRank, or0(m[pep440PreNumber]), strconv.Itoa(boolToInt(hasPost)), or0(postNumber), strconv.Itoa(boolToInt(!hasDev)), or0(m[pep440DevNumber])}
}

// pep440PreRank ranks the pre-release letter with its alternative
// spellings (alpha, beta, c, pre, preview); a version with a dev release
// only sorts before every pre-release, one without a pre-release after.
func pep440PreRank(letter string, hasPost, hasDev bool) string {
	switch strings.ToLower(letter) {
	case "a", "alpha":
		return "1"
	case "b", "beta":
		return "2"
	case "c", "pre", "preview", "rc":
		return "3"
	}
	if hasDev && !hasPost {
		return "0"
	}
	return "4"
}

func trimTrailingZeros(release []string) []string {
	for len(release) > 0 && compareDigits(release[len(release)-1], "0") == 0 {
		release = release[:len(release)-1]
	}
	return release
}

// pep440LocalSegments splits a local version at its separators (., _, -).
func pep440LocalSegments(local string) []pep440LocalSegment {
	var segments []pep440LocalSegment
	for _, part := range strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' }) {
		segments = append(segments, pep440LocalSegment{text: strings.ToLower(part), number: allDigits(part)})
	}
	return segments
}

// comparePEP440Local orders local versions as _cmpkey's tuples of
// (number, "") and (-1, string) do: a number after a string, numbers by
// value, strings as Python's; a version without one (no segments) first.
func comparePEP440Local(a, b []pep440LocalSegment) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareLocalSegment(a[i], b[i]); c != 0 {
			return c
		}
	}
	return compareOrdered(float64(len(a)), float64(len(b)))
}

func compareLocalSegment(a, b pep440LocalSegment) int {
	switch {
	case a.number && b.number:
		return compareDigits(a.text, b.text)
	case a.number != b.number:
		return map[bool]int{true: 1, false: -1}[a.number]
	}
	return strings.Compare(a.text, b.text)
}

// pep440Numbers are the digit strings Version.__init__ passes to int(),
// in its order: epoch, release, pre, post, dev numbers, then the local
// segments that are numbers.
func pep440Numbers(m, release []string, local []pep440LocalSegment) []string {
	numbers := append([]string{m[pep440Epoch]}, release...)
	numbers = append(numbers, m[pep440PreNumber], m[pep440PostImplicit]+m[pep440PostNumber], m[pep440DevNumber])
	for _, segment := range local {
		if segment.number {
			numbers = append(numbers, segment.text)
		}
	}
	return numbers
}

// pythonIntMaxStrDigits is Python's default limit on the digits int()
// reads (sys.int_info.default_max_str_digits, since 3.11, the Python of
// both cores here); past it int() raises ValueError, which core.py
// reports as the comparison's failure.
const pythonIntMaxStrDigits = 4300

func checkPythonIntDigits(numbers []string) error {
	for _, n := range numbers {
		if len(n) > pythonIntMaxStrDigits {
			return fmt.Errorf("Exceeds the limit (%d digits) for integer string conversion: value has %d digits; use sys.set_int_max_str_digits() to increase the limit", pythonIntMaxStrDigits, len(n))
		}
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func compareDigitLists(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareDigits(a[i], b[i]); c != 0 {
			return c
		}
	}
	return compareOrdered(float64(len(a)), float64(len(b)))
}
