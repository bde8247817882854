package inventory

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// Host patterns, as ansible/inventory/manager.py evaluates them: names,
// groups, 'all', shell globs (*, ?, [..]), ~regex, a[0] / a[1:3]
// subscripts, unions (a:b, a,b), intersections (a:&b) and exclusions
// (a:!b). Plain parts go first, then '&' parts, then '!' parts, whatever
// order they were written in.

// Match evaluates a --limit pattern. A part that names no host or group is
// an error naming it (Ansible only warns "Could not match supplied host
// pattern"). "@file" parts read host names from a file, one per line.
func (inv *Inventory) Match(pattern string) ([]string, error) {
	parts, err := expandLimitFiles(splitHostPattern(pattern))
	if err != nil {
		return nil, err
	}
	hosts, unmatched, err := inv.evaluate(parts)
	if err != nil {
		return nil, err
	}
	if len(unmatched) > 0 {
		return nil, fmt.Errorf("could not match supplied host pattern: %s (no such host or group)", strings.Join(unmatched, ", "))
	}
	return hosts, nil
}

// MatchPlay evaluates a play's hosts: pattern. Parts that match nothing
// are skipped, as Ansible skips them with a warning; MatchDetail lists them.
func (inv *Inventory) MatchPlay(pattern string) ([]string, error) {
	hosts, _, err := inv.MatchDetail(pattern)
	return hosts, err
}

// MatchDetail evaluates a pattern and also returns the parts that matched
// no host or group.
func (inv *Inventory) MatchDetail(pattern string) (hosts, unmatched []string, err error) {
	return inv.evaluate(splitHostPattern(pattern))
}

