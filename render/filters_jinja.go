package render

import (
	"errors"
	"fmt"
	"html"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Jinja2 3.1's builtin filters written after jinja2/filters.py (3.1.2,
// ansible-core 2.14's, and 3.1.6, 2.19's venv), where gonja's versions
// differed from Jinja2: strings iterated by code point, dicts by their
// keys in insertion order, Python's errors.

// addJinjaFilters registers the filters of this file.
func addJinjaFilters(filters map[string]filter) {
	filters["reverse"] = filter{fn: filterReverse}
	filters["slice"] = filter{params: []string{"slices", "fill_with"}, fn: filterSlice}
	filters["batch"] = filter{params: []string{"linecount", "fill_with"}, fn: filterBatch}
	filters["wordcount"] = filter{fn: filterWordcount}
	filters["striptags"] = filter{fn: filterStriptags}
	filters["urlencode"] = filter{fn: filterURLEncode}
	filters["truncate"] = filter{params: []string{"length", "killwords", "end", "leeway"}, fn: filterTruncate}
	filters["title"] = filter{fn: filterTitle}
	filters["filesizeformat"] = filter{params: []string{"binary"}, fn: filterFilesizeformat}
	filters["xmlattr"] = filter{params: []string{"autospace"}, fn: filterXMLAttr}
	filters["abs"] = filter{fn: filterAbs}
	filters["attr"] = filter{params: []string{"name"}, fn: filterAttr}
}

// addCoreDependentJinjaFilters registers the filters that differ by core
// (groupby, urlize), and map reading groupby's tuples' grouper and list.
func addCoreDependentJinjaFilters(set map[string]exec.FilterFunction, dataTagging func() bool) {
	groupby := filter{params: []string{"attribute", "default", "case_sensitive"}, fn: groupbyFilter(dataTagging)}
	set["groupby"] = groupby.function("groupby")
	set["wordwrap"] = wordwrapFilter
	urlize := filter{params: []string{"trim_url_limit", "nofollow", "target", "rel", "extra_schemes"}, fn: newURLizer(dataTagging).filter}
	set["urlize"] = urlize.function("urlize")
	set["escape"], set["e"], set["forceescape"] = escapeFilter, escapeFilter, forceEscapeFilter
}

// filterReverse is do_reverse: a string reversed by code point, any other
// iterable's items (a dict's keys) last to first. Jinja2 hands back
// reversed()'s iterator, which templates turn into a list; here it is
// the list.
func filterReverse(in any, _ []any) (any, error) {
	if s, ok := in.(string); ok {
		runes := []rune(s)
		for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
			runes[i], runes[j] = runes[j], runes[i]
		}
		return string(runes), nil
	}
	items, err := pyIter(in)
	if err != nil {
		return nil, errors.New("argument must be iterable")
	}
	out := make(pyList, len(items))
	for i, item := range items {
		out[len(items)-1-i] = item
	}
	return out, nil
}

// intArgument is an argument Python uses as an int (range(), len()
// comparisons): an int or a bool.
func intArgument(x any) (int, error) {
	switch v := x.(type) {
	case int:
		return v, nil
	case bool:
		return boolToInt(v), nil
	}
	return 0, fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(x))
}

// filterSlice is sync_do_slice(value, slices, fill_with=None): list(value)
// cut into slices columns, the first length % slices one item longer, the
// others given fill_with when it is not None.
func filterSlice(in any, args []any) (any, error) {
	seq, err := pyIter(in)
	if err != nil {
		return nil, err
	}
	slices, err := intArgument(or(args[0], nil))
	if err != nil {
		return nil, err
	}
	if slices == 0 {
		return nil, errors.New("integer division or modulo by zero")
	}
	if err := withinResultLimit("slice", float64(slices)); err != nil {
		return nil, err
	}
	return sliceColumns(seq, slices, or(args[1], nil)), nil
}

