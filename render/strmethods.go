package render

//lint:file-ignore ST1005 CPython's error messages, byte for byte

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Python's str methods, as Jinja2 under Ansible runs them: a template's
// x.split() is CPython's str.split (Objects/unicodeobject.c and
// Objects/stringlib/split.h's split_whitespace, rsplit_whitespace,
// rsplit and splitlines, read at python/cpython 0a473def; both
// ansible-cores run Python 3.11 here). gonja's own differ (split() with a rune for its
// default separator, maxsplit off by one, count() counting the string in
// itself, byte offsets for character ones), so these replace them. Lengths,
// widths and offsets are in characters (code points), as Python's.

// strMethodFunc is one str method: the string and the call's arguments.
type strMethodFunc func(s string, c methodCall) (any, error)

// pyStrMethods are the str methods render implements itself.
func pyStrMethods() map[string]strMethodFunc {
	return map[string]strMethodFunc{
		"split": strSplit, "rsplit": strRSplit, "splitlines": strSplitLines,
		"strip": strStrip, "lstrip": strLStrip, "rstrip": strRStrip,
		"center": strCenter, "ljust": strLJust, "rjust": strRJust, "zfill": strZFill,
		"count": strCount, "find": strFind, "rfind": strRFind, "index": strIndex, "rindex": strRIndex,
		"startswith": strStartsWith, "endswith": strEndsWith,
		"partition": strPartition, "rpartition": strRPartition,
		"removeprefix": strRemovePrefix, "removesuffix": strRemoveSuffix,
		"join": strJoin, "expandtabs": strExpandTabs, "replace": strReplace,
		"isspace": strIsSpace, "isdigit": strIsDigit, "isnumeric": strIsNumeric, "isalnum": strIsAlnum,
		"isalpha": strIsAlpha, "isdecimal": strIsDecimal, "isascii": strIsASCII, "isprintable": strIsPrintable,
		"islower": strIsLower, "isupper": strIsUpper, "istitle": strIsTitle,
		"lower": strLower, "upper": strUpper, "casefold": strCaseFold,
		"title": strTitle, "capitalize": strCapitalize, "swapcase": strSwapCase,
		"format": strFormat,
	}
}

// asGonjaMethod adapts a str method to gonja's calling convention.
func asGonjaMethod(name string, fn strMethodFunc) exec.Method[string] {
	return func(self string, _ *exec.Value, va *exec.VarArgs) (out any, err error) {
		defer keepSizeLimit(&err)
		return fn(self, strMethodCall(name, va))
	}
}

// splitArgs binds split's and rsplit's sep=None, maxsplit=-1.
func splitArgs(c methodCall) (sep string, bySep bool, maxsplit int, err error) {
	args, err := c.keywords("sep", "maxsplit")
	if err != nil {
		return "", false, 0, err
	}
	sep, bySep, err = strOrNone(args[0], "must be str or None, not "+typeName(args[0]))
	if err == nil && bySep && sep == "" {
		err = errors.New("empty separator")
	}
	if err != nil {
		return "", false, 0, err
	}
	maxsplit, err = intOr(args[1], -1)
	return sep, bySep, maxsplit, err
}

func strSplit(s string, c methodCall) (any, error) {
	sep, bySep, maxsplit, err := splitArgs(c)
	switch {
	case err != nil:
		return nil, err
	case !bySep:
		return stringList(splitWhitespace(s, maxsplit)), nil
	case maxsplit < 0:
		return stringList(strings.Split(s, sep)), nil
	}
	return stringList(strings.SplitN(s, sep, maxsplit+1)), nil
}

func strRSplit(s string, c methodCall) (any, error) {
	sep, bySep, maxsplit, err := splitArgs(c)
	if err != nil {
		return nil, err
	}
	if !bySep {
		return rsplitWhitespace(s, maxsplit), nil
	}
	return rsplitSep(s, sep, maxsplit), nil
}

