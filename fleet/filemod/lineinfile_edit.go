package filemod

import (
	"bytes"
	"fmt"
)

// linesep is os.linesep on the managed (POSIX) host.
var linesep = []byte("\n")

// present is lineinfile's state=present.
func (a LineArgs) present(lines [][]byte) (LineResult, error) {
	if a.InsertAfter == nil && a.InsertBefore == nil {
		eof := "EOF"
		a.InsertAfter = &eof
	}
	f, err := a.compile()
	if err != nil {
		return LineResult{}, err
	}
	f.find(a, lines)
	e := &editor{a: a, f: f, lines: lines, line: []byte(str(a.Line))}
	if err := e.edit(); err != nil {
		return LineResult{}, err
	}
	return LineResult{Content: bytes.Join(e.lines, nil), Changed: e.changed, Msg: e.msg}, nil
}

// editor applies present()'s decision to the lines.
type editor struct {
	a       LineArgs
	f       *finder
	lines   [][]byte
	line    []byte
	changed bool
	msg     string
}

func (e *editor) insert(at int) {
	e.lines = append(e.lines[:at], append([][]byte{withEOL(e.line)}, e.lines[at:]...)...)
	e.added()
}

func (e *editor) added() { e.changed, e.msg = true, "line added" }

func withEOL(b []byte) []byte { return append(append([]byte(nil), b...), linesep...) }

func (e *editor) edit() error {
	a, f := e.a, e.f
	after, before := str(a.InsertAfter), str(a.InsertBefore)
	switch {
	case f.index[0] != -1:
		return e.replaceOrInsert()
	case a.Backrefs:
		// nothing: the line cannot be built without the regexp's groups
	case before == "BOF" || after == "BOF":
		e.insert(0)
	case after == "EOF" || f.index[1] == -1:
		e.ensureLastEOL()
		e.lines = append(e.lines, withEOL(e.line))
		e.added()
	case after != "" && f.index[1] != -1:
		e.insertAfterIfDifferent()
	default:
		e.insert(f.index[1])
	}
	return nil
}

// ensureLastEOL: a last line without a newline gets one, as its own
// element (what the module appends at EOF).
func (e *editor) ensureLastEOL() {
	if n := len(e.lines); n > 0 && !endsWithEOL(e.lines[n-1]) {
		e.lines = append(e.lines, linesep)
	}
}

func (e *editor) insertAfterIfDifferent() {
	i := e.f.index[1]
	if len(e.lines) == i {
		if !bytes.Equal(trimEOL(e.lines[i-1]), e.line) {
			e.lines = append(e.lines, withEOL(e.line))
			e.added()
		}
		return
	}
	if !bytes.Equal(e.line, trimEOL(e.lines[i])) {
		e.insert(i)
	}
}

// replaceOrInsert: a line matched (the regexp, the search string or the
// exact line). The module's insertion branch under this case needs no
// regexp, no search string and no exact line, so it is never reached.
func (e *editor) replaceOrInsert() error {
	f := e.f
	newLine := e.line
	if e.a.Backrefs && f.match != nil {
		var err error
		if newLine, err = f.re.expand(e.line, f.matchedLine(e.lines), f.match); err != nil {
			return fmt.Errorf("backrefs: %w", err)
		}
	}
	if !bytes.HasSuffix(newLine, linesep) {
		newLine = withEOL(newLine)
	}
	if !bytes.Equal(e.lines[f.index[0]], newLine) {
		e.lines[f.index[0]] = newLine
		e.changed, e.msg = true, "line replaced"
	}
	return nil
}

func (f *finder) matchedLine(lines [][]byte) []byte { return lines[f.index[0]] }

// absent is lineinfile's state=absent.
func (a LineArgs) absent(current []byte, exists bool) (LineResult, error) {
	if !exists {
		return LineResult{Content: nil, Msg: "file not present"}, nil
	}
	var re *pyRegexp
	if a.Regexp != nil {
		var err error
		if re, err = compilePy(*a.Regexp); err != nil {
			return LineResult{}, fmt.Errorf("regexp: %w", err)
		}
	}
	var kept [][]byte
	found := 0
	for _, cur := range splitLines(current) {
		if a.matchesAbsent(re, cur) {
			found++
			continue
		}
		kept = append(kept, cur)
	}
	r := LineResult{Content: bytes.Join(kept, nil), Changed: found > 0}
	if found > 0 {
		r.Msg = fmt.Sprintf("%d line(s) removed", found)
	} else {
		r.Content = current
	}
	return r, nil
}

func (a LineArgs) matchesAbsent(re *pyRegexp, cur []byte) bool {
	switch {
	case re != nil:
		return re.find(cur) != nil
	case a.SearchString != nil:
		return bytes.Contains(cur, []byte(*a.SearchString))
	}
	return bytes.Equal([]byte(str(a.Line)), trimEOL(cur))
}