// sliceColumns is do_slice's loop, with Python's floor division and
// slicing (a negative slices count gives no columns).
func sliceColumns(seq pyList, slices int, fillWith any) pyList {
	perSlice, withExtra := floorDivMod(len(seq), slices)
	out := pyList{}
	offset := 0
	for number := 0; number < slices; number++ {
		start := offset + number*perSlice
		if number < withExtra {
			offset++
		}
		end := offset + (number+1)*perSlice
		column := append(pyList{}, pySliceItems(seq, start, end)...)
		if fillWith != nil && number >= withExtra {
			column = append(column, fillWith)
		}
		out = append(out, column)
	}
	return out
}

// floorDivMod is Python's divmod on ints.
func floorDivMod(a, b int) (int, int) {
	q, r := a/b, a%b
	if r != 0 && (r < 0) != (b < 0) {
		q, r = q-1, r+b
	}
	return q, r
}

// pySliceItems is seq[start:end] with Python's clamping of the bounds.
func pySliceItems(seq pyList, start, end int) pyList {
	clamp := func(i int) int {
		if i < 0 {
			i += len(seq)
		}
		return max(0, min(i, len(seq)))
	}
	start, end = clamp(start), clamp(end)
	if start >= end {
		return nil
	}
	return seq[start:end]
}

// filterBatch is do_batch(value, linecount, fill_with=None): the items in
// lists of linecount, the last one filled up with fill_with when it is
// not None. As in Python, a batch closes when its length == linecount (a
// linecount of 0 gives an empty batch first, a float one works, a string
// one never closes), and filling needs an int.
func filterBatch(in any, args []any) (any, error) {
	items, err := pyIter(in)
	if err != nil {
		return nil, err
	}
	linecount := or(args[0], nil)
	out, batch := pyList{}, pyList{}
	for _, item := range items {
		if pyEqual(len(batch), linecount) {
			out, batch = append(out, batch), pyList{}
		}
		batch = append(batch, item)
	}
	if len(batch) == 0 {
		return out, nil
	}
	if fill := or(args[1], nil); fill != nil {
		if batch, err = filledBatch(batch, linecount, fill); err != nil {
			return nil, err
		}
	}
	return append(out, batch), nil
}

// filledBatch is `if len(tmp) < linecount: tmp += [fill_with] *
// (linecount - len(tmp))`.
func filledBatch(batch pyList, linecount, fill any) (pyList, error) {
	order, err := pyCompare(len(batch), linecount)
	if err != nil || order >= 0 {
		return batch, err
	}
	n, ok := linecount.(int)
	if !ok {
		return nil, fmt.Errorf("can't multiply sequence by non-int of type '%s'", typeName(linecount))
	}
	for len(batch) < n {
		batch = append(batch, fill)
	}
	return batch, nil
}

// filterWordcount is do_wordcount: len(re.findall(r"\w+", str(s))), \w
// being Python's Unicode word class.
func filterWordcount(in any, _ []any) (any, error) {
	return len(strings.FieldsFunc(pyStr(in), func(r rune) bool { return !isPythonWordRune(r) })), nil
}

// isPythonWordRune is Python's re \w on str: alphanumeric (str.isalnum)
// or the underscore.
func isPythonWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// filterStriptags is do_striptags: Markup(str(value)).striptags() as
// MarkupSafe 3.0 writes it: comments and tags cut (up to an unclosed
// one), whitespace runs made one space, then entities unescaped.
func filterStriptags(in any, _ []any) (any, error) {
	value := stripMarkupTags(pyStr(in))
	return htmlUnescape(strings.Join(strings.FieldsFunc(value, isPythonSpace), " ")), nil
}

// stripMarkupTags is MarkupSafe 3.0.4's loop: from each "<", a comment
// to its "-->" or a tag to its ">"; an unclosed one ends the cutting.
func stripMarkupTags(value string) string {
	var parts strings.Builder
	pos := 0
	for {
		start := strings.Index(value[pos:], "<")
		if start < 0 {
			break
		}
		start += pos
		end := markupEnd(value, start)
		if end < 0 {
			break
		}
		parts.WriteString(value[pos:start])
		pos = end
	}
	if pos == 0 {
		return value
	}
	parts.WriteString(value[pos:])
	return parts.String()
}