// rsplitWhitespace is s.rsplit(None, maxsplit), splitting from the right.
func rsplitWhitespace(s string, maxsplit int) pyList {
	var parts []string
	rest := strings.TrimRightFunc(s, isPythonSpace)
	for rest != "" {
		i := strings.LastIndexFunc(rest, isPythonSpace)
		if maxsplit == 0 || i < 0 {
			parts = append(parts, rest)
			break
		}
		_, size := utf8.DecodeRuneInString(rest[i:])
		parts = append(parts, rest[i+size:])
		rest = strings.TrimRightFunc(rest[:i], isPythonSpace)
		maxsplit--
	}
	return reversedList(parts)
}

// rsplitSep is s.rsplit(sep, maxsplit).
func rsplitSep(s, sep string, maxsplit int) pyList {
	var parts []string
	for ; maxsplit != 0; maxsplit-- {
		i := strings.LastIndex(s, sep)
		if i < 0 {
			break
		}
		parts = append(parts, s[i+len(sep):])
		s = s[:i]
	}
	return reversedList(append(parts, s))
}

func reversedList(parts []string) pyList {
	out := make(pyList, len(parts))
	for i, part := range parts {
		out[len(parts)-1-i] = part
	}
	return out
}

// strSplitLines is s.splitlines(keepends=False), at Python's line
// boundaries (isLineBoundary; \r\n is one). Unlike pySplitLines, which
// indent uses, an empty string has no line.
func strSplitLines(s string, c methodCall) (any, error) {
	args, err := c.keywords("keepends")
	if err != nil {
		return nil, err
	}
	keepends, err := intOr(args[0], 0)
	if err != nil {
		return nil, err
	}
	return splitLines(s, keepends != 0), nil
}

func splitLines(s string, keepends bool) pyList {
	out := pyList{}
	for s != "" {
		i, size := nextLineBreak(s)
		if i < 0 {
			return append(out, s)
		}
		end := i
		if keepends {
			end = i + size
		}
		out = append(out, s[:end])
		s = s[i+size:]
	}
	return out
}

