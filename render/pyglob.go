package render

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// pyFileGlob is Ansible's fileglob filter (and what its fileglob lookup
// keeps of each pattern): Python's glob.glob, regular files only.
func pyFileGlob(pattern string) []string {
	var out []string
	for _, match := range pyGlob(pattern) {
		if st, err := os.Stat(match); err == nil && st.Mode().IsRegular() {
			out = append(out, match)
		}
	}
	return out
}

// FileGlob is Ansible's fileglob lookup for one pattern (with_fileglob's
// items): Python's glob.glob, regular files only, in the directories'
// own order.
func FileGlob(pattern string) []string { return pyFileGlob(pattern) }

// pyGlob is Python 3.11's glob.glob(pattern) (not recursive): matches in
// the order the directories list them (os.scandir's, unsorted), a
// wildcard not matching a name that starts with a dot unless the
// pattern's part does.
func pyGlob(pattern string) []string {
	return iglob(pattern, false)
}

// iglob is glob._iglob: the directory part globbed first (directories
// only), then the last part in each directory found.
func iglob(pathname string, dirOnly bool) []string {
	dirname, basename := pySplit(pathname)
	if !hasGlobMagic(pathname) {
		if basename != "" && lexists(pathname) || basename == "" && isDir(dirname) {
			return []string{pathname}
		}
		return nil
	}
	if dirname == "" {
		return glob1("", basename, dirOnly)
	}
	dirs := []string{dirname}
	if dirname != pathname && hasGlobMagic(dirname) {
		dirs = iglob(dirname, true)
	}
	var out []string
	for _, dir := range dirs {
		names := glob0(dir, basename)
		if hasGlobMagic(basename) {
			names = glob1(dir, basename, dirOnly)
		}
		for _, name := range names {
			out = append(out, pyJoin(dir, name))
		}
	}
	return out
}

func hasGlobMagic(s string) bool { return strings.ContainsAny(s, "*?[") }

func lexists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// glob0 is glob._glob0: a literal last part, if it exists.
func glob0(dir, basename string) []string {
	if basename == "" && isDir(dir) || basename != "" && lexists(pyJoin(dir, basename)) {
		return []string{basename}
	}
	return nil
}

// glob1 is glob._glob1: the names of dir (the working directory for "")
// matching pattern, hidden ones only for a pattern starting with a dot.
func glob1(dir, pattern string, dirOnly bool) []string {
	match := fnmatchPattern(pattern)
	var out []string
	for _, name := range listDir(dir, dirOnly) {
		if strings.HasPrefix(name, ".") && !strings.HasPrefix(pattern, ".") {
			continue
		}
		if match.MatchString(name) {
			out = append(out, name)
		}
	}
	return out
}

// listDir is glob._listdir: the names os.scandir gives, in its order
// (getdents', as Readdirnames reads them), directories only if asked.
func listDir(dir string, dirOnly bool) []string {
	if dir == "" {
		dir = "."
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	if !dirOnly {
		return names
	}
	var out []string
	for _, name := range names {
		if isDir(pyJoin(dir, name)) {
			out = append(out, name)
		}
	}
	return out
}

// Fnmatch is Python's fnmatch.fnmatchcase(name, pattern).
func Fnmatch(pattern, name string) bool { return fnmatchPattern(pattern).MatchString(name) }

// fnmatchPattern is fnmatch.translate(pattern) compiled: * any run, ? any
// character, [...] a set ([!...] its complement, a-z ranges), an
// unclosed [ itself.
func fnmatchPattern(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	p := []rune(pattern)
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			class, end := fnmatchSet(p, i+1)
			b.WriteString(class)
			i = end
		default:
			b.WriteString(regexp.QuoteMeta(string(p[i])))
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil { // a set Python's re reads and RE2 does not: no match
		return regexp.MustCompile(`[^\x00-\x{10FFFF}]`)
	}
	return re
}

// fnmatchSet reads the set starting after the [ at p[start-1]: its
// regexp and the index of its ]; an unclosed [ is a literal one.
func fnmatchSet(p []rune, start int) (string, int) {
	j := start
	if j < len(p) && p[j] == '!' {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for j < len(p) && p[j] != ']' {
		j++
	}
	if j >= len(p) {
		return `\[`, start - 1
	}
	return setRegexp(setChunks(p, start, j)), j
}

// setChunks is fnmatch.translate's split of the set p[i:j] at the
// hyphens of its ranges: the last character of a chunk and the first of
// the next bound a range; ranges running backwards are dropped.
func setChunks(p []rune, i, j int) [][]rune {
	if !containsRune(p[i:j], '-') {
		return [][]rune{append([]rune{}, p[i:j]...)}
	}
	var chunks [][]rune
	k := i + 1
	if p[i] == '!' {
		k = i + 2
	}
	for {
		hyphen := indexRune(p, '-', k, j)
		if hyphen < 0 {
			break
		}
		chunks = append(chunks, append([]rune{}, p[i:hyphen]...))
		i, k = hyphen+1, hyphen+3
	}
	if i < j {
		chunks = append(chunks, append([]rune{}, p[i:j]...))
	} else {
		chunks[len(chunks)-1] = append(chunks[len(chunks)-1], '-')
	}
	for k := len(chunks) - 1; k > 0; k-- {
		prev, next := chunks[k-1], chunks[k]
		if len(prev) > 0 && len(next) > 0 && prev[len(prev)-1] > next[0] {
			chunks[k-1] = append(append([]rune{}, prev[:len(prev)-1]...), next[1:]...)
			chunks = append(chunks[:k], chunks[k+1:]...)
		}
	}
	return chunks
}

// setRegexp writes chunks as a Go character class: "!" first negates
// it, an empty set matches nothing, a lone "!" anything.
func setRegexp(chunks [][]rune) string {
	if len(chunks) == 1 && len(chunks[0]) == 0 {
		return `[^\x00-\x{10FFFF}]`
	}
	if len(chunks) == 1 && string(chunks[0]) == "!" {
		return "."
	}
	var b strings.Builder
	b.WriteString("[")
	if len(chunks[0]) > 0 && chunks[0][0] == '!' {
		b.WriteString("^")
		chunks[0] = chunks[0][1:]
	}
	for c, chunk := range chunks {
		for r, ch := range chunk {
			if r == 0 && c > 0 {
				b.WriteString("-")
			}
			fmt.Fprintf(&b, `\x{%x}`, ch)
		}
	}
	b.WriteString("]")
	return b.String()
}

func containsRune(p []rune, r rune) bool { return indexRune(p, r, 0, len(p)) >= 0 }

// indexRune is Python's s.find(r, from, to) on runes.
func indexRune(p []rune, r rune, from, to int) int {
	for i := from; i < to && i < len(p); i++ {
		if p[i] == r {
			return i
		}
	}
	return -1
}
