package filemod

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// dotnetRegexp is a .NET regular expression (New-Object Regex $pattern,
// 'Compiled', as win_lineinfile builds it) run by Go's engine, for the
// patterns both read the same way on one line of text (a line as
// File.ReadAllLines returns it holds no CR or LF, so .NET's $ "at the end
// or before a final newline" is Go's $). What they would read differently
// is refused, never guessed:
//   - constructs RE2 lacks (lookarounds, backreferences, atomic groups,
//     conditionals, \G, (?'name'), character class subtraction), and Go
//     syntax .NET reads otherwise (goOnlySyntax): an error when the
//     pattern is compiled;
//   - \w \d \s \b (and their negations) and (?i): .NET's follow Unicode,
//     Go's ASCII, so a line with non-ASCII text is refused when matched;
//   - a character outside the Basic Multilingual Plane: .NET matches UTF-16
//     code units, so "." and classes count it twice; refused when matched.
type dotnetRegexp struct {
	pattern      string
	re           *regexp.Regexp
	asciiClasses bool // \w \d \s \b or (?i): Unicode-aware in .NET, ASCII in Go
}

var dotnetUnicodeClasses = lazyre.New(`\\[wWdDsSbB]|\(\?[a-zA-Z-]*i`)

// compileDotNet translates \Z (Go has no \Z; on one line it is \z) and
// refuses what Go would read differently.
func compileDotNet(pattern string) (*dotnetRegexp, error) {
	translated, err := translateDotNet(pattern)
	if err == nil {
		var re *regexp.Regexp
		if re, err = regexp.Compile(translated); err == nil {
			return &dotnetRegexp{pattern: pattern, re: re, asciiClasses: dotnetUnicodeClasses().MatchString(pattern)}, nil
		}
	}
	return nil, fmt.Errorf("%q: straylight runs .NET regular expressions only where Go's RE2 reads them the same way, and this one it cannot (%v)", pattern, err)
}

// goOnlySyntax is what Go reads and .NET rejects or reads otherwise: (?P<>
// groups, \Q…\E quoting, \pN without braces, \x{…}, the U flag, and
// [:alpha:] classes (to .NET, characters of a bracket class).
var goOnlySyntax = lazyre.New(`\(\?P<|\\[QE]|\\[pP][^{]|\\x\{|\(\?[a-zA-Z-]*U|\[:[a-z]+:\]`)

