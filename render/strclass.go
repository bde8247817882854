package render

import "unicode"

// Python's str predicates where gonja's differ: isdigit and isnumeric
// count the characters Unicode gives a digit or numeric value outside the
// Nd and N categories (superscripts, circled digits, CJK numerals), and
// islower, isupper and istitle see titlecase letters and Unicode's
// Other_Lowercase and Other_Uppercase characters, and need a cased
// character (Objects/unicodeobject.c: unicode_isdigit_impl and its
// neighbours; the tables are CPython 3.11's, Unicode 14.0).

func strIsDigit(s string, c methodCall) (any, error) { return everyRune(s, c, isPythonDigit) }

func strIsNumeric(s string, c methodCall) (any, error) { return everyRune(s, c, isPythonNumeric) }

func strIsAlnum(s string, c methodCall) (any, error) {
	return everyRune(s, c, func(r rune) bool { return unicode.IsLetter(r) || isPythonNumeric(r) })
}

func strIsAlpha(s string, c methodCall) (any, error) { return everyRune(s, c, unicode.IsLetter) }

func strIsDecimal(s string, c methodCall) (any, error) {
	return everyRune(s, c, func(r rune) bool { return unicode.Is(unicode.Nd, r) })
}

// strIsASCII is s.isascii(): true of the empty string too.
func strIsASCII(s string, c methodCall) (any, error) {
	return orEmpty(s, c, func(r rune) bool { return r < 0x80 })
}

// strIsPrintable is s.isprintable(): no separator but the space, no
// control, format, private-use or unassigned character; true of the empty
// string too.
func strIsPrintable(s string, c methodCall) (any, error) { return orEmpty(s, c, unicode.IsPrint) }

func orEmpty(s string, c methodCall, pred func(rune) bool) (any, error) {
	if s == "" {
		return true, c.none()
	}
	return everyRune(s, c, pred)
}

// everyRune is a predicate method: s not empty and pred true of each
// character.
func everyRune(s string, c methodCall, pred func(rune) bool) (any, error) {
	if err := c.none(); err != nil {
		return nil, err
	}
	for _, r := range s {
		if !pred(r) {
			return false, nil
		}
	}
	return s != "", nil
}

func isPythonDigit(r rune) bool {
	return unicode.Is(unicode.Nd, r) || unicode.Is(digitNotDecimal, r)
}

func isPythonNumeric(r rune) bool {
	return unicode.IsNumber(r) || unicode.Is(numericNotNumber, r)
}

// strIsLower is s.islower(): a lowercase character and no uppercase or
// titlecase one.
func strIsLower(s string, c methodCall) (any, error) { return caseOnly(s, c, isLowercase, isUppercase) }

// strIsUpper is s.isupper(): an uppercase character and no lowercase or
// titlecase one.
func strIsUpper(s string, c methodCall) (any, error) { return caseOnly(s, c, isUppercase, isLowercase) }

func caseOnly(s string, c methodCall, wanted, other func(rune) bool) (any, error) {
	if err := c.none(); err != nil {
		return nil, err
	}
	cased := false
	for _, r := range s {
		if other(r) || unicode.IsTitle(r) {
			return false, nil
		}
		cased = cased || wanted(r)
	}
	return cased, nil
}

// strIsTitle is s.istitle(): a cased character; uppercase and titlecase
// ones only after an uncased one, lowercase ones only after a cased one.
func strIsTitle(s string, c methodCall) (any, error) {
	if err := c.none(); err != nil {
		return nil, err
	}
	cased, previousCased := false, false
	for _, r := range s {
		switch {
		case isUppercase(r) || unicode.IsTitle(r):
			if previousCased {
				return false, nil
			}
			previousCased, cased = true, true
		case isLowercase(r):
			if !previousCased {
				return false, nil
			}
			previousCased, cased = true, true
		default:
			previousCased = false
		}
	}
	return cased, nil
}