// nextLineBreak is where the first line boundary in s is, and its length
// in bytes; -1 when there is none.
func nextLineBreak(s string) (int, int) {
	i := strings.IndexFunc(s, isLineBoundary)
	if i < 0 {
		return -1, 0
	}
	if strings.HasPrefix(s[i:], "\r\n") {
		return i, 2
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return i, size
}

// stripChars binds the strip family's chars=None: the characters to strip,
// or none for whitespace.
func stripChars(c methodCall) (string, bool, error) {
	args, err := c.positional(0, 1)
	if err != nil {
		return "", false, err
	}
	return strOrNone(args[0], c.name+" arg must be None or str")
}

func strStrip(s string, c methodCall) (any, error) {
	return stripWith(s, c, strings.Trim, strings.TrimFunc)
}

func strLStrip(s string, c methodCall) (any, error) {
	return stripWith(s, c, strings.TrimLeft, strings.TrimLeftFunc)
}

func strRStrip(s string, c methodCall) (any, error) {
	return stripWith(s, c, strings.TrimRight, strings.TrimRightFunc)
}

func stripWith(s string, c methodCall, byChars func(string, string) string, byFunc func(string, func(rune) bool) string) (any, error) {
	chars, given, err := stripChars(c)
	switch {
	case err != nil:
		return nil, err
	case given:
		return byChars(s, chars), nil
	}
	return byFunc(s, isPythonSpace), nil
}

// padding binds center's, ljust's and rjust's width and fillchar=' ', and
// returns how many fill characters s lacks (0 or less: none).
func padding(s string, c methodCall) (int, int, string, error) {
	args, err := c.positional(1, 2)
	if err != nil {
		return 0, 0, "", err
	}
	width, err := pyIndex(args[0])
	if err != nil {
		return 0, 0, "", err
	}
	fill, err := fillChar(args[1])
	return width, width - utf8.RuneCountInString(s), fill, err
}

func fillChar(x any) (string, error) {
	switch v := x.(type) {
	case notGivenType:
		return " ", nil
	case string:
		if utf8.RuneCountInString(v) != 1 {
			return "", errors.New("The fill character must be exactly one character long")
		}
		return v, nil
	}
	return "", fmt.Errorf("The fill character must be a unicode character, not %s", typeName(x))
}

// strCenter is s.center(width, fillchar): an odd margin's extra character
// goes left when width is odd (CPython's pad(): marg/2 + (marg & width & 1)).
func strCenter(s string, c methodCall) (any, error) {
	width, margin, fill, err := padding(s, c)
	if err != nil || margin <= 0 {
		return orString(s, err)
	}
	left := margin/2 + (margin & width & 1)
	return repeatString(fill, left) + s + repeatString(fill, margin-left), nil
}

func strLJust(s string, c methodCall) (any, error) {
	_, margin, fill, err := padding(s, c)
	if err != nil || margin <= 0 {
		return orString(s, err)
	}
	return s + repeatString(fill, margin), nil
}

func strRJust(s string, c methodCall) (any, error) {
	_, margin, fill, err := padding(s, c)
	if err != nil || margin <= 0 {
		return orString(s, err)
	}
	return repeatString(fill, margin) + s, nil
}

// orString is s, or the error when there is one.
func orString(s string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}

// strZFill is s.zfill(width): zeros on the left, after a leading sign.
func strZFill(s string, c methodCall) (any, error) {
	arg, err := c.one()
	if err != nil {
		return nil, err
	}
	width, err := pyIndex(arg)
	missing := width - utf8.RuneCountInString(s)
	if err != nil || missing <= 0 {
		return orString(s, err)
	}
	zeros := repeatString("0", missing)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[:1] + zeros + s[1:], nil
	}
	return zeros + s, nil
}

// strExpandTabs is s.expandtabs(tabsize=8): a tab fills to the next
// multiple of tabsize, counted from the last \n or \r; a tabsize of 0 or
// less drops tabs.
func strExpandTabs(s string, c methodCall) (any, error) {
	args, err := c.keywords("tabsize")
	if err != nil {
		return nil, err
	}
	tabsize, err := intOr(args[0], 8)
	if err != nil {
		return nil, err
	}
	return expandTabs(s, tabsize), nil
}

func expandTabs(s string, tabsize int) string {
	var b strings.Builder
	column := 0
	for _, r := range s {
		switch {
		case r == '\t' && tabsize > 0:
			spaces := tabsize - column%tabsize
			b.WriteString(repeatString(" ", spaces))
			column += spaces
		case r == '\t':
		case r == '\n' || r == '\r':
			b.WriteRune(r)
			column = 0
		default:
			b.WriteRune(r)
			column++
		}
	}
	return b.String()
}

// strIsSpace is s.isspace(): not empty, and whitespace only (isPythonSpace).
func strIsSpace(s string, c methodCall) (any, error) {
	if err := c.none(); err != nil {
		return nil, err
	}
	return s != "" && strings.TrimFunc(s, isPythonSpace) == "", nil
}

// strReplace is s.replace(old, new, count=-1).
func strReplace(s string, c methodCall) (any, error) {
	args, err := c.positional(2, 3)
	if err != nil {
		return nil, err
	}
	old, err := replaceArg(args[0], 1)
	if err != nil {
		return nil, err
	}
	replacement, err := replaceArg(args[1], 2)
	if err != nil {
		return nil, err
	}
	count, err := intOr(args[2], -1)
	if err != nil {
		return nil, err
	}
	return strings.Replace(s, old, replacement, count), nil
}

func replaceArg(x any, position int) (string, error) {
	if s, ok := x.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("replace() argument %d must be str, not %s", position, typeName(x))
}