func translateDotNet(p string) (string, error) {
	if m := goOnlySyntax().FindString(p); m != "" {
		return "", fmt.Errorf("%s is Go syntax that .NET reads differently or refuses", m)
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			if !inClass && p[i+1] == 'Z' {
				b.WriteString(`\z`)
			} else {
				b.WriteString(p[i : i+2])
			}
			i++
			continue
		case c == '[' && !inClass:
			inClass = true
		case c == ']' && inClass:
			inClass = false
		case c == '-' && inClass && i+1 < len(p) && p[i+1] == '[':
			return "", fmt.Errorf("character class subtraction -[...]")
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// usable refuses a line the pattern would match differently in .NET. The
// message never quotes the line: the host's file may hold secrets.
func (d *dotnetRegexp) usable(line string) error {
	for _, r := range line {
		if r > 0xFFFF {
			return fmt.Errorf("regex %q on a line with a character outside the Basic Multilingual Plane: .NET matches it as two UTF-16 code units, Go as one; straylight does not guess", d.pattern)
		}
		if r >= utf8.RuneSelf && d.asciiClasses {
			return fmt.Errorf("regex %q uses \\w, \\d, \\s, \\b or (?i), which .NET applies to Unicode text and Go to ASCII only, on a line with non-ASCII text; straylight does not guess", d.pattern)
		}
	}
	return nil
}

// matches is $re.Match($line).Success.
func (d *dotnetRegexp) matches(line string) (bool, error) {
	if err := d.usable(line); err != nil {
		return false, err
	}
	return d.re.MatchString(line), nil
}

// replace is [regex]::Replace($line, $pattern, $replacement): every match
// in the line replaced by the substitution, the rest of the line kept.
func (d *dotnetRegexp) replace(line, replacement string) (string, error) {
	if err := d.usable(line); err != nil {
		return "", err
	}
	if err := d.sameGroupNumbers(); err != nil {
		return "", err
	}
	all := d.re.FindAllStringSubmatchIndex(line, -1)
	if err := d.sameMatches(all); err != nil {
		return "", err
	}
	var out strings.Builder
	last := 0
	for _, m := range all {
		out.WriteString(line[last:m[0]])
		out.WriteString(d.substitute(replacement, line, m))
		last = m[1]
	}
	out.WriteString(line[last:])
	return out.String(), nil
}

// sameGroupNumbers: .NET numbers unnamed groups first and named ones
// after them, Go all of them left to right, and .NET takes a group named
// by digits as that number; the two agree only without such a mix.
func (d *dotnetRegexp) sameGroupNumbers() error {
	named, unnamed := false, false
	for _, name := range d.re.SubexpNames()[1:] {
		if _, err := strconv.Atoi(name); err == nil {
			return fmt.Errorf("regex %q names a group by a number, which .NET numbers differently from Go; straylight does not guess", d.pattern)
		}
		named, unnamed = named || name != "", unnamed || name == ""
	}
	if named && unnamed {
		return fmt.Errorf("regex %q mixes named and unnamed groups, which .NET numbers differently from Go; straylight does not guess", d.pattern)
	}
	return nil
}

// sameMatches: Go drops an empty match right after another match, .NET
// keeps it; with both empty and non-empty matches in the line the two
// could replace differently, so that is refused.
func (d *dotnetRegexp) sameMatches(all [][]int) error {
	empty, nonEmpty := false, false
	for _, m := range all {
		empty, nonEmpty = empty || m[0] == m[1], nonEmpty || m[0] != m[1]
	}
	if empty && nonEmpty {
		return fmt.Errorf("regex %q matches both empty and non-empty text in the line, where .NET and Go place replacements differently; straylight does not guess", d.pattern)
	}
	return nil
}

// substitute expands .NET's substitutions in the replacement: $$, $n and
// ${n} or ${name} for a group that exists, $& $0 the match, $` and $' the
// text before and after it, $+ the last group, $_ the whole line; any
// other $ is literal (RegexParser.ScanReplacement's rules).
func (d *dotnetRegexp) substitute(repl, line string, m []int) string {
	var out strings.Builder
	for i := 0; i < len(repl); i++ {
		if repl[i] != '$' || i+1 == len(repl) {
			out.WriteByte(repl[i])
			continue
		}
		text, n := d.dollar(repl[i+1:], line, m)
		if n == 0 {
			out.WriteByte('$')
			continue
		}
		out.WriteString(text)
		i += n
	}
	return out.String()
}

// dollar reads the substitution after a $: its text and how many bytes
// after the $ it took (0: the $ is literal).
func (d *dotnetRegexp) dollar(s, line string, m []int) (string, int) {
	switch s[0] {
	case '$':
		return "$", 1
	case '&':
		return line[m[0]:m[1]], 1
	case '`':
		return line[:m[0]], 1
	case '\'':
		return line[m[1]:], 1
	case '+':
		return d.group(d.re.NumSubexp(), line, m), 1
	case '_':
		return line, 1
	case '{':
		return d.bracedGroup(s, line, m)
	}
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if n, err := strconv.Atoi(s[:digits]); digits > 0 && err == nil && n <= d.re.NumSubexp() {
		return d.group(n, line, m), digits
	}
	return "", 0
}

func (d *dotnetRegexp) bracedGroup(s, line string, m []int) (string, int) {
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return "", 0
	}
	name := s[1:end]
	n, err := strconv.Atoi(name)
	if err != nil {
		n = d.re.SubexpIndex(name)
	}
	if n < 0 || n > d.re.NumSubexp() || name == "" {
		return "", 0
	}
	return d.group(n, line, m), end + 1
}

// group is a group's text; a group that took no part is empty.
func (d *dotnetRegexp) group(n int, line string, m []int) string {
	if m[2*n] < 0 {
		return ""
	}
	return line[m[2*n]:m[2*n+1]]
}