// digitNotDecimal are the characters whose Unicode Numeric_Type is Digit
// outside category Nd (Python's isdigit() and not isdecimal()).
var digitNotDecimal = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x00b2, 0x00b3, 1},
		{0x00b9, 0x00b9, 1},
		{0x1369, 0x1371, 1},
		{0x19da, 0x19da, 1},
		{0x2070, 0x2070, 1},
		{0x2074, 0x2079, 1},
		{0x2080, 0x2089, 1},
		{0x2460, 0x2468, 1},
		{0x2474, 0x247c, 1},
		{0x2488, 0x2490, 1},
		{0x24ea, 0x24ea, 1},
		{0x24f5, 0x24fd, 1},
		{0x24ff, 0x24ff, 1},
		{0x2776, 0x277e, 1},
		{0x2780, 0x2788, 1},
		{0x278a, 0x2792, 1},
	},
	R32: []unicode.Range32{
		{0x10a40, 0x10a43, 1},
		{0x10e60, 0x10e68, 1},
		{0x11052, 0x1105a, 1},
		{0x1f100, 0x1f10a, 1},
	},
}

// numericNotNumber are the characters with a Unicode numeric value
// outside category N (Python's isnumeric(), CJK numerals mostly).
var numericNotNumber = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x3405, 0x3405, 1},
		{0x3483, 0x3483, 1},
		{0x382a, 0x382a, 1},
		{0x3b4d, 0x3b4d, 1},
		{0x4e00, 0x4e00, 1},
		{0x4e03, 0x4e03, 1},
		{0x4e07, 0x4e07, 1},
		{0x4e09, 0x4e09, 1},
		{0x4e5d, 0x4e5d, 1},
		{0x4e8c, 0x4e8c, 1},
		{0x4e94, 0x4e94, 1},
		{0x4e96, 0x4e96, 1},
		{0x4ebf, 0x4ec0, 1},
		{0x4edf, 0x4edf, 1},
		{0x4ee8, 0x4ee8, 1},
		{0x4f0d, 0x4f0d, 1},
		{0x4f70, 0x4f70, 1},
		{0x5104, 0x5104, 1},
		{0x5146, 0x5146, 1},
		{0x5169, 0x5169, 1},
		{0x516b, 0x516b, 1},
		{0x516d, 0x516d, 1},
		{0x5341, 0x5341, 1},
		{0x5343, 0x5345, 1},
		{0x534c, 0x534c, 1},
		{0x53c1, 0x53c4, 1},
		{0x56db, 0x56db, 1},
		{0x58f1, 0x58f1, 1},
		{0x58f9, 0x58f9, 1},
		{0x5e7a, 0x5e7a, 1},
		{0x5efe, 0x5eff, 1},
		{0x5f0c, 0x5f0e, 1},
		{0x5f10, 0x5f10, 1},
		{0x62fe, 0x62fe, 1},
		{0x634c, 0x634c, 1},
		{0x67d2, 0x67d2, 1},
		{0x6f06, 0x6f06, 1},
		{0x7396, 0x7396, 1},
		{0x767e, 0x767e, 1},
		{0x8086, 0x8086, 1},
		{0x842c, 0x842c, 1},
		{0x8cae, 0x8cae, 1},
		{0x8cb3, 0x8cb3, 1},
		{0x8d30, 0x8d30, 1},
		{0x9621, 0x9621, 1},
		{0x9646, 0x9646, 1},
		{0x964c, 0x964c, 1},
		{0x9678, 0x9678, 1},
		{0x96f6, 0x96f6, 1},
		{0xf96b, 0xf96b, 1},
		{0xf973, 0xf973, 1},
		{0xf978, 0xf978, 1},
		{0xf9b2, 0xf9b2, 1},
		{0xf9d1, 0xf9d1, 1},
		{0xf9d3, 0xf9d3, 1},
		{0xf9fd, 0xf9fd, 1},
	},
	R32: []unicode.Range32{
		{0x20001, 0x20001, 1},
		{0x20064, 0x20064, 1},
		{0x200e2, 0x200e2, 1},
		{0x20121, 0x20121, 1},
		{0x2092a, 0x2092a, 1},
		{0x20983, 0x20983, 1},
		{0x2098c, 0x2098c, 1},
		{0x2099c, 0x2099c, 1},
		{0x20aea, 0x20aea, 1},
		{0x20afd, 0x20afd, 1},
		{0x20b19, 0x20b19, 1},
		{0x22390, 0x22390, 1},
		{0x22998, 0x22998, 1},
		{0x23b1b, 0x23b1b, 1},
		{0x2626d, 0x2626d, 1},
		{0x2f890, 0x2f890, 1},
	},
}
