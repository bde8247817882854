package plan

import (
	"math/bits"
	"strings"
	"unicode/utf8"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// secretAssignment finds "key: value" / "key=value" lines whose key names a
// secret, alone or as the last word of a longer name (REDIS_PASSWORD=,
// hf_token:), at the start of a line or of a diff's line (its + or -
// marker first: +API_KEY= of a created .env, +master_key: of a top-level
// YAML key). Values are masked by key as well as by value: a deployed file may
// hold an old secret the repository no longer knows (a rotated key), which
// value-based masking cannot recognise.
var secretAssignment = lazyre.New(`(?i)((?:^[+-]?|[\s"'{,])(?:[a-z0-9]+[_.-])*(?:master_key|api_key|ansible_password|ansible_winrm_password|password|passwd|secret|token)["']?\s*[:=]\s*)("[^"\n]*"|'[^'\n]*'|[^\s#,}\n]+)`)

// maskSecretValuesByKey masks the value of every secret-named assignment,
// leaving references (os.environ/VAR, {{ var }}, a compose file's or a
// shell's ${VAR}) and the mask itself alone.
//
// The line is searched once: each match's groups are where the key ends
// and its value begins (running the expression again on each match, to
// split it, doubled the cost of the proxy's config, a line per route).
func maskSecretValuesByKey(line string) string {
	var b strings.Builder
	kept := 0 // line[:kept] is in b
	for _, m := range secretAssignment().FindAllStringSubmatchIndex(line, -1) {
		if keepsSecretValue(strings.Trim(line[m[4]:m[5]], `"'`)) {
			continue
		}
		b.WriteString(line[kept:m[3]])
		b.WriteString(SecretMask)
		kept = m[1]
	}
	if kept == 0 {
		return line
	}
	b.WriteString(line[kept:])
	return b.String()
}

// keepsSecretValue reports whether a secret-named key's value is left as
// it is: empty, masked already, or a reference to where the secret is.
func keepsSecretValue(value string) bool {
	return value == "" || value == SecretMask || strings.HasPrefix(value, "os.environ/") || isEnvReference(value) || strings.Contains(value, "{{")
}

// isEnvReference reports whether a masked value's text is a plain ${NAME}
// (its closing brace ends the match); ${NAME:-default} may hold a secret.
func isEnvReference(value string) bool {
	name, ok := strings.CutPrefix(value, "${")
	return ok && name != "" && strings.TrimLeft(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// mayHoldSecret is a cheap test before the line-by-line work: text that
// holds no known secret and names none needs no masking.
func mayHoldSecret(s string, secrets []string) bool {
	return containsAny(s, secrets) || namesAnyWord(s, secretWords)
}

// bearerToken finds "Bearer <token>" (an Authorization header in a command
// or a log line).
var bearerToken = lazyre.New(`(?i)(\bbearer\s+)([A-Za-z0-9._~+/=-]{4,})`)

// MaskText masks known secret values, then secret-named assignments and
// bearer tokens. The regular expressions run only on text that names a
// secret at all: most rendered files never do, and running them on every
// file was half the time of a 1,000-host plan.
func MaskText(s string, secrets []string) string {
	s = MaskSecrets(s, secrets)
	if !namesAnyWord(s, secretWords) {
		return s
	}
	return maskLines(s)
}

// maskLines masks line by line, copying s only once a line changes (most
// lines that name a key hold no secret value).
func maskLines(s string) string {
	var b strings.Builder
	copying, at := false, 0
	for line := range strings.SplitAfterSeq(s, "\n") {
		masked := maskLine(line)
		if masked != line && !copying {
			copying = true
			b.WriteString(s[:at])
		}
		if copying {
			b.WriteString(masked)
		}
		at += len(line)
	}
	if !copying {
		return s
	}
	return b.String()
}

// maskLine runs the regular expressions on a line that names a secret.
func maskLine(line string) string {
	lower := strings.ToLower(line)
	if containsAnyWord(lower, secretKeys) {
		line = maskSecretValuesByKey(line)
	}
	if strings.Contains(lower, "bearer") {
		line = bearerToken().ReplaceAllString(line, "${1}"+SecretMask)
	}
	return line
}

// secretKeys are what secretAssignment's keys contain: a line naming none
// cannot match it.
var secretKeys = []string{"master_key", "api_key", "password", "passwd", "secret", "token"}

// secretWords are what a line must name for maskLine to change it: one of
// secretKeys or "bearer". Text naming none is returned as it is.
var secretWords = append(append([]string(nil), secretKeys...), "bearer")

// namesAnyWord reports whether s names any of the words (non-empty,
// lower-case ASCII), in any case. This runs on every file and diff of a plan, so
// ASCII text (nearly every rendered file) is searched in one pass and not
// copied: where two bytes can start a word, the words starting with them
// are compared there, ignoring ASCII case. Text beyond ASCII is
// lowered by strings.ToLower, which knows the rest of Unicode's cases (the
// Kelvin sign is a k).
func namesAnyWord(s string, words []string) bool {
	if len(words) > 8 {
		return containsAnyWord(strings.ToLower(s), words)
	}
	first, second, short := wordStarts(words)
	for i := range len(s) {
		c := s[i]
		if c >= utf8.RuneSelf {
			return containsAnyWord(strings.ToLower(s), words)
		}
		set := first[c]
		if set == 0 {
			continue
		}
		if i+1 < len(s) {
			set &= second[s[i+1]]
		} else {
			set &= short
		}
		for ; set != 0; set &= set - 1 {
			if hasPrefixLowered(s[i:], words[bits.TrailingZeros8(set)]) {
				return true
			}
		}
	}
	return false
}

// wordStarts maps each byte to the words (bits by index, at most 8) whose
// first byte it is, and whose second byte, in either case; a word of one
// byte is in every byte's second set and in short.
func wordStarts(words []string) (first, second [256]uint8, short uint8) {
	for i, w := range words {
		bit := uint8(1) << i
		first[w[0]] |= bit
		first[upperASCII(w[0])] |= bit
		if len(w) == 1 {
			short |= bit
			for c := range second {
				second[c] |= bit
			}
			continue
		}
		second[w[1]] |= bit
		second[upperASCII(w[1])] |= bit
	}
	return first, second, short
}

// hasPrefixLowered reports whether s, lowered in ASCII, starts with the
// lower-case word.
func hasPrefixLowered(s, word string) bool {
	if len(s) < len(word) {
		return false
	}
	for i := range len(word) {
		if lowerASCII(s[i]) != word[i] {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func containsAnyWord(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// maskDiff masks secrets in a unified diff. A changed line whose old and new
// versions differ only in a secret would show as two identical masked lines,
// hiding that anything changed; such pairs become one context-style line
// saying a secret changed, without either value.
func maskDiff(diff string, secrets []string) string {
	if !mayHoldSecret(diff, secrets) {
		return diff
	}
	lines := strings.SplitAfter(diff, "\n")
	var out []string
	for i := 0; i < len(lines); {
		if !isDiffLine(lines[i], '-') {
			out = append(out, MaskText(lines[i], secrets))
			i++
			continue
		}
		minus, plus := changeBlock(lines, i)
		if len(minus) == len(plus) {
			out = append(out, pairMasked(minus, plus, secrets)...)
			i += len(minus) + len(plus)
			continue
		}
		out = append(out, MaskText(lines[i], secrets))
		i++
	}
	return strings.Join(out, "")
}

// changeBlock returns the run of "-" lines at i and the "+" lines after it.
func changeBlock(lines []string, i int) (minus, plus []string) {
	j := i
	for j < len(lines) && isDiffLine(lines[j], '-') {
		j++
	}
	k := j
	for k < len(lines) && isDiffLine(lines[k], '+') {
		k++
	}
	return lines[i:j], lines[j:k]
}

func isDiffLine(l string, c byte) bool {
	return len(l) > 0 && l[0] == c && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "+++")
}

func pairMasked(minus, plus, secrets []string) []string {
	var removed, added, same []string
	for i := range minus {
		m, p := MaskText(minus[i], secrets), MaskText(plus[i], secrets)
		if m[1:] == p[1:] && minus[i] != "" && minus[i][1:] != plus[i][1:] {
			same = append(same, "~"+strings.TrimRight(m[1:], "\r\n")+"    # secret value changed (not shown)\n")
			continue
		}
		removed, added = append(removed, m), append(added, p)
	}
	return append(append(removed, added...), same...)
}

// maskText is MaskText(s, secrets). What MaskText does once the known
// secret values are masked depends on the text alone, so the plan's texts
// remember it: a text every host has (a start script) is searched for
// secret names once. Nil remembers nothing.
func (ts *textSet) maskText(s string, secrets []string) string {
	if ts == nil {
		return MaskText(s, secrets)
	}
	return ts.remembered(ts.masked, MaskSecrets(s, secrets), maskByName)
}

// maskByName is MaskText of a text whose known secret values are masked.
func maskByName(s string) string { return MaskText(s, nil) }

// maskDiff is the package's maskDiff(diff, secrets), reading the diff's
// body (all but its "--- " and "+++ " lines, which name the host's path)
// once per plan when it holds no known secret value: maskDiff works line
// by line and no change block takes in a header line, so the header and
// the body are masked apart, and without a secret value in it the body's
// masking depends on the body alone.
func (ts *textSet) maskDiff(diff string, secrets []string) string {
	at := diffHeaderEnd(diff)
	header, body := diff[:at], diff[at:]
	if ts == nil || containsAny(body, secrets) {
		return maskDiff(diff, secrets)
	}
	maskedHeader, maskedBody := maskDiff(header, secrets), ts.remembered(ts.maskedDiffs, body, maskDiffByName)
	if maskedHeader == header && maskedBody == body {
		return diff // as maskDiff returns it: not copied
	}
	return maskedHeader + maskedBody
}

// maskDiffByName is maskDiff of a diff that holds no known secret value.
func maskDiffByName(diff string) string { return maskDiff(diff, nil) }

// diffHeaderEnd is where a diff's body starts: after its "--- " and
// "+++ " lines; 0 when it has no such header.
func diffHeaderEnd(diff string) int {
	from, rest, ok := strings.Cut(diff, "\n")
	if !ok || !strings.HasPrefix(from, "--- ") || !strings.HasPrefix(rest, "+++ ") {
		return 0
	}
	to, _, ok := strings.Cut(rest, "\n")
	if !ok {
		return 0
	}
	return len(from) + 1 + len(to) + 1
}

// remembered is mask(s), from memo (one of ts's) when s was masked
// before; mask must depend on s alone.
func (ts *textSet) remembered(memo map[string]string, s string, mask func(string) string) string {
	ts.mu.Lock()
	out, ok := memo[s]
	ts.mu.Unlock()
	if ok {
		return out
	}
	out = mask(s) // outside the lock: the other hosts go on
	ts.mu.Lock()
	defer ts.mu.Unlock()
	memo[s] = out
	return out
}

// IsSecretKey reports whether a variable's name marks its value secret
// (password, token, api_key, …): what output shows as "(secret)".
func IsSecretKey(name string) bool { return ansible.IsSecretKey(name) }
