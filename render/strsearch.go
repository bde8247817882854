package render

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The str methods that look for a substring: count, find, index,
// startswith and their right-hand twins work on s[start:end] with
// Python's slice rules (ADJUST_INDICES in Objects/unicodeobject.c), and
// answer offsets in characters.

// window is s[start:end] as a find method sees it, in characters.
type window struct {
	runes      []rune
	start, end int
}

// findWindow binds sub, start and end (ints or None), the bounds adjusted.
func findWindow(s string, c methodCall) (window, error) {
	args, err := c.finds()
	if err != nil {
		return window{}, err
	}
	w := window{runes: []rune(s)}
	w.start, w.end, err = startAndEnd(args[1], args[2], len(w.runes), findBound)
	return w, err
}

// holds tells whether sub fits between start and end at all.
func (w window) holds(sub string) bool {
	return w.end-w.start >= utf8.RuneCountInString(sub)
}

func (w window) text() string { return string(w.runes[w.start:w.end]) }

// subWindow binds a find method's sub (a str) and its window.
func subWindow(s string, c methodCall) (string, window, error) {
	w, err := findWindow(s, c)
	if err != nil {
		return "", window{}, err
	}
	sub, err := mustBeStr(c.args[0])
	return sub, w, err
}

func strCount(s string, c methodCall) (any, error) {
	sub, w, err := subWindow(s, c)
	if err != nil || !w.holds(sub) {
		return 0, err
	}
	return strings.Count(w.text(), sub), nil
}

// find is s.find(sub, start, end), or s.rfind when last.
func find(s string, c methodCall, last bool) (int, error) {
	sub, w, err := subWindow(s, c)
	if err != nil || !w.holds(sub) {
		return -1, err
	}
	text := w.text()
	i := strings.Index(text, sub)
	if last {
		i = strings.LastIndex(text, sub)
	}
	if i < 0 {
		return -1, nil
	}
	return w.start + utf8.RuneCountInString(text[:i]), nil
}

func strFind(s string, c methodCall) (any, error)  { return errOr(find(s, c, false)) }
func strRFind(s string, c methodCall) (any, error) { return errOr(find(s, c, true)) }

func strIndex(s string, c methodCall) (any, error)  { return foundOr(find(s, c, false)) }
func strRIndex(s string, c methodCall) (any, error) { return foundOr(find(s, c, true)) }

// errOr drops an int result when there is an error.
func errOr(i int, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return i, nil
}

// foundOr is index's answer: find's, or ValueError when not found.
func foundOr(i int, err error) (any, error) {
	if err == nil && i < 0 {
		err = errors.New("substring not found")
	}
	return errOr(i, err)
}

func strStartsWith(s string, c methodCall) (any, error) { return tailMatch(s, c, false) }
func strEndsWith(s string, c methodCall) (any, error)   { return tailMatch(s, c, true) }

// tailMatch is startswith (endswith when atEnd): the prefix is a str or a
// tuple of them, tried in order (an item that is no str fails once
// reached, as in CPython).
func tailMatch(s string, c methodCall, atEnd bool) (any, error) {
	w, err := findWindow(s, c)
	if err != nil {
		return nil, err
	}
	if prefix, ok := c.args[0].(string); ok {
		return w.matches(prefix, atEnd), nil
	}
	prefixes, ok := c.args[0].(pyTuple)
	if !ok {
		return nil, fmt.Errorf("%s first arg must be str or a tuple of str, not %s", c.name, typeName(c.args[0]))
	}
	return w.matchesAny(prefixes, c.name, atEnd)
}

func (w window) matchesAny(prefixes pyTuple, name string, atEnd bool) (bool, error) {
	for _, item := range prefixes {
		prefix, ok := item.(string)
		if !ok {
			return false, fmt.Errorf("tuple for %s must only contain str, not %s", name, typeName(item))
		}
		if w.matches(prefix, atEnd) {
			return true, nil
		}
	}
	return false, nil
}

// matches is CPython's tailmatch: sub must fit in the window, then it is
// compared at its start (or its end).
func (w window) matches(sub string, atEnd bool) bool {
	n := utf8.RuneCountInString(sub)
	if w.end-n < w.start {
		return false
	}
	at := w.start
	if atEnd {
		at = w.end - n
	}
	return string(w.runes[at:at+n]) == sub
}

// partitionSep binds partition's sep: a str, not empty.
func partitionSep(c methodCall) (string, error) {
	arg, err := c.one()
	if err != nil {
		return "", err
	}
	sep, err := mustBeStr(arg)
	if err == nil && sep == "" {
		err = errors.New("empty separator")
	}
	return sep, err
}

// strPartition is s.partition(sep): a tuple (before, sep, after), or
// (s, ”, ”) when sep is not in s.
func strPartition(s string, c methodCall) (any, error) {
	sep, err := partitionSep(c)
	if err != nil {
		return nil, err
	}
	before, after, found := strings.Cut(s, sep)
	if !found {
		return pyTuple{s, "", ""}, nil
	}
	return pyTuple{before, sep, after}, nil
}

// strRPartition is s.rpartition(sep), from the right: (”, ”, s) when
// sep is not in s.
func strRPartition(s string, c methodCall) (any, error) {
	sep, err := partitionSep(c)
	if err != nil {
		return nil, err
	}
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return pyTuple{"", "", s}, nil
	}
	return pyTuple{s[:i], sep, s[i+len(sep):]}, nil
}

// affix binds removeprefix's and removesuffix's one str argument.
func affix(c methodCall) (string, error) {
	arg, err := c.one()
	if err != nil {
		return "", err
	}
	if s, ok := arg.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("%s() argument must be str, not %s", c.name, typeName(arg))
}

func strRemovePrefix(s string, c methodCall) (any, error) {
	prefix, err := affix(c)
	return orString(strings.TrimPrefix(s, prefix), err)
}

func strRemoveSuffix(s string, c methodCall) (any, error) {
	suffix, err := affix(c)
	return orString(strings.TrimSuffix(s, suffix), err)
}

// strJoin is s.join(iterable): every item must be a str.
func strJoin(s string, c methodCall) (any, error) {
	arg, err := c.one()
	if err != nil {
		return nil, err
	}
	items, err := pyIter(arg)
	if err != nil {
		return nil, errors.New("can only join an iterable")
	}
	parts := make([]string, len(items))
	for i, item := range items {
		part, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("sequence item %d: expected str instance, %s found", i, typeName(item))
		}
		parts[i] = part
	}
	return strings.Join(parts, s), nil
}
