package render

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Jinja2's wordwrap filter and the part of Python 3.11's textwrap it runs:
// TextWrapper(width, expand_tabs=False, replace_whitespace=False,
// break_long_words, break_on_hyphens).wrap(line), lengths counted in code
// points.

// wordwrapFilter is wordwrap with the environment's newline_sequence for
// its default wrapstring: the one the template was compiled with (the
// task's newline_sequence or a "#jinja2:" line's; "\n" for a value).
func wordwrapFilter(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	newline := "\n"
	if e != nil && e.Config != nil && e.Config.NewlineSequence != "" {
		newline = e.Config.NewlineSequence
	}
	wordwrap := func(in any, args []any) (any, error) { return filterWordwrap(in, args, newline) }
	return filter{params: []string{"width", "break_long_words", "wrapstring", "break_on_hyphens"}, fn: wordwrap}.function("wordwrap")(e, in, params)
}

// filterWordwrap is do_wordwrap(s, width=79, break_long_words=True,
// wrapstring=None, break_on_hyphens=True): each line of s.splitlines()
// wrapped on its own, every line joined with wrapstring (newline when
// None).
func filterWordwrap(in any, args []any, newline string) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("'%s' object has no attribute 'splitlines'", typeName(in))
	}
	width, err := intArgument(or(args[0], 79))
	if err != nil {
		return nil, err
	}
	wrapper := textWrapper{width: width, breakLongWords: pyTruthy(or(args[1], true)), breakOnHyphens: pyTruthy(or(args[3], true))}
	wrapstring := or(args[2], nil)
	if wrapstring == nil {
		wrapstring = newline
	}
	joiner, ok := wrapstring.(string)
	if !ok {
		return nil, fmt.Errorf("'%s' object has no attribute 'join'", typeName(wrapstring))
	}
	return wrapper.wrapLines(s, joiner)
}

// textWrapper holds the TextWrapper settings Jinja2 passes.
type textWrapper struct {
	width          int
	breakLongWords bool
	breakOnHyphens bool
}

// wrapLines is do_wordwrap's join of the wrapped paragraphs.
func (w textWrapper) wrapLines(s, joiner string) (any, error) {
	paragraphs := []string{}
	for _, line := range pySplitLines(s) {
		wrapped, err := w.wrap(line)
		if err != nil {
			return nil, err
		}
		paragraphs = append(paragraphs, strings.Join(wrapped, joiner))
	}
	return strings.Join(paragraphs, joiner), nil
}

// wrap is TextWrapper.wrap: the text's chunks laid into lines.
func (w textWrapper) wrap(text string) ([]string, error) {
	var chunks [][]rune
	if w.breakOnHyphens {
		chunks = wordsepChunks([]rune(text))
	} else {
		chunks = whitespaceChunks([]rune(text))
	}
	return w.wrapChunks(chunks)
}

// isWrapSpace is textwrap's _whitespace: '\t\n\x0b\x0c\r ', ASCII only.
func isWrapSpace(r rune) bool { return strings.ContainsRune("\t\n\x0b\x0c\r ", r) }

// isWrapLetter is textwrap's letter, [^\d\W]: a word character that is
// not a decimal digit (the underscore is one).
func isWrapLetter(r rune) bool { return isPythonWordRune(r) && !unicode.IsDigit(r) }

// isWordPunct is textwrap's word_punct, [\w!"'&.,?].
func isWordPunct(r rune) bool { return isPythonWordRune(r) || strings.ContainsRune("!\"'&.,?", r) }

// whitespaceChunks is wordsep_simple_re.split: runs of whitespace and runs
// of anything else.
func whitespaceChunks(text []rune) [][]rune {
	chunks := [][]rune{}
	for start := 0; start < len(text); {
		end := start + 1
		for end < len(text) && isWrapSpace(text[end]) == isWrapSpace(text[start]) {
			end++
		}
		chunks = append(chunks, text[start:end])
		start = end
	}
	return chunks
}

// wordsepChunks is textwrap's wordsep_re.split, written by hand because
// the pattern looks behind and ahead ((?<=...), (?=...)), which Go's
// regexp does not: at each place the first alternative that matches, as
// Python's regex engine tries them, makes the next chunk.
func wordsepChunks(text []rune) [][]rune {
	chunks := [][]rune{}
	for start := 0; start < len(text); {
		end := nextChunkEnd(text, start)
		chunks = append(chunks, text[start:end])
		start = end
	}
	return chunks
}

// nextChunkEnd is where the chunk at start ends: a whitespace run, an
// em-dash between words (-{2,} after word punctuation, before \w), or a
// word (its shortest non-whitespace run that ends as the pattern allows).
func nextChunkEnd(text []rune, start int) int {
	if isWrapSpace(text[start]) {
		end := start
		for end < len(text) && isWrapSpace(text[end]) {
			end++
		}
		return end
	}
	if end := emDashEnd(text, start); end > 0 {
		return end
	}
	for end := start + 1; end <= len(text); end++ {
		if wordEnds(text, end) {
			return end
		}
		if hyphenBreak(text, end) {
			return end + 1
		}
		if end == len(text) || isWrapSpace(text[end]) {
			return end
		}
	}
	return len(text)
}