// markupEnd is where the comment or tag at start ends (past its closing
// mark), or -1 when it is not closed.
func markupEnd(value string, start int) int {
	closing, from := ">", start
	if strings.HasPrefix(value[start:], "<!--") {
		closing, from = "-->", start+4
	}
	end := strings.Index(value[from:], closing)
	if end < 0 {
		return -1
	}
	return from + end + len(closing)
}

// htmlUnescape is Python's html.unescape: Go's HTML5 character
// references, and the code points Python drops (controls, noncharacters)
// dropped.
func htmlUnescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '&')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+j])
		i += j
		n := charRefLength(s[i:])
		b.WriteString(unescapedCharRef(s[i : i+n]))
		i += n
	}
	return b.String()
}

// charRefLength is the length of the character reference at the start of
// s as Python's html module's pattern reads it: &name, &#digits or
// &#xhex, with an optional ';' ("&" alone: 1).
func charRefLength(s string) int {
	n := 1
	isRefChar := func(r byte) bool {
		return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	if n < len(s) && s[n] == '#' {
		n++
		if n < len(s) && (s[n] == 'x' || s[n] == 'X') {
			n++
		}
	}
	for n < len(s) && n < 33 && isRefChar(s[n]) {
		n++
	}
	if n < len(s) && s[n] == ';' {
		n++
	}
	return n
}

// unescapedCharRef is one reference unescaped: Go's html package, but a
// numeric one for a code point Python's html.unescape drops gives "".
func unescapedCharRef(ref string) string {
	out := html.UnescapeString(ref)
	if strings.HasPrefix(ref, "&#") && out != ref {
		if r, size := utf8.DecodeRuneInString(out); size == len(out) && droppedCodePoint(r) {
			return ""
		}
	}
	return out
}

// droppedCodePoint is Python's html._invalid_codepoints: C0 and C1
// controls but for whitespace, DEL, noncharacters.
func droppedCodePoint(r rune) bool {
	switch {
	case r >= 0x1 && r <= 0x8, r == 0xb, r >= 0xe && r <= 0x1f, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
		return true
	}
	return false
}

// groupTupleMark, in the hidden third slot of a two-item pyTuple's
// capacity, marks Jinja2's _GroupTuple (groupby's namedtuple): it prints
// and indexes as a tuple and has .grouper and .list. Kept out of sight so
// that everything reading tuples reads it as one.
type groupTupleMark struct{}

// newGroupTuple is _GroupTuple(grouper, list).
func newGroupTuple(grouper any, list pyList) pyTuple {
	t := make(pyTuple, 3)
	t[0], t[1], t[2] = grouper, list, groupTupleMark{}
	return t[:2]
}

// isGroupTuple tells whether t is a _GroupTuple.
func isGroupTuple(t pyTuple) bool {
	if len(t) != 2 || cap(t) != 3 {
		return false
	}
	_, ok := t[:3][2].(groupTupleMark)
	return ok
}

// groupTupleAttribute is a _GroupTuple's grouper or list.
func groupTupleAttribute(t pyTuple, name string) (any, bool) {
	if !isGroupTuple(t) {
		return nil, false
	}
	switch name {
	case "grouper":
		return t[0], true
	case "list":
		return t[1], true
	}
	return nil, false
}

// groupbyFilter is groupby as the core in use runs it: under
// ansible-core 2.19 a missing attribute is not Jinja2's Undefined, so
// make_attrgetter never puts default in its place and the task fails.
func groupbyFilter(dataTagging func() bool) func(any, []any) (any, error) {
	return func(in any, args []any) (any, error) {
		if dataTagging() {
			args = []any{args[0], notGiven, args[2]}
		}
		return filterGroupby(in, args)
	}
}

// filterGroupby is sync_do_groupby(value, attribute, default=None,
// case_sensitive=False): the items sorted by the attribute (strings
// lowered unless case_sensitive), then itertools.groupby on it; each
// group's grouper is its first item's attribute as it is. An item
// without the attribute takes default when it is not None; otherwise its
// undefined fails the task, as Ansible's strict undefined does.
func filterGroupby(in any, args []any) (any, error) {
	items, err := pyIter(in)
	if err != nil {
		return nil, err
	}
	keyOf := groupKey(pyStr(or(args[0], nil)), or(args[1], nil))
	caseSensitive := pyTruthy(or(args[2], false))
	keys, err := groupSortKeys(items, keyOf, caseSensitive)
	if err != nil {
		return nil, err
	}
	order, err := sortedOrder(keys)
	if err != nil {
		return nil, err
	}
	return groupRuns(items, keys, order, keyOf)
}

// groupKey is make_attrgetter(attribute, default=default): the item's
// attribute (a dotted path), default for a missing one when not None.
func groupKey(attribute string, def any) func(any) (any, error) {
	return func(item any) (any, error) {
		value, err := attributePath(item, attribute)
		if err != nil && def != nil {
			return def, nil
		}
		return value, err
	}
}

// groupSortKeys are the items' keys, strings lowered (ignore_case) unless
// caseSensitive.
func groupSortKeys(items pyList, keyOf func(any) (any, error), caseSensitive bool) (pyList, error) {
	keys := make(pyList, len(items))
	for i, item := range items {
		key, err := keyOf(item)
		if err != nil {
			return nil, err
		}
		if s, ok := key.(string); ok && !caseSensitive {
			key = pyLower(s)
		}
		keys[i] = key
	}
	return keys, nil
}

// sortedOrder is the indexes of keys in Python's sorted() order (stable,
// by <), failing on keys Python cannot order.
func sortedOrder(keys pyList) ([]int, error) {
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	var sortErr error
	sort.SliceStable(order, func(i, j int) bool {
		less, err := pyCompare(keys[order[i]], keys[order[j]])
		if err != nil && sortErr == nil {
			sortErr = err
		}
		return less < 0
	})
	return order, sortErr
}

// groupRuns is itertools.groupby over the sorted items: a run of equal
// keys is one group, its grouper the first item's key as it is.
func groupRuns(items, keys pyList, order []int, keyOf func(any) (any, error)) (any, error) {
	out := pyList{}
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && pyEqual(keys[order[start]], keys[order[end]]) {
			end++
		}
		group := pyList{}
		for _, i := range order[start:end] {
			group = append(group, items[i])
		}
		grouper, err := keyOf(group[0])
		if err != nil {
			return nil, err
		}
		out = append(out, newGroupTuple(grouper, group))
		start = end
	}
	return out, nil
}

