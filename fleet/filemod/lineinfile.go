package filemod

import (
	"bytes"
	"errors"
	"fmt"
)

// LineArgs are lineinfile's arguments, already templated. Nil pointers are
// arguments not given.
type LineArgs struct {
	Path         string
	Regexp       *string
	SearchString *string
	Line         *string
	Absent       bool // state: absent
	InsertAfter  *string
	InsertBefore *string
	Create       bool
	Backrefs     bool
	FirstMatch   bool
}

// LineResult is lineinfile's outcome on one file.
type LineResult struct {
	Content []byte
	Changed bool
	Msg     string
}

// ErrMissing is lineinfile's failure on a missing file without create.
var ErrMissing = errors.New("does not exist")

// LineInFile returns the file's content after lineinfile, given its
// current content (exists false: the file is missing).
func LineInFile(a LineArgs, current []byte, exists bool) (LineResult, error) {
	if err := a.check(); err != nil {
		return LineResult{}, err
	}
	if a.Absent {
		return a.absent(current, exists)
	}
	if !exists && !a.Create {
		//lint:ignore ST1005 lineinfile's own message, byte for byte
		return LineResult{}, fmt.Errorf("Destination %s %w !", a.Path, ErrMissing)
	}
	return a.present(splitLines(current))
}

// check applies the module's own argument rules (its main()).
func (a LineArgs) check() error {
	switch {
	case a.InsertAfter != nil && a.InsertBefore != nil:
		return errors.New("parameters are mutually exclusive: insertafter|insertbefore")
	case a.Regexp != nil && a.SearchString != nil:
		return errors.New("parameters are mutually exclusive: regexp|search_string")
	case a.Absent && a.Regexp == nil && a.SearchString == nil && a.Line == nil:
		return errors.New("one of line, search_string, or regexp is required with state=absent")
	case !a.Absent && a.Backrefs && a.Regexp == nil:
		return errors.New("regexp is required with backrefs=true")
	case !a.Absent && a.Line == nil:
		return errors.New("line is required with state=present")
	}
	return nil
}

// splitLines is Python's bytes.readlines(): each line keeps its "\n".
func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(out, b)
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func trimEOL(b []byte) []byte { return bytes.TrimRight(b, "\r\n") }

func endsWithEOL(b []byte) bool {
	return len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r')
}

// finder locates the lines present() acts on.
type finder struct {
	re, ins   *pyRegexp
	search    []byte
	index     [2]int // the matched line, the insertafter/insertbefore line
	match     []int  // regexp submatch indexes of the matched line (nil: none)
	matched   bool   // regexp or search_string matched
	exactLine bool
}

func (a LineArgs) compile() (*finder, error) {
	f := &finder{index: [2]int{-1, -1}}
	var err error
	if a.Regexp != nil {
		if f.re, err = compilePy(*a.Regexp); err != nil {
			return nil, fmt.Errorf("regexp: %w", err)
		}
	}
	if a.SearchString != nil {
		f.search = []byte(*a.SearchString)
	}
	ins := ""
	switch {
	case a.InsertAfter != nil && *a.InsertAfter != "BOF" && *a.InsertAfter != "EOF":
		ins = *a.InsertAfter
	case a.InsertBefore != nil && *a.InsertBefore != "BOF":
		ins = *a.InsertBefore
	}
	if ins != "" {
		if f.ins, err = compilePy(ins); err != nil {
			return nil, fmt.Errorf("insertafter/insertbefore: %w", err)
		}
	}
	return f, nil
}

// find is present()'s three searches: regexp, search_string, then the
// exact line and the insertion point.
func (f *finder) find(a LineArgs, lines [][]byte) {
	line := []byte(str(a.Line))
	for i, cur := range lines {
		if f.re != nil {
			if m := f.re.find(cur); m != nil {
				f.index[0], f.match, f.matched = i, m, true
				if a.FirstMatch {
					break
				}
			}
		}
	}
	for i, cur := range lines {
		if f.search != nil && bytes.Contains(cur, f.search) {
			f.index[0], f.matched = i, true
			if a.FirstMatch {
				break
			}
		}
	}
	if !f.matched {
		f.findInsertion(a, lines, line)
	}
}

func (f *finder) findInsertion(a LineArgs, lines [][]byte, line []byte) {
	after, before := str(a.InsertAfter) != "", str(a.InsertBefore) != ""
	for i, cur := range lines {
		if bytes.Equal(line, trimEOL(cur)) {
			f.index[0], f.exactLine = i, true
		} else if f.ins != nil && f.ins.find(cur) != nil {
			if after {
				f.index[1] = i + 1
				if a.FirstMatch {
					break
				}
			}
			if before {
				f.index[1] = i
				if a.FirstMatch {
					break
				}
			}
		}
	}
}
