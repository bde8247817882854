package sim

import (
	"errors"
	"strings"
)

// This file holds the small PowerShell scanner the interpreter needs: quotes,
// comments, statement boundaries, brackets and argument-mode tokens. It is
// not a PowerShell parser; what it cannot read is "not simulated".

var errPSUnsupported = errors.New("unsupported PowerShell syntax")

// psSkipQuoted returns the index just past the quoted string starting at
// s[i], or len(s) when it is unterminated. Inside '…' a quote is doubled;
// inside "…" it is doubled or escaped with a backtick.
func psSkipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case q == '"' && s[j] == '`':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j + 1
		}
	}
	return len(s)
}

// psStartsToken reports whether s[i] begins a token (so '#' there is a comment).
func psStartsToken(s string, i int) bool {
	return i == 0 || strings.ContainsRune(" \t\r\n;{}()|", rune(s[i-1]))
}

// psStripComments removes <# … #> and # … comments and joins lines continued
// with a trailing backtick, leaving quoted strings untouched.
func psStripComments(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\'' || s[i] == '"':
			end := psSkipQuoted(s, i)
			b.WriteString(s[i:end])
			i = end
		case strings.HasPrefix(s[i:], "<#"):
			i = psSkipBlockComment(s, i)
		case s[i] == '#' && psStartsToken(s, i):
			i = psSkipLineComment(s, i)
		case s[i] == '`' && psIsLineContinuation(s[i+1:]):
			b.WriteByte(' ')
			i += 2 + strings.Count(s[i+1:min(i+3, len(s))], "\r\n")
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

func psIsLineContinuation(rest string) bool {
	return strings.HasPrefix(rest, "\n") || strings.HasPrefix(rest, "\r\n")
}

func psSkipBlockComment(s string, i int) int {
	end := strings.Index(s[i+2:], "#>")
	if end < 0 {
		return len(s)
	}
	return i + 2 + end + 2
}

func psSkipLineComment(s string, i int) int {
	end := strings.IndexByte(s[i:], '\n')
	if end < 0 {
		return len(s)
	}
	return i + end
}

// psSplitStatements splits a comment-free script at newlines and semicolons
// outside quotes, braces and parentheses. A statement that starts with `{`,
// `else` or `elseif` is joined to the one before (an if/else written over
// several lines).
func psSplitStatements(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"':
			i = psSkipQuoted(s, i) - 1
		case c == '{' || c == '(':
			depth++
		case c == '}' || c == ')':
			depth = max(depth-1, 0)
		case (c == '\n' || c == ';') && depth == 0:
			out = psAppendStatement(out, s[start:i])
			start = i + 1
		}
	}
	return psAppendStatement(out, s[start:])
}

func psAppendStatement(out []string, stmt string) []string {
	stmt = strings.TrimSpace(stmt)
	if stmt == "" {
		return out
	}
	if len(out) > 0 && psContinuesPrevious(stmt) {
		out[len(out)-1] += " " + stmt
		return out
	}
	return append(out, stmt)
}

func psContinuesPrevious(stmt string) bool {
	lower := strings.ToLower(stmt)
	return strings.HasPrefix(lower, "{") || psHasKeyword(lower, "else") || psHasKeyword(lower, "elseif")
}

// psHasKeyword reports whether lower starts with the keyword kw as a whole word.
func psHasKeyword(lower, kw string) bool {
	if !strings.HasPrefix(lower, kw) {
		return false
	}
	rest := lower[len(kw):]
	return rest == "" || strings.ContainsRune(" \t({", rune(rest[0]))
}

// psMatchBracket returns the index of the bracket closing the one at s[open],
// skipping quoted strings, or -1.
func psMatchBracket(s string, open int) int {
	closer := map[byte]byte{'(': ')', '{': '}'}[s[open]]
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '\'', '"':
			i = psSkipQuoted(s, i) - 1
		case s[open]:
			depth++
		case closer:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// psBracketed reads "(…)" or "{…}" at the start of s (after spaces) and
// returns its inside and what follows.
func psBracketed(s string, open byte) (inner, rest string, err error) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] != open {
		return "", "", errPSUnsupported
	}
	end := psMatchBracket(s, 0)
	if end < 0 {
		return "", "", errPSUnsupported
	}
	return s[1:end], strings.TrimSpace(s[end+1:]), nil
}