// filterURLEncode is do_urlencode: a string (or anything not iterable)
// quoted with "/" kept; a dict's items or an iterable of pairs joined as
// a query string, each side quoted for it (url_quote(for_qs=True)).
func filterURLEncode(in any, _ []any) (any, error) {
	switch v := in.(type) {
	case string, nil, bool, int, float64:
		return urlQuote(pyStr(v), false), nil
	case pyDict:
		return queryString(dictItems(v))
	}
	items, err := pyIter(in)
	if err != nil {
		return urlQuote(pyStr(in), false), nil
	}
	return queryString(items)
}

// queryString is "&".join(f"{k}={v}") over pairs, unpacked like Python's
// `for k, v in items`.
func queryString(items pyList) (any, error) {
	parts := make([]string, len(items))
	for i, item := range items {
		pair, err := unpackPair(item)
		if err != nil {
			return nil, err
		}
		parts[i] = urlQuote(pyStr(pair[0]), true) + "=" + urlQuote(pyStr(pair[1]), true)
	}
	return strings.Join(parts, "&"), nil
}

// unpackPair is Python's `k, v = item`.
func unpackPair(item any) (pyList, error) {
	if _, ok := item.(pyDict); !ok {
		if _, ok := item.(string); !ok {
			if _, isList := asList(item); !isList {
				return nil, fmt.Errorf("cannot unpack non-iterable %s object", typeName(item))
			}
		}
	}
	values, err := pyIter(item)
	if err != nil {
		return nil, err
	}
	switch {
	case len(values) > 2:
		return nil, errors.New("too many values to unpack (expected 2)")
	case len(values) < 2:
		return nil, fmt.Errorf("not enough values to unpack (expected 2, got %d)", len(values))
	}
	return values, nil
}

