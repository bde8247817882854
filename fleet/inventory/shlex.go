package inventory

import (
	"errors"
	"strings"
)

// shlexSplit is Python's shlex.split(s, comments=True) (POSIX mode), which
// Ansible's INI plugin uses on host lines: whitespace separates words,
// quotes group, a backslash escapes outside single quotes, and '#' starts a
// comment even in the middle of a word.
func shlexSplit(s string) ([]string, error) { return split(&shlexer{src: []rune(s), comments: true}) }

// SplitWords is Python's shlex.split(s) (POSIX mode, no comments), which
// Ansible's command module splits a free-form command line with
// (lib/ansible/modules/command.py, "args = shlex.split(args)").
func SplitWords(s string) ([]string, error) { return split(&shlexer{src: []rune(s)}) }

func split(lx *shlexer) ([]string, error) {
	var out []string
	for {
		tok, ok, err := lx.next()
		if err != nil || !ok {
			return out, err
		}
		out = append(out, tok)
	}
}

type shlexer struct {
	src      []rune
	pos      int
	comments bool // '#' starts a comment
}

const shlexSpace = " \t\r\n"

// next returns the next word; ok is false at the end of input.
func (lx *shlexer) next() (string, bool, error) {
	var tok strings.Builder
	inWord, quoted := false, false
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		lx.pos++
		switch {
		case strings.ContainsRune(shlexSpace, c):
			if inWord || quoted {
				return tok.String(), true, nil
			}
		case c == '#' && lx.comments:
			lx.skipLine()
			if inWord || quoted {
				return tok.String(), true, nil
			}
		case c == '\'' || c == '"':
			if err := lx.quoted(c, &tok); err != nil {
				return "", false, err
			}
			inWord, quoted = true, true
		case c == '\\':
			if err := lx.escaped(&tok); err != nil {
				return "", false, err
			}
			inWord = true
		default:
			tok.WriteRune(c)
			inWord = true
		}
	}
	return tok.String(), inWord || quoted, nil
}

func (lx *shlexer) skipLine() {
	for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
		lx.pos++
	}
	if lx.pos < len(lx.src) {
		lx.pos++
	}
}

// quoted reads up to the closing quote; inside double quotes a backslash
// escapes only '"' and '\'.
func (lx *shlexer) quoted(q rune, tok *strings.Builder) error {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		lx.pos++
		switch {
		case c == q:
			return nil
		case c == '\\' && q == '"':
			if lx.pos >= len(lx.src) {
				//lint:ignore ST1005 Python shlex's own message, which Ansible prints
				return errors.New("No escaped character")
			}
			next := lx.src[lx.pos]
			lx.pos++
			if next != '"' && next != '\\' {
				tok.WriteRune('\\')
			}
			tok.WriteRune(next)
		default:
			tok.WriteRune(c)
		}
	}
	//lint:ignore ST1005 Python shlex's own message, which Ansible prints
	return errors.New("No closing quotation")
}

func (lx *shlexer) escaped(tok *strings.Builder) error {
	if lx.pos >= len(lx.src) {
		//lint:ignore ST1005 Python shlex's own message, which Ansible prints
		return errors.New("No escaped character")
	}
	tok.WriteRune(lx.src[lx.pos])
	lx.pos++
	return nil
}
