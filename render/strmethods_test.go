package render

import (
	"strings"
	"testing"
)

// strMethodCases are, by method, a template expression and what Python 3
// (CPython 3.11) prints for it: the expected values were computed by
// evaluating each expression with Python (w and g as in strMethodScope).
var strMethodCases = map[string][]struct{ expr, want string }{
	"split": {
		{"w.split()", "['a', 'b', 'c']"},
		{"w.split(None, 1)", "['a', 'b\\tc  ']"},
		{"w.split(none, 1)", "['a', 'b\\tc  ']"},
		{"w.split(maxsplit=1)", "['a', 'b\\tc  ']"},
		{"'a b'.split(' ', 1)", "['a', 'b']"},
		{"'a  b'.split(' ')", "['a', '', 'b']"},
		{"'a,b,c'.split(',', 0)", "['a,b,c']"},
		{"'a,b,c'.split(',', -1)", "['a', 'b', 'c']"},
		{"''.split()", "[]"},
		{"''.split(',')", "['']"},
		{"'   '.split()", "[]"},
		{"'a,b,'.split(',')", "['a', 'b', '']"},
		{"'1 2 3'.split(sep=' ', maxsplit=1)", "['1', '2 3']"},
		{"'a b c'.split(None, true)", "['a', 'b c']"},
		{"'é à ü'.split()", "['é', 'à', 'ü']"},
		{"'  a  b  '.split(None, 1)", "['a', 'b  ']"},
		{"'x\\x1cy z'.split(None, 1)", "['x', 'y z']"},
	},
	"rsplit": {
		{"w.rsplit()", "['a', 'b', 'c']"},
		{"w.rsplit(None, 1)", "['  a \\x1c b', 'c']"},
		{"'a,b,c'.rsplit(',', 1)", "['a,b', 'c']"},
		{"'a,b,c'.rsplit(',')", "['a', 'b', 'c']"},
		{"'a,b,c'.rsplit(',', 0)", "['a,b,c']"},
		{"'a.b.c'.rsplit('.', -1)", "['a', 'b', 'c']"},
		{"'  a  b  '.rsplit(None, 1)", "['  a', 'b']"},
		{"'x::y::z'.rsplit('::', 1)", "['x::y', 'z']"},
		{"''.rsplit()", "[]"},
		{"'x y\\x1cz'.rsplit(None, 1)", "['x y', 'z']"},
		{"'x\\u3000y'.rsplit()", "['x', 'y']"},
	},
	"splitlines": {
		{"'a\\nb'.splitlines()", "['a', 'b']"},
		{"'a\\r\\nb\\rc\\x0bd\\x0ce\\x1cf\\x1dg\\x1eh\\x85i\\u2028j\\u2029k'.splitlines()", "['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']"},
		{"'a\\n\\nb\\n'.splitlines(true)", "['a\\n', '\\n', 'b\\n']"},
		{"'a\\r\\nb'.splitlines(keepends=true)", "['a\\r\\n', 'b']"},
		{"''.splitlines()", "[]"},
		{"'a\\n'.splitlines()", "['a']"},
		{"'x\\ny'.splitlines(1)", "['x\\n', 'y']"},
		{"'x\\ny'.splitlines(0)", "['x', 'y']"},
	},
	"strip": {
		{"'[' ~ w.strip() ~ ']'", "[a \u001c b\tc]"},
		{"'[' ~ w.lstrip() ~ ']'", "[a \u001c b\tc  ]"},
		{"'[' ~ w.rstrip() ~ ']'", "[  a \u001c b\tc]"},
		{"'xxaxx'.strip('x')", "a"},
		{"'xyaxy'.lstrip('yx')", "axy"},
		{"'xyaxy'.rstrip('yx')", "xya"},
		{"'[' ~ w.strip(none) ~ ']'", "[a \u001c b\tc]"},
		{"'éaé'.strip('é')", "a"},
		{"'aa'.strip('')", "aa"},
		{"'\\x1f\\u3000a\\xa0'.strip()", "a"},
	},
	"pad": {
		{"'[' ~ 'ab'.center(6) ~ ']'", "[  ab  ]"},
		{"'ab'.center(5, '*')", "**ab*"},
		{"'abc'.center(6, '*')", "*abc**"},
		{"'ab'.center(5, 'é')", "ééabé"},
		{"'ab'.center(1)", "ab"},
		{"'ab'.center(-3)", "ab"},
		{"'ab'.ljust(5, '.')", "ab..."},
		{"'ab'.rjust(5, '.')", "...ab"},
		{"'[' ~ 'ab'.ljust(4) ~ ']'", "[ab  ]"},
		{"'é'.rjust(3, '-')", "--é"},
		{"'ab'.center(true)", "ab"},
	},
	"zfill": {
		{"'42'.zfill(5)", "00042"},
		{"'-42'.zfill(5)", "-0042"},
		{"'+42'.zfill(5)", "+0042"},
		{"'-'.zfill(3)", "-00"},
		{"''.zfill(2)", "00"},
		{"'abc'.zfill(2)", "abc"},
		{"'x-1'.zfill(5)", "00x-1"},
		{"'42'.zfill(-1)", "42"},
	},
	"count": {
		{"'banana'.count('a')", "3"},
		{"'banana'.count('an')", "2"},
		{"'banana'.count('a', 2)", "2"},
		{"'banana'.count('a', 2, 4)", "1"},
		{"'banana'.count('a', -2)", "1"},
		{"'banana'.count('')", "7"},
		{"'ab'.count('', 2)", "1"},
		{"'ab'.count('', 5)", "0"},
		{"'aaaa'.count('aa')", "2"},
		{"'éaé'.count('é', 1)", "1"},
		{"'banana'.count('a', none, -1)", "2"},
	},
	"find": {
		{"'banana'.find('an')", "1"},
		{"'banana'.find('an', 2)", "3"},
		{"'banana'.find('x')", "-1"},
		{"'banana'.rfind('an')", "3"},
		{"'banana'.rfind('an', 0, 4)", "1"},
		{"'ab'.find('', 5)", "-1"},
		{"'ab'.find('', 1)", "1"},
		{"'ab'.rfind('', 1)", "2"},
		{"'ab'.rfind('')", "2"},
		{"'éab'.find('b')", "2"},
		{"'éab'.rfind('é')", "0"},
		{"'banana'.find('a', -3, -1)", "3"},
		{"'banana'.index('n')", "2"},
		{"'banana'.rindex('n')", "4"},
	},
	"startswith": {
		{"'abc'.startswith('ab')", "True"},
		{"'abc'.startswith('bc', 1)", "True"},
		{"'abc'.startswith(('x', 'a'))", "True"},
		{"'abc'.startswith(())", "False"},
		{"'abc'.endswith('bc')", "True"},
		{"'abc'.endswith('ab', 0, 2)", "True"},
		{"'abc'.endswith(('x', 'c'))", "True"},
		{"'ab'.startswith('', 3)", "False"},
		{"'ab'.startswith('', 2)", "True"},
		{"'abc'.endswith('a', -5, 1)", "True"},
		{"'éa'.endswith('a', 1)", "True"},
		{"'abc'.startswith('a', -1)", "False"},
	},
	"partition": {
		{"'a=b=c'.partition('=')", "('a', '=', 'b=c')"},
		{"'a=b=c'.rpartition('=')", "('a=b', '=', 'c')"},
		{"'abc'.partition('x')", "('abc', '', '')"},
		{"'abc'.rpartition('x')", "('', '', 'abc')"},
		{"'k: v'.partition(': ')[2]", "v"},
	},
	"expandtabs": {
		{"'a\\tbc\\td'.expandtabs()", "a       bc      d"},
		{"'a\\tbc\\td\\n\\te'.expandtabs(4)", "a   bc  d\n    e"},
		{"'a\\tb'.expandtabs(0)", "ab"},
		{"'a\\tb'.expandtabs(-1)", "ab"},
		{"'é\\tb'.expandtabs(tabsize=3)", "é  b"},
		{"'ab\\r\\tc'.expandtabs(4)", "ab\r    c"},
	},
	"affix": {
		{"'abcab'.removeprefix('ab')", "cab"},
		{"'abcab'.removesuffix('ab')", "abc"},
		{"'abc'.removeprefix('x')", "abc"},
		{"'abc'.removesuffix('')", "abc"},
	},
	"join": {
		{"'-'.join(['a', 'b'])", "a-b"},
		{"'-'.join(('a', 'b', 'c'))", "a-b-c"},
		{"','.join('abc')", "a,b,c"},
		{"','.join({'k': 1, 'j': 2})", "k,j"},
		{"'x'.join([])", ""},
		{"', '.join(w.split())", "a, b, c"},
	},
	"replace": {
		{"'aaa'.replace('a', 'b')", "bbb"},
		{"'aaa'.replace('a', 'b', 2)", "bba"},
		{"'ab'.replace('', '-')", "-a-b-"},
		{"'ab'.replace('', '-', 2)", "-a-b"},
		{"'aaa'.replace('a', 'b', -1)", "bbb"},
		{"'aaa'.replace('a', 'b', 0)", "aaa"},
	},
	"case": {
		{"g.lower()", "σας ǆa ß ﬁx"},
		{"g.upper()", "ΣΑΣ ǄA SS FIX"},
		{"g.casefold()", "σασ ǆa ss fix"},
		{"g.title()", "Σας ǅa Ss Fix"},
		{"g.capitalize()", "Σας ǆa ß ﬁx"},
		{"g.swapcase()", "σας ǄA SS FIX"},
		{"\"they're bill's 1st x_y\".title()", "They'Re Bill'S 1St X_Y"},
		{"'hELLO wORLD'.capitalize()", "Hello world"},
		{"'ǅ ß ﬁ'.swapcase()", "ǅ SS FI"},
		{"'ΣΑΣ.'.lower()", "σας."},
		{"'İ'.lower()", "i̇"},
		{"'ﬁ'.upper()", "FI"},
		{"'ǆa'.title()", "ǅa"},
		{"''.title()", ""},
	},
	"predicates": {
		{"'  \\x1c'.isspace()", "True"},
		{"''.isspace()", "False"},
		{"'\\xa0\\u3000'.isspace()", "True"},
		{"'²3'.isdigit()", "True"},
		{"'²3'.isdecimal()", "False"},
		{"'½一'.isnumeric()", "True"},
		{"'a½'.isalnum()", "True"},
		{"'abé'.isalpha()", "True"},
		{"''.isascii()", "True"},
		{"'é'.isascii()", "False"},
		{"''.isprintable()", "True"},
		{"'a\\tb'.isprintable()", "False"},
		{"'123'.istitle()", "False"},
		{"'Hello World'.istitle()", "True"},
		{"'ǅx'.istitle()", "True"},
		{"'HellO'.istitle()", "False"},
		{"'ª'.islower()", "True"},
		{"'abc1'.islower()", "True"},
		{"'ABC1'.isupper()", "True"},
		{"'ǅ'.isupper()", "False"},
		{"'123'.islower()", "False"},
	},
	"format": {
		{"'{} {}'.format(1, 'x')", "1 x"},
		{"'{0}{1}{0}'.format('a', 'b')", "aba"},
		{"'{x}-{y}'.format(x=1, y=[1, 'a'])", "1-[1, 'a']"},
		{"'{{}}{}'.format(none)", "{}None"},
		{"'{}'.format(true)", "True"},
		{"'{}'.format(1.5)", "1.5"},
		{"'{!r}'.format('a')", "'a'"},
		{"'{0!s}'.format('a')", "a"},
		{"'{}'.format({'a': 1})", "{'a': 1}"},
		{"'a}}b{{c'.format()", "a}b{c"},
		{"'{}'.format(('a', 1))", "('a', 1)"},
	},
	"format_spec": {
		{"'[{:>5}]'.format('ab')", "[   ab]"},
		{"'[{:<5}]'.format('ab')", "[ab   ]"},
		{"'[{:^5}]'.format('ab')", "[ ab  ]"},
		{"'{:*^7}'.format('ab')", "**ab***"},
		{"'{:.2}'.format('abc')", "ab"},
		{"'{:05}'.format('ab')", "ab000"},
		{"'{:05d}'.format(-42)", "-0042"},
		{"'{:+d}'.format(3)", "+3"},
		{"'{: d}'.format(3)", " 3"},
		{"'{:x}|{:X}|{:o}|{:b}'.format(255, 255, 8, 5)", "ff|FF|10|101"},
		{"'{:#x}|{:#010b}'.format(255, -5)", "0xff|-0b0000101"},
		{"'{:,}|{:_}|{:_x}'.format(1234567, 1234567, 123456)", "1,234,567|1_234_567|1_e240"},
		{"'{:=+6}'.format(3)", "+    3"},
		{"'{:.2f}'.format(3.14159)", "3.14"},
		{"'{:08.3f}'.format(-3.14159)", "-003.142"},
		{"'{:,.2f}'.format(1234567.891)", "1,234,567.89"},
		{"'{:e}|{:E}'.format(12345.678, 0.00012)", "1.234568e+04|1.200000E-04"},
		{"'{:g}|{:.3g}|{:g}|{:G}'.format(1e16, 3.14159, 0.0001, 1e-05)", "1e+16|3.14|0.0001|1E-05"},
		{"'{:%}|{:.1%}'.format(0.25, 1)", "25.000000%|100.0%"},
		{"'{:5}|{:<6}|'.format(1.5, 2)", "  1.5|2     |"},
		{"'{:>6}|{:d}'.format(true, false)", "     1|0"},
		{"'{:.1f}'.format(2)", "2.0"},
		{"'{:>4}|{:<4}'.format('é', 'é')", "   é|é   "},
	},
}