// urlQuote is Jinja2's url_quote: urllib.parse.quote_from_bytes on the
// UTF-8 bytes, "/" safe unless forQuery, where spaces become "+".
func urlQuote(s string, forQuery bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isURLUnreserved(c), c == '/' && !forQuery:
			b.WriteByte(c)
		case c == ' ' && forQuery:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// isURLUnreserved is urllib.parse's always-safe set: letters, digits and
// "_.-~".
func isURLUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0
}

// filterTruncate is do_truncate(s, length=255, killwords=False,
// end='...', leeway=None): s when it is at most length + leeway (the
// truncate.leeway policy, 5, when None) code points long, else its first
// length - len(end) code points, the last word dropped unless killwords,
// followed by end.
func filterTruncate(in any, args []any) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("object of type '%s' has no len()", typeName(in))
	}
	length, err := intArgument(or(args[0], 255))
	if err != nil {
		return nil, err
	}
	end := pyStr(or(args[2], "..."))
	leewayArg := or(args[3], nil)
	if leewayArg == nil {
		leewayArg = 5
	}
	leeway, err := intArgument(leewayArg)
	if err != nil {
		return nil, err
	}
	return truncated([]rune(s), length, pyTruthy(or(args[1], false)), []rune(end), leeway)
}

// truncated is do_truncate's body, its asserts failing as Python's do.
func truncated(s []rune, length int, killwords bool, end []rune, leeway int) (any, error) {
	if length < len(end) {
		return nil, fmt.Errorf("expected length >= %d, got %d", len(end), length)
	}
	if leeway < 0 {
		return nil, fmt.Errorf("expected leeway >= 0, got %d", leeway)
	}
	if len(s) <= length || len(s)-length <= leeway { // length+leeway, without overflowing for Python's big ints
		return string(s), nil
	}
	kept := string(s[:length-len(end)])
	if !killwords {
		if i := strings.LastIndex(kept, " "); i >= 0 {
			kept = kept[:i]
		}
	}
	return kept + string(end), nil
}

// filterTitle is do_title: str(s) split on runs of "-", whitespace, "(",
// "{", "[" and "<" (the runs kept), each piece's first character upper
// cased and the rest lower cased, as Python's str methods do.
func filterTitle(in any, _ []any) (any, error) {
	var b strings.Builder
	runes := []rune(pyStr(in))
	for start := 0; start < len(runes); {
		end := start + 1
		for end < len(runes) && isTitleSeparator(runes[end]) == isTitleSeparator(runes[start]) {
			end++
		}
		b.WriteString(pyUpper(string(runes[start])) + pyLower(string(runes[start+1:end])))
		start = end
	}
	return b.String(), nil
}

// isTitleSeparator is _word_beginning_split_re's class, [-\s({\[<].
func isTitleSeparator(r rune) bool { return isPythonSpace(r) || strings.ContainsRune("-({[<", r) }

// filterFilesizeformat is do_filesizeformat(value, binary=False):
// float(value) as "1 Byte", "N Bytes" under the base, else one decimal
// and the first prefix whose next power exceeds it (YB/YiB at most).
func filterFilesizeformat(in any, args []any) (any, error) {
	size, err := pyFloatOf(in)
	if err != nil {
		return nil, err
	}
	binary := pyTruthy(or(args[0], false))
	base := 1000
	prefixes := []string{"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	if binary {
		base = 1024
		prefixes = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
	}
	switch {
	case size == 1:
		return "1 Byte", nil
	case size < float64(base):
		if math.IsInf(size, 0) {
			return nil, errors.New("cannot convert float infinity to integer")
		}
		return fmt.Sprintf("%d Bytes", int(size)), nil
	}
	return scaledSize(size, base, prefixes), nil
}

