package artifact

import (
	"fmt"
	"strings"
)

// Command is one simple command found in shell text: its words after quote
// removal, and the 1-based line on which it starts.
type Command struct {
	Args []string
	Line int
}

// shellLexer splits POSIX shell text into simple commands. It understands
// single and double quotes, backslash escapes, backslash-newline
// continuations, comments, and the separators ; & | && || and newline. It
// expands nothing: $VAR and ${VAR} stay as they are written.
type shellLexer struct {
	src      []rune
	pos      int
	line     int
	commands []Command
	args     []string
	word     strings.Builder
	inWord   bool
	start    int // line of the current command's first word
}

// QuoteError is a quote left open at the end of the text.
type QuoteError struct {
	Line  int  // 1-based line of the opening quote
	Quote rune // ' or "
}

func (e *QuoteError) Error() string {
	return fmt.Sprintf("unterminated %c quote opened on line %d", e.Quote, e.Line)
}

// SplitCommands splits shell text into its simple commands. An unterminated
// quote is an error naming the line it opened on.
func SplitCommands(text string) ([]Command, error) {
	lx := &shellLexer{src: []rune(text), line: 1}
	if err := lx.run(); err != nil {
		return nil, err
	}
	return lx.commands, nil
}

// SplitWords splits one command line into words; separators are kept as words.
func SplitWords(text string) ([]string, error) {
	commands, err := SplitCommands(text)
	if err != nil {
		return nil, err
	}
	var words []string
	for i, c := range commands {
		if i > 0 {
			words = append(words, ";")
		}
		words = append(words, c.Args...)
	}
	return words, nil
}

func (lx *shellLexer) run() error {
	for lx.pos < len(lx.src) {
		if err := lx.step(lx.src[lx.pos]); err != nil {
			return err
		}
	}
	lx.endCommand()
	return nil
}

func (lx *shellLexer) step(r rune) error {
	switch {
	case r == '\\':
		lx.backslash()
	case r == '\'':
		return lx.singleQuoted()
	case r == '"':
		return lx.doubleQuoted()
	case r == '#' && !lx.inWord:
		lx.comment()
	case r == '\n':
		lx.endCommand()
		lx.line++
		lx.pos++
	case r == ';' || r == '&' || r == '|':
		lx.endCommand()
		lx.pos++
	case r == ' ' || r == '\t' || r == '\r':
		lx.endWord()
		lx.pos++
	default:
		lx.add(r)
		lx.pos++
	}
	return nil
}

func (lx *shellLexer) add(r rune) {
	if !lx.inWord && len(lx.args) == 0 {
		lx.start = lx.line
	}
	lx.inWord = true
	lx.word.WriteRune(r)
}

// backslash escapes the next character; before a newline it joins lines.
func (lx *shellLexer) backslash() {
	lx.pos++
	if lx.pos >= len(lx.src) {
		return
	}
	next := lx.src[lx.pos]
	lx.pos++
	if next == '\n' {
		lx.line++
		return
	}
	lx.add(next)
}

func (lx *shellLexer) singleQuoted() error {
	opened := lx.line
	lx.markWord()
	lx.pos++
	for lx.pos < len(lx.src) {
		r := lx.src[lx.pos]
		lx.pos++
		if r == '\'' {
			return nil
		}
		lx.countLine(r)
		lx.word.WriteRune(r)
	}
	return &QuoteError{Line: opened, Quote: '\''}
}

func (lx *shellLexer) doubleQuoted() error {
	opened := lx.line
	lx.markWord()
	lx.pos++
	for lx.pos < len(lx.src) {
		r := lx.src[lx.pos]
		lx.pos++
		switch {
		case r == '"':
			return nil
		case r == '\\' && lx.pos < len(lx.src):
			lx.escapeInDouble(lx.src[lx.pos])
		default:
			lx.countLine(r)
			lx.word.WriteRune(r)
		}
	}
	return &QuoteError{Line: opened, Quote: '"'}
}

// escapeInDouble applies POSIX rules: only $ ` " \ and newline are escapable.
func (lx *shellLexer) escapeInDouble(next rune) {
	lx.pos++
	switch next {
	case '\n':
		lx.line++
	case '$', '`', '"', '\\':
		lx.word.WriteRune(next)
	default:
		lx.word.WriteRune('\\')
		lx.word.WriteRune(next)
	}
}

// markWord starts a word at a quote, so that "" is an empty word.
func (lx *shellLexer) markWord() {
	if !lx.inWord && len(lx.args) == 0 {
		lx.start = lx.line
	}
	lx.inWord = true
}

func (lx *shellLexer) countLine(r rune) {
	if r == '\n' {
		lx.line++
	}
}

func (lx *shellLexer) comment() {
	for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
		lx.pos++
	}
}

func (lx *shellLexer) endWord() {
	if lx.inWord {
		lx.args = append(lx.args, lx.word.String())
	}
	lx.word.Reset()
	lx.inWord = false
}

func (lx *shellLexer) endCommand() {
	lx.endWord()
	if len(lx.args) > 0 {
		lx.commands = append(lx.commands, Command{Args: lx.args, Line: lx.start})
	}
	lx.args = nil
}