// strMethodScope holds whitespace Python counts and Go's unicode.IsSpace
// does not (U+001C), and letters with full case mappings.
func strMethodScope() *Scope {
	return NewScope(map[string]any{"w": "  a \x1c b\tc  ", "g": "ΣΑΣ ǆa ß ﬁx"}, Magic{})
}

func TestStrMethodsArePythons(t *testing.T) {
	e, scope := NewEngine(Options{}), strMethodScope()
	for _, method := range sortedKeys(strMethodCases) {
		t.Run(method, func(t *testing.T) {
			for _, c := range strMethodCases[method] {
				got, err := e.RenderTemplate("t.j2", []byte("{{ "+c.expr+" }}"), scope, TemplateDefaults())
				if err != nil {
					t.Errorf("%s: %v (Python: %q)", c.expr, err, c.want)
				} else if string(got) != c.want {
					t.Errorf("%s = %q, Python: %q", c.expr, got, c.want)
				}
			}
		})
	}
}

// strMethodErrors are wrong calls and Python's message for each.
var strMethodErrors = []struct{ expr, message string }{
	{"'ab'.split('')", "empty separator"},
	{"'ab'.rsplit('')", "empty separator"},
	{"'ab'.partition('')", "empty separator"},
	{"'ab'.rpartition('')", "empty separator"},
	{"'ab'.split(1)", "must be str or None, not int"},
	{"'ab'.split('a', 1, 2)", "split() takes at most 2 arguments (3 given)"},
	{"'ab'.split(x=1)", "'x' is an invalid keyword argument for split()"},
	{"'ab'.split('a', sep='b')", "argument for split() given by name ('sep') and position (1)"},
	{"'ab'.split(None, '1')", "'str' object cannot be interpreted as an integer"},
	{"'ab'.split(maxsplit=1.5)", "'float' object cannot be interpreted as an integer"},
	{"'ab'.center()", "center expected at least 1 argument, got 0"},
	{"'ab'.center(1, 2, 3)", "center expected at most 2 arguments, got 3"},
	{"'ab'.center(5, 'xy')", "The fill character must be exactly one character long"},
	{"'ab'.center('5')", "'str' object cannot be interpreted as an integer"},
	{"'ab'.center(5, 1)", "The fill character must be a unicode character, not int"},
	{"'ab'.center(width=5)", "str.center() takes no keyword arguments"},
	{"'ab'.count()", "count() takes at least 1 argument (0 given)"},
	{"'ab'.count(1)", "must be str, not int"},
	{"'ab'.count('a', 1, 2, 3)", "count() takes at most 3 arguments (4 given)"},
	{"'ab'.count('a', '1')", "slice indices must be integers or None or have an __index__ method"},
	{"'ab'.count(x=1)", "str.count() takes no keyword arguments"},
	{"'ab'.endswith(1)", "endswith first arg must be str or a tuple of str, not int"},
	{"'ab'.endswith(['a'])", "endswith first arg must be str or a tuple of str, not list"},
	{"'ab'.endswith(('x', 1))", "tuple for endswith must only contain str, not int"},
	{"'ab'.expandtabs(1, 2)", "expandtabs() takes at most 1 argument (2 given)"},
	{"'ab'.expandtabs('x')", "'str' object cannot be interpreted as an integer"},
	{"'ab'.index('c')", "substring not found"},
	{"'ab'.rindex('c')", "substring not found"},
	{"'ab'.join()", "str.join() takes exactly one argument (0 given)"},
	{"'ab'.join([1])", "sequence item 0: expected str instance, int found"},
	{"'ab'.join(1)", "can only join an iterable"},
	{"'ab'.lstrip(1)", "lstrip arg must be None or str"},
	{"'ab'.lstrip(1, 2)", "lstrip expected at most 1 argument, got 2"},
	{"'ab'.strip(1)", "strip arg must be None or str"},
	{"'ab'.partition()", "str.partition() takes exactly one argument (0 given)"},
	{"'ab'.partition(none)", "must be str, not NoneType"},
	{"'ab'.removeprefix(1)", "removeprefix() argument must be str, not int"},
	{"'ab'.splitlines(1, 2)", "splitlines() takes at most 1 argument (2 given)"},
	{"'ab'.splitlines('a')", "'str' object cannot be interpreted as an integer"},
	{"'ab'.zfill()", "str.zfill() takes exactly one argument (0 given)"},
	{"'ab'.zfill('a')", "'str' object cannot be interpreted as an integer"},
	{"'ab'.upper(1)", "str.upper() takes no arguments (1 given)"},
	{"'ab'.isdigit(1)", "str.isdigit() takes no arguments (1 given)"},
	{"'ab'.replace('a')", "replace expected at least 2 arguments, got 1"},
	{"'ab'.replace(1, 'x')", "replace() argument 1 must be str, not int"},
	{"'ab'.lower(x=1)", "str.lower() takes no keyword arguments"},
	{"'{'.format()", "Single '{' encountered in format string"},
	{"'}'.format()", "Single '}' encountered in format string"},
	{"'{0}'.format()", "Replacement index 0 out of range for positional args tuple"},
	{"'{x}'.format()", "KeyError: 'x'"},
	{"'{} {0}'.format(1)", "cannot switch from automatic field numbering to manual field specification"},
	{"'{!x}'.format(1)", "Unknown conversion specifier x"},
	{"'{0'.format()", "expected '}' before end of string"},
	{"'{:d}'.format('a')", "Unknown format code 'd' for object of type 'str'"},
	{"'{:.2d}'.format(1)", "Precision not allowed in integer format specifier"},
	{"'{:+}'.format('a')", "Sign not allowed in string format specifier"},
	{"'{:=5}'.format('a')", "'=' alignment not allowed in string format specifier"},
	{"'{:,x}'.format(1)", "Cannot specify ',' with 'x'."},
	{"'{:>5}'.format([1])", "unsupported format string passed to list.__format__"},
	{"'{:>5}'.format(none)", "unsupported format string passed to NoneType.__format__"},
	{"'{:xx}'.format('a')", "Invalid format specifier 'xx' for object of type 'str'"},
	{"'{:.}'.format(1.5)", "Format specifier missing precision"},
	{"'{:d}'.format(1.5)", "Unknown format code 'd' for object of type 'float'"},
}