// scaledSize is do_filesizeformat's loop: Python compares the float with
// the exact int power, then divides by the power made a float.
func scaledSize(size float64, base int, prefixes []string) string {
	exact := new(big.Float).SetFloat64(size)
	var unit *big.Int
	var prefix string
	for i, p := range prefixes {
		unit, prefix = new(big.Int).Exp(big.NewInt(int64(base)), big.NewInt(int64(i+2)), nil), p
		if exact.Cmp(new(big.Float).SetInt(unit)) < 0 {
			break
		}
	}
	divisor, _ := new(big.Float).SetInt(unit).Float64()
	return pyFixed1(float64(base)*size/divisor) + " " + prefix
}

// pyFixed1 is Python's f"{x:.1f}".
func pyFixed1(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// filterXMLAttr is do_xmlattr(d, autospace=True): the dict's items but
// None values as key="value", both escaped, joined by spaces, a space
// before unless autospace is false; a key with whitespace, "/", ">" or
// "=" refused (Jinja2 3.1.4, and Debian's 3.1.2 patched alike).
func filterXMLAttr(in any, args []any) (any, error) {
	d, ok := in.(pyDict)
	if !ok {
		return nil, fmt.Errorf("'%s' object has no attribute 'items'", typeName(in))
	}
	items := []string{}
	for _, key := range d.keys() {
		value := d[key].val
		if value == nil {
			continue
		}
		if strings.ContainsAny(key, " \t\n\r\f\v/>=") {
			//lint:ignore ST1005 Jinja2's message, byte for byte
			return nil, fmt.Errorf("Invalid character in attribute name: %s", pyRepr(key))
		}
		items = append(items, markupEscape(key)+`="`+markupEscape(pyStr(value))+`"`)
	}
	out := strings.Join(items, " ")
	if pyTruthy(or(args[0], true)) && out != "" {
		out = " " + out
	}
	return out, nil
}

// markupEscape is MarkupSafe's escape on a str.
func markupEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// escapeFilter is Jinja2's escape (e): markupsafe.escape, which leaves
// Markup (a safe value) as it is and escapes str(value) of anything else
// (None too), the result Markup.
func escapeFilter(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() || in.Safe {
		return in
	}
	return forceEscapeFilter(e, in, params)
}

// forceEscapeFilter is do_forceescape: escape(str(value)), Markup or not.
func forceEscapeFilter(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if len(params.Args) > 0 || len(params.KwArgs) > 0 {
		return exec.AsValue(errors.New("escape() takes exactly one argument"))
	}
	return exec.AsSafeValue(markupEscape(pyStr(toPy(in))))
}

// filterAbs is Python's abs(): a bool as an int, refusing what is not a
// number.
func filterAbs(in any, _ []any) (any, error) {
	switch v := in.(type) {
	case bool:
		return boolToInt(v), nil
	case int:
		return max(v, -v), nil
	case float64:
		return math.Abs(v), nil
	}
	return nil, fmt.Errorf("bad operand type for abs(): '%s'", typeName(in))
}

// filterAttr is do_attr(obj, name): getattr(obj, name) only, never an
// item (a dict's key is undefined): a dict's or str's method, bound, or
// a groupby tuple's grouper and list; anything else undefined.
func filterAttr(in any, args []any) (any, error) {
	name := pyStr(or(args[0], nil))
	switch v := in.(type) {
	case pyDict:
		if method := dictMethod(v, name); method != nil {
			return method, nil
		}
	case string:
		if method, ok := pyStrMethods()[name]; ok {
			return func(va *exec.VarArgs) *exec.Value { return methodResult(method(v, strMethodCall(name, va))) }, nil
		}
	case pyTuple:
		if value, ok := groupTupleAttribute(v, name); ok {
			return value, nil
		}
	}
	return &UndefinedError{Name: name, Hint: fmt.Sprintf("'%s object' has no attribute '%s'", typeName(in), name)}, nil
}