func expandLimitFiles(parts []string) ([]string, error) {
	var out []string
	for _, p := range parts {
		if !strings.HasPrefix(p, "@") {
			out = append(out, p)
			continue
		}
		data, err := os.ReadFile(p[1:])
		if err != nil {
			return nil, fmt.Errorf("unable to read limit file %s: %w", p[1:], err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out, nil
}

// orderPatterns puts plain parts first, then '&', then '!'; with no plain
// part, 'all' is implied.
func orderPatterns(parts []string) []string {
	var regular, intersect, exclude []string
	for _, p := range parts {
		switch {
		case p == "":
		case p[0] == '!':
			exclude = append(exclude, p)
		case p[0] == '&':
			intersect = append(intersect, p)
		default:
			regular = append(regular, p)
		}
	}
	if len(regular) == 0 {
		regular = []string{"all"}
	}
	return append(append(regular, intersect...), exclude...)
}

func (inv *Inventory) evaluate(parts []string) ([]string, []string, error) {
	var hosts, unmatched []string
	for _, p := range orderPatterns(parts) {
		if inv.HasHost(p) {
			hosts = append(hosts, p)
			continue
		}
		that, miss, err := inv.matchOne(p)
		if err != nil {
			return nil, nil, err
		}
		if miss {
			unmatched = append(unmatched, p)
		}
		hosts = combine(hosts, that, p[0])
	}
	return dedupe(hosts), unmatched, nil
}

func combine(hosts, that []string, op byte) []string {
	set := make(map[string]bool, len(that))
	for _, h := range that {
		set[h] = true
	}
	switch op {
	case '!':
		return filterHosts(hosts, func(h string) bool { return !set[h] })
	case '&':
		return filterHosts(hosts, func(h string) bool { return set[h] })
	}
	have := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		have[h] = true
	}
	return append(hosts, filterHosts(that, func(h string) bool { return !have[h] })...)
}

func filterHosts(hosts []string, keep func(string) bool) []string {
	var out []string
	for _, h := range hosts {
		if keep(h) {
			out = append(out, h)
		}
	}
	return out
}

func dedupe(hosts []string) []string {
	seen := make(map[string]bool, len(hosts))
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

var subscriptPattern = lazyre.New(`^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$`)

// matchOne is _match_one_pattern: one part, without its &/! prefix; miss
// reports Ansible's "Could not match supplied host pattern".
func (inv *Inventory) matchOne(part string) ([]string, bool, error) {
	if part[0] == '&' || part[0] == '!' {
		part = part[1:]
	}
	if part == "" {
		return nil, true, nil
	}
	expr, sub := splitSubscript(part)
	hosts, miss, err := inv.enumerate(expr)
	if err != nil {
		return nil, false, err
	}
	hosts, err = applySubscript(hosts, sub, part)
	return hosts, miss, err
}

type subscript struct {
	start, end int
	isRange    bool
}

func splitSubscript(part string) (string, *subscript) {
	if part[0] == '~' || !strings.HasSuffix(part, "]") { // the expression ends in \]
		return part, nil
	}
	m := subscriptPattern().FindStringSubmatch(part)
	if m == nil {
		return part, nil
	}
	if m[2] != "" {
		idx, err := strconv.Atoi(m[2])
		if err != nil {
			return part, nil
		}
		return m[1], &subscript{start: idx}
	}
	start, err1 := strconv.Atoi(m[3])
	end, err2 := strconv.Atoi(m[5])
	if m[5] == "" {
		end, err2 = -1, nil
	}
	if err1 != nil || err2 != nil {
		return part, nil
	}
	return m[1], &subscript{start: start, end: end, isRange: true}
}

// applySubscript follows Python's indexing and slicing, including its
// quirk that [n:0] means [n].
func applySubscript(hosts []string, sub *subscript, part string) ([]string, error) {
	if len(hosts) == 0 || sub == nil {
		return hosts, nil
	}
	if sub.isRange && sub.end != 0 {
		end := sub.end
		if end == -1 {
			end = len(hosts) - 1
		}
		return pySlice(hosts, sub.start, end+1), nil
	}
	idx := sub.start
	if idx < 0 {
		idx += len(hosts)
	}
	if idx < 0 || idx >= len(hosts) {
		return nil, fmt.Errorf("no hosts matched the subscripted pattern '%s'", part)
	}
	return []string{hosts[idx]}, nil
}

func pySlice(list []string, start, end int) []string {
	start, end = min(max(start, 0), len(list)), min(max(end, 0), len(list))
	if start >= end {
		return nil
	}
	return list[start:end]
}

// enumerate is _enumerate_matches: groups whose name matches contribute all
// their hosts; host names are tried when no group matched or the pattern
// is a glob or regex (or has a dot).
func (inv *Inventory) enumerate(expr string) ([]string, bool, error) {
	match, err := nameMatcher(expr)
	if err != nil {
		return nil, false, err
	}
	var hosts []string
	matchedGroup := false
	for _, g := range inv.m.groups {
		if match(g.name) {
			matchedGroup = true
			hosts = append(hosts, g.allHosts...)
		}
	}
	if !matchedGroup || expr[0] == '~' || strings.ContainsAny(expr, ".?*[") {
		for _, h := range inv.m.hosts {
			if match(h.name) {
				hosts = append(hosts, h.name)
			}
		}
	}
	miss := len(hosts) == 0 && !matchedGroup && expr != "all"
	return hosts, miss, nil
}

// nameMatcher compiles a ~regex (matched at the start, like Python's
// re.match) or a shell glob (fnmatch, whole name, case-sensitive).
func nameMatcher(expr string) (func(string) bool, error) {
	src := ""
	if expr[0] == '~' {
		src = `^(?:` + expr[1:] + `)`
	} else {
		src = `(?s)^(?:` + fnmatchTranslate(expr) + `)$`
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("invalid host list pattern: %s", expr)
	}
	return re.MatchString, nil
}

// fnmatchTranslate is Python's fnmatch.translate, written for Go's regexp
// (no atomic groups needed: RE2 does not backtrack).
func fnmatchTranslate(pat string) string {
	rs := []rune(pat)
	var b strings.Builder
	for i := 0; i < len(rs); {
		c := rs[i]
		i++
		switch c {
		case '*':
			b.WriteString(".*")
			for i < len(rs) && rs[i] == '*' {
				i++
			}
		case '?':
			b.WriteString(".")
		case '[':
			i = writeClass(&b, rs, i)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

// writeClass translates a [...] set starting after its '['; an unclosed
// '[' is a literal. It returns where translation resumes.
func writeClass(b *strings.Builder, rs []rune, i int) int {
	j := i
	if j < len(rs) && rs[j] == '!' {
		j++
	}
	if j < len(rs) && rs[j] == ']' {
		j++
	}
	for j < len(rs) && rs[j] != ']' {
		j++
	}
	if j >= len(rs) {
		b.WriteString(`\[`)
		return i
	}
	b.WriteString(classRegexp(rs, i, j))
	return j + 1
}

// classRegexp follows translate's chunking of a set around '-', dropping
// empty ranges such as z-a.
func classRegexp(rs []rune, i, j int) string {
	chunks := classChunks(rs, i, j)
	negate := len(chunks) > 0 && strings.HasPrefix(chunks[0], "!")
	if negate {
		chunks[0] = chunks[0][1:]
	}
	escaped := make([]string, len(chunks))
	for k, c := range chunks {
		escaped[k] = escapeClassChars(c)
	}
	stuff := strings.Join(escaped, "-")
	switch {
	case stuff == "" && !negate:
		return `[^\x00-\x{10FFFF}]` // empty set: never matches
	case stuff == "":
		return "."
	case negate:
		return "[^" + stuff + "]"
	}
	return "[" + stuff + "]"
}

func classChunks(rs []rune, i, j int) []string {
	if !containsRune(rs[i:j], '-') {
		return []string{string(rs[i:j])}
	}
	var chunks []string
	k := i + 1
	if rs[i] == '!' {
		k = i + 2
	}
	for {
		k = indexRune(rs, '-', k, j)
		if k < 0 {
			break
		}
		chunks = append(chunks, string(rs[i:k]))
		i, k = k+1, k+3
	}
	if last := string(rs[i:j]); last != "" {
		chunks = append(chunks, last)
	} else {
		chunks[len(chunks)-1] += "-"
	}
	return dropEmptyRanges(chunks)
}

func dropEmptyRanges(chunks []string) []string {
	for k := len(chunks) - 1; k > 0; k-- {
		prev, next := []rune(chunks[k-1]), []rune(chunks[k])
		if len(prev) > 0 && len(next) > 0 && prev[len(prev)-1] > next[0] {
			chunks[k-1] = string(prev[:len(prev)-1]) + string(next[1:])
			chunks = append(chunks[:k], chunks[k+1:]...)
		}
	}
	return chunks
}

// escapeClassChars makes every character of a chunk literal inside a Go
// character class.
func escapeClassChars(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && !isASCIIAlnum(byte(r)) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isASCIIAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func containsRune(rs []rune, r rune) bool { return indexRune(rs, r, 0, len(rs)) >= 0 }

func indexRune(rs []rune, r rune, from, to int) int {
	for k := from; k < to && k < len(rs); k++ {
		if rs[k] == r {
			return k
		}
	}
	return -1
}