func TestStrMethodsFailAsPythons(t *testing.T) {
	e, scope := NewEngine(Options{}), strMethodScope()
	for _, c := range strMethodErrors {
		got, err := e.RenderTemplate("t.j2", []byte("{{ "+c.expr+" }}"), scope, TemplateDefaults())
		if err == nil {
			t.Errorf("%s rendered %q, Python fails: %s", c.expr, got, c.message)
		} else if !strings.Contains(err.Error(), c.message) {
			t.Errorf("%s: error %q, Python's is %q", c.expr, err, c.message)
		}
	}
}

// TestStrMethodsNotSupported: a str.format() field straylight does not
// implement is refused as not supported, never rendered another way.
func TestStrMethodsNotSupported(t *testing.T) {
	e, scope := NewEngine(Options{}), strMethodScope()
	for _, src := range []string{"{{ '{0.real}'.format(1) }}", "{{ '{0[0]}'.format('ab') }}", "{{ '{!a}'.format('é') }}", "{{ '{0:>{1}}'.format('a', 3) }}", "{{ '{:n}'.format(1) }}"} {
		_, err := e.RenderTemplate("t.j2", []byte(src), scope, TemplateDefaults())
		if _, ok := NotSupported(err); !ok {
			t.Errorf("%s: %v, want a not-supported error", src, err)
		}
	}
}