// emDashEnd is the end of (?<=word_punct)-{2,}(?=\w) at start, or 0.
func emDashEnd(text []rune, start int) int {
	if start == 0 || !isWordPunct(text[start-1]) {
		return 0
	}
	end := start
	for end < len(text) && text[end] == '-' {
		end++
	}
	if end-start < 2 || end == len(text) || !isPythonWordRune(text[end]) {
		return 0
	}
	return end
}

// hyphenBreak is the pattern's hyphenated word at end (text[end] the
// hyphen it keeps): -(?:(?<=letter{2}-)|(?<=letter-letter-))
// (?=letter-?letter).
func hyphenBreak(text []rune, end int) bool {
	if end >= len(text) || text[end] != '-' {
		return false
	}
	letterAt := func(i int) bool { return i >= 0 && i < len(text) && isWrapLetter(text[i]) }
	behind := letterAt(end-2) && letterAt(end-1) ||
		letterAt(end-3) && end-2 >= 0 && text[end-2] == '-' && letterAt(end-1)
	ahead := letterAt(end+1) && (letterAt(end+2) || end+2 < len(text) && text[end+2] == '-' && letterAt(end+3))
	return behind && ahead
}

// wordEnds is the pattern's end of word (?=whitespace|\Z) — checked by
// the caller after the hyphen — and its em-dash ending,
// (?<=word_punct)(?=-{2,}\w), at end.
func wordEnds(text []rune, end int) bool {
	if end >= len(text) || text[end] != '-' || !isWordPunct(text[end-1]) {
		return false
	}
	run := end
	for run < len(text) && text[run] == '-' {
		run++
	}
	return run-end >= 2 && run < len(text) && isPythonWordRune(text[run])
}

// wrapChunks is TextWrapper._wrap_chunks (no indents, drop_whitespace,
// no max_lines).
func (w textWrapper) wrapChunks(chunks [][]rune) ([]string, error) {
	if w.width <= 0 {
		return nil, fmt.Errorf("invalid width %d (must be > 0)", w.width)
	}
	lines := []string{}
	for len(chunks) > 0 {
		if len(lines) > 0 && isBlankChunk(chunks[0]) {
			chunks = chunks[1:]
		}
		var line [][]rune
		line, chunks = w.fillLine(chunks)
		if len(line) > 0 && isBlankChunk(line[len(line)-1]) {
			line = line[:len(line)-1]
		}
		if len(line) > 0 {
			lines = append(lines, joinChunks(line))
		}
	}
	return lines, nil
}

// fillLine takes the chunks that fit in one line, then breaks a word too
// long for any line (_handle_long_word).
func (w textWrapper) fillLine(chunks [][]rune) ([][]rune, [][]rune) {
	line, length := [][]rune{}, 0
	for len(chunks) > 0 && length+len(chunks[0]) <= w.width {
		line, length = append(line, chunks[0]), length+len(chunks[0])
		chunks = chunks[1:]
	}
	if len(chunks) > 0 && len(chunks[0]) > w.width {
		return w.handleLongWord(chunks, line, length)
	}
	return line, chunks
}

// handleLongWord is TextWrapper._handle_long_word: the long chunk cut to
// the space left (after its last hyphen in it that follows a non-hyphen,
// when breaking on hyphens), or put alone on a line when long words are
// not broken.
func (w textWrapper) handleLongWord(chunks, line [][]rune, length int) ([][]rune, [][]rune) {
	spaceLeft := w.width - length
	chunk := chunks[0]
	if !w.breakLongWords {
		if len(line) == 0 {
			return append(line, chunk), chunks[1:]
		}
		return line, chunks
	}
	end := spaceLeft
	if w.breakOnHyphens && len(chunk) > spaceLeft {
		if hyphen := lastHyphenBefore(chunk, spaceLeft); hyphen > 0 && hasNonHyphen(chunk[:hyphen]) {
			end = hyphen + 1
		}
	}
	rest := append([][]rune{chunk[end:]}, chunks[1:]...)
	return append(line, chunk[:end]), rest
}

// lastHyphenBefore is chunk.rfind('-', 0, limit).
func lastHyphenBefore(chunk []rune, limit int) int {
	for i := min(limit, len(chunk)) - 1; i >= 0; i-- {
		if chunk[i] == '-' {
			return i
		}
	}
	return -1
}

func hasNonHyphen(runes []rune) bool {
	for _, r := range runes {
		if r != '-' {
			return true
		}
	}
	return false
}

// isBlankChunk is Python's chunk.strip() == "" (Unicode whitespace).
func isBlankChunk(chunk []rune) bool { return trimPythonSpace(string(chunk)) == "" }

func joinChunks(chunks [][]rune) string {
	var b strings.Builder
	for _, chunk := range chunks {
		b.WriteString(string(chunk))
	}
	return b.String()
}
