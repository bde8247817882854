package render

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// Python's str case methods use Unicode's full case mappings (ß upper is
// SS, ﬁ upper is FI, ǆ titled is ǅ), and a capital sigma lowers to ς at
// the end of a word (Objects/unicodeobject.c: do_upper, do_lower,
// do_title, do_capitalize, do_swapcase, handle_capital_sigma).

// caseMapper maps one character at a time with the full mappings.
type caseMapper struct{ upper, lower, title cases.Caser }

// newCaseMapper is made for each call: a cases.Caser has state.
func newCaseMapper() caseMapper {
	return caseMapper{
		upper: cases.Upper(language.Und),
		lower: cases.Lower(language.Und),
		title: cases.Title(language.Und),
	}
}

func (m caseMapper) upperOf(r rune) string {
	if r < utf8.RuneSelf {
		return string(unicode.ToUpper(r))
	}
	return m.upper.String(string(r))
}

func (m caseMapper) titleOf(r rune) string {
	if r < utf8.RuneSelf {
		return string(unicode.ToUpper(r))
	}
	return m.title.String(string(r))
}

// lowerAt lowers runes[i], a capital sigma as Python does at that place.
func (m caseMapper) lowerAt(runes []rune, i int) string {
	r := runes[i]
	switch {
	case r == 'Σ' && finalSigma(runes, i):
		return "ς"
	case r < utf8.RuneSelf:
		return string(unicode.ToLower(r))
	}
	return m.lower.String(string(r))
}

// finalSigma is CPython's final_sigma: a cased character before i and
// none after it, case-ignorable characters skipped.
func finalSigma(runes []rune, i int) bool {
	before := i - 1
	for before >= 0 && caseIgnorable(runes[before]) {
		before--
	}
	if before < 0 || !isCased(runes[before]) {
		return false
	}
	after := i + 1
	for after < len(runes) && caseIgnorable(runes[after]) {
		after++
	}
	return after == len(runes) || !isCased(runes[after])
}

// isCased is Unicode's Cased property (Python's _PyUnicode_IsCased).
func isCased(r rune) bool {
	return isUppercase(r) || isLowercase(r) || unicode.IsTitle(r)
}

// isUppercase and isLowercase are Unicode's Uppercase and Lowercase
// properties (Python's isupper and islower of one character).
func isUppercase(r rune) bool { return unicode.IsUpper(r) || unicode.Is(unicode.Other_Uppercase, r) }
func isLowercase(r rune) bool { return unicode.IsLower(r) || unicode.Is(unicode.Other_Lowercase, r) }

// caseIgnorable approximates Unicode's Case_Ignorable property: marks,
// format characters, modifier letters and symbols, and the apostrophes,
// periods and colons that may sit inside a word.
func caseIgnorable(r rune) bool {
	if strings.ContainsRune("'.:\u00b7\u2018\u2019\u2024\u2027\ufe13\ufe52\ufe55\uff07\uff0e\uff1a", r) {
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

func strLower(s string, c methodCall) (any, error) {
	if err := c.none(); err != nil {
		return nil, err
	}
	return pyLower(s), nil
}

func strUpper(s string, c methodCall) (any, error) {
	if err := c.none(); err != nil {
		return nil, err
	}
	return pyUpper(s), nil
}

// pyLower and pyUpper are str.lower() and str.upper(); an ASCII string's
// full mappings are Go's simple ones, without a Caser to make.
func pyLower(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	return cases.Lower(language.Und).String(s)
}

func pyUpper(s string) string {
	if isASCII(s) {
		return strings.ToUpper(s)
	}
	return cases.Upper(language.Und).String(s)
}

// strCaseFold is s.casefold(): Unicode's full case folding (ß is ss).
func strCaseFold(s string, c methodCall) (any, error) {
	if err := c.none(); err != nil {
		return nil, err
	}
	return cases.Fold().String(s), nil
}

// strTitle is s.title(): a character after a cased one is lowered, any
// other titled ("they're" is "They'Re", as in Python).
func strTitle(s string, c methodCall) (any, error) {
	if err := c.none(); err != nil {
		return nil, err
	}
	m, runes := newCaseMapper(), []rune(s)
	var b strings.Builder
	previousCased := false
	for i, r := range runes {
		if previousCased {
			b.WriteString(m.lowerAt(runes, i))
		} else {
			b.WriteString(m.titleOf(r))
		}
		previousCased = isCased(r)
	}
	return b.String(), nil
}

// strCapitalize is s.capitalize(): the first character titled, the others
// lowered.
func strCapitalize(s string, c methodCall) (any, error) {
	if err := c.none(); err != nil {
		return nil, err
	}
	m, runes := newCaseMapper(), []rune(s)
	var b strings.Builder
	for i, r := range runes {
		if i == 0 {
			b.WriteString(m.titleOf(r))
			continue
		}
		b.WriteString(m.lowerAt(runes, i))
	}
	return b.String(), nil
}

// strSwapCase is s.swapcase(): upper case lowered, lower case uppered,
// the rest (titlecase letters included) kept.
func strSwapCase(s string, c methodCall) (any, error) {
	if err := c.none(); err != nil {
		return nil, err
	}
	m, runes := newCaseMapper(), []rune(s)
	var b strings.Builder
	for i, r := range runes {
		switch {
		case isUppercase(r):
			b.WriteString(m.lowerAt(runes, i))
		case isLowercase(r):
			b.WriteString(m.upperOf(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}
