//lint:file-ignore ST1005 the version test's messages are core.py's, byte for byte

package render

import (
	"fmt"
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

// pep440 is packaging.version.Version (packaging 23.0 under Debian's
// 2.14, 26.4 in the 2.19 venv; its _cmpkey, packaging/version.py:1194 at
// 26.4). straylight reads the forms real version strings use: N[.N...],
// then aN, bN or rcN, then .postN, then .devN, with surrounding blanks;
// any other spelling (epochs, local versions, alternative spellings that
// packaging normalizes, invalid strings) is refused by name rather than
// guessed.
var pep440Re = lazyre.New(`^\s*(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?\s*$`)

// pep440Key is _cmpkey's order for the supported forms: the release with
// its trailing zeros dropped, then (pre rank, pre number, post rank, post
// number, dev rank, dev number) as numbers in digit strings.
type pep440Key struct {
	release []string
	suffix  [6]string
}

func pep440VersionOrder(a, b string) (int, error) {
	ka, err := pep440Parse(a)
	if err != nil {
		return 0, err
	}
	kb, err := pep440Parse(b)
	if err != nil {
		return 0, err
	}
	if c := compareDigitLists(ka.release, kb.release); c != 0 {
		return c, nil
	}
	return compareDigitLists(ka.suffix[:], kb.suffix[:]), nil
}

func pep440Parse(s string) (pep440Key, error) {
	if err := checkASCIIDigits(s); err != nil {
		return pep440Key{}, err
	}
	m := pep440Re().FindStringSubmatch(s)
	if m == nil {
		return pep440Key{}, fmt.Errorf("pep440 version '%s': straylight compares only the form N[.N...][{a|b|rc}N][.postN][.devN]", s)
	}
	release := strings.Split(m[1], ".")
	for len(release) > 0 && compareDigits(release[len(release)-1], "0") == 0 {
		release = release[:len(release)-1]
	}
	return pep440Key{release: release, suffix: pep440Suffix(m[2], m[3], m[4], m[5])}, nil
}

// pep440Suffix is _cmpkey's suffix, ranks shifted by one to stay
// non-negative: dev-only 0, a 1, b 2, rc 3, no pre-release 4; no post 0,
// post 1; dev 0, no dev 1.
func pep440Suffix(pre, preN, post, dev string) [6]string {
	rank := map[string]string{"a": "1", "b": "2", "rc": "3", "": "4"}[pre]
	if pre == "" && post == "" && dev != "" {
		rank = "0"
	}
	postRank, devRank := "1", "0"
	if post == "" {
		postRank = "0"
	}
	if dev == "" {
		devRank = "1"
	}
	return [6]string{rank, or0(preN), postRank, or0(post), devRank, or0(dev)}
}

func compareDigitLists(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareDigits(a[i], b[i]); c != 0 {
			return c
		}
	}
	return compareOrdered(float64(len(a)), float64(len(b)))
}
