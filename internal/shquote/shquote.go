// Package shquote quotes words for a POSIX shell, the one quoting every
// command straylight hands sh uses (the transports' scripts, the file
// modules' commands, handler lines, Jinja's quote filter).
package shquote

import "strings"

// Quote is Python's shlex.quote, which Ansible's modules and its quote
// filter use: a word of only safe characters stays as it is, anything else
// (the empty word too) is single-quoted.
func Quote(s string) string {
	if s != "" && isSafe(s) {
		return s
	}
	return Always(s)
}

// Always single-quotes s, safe or not: inside single quotes nothing is
// special, and a single quote is written as '"'"' (shlex.quote's way).
func Always(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// isSafe is shlex's _find_unsafe = re.compile(r'[^\w@%+=:,./-]', re.ASCII)
// finding nothing.
func isSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSafeByte(s[i]) {
			return false
		}
	}
	return true
}

func isSafeByte(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	}
	return strings.IndexByte("_@%+=:,./-", b) >= 0
}