// psToken is one argument-mode token. bare is false for quoted strings, whose
// text can never be mistaken for an operator or a parameter name.
type psToken struct {
	text string
	bare bool
}

// psVarLookup resolves a variable name (without `$`) for expansion.
type psVarLookup func(name string) string

// psTokenize splits a statement into argument-mode tokens, expanding
// variables in double-quoted strings and bare words.
func psTokenize(s string, vars psVarLookup) ([]psToken, error) {
	var out []psToken
	for i := 0; i < len(s); {
		if strings.ContainsRune(" \t\r\n", rune(s[i])) {
			i++
			continue
		}
		tok, next, err := psReadToken(s, i, vars)
		if err != nil {
			return nil, err
		}
		out = append(out, tok)
		i = next
	}
	return out, nil
}

// psReadToken reads one token starting at s[i]; quoted pieces inside a bare
// word are joined to it, as PowerShell does.
func psReadToken(s string, i int, vars psVarLookup) (psToken, int, error) {
	var b strings.Builder
	tok := psToken{bare: s[i] != '\'' && s[i] != '"'}
	for i < len(s) && !strings.ContainsRune(" \t\r\n", rune(s[i])) {
		end, err := psReadPiece(s, i, vars, &b)
		if err != nil {
			return psToken{}, 0, err
		}
		i = end
	}
	tok.text = b.String()
	return tok, i, nil
}

func psReadPiece(s string, i int, vars psVarLookup, b *strings.Builder) (int, error) {
	switch s[i] {
	case '\'':
		end := psSkipQuoted(s, i)
		b.WriteString(strings.ReplaceAll(s[i+1:max(end-1, i+1)], "''", "'"))
		return end, nil
	case '"':
		end := psSkipQuoted(s, i)
		expanded, err := psExpand(psUnescapeDouble(s[i+1:max(end-1, i+1)]), vars)
		b.WriteString(expanded)
		return end, err
	case '$':
		if strings.HasPrefix(s[i:], "$(") {
			return i, errPSUnsupported
		}
		n := psVarEnd(s, i)
		expanded, err := psExpand(s[i:n], vars)
		b.WriteString(expanded)
		return n, err
	}
	b.WriteByte(s[i])
	return i + 1, nil
}

// psVarEnd returns the end of a `$name` or `${name}` reference at s[i].
func psVarEnd(s string, i int) int {
	if strings.HasPrefix(s[i:], "${") {
		if end := strings.IndexByte(s[i:], '}'); end >= 0 {
			return i + end + 1
		}
		return len(s)
	}
	j := i + 1
	for j < len(s) && psIsNameByte(s[j], j == i+1) {
		j++
	}
	return max(j, i+1)
}

func psIsNameByte(c byte, first bool) bool {
	return c == '_' || c == ':' || c == '?' && first ||
		'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// psUnescapeDouble applies backtick escapes and "" doubling inside "…".
// A backtick before `$` is kept (as "`$") so expansion leaves a literal `$`.
func psUnescapeDouble(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '`' && i+1 < len(s):
			i++
			b.WriteString(psBacktick(s[i]))
		case s[i] == '"' && i+1 < len(s) && s[i+1] == '"':
			i++
			b.WriteByte('"')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func psBacktick(c byte) string {
	switch c {
	case 'n':
		return "\n"
	case 'r':
		return "\r"
	case 't':
		return "\t"
	case '0':
		return "\x00"
	case '$':
		return "`$"
	}
	return string(c)
}

// psExpand replaces `$name` and `${name}` references; "`$" stays a literal
// `$`, and a sub-expression `$(…)` is not simulated.
func psExpand(s string, vars psVarLookup) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "`$"):
			b.WriteByte('$')
			i++
		case strings.HasPrefix(s[i:], "$("):
			return "", errPSUnsupported
		case s[i] == '$' && psVarEnd(s, i) > i+1:
			end := psVarEnd(s, i)
			b.WriteString(vars(strings.Trim(s[i+1:end], "{}")))
			i = end - 1
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

// psIsOperator reports whether a bare token is pipeline, redirection or
// sub-expression syntax the interpreter does not simulate.
func psIsOperator(t psToken) bool {
	if !t.bare || t.text == "" {
		return false
	}
	if strings.ContainsAny(t.text[:1], "|<>(@{") || strings.HasPrefix(t.text, "&&") {
		return true
	}
	return len(t.text) > 1 && t.text[0] >= '0' && t.text[0] <= '9' && t.text[1] == '>'
}
