package filemod

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// BlockArgs are blockinfile's arguments, already templated. Nil pointers
// are arguments not given.
type BlockArgs struct {
	Path         string
	Block        string
	Marker       string // "# {mark} ANSIBLE MANAGED BLOCK" when not given
	MarkerBegin  string // "BEGIN" when not given
	MarkerEnd    string // "END" when not given
	InsertAfter  *string
	InsertBefore *string
	Absent       bool // state: absent
	Create       bool
	// AppendNewline and PrependNewline came with ansible-core 2.16;
	// NewlineArgs names those the task gives (an older core refuses them).
	AppendNewline, PrependNewline bool
	NewlineArgs                   []string
}

// Edit is an edit of a file's text in place (lineinfile, blockinfile):
// the content it leaves, given the current one (exists false: the file is
// missing).
type Edit interface {
	Module() string
	Apply(current []byte, exists bool) (LineResult, error)
}

// Module names the edit's module.
func (a LineArgs) Module() string { return "lineinfile" }

// Apply is LineInFile.
func (a LineArgs) Apply(current []byte, exists bool) (LineResult, error) {
	return LineInFile(a, current, exists)
}

// Module names the edit's module.
func (a BlockArgs) Module() string { return "blockinfile" }

// Apply is BlockInFile.
func (a BlockArgs) Apply(current []byte, exists bool) (LineResult, error) {
	return BlockInFile(a, current, exists)
}

// BlockInFile returns the file's content after blockinfile, as Ansible's
// module computes it byte for byte (its main()).
func BlockInFile(a BlockArgs, current []byte, exists bool) (LineResult, error) {
	if !exists && !a.Create {
		//lint:ignore ST1005 blockinfile's own message, byte for byte
		return LineResult{}, fmt.Errorf("Path %s %w !", a.Path, ErrMissing)
	}
	if !exists && a.Absent {
		return LineResult{Msg: "File " + a.Path + " not present"}, nil
	}
	ins, err := a.insertPattern()
	if err != nil {
		return LineResult{}, err
	}
	lines := pySplitLines(current)
	begin, end := a.markerLine(a.MarkerBegin), a.markerLine(a.MarkerEnd)
	block := a.blockLines(begin, end)
	lines, n0 := a.place(lines, begin, end, ins)
	lines = insertBlock(lines, n0, block, a.PrependNewline && !a.Absent, a.AppendNewline && !a.Absent)
	result := bytes.Join(lines, nil)
	return blockResult(current, exists, result, len(block) == 0), nil
}

func blockResult(current []byte, exists bool, result []byte, removed bool) LineResult {
	r := LineResult{Content: result, Changed: true}
	switch {
	case exists && bytes.Equal(current, result):
		r.Changed = false
	case !exists:
		r.Msg = "File created"
	case removed:
		r.Msg = "Block removed"
	default:
		r.Msg = "Block inserted"
	}
	return r
}

// check applies the module's argument rules, and refuses what
// straylight cannot run as Python does.
func (a BlockArgs) check() error {
	if a.InsertAfter != nil && a.InsertBefore != nil {
		return errors.New("parameters are mutually exclusive: insertbefore|insertafter")
	}
	for _, m := range []string{a.MarkerBegin, a.MarkerEnd} {
		if strings.ContainsRune(m, '\\') || !isASCII(m) {
			return fmt.Errorf("marker_begin/marker_end %q: straylight runs ASCII markers without backslashes only", m)
		}
	}
	_, err := a.insertPattern()
	return err
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// multiline is an inline flag group turning re.MULTILINE on, with which
// the module searches the whole file instead of each line.
var multiline = lazyre.New(`\(\?[aiLsux]*m`)

// insertPattern compiles insertafter (unless EOF) or insertbefore (unless
// BOF); nil when neither names a pattern.
func (a BlockArgs) insertPattern() (*pyRegexp, error) {
	var p *string
	switch {
	case a.InsertAfter != nil && *a.InsertAfter != "EOF":
		p = a.InsertAfter
	case a.InsertAfter == nil && a.InsertBefore != nil && *a.InsertBefore != "BOF":
		p = a.InsertBefore
	}
	if p == nil {
		return nil, nil
	}
	if multiline().MatchString(*p) {
		return nil, fmt.Errorf("insertafter/insertbefore %q: straylight does not run MULTILINE patterns", *p)
	}
	re, err := compilePy(*p)
	if err != nil {
		return nil, fmt.Errorf("insertafter/insertbefore: %w", err)
	}
	return re, nil
}

// markerLine is the marker with {mark} replaced, and its newline.
func (a BlockArgs) markerLine(mark string) []byte {
	return append([]byte(strings.ReplaceAll(a.Marker, "{mark}", mark)), linesep...)
}

// blockLines are the markers around the block; none when the block is
// empty or the state absent (the block is then removed).
func (a BlockArgs) blockLines(begin, end []byte) [][]byte {
	if a.Absent || a.Block == "" {
		return nil
	}
	block := []byte(a.Block)
	if !bytes.HasSuffix(block, linesep) {
		block = append(block, linesep...)
	}
	return append(append([][]byte{begin}, pySplitLines(block)...), end)
}

// place removes the existing block (both markers found, last of each
// wins) or finds where a new one goes; it returns the lines and the index.
func (a BlockArgs) place(lines [][]byte, begin, end []byte, ins *pyRegexp) ([][]byte, int) {
	n0, n1 := -1, -1
	for i, l := range lines {
		if bytes.Equal(l, begin) {
			n0 = i
		}
		if bytes.Equal(l, end) {
			n1 = i
		}
	}
	switch {
	case n0 == -1 || n1 == -1:
		return lines, a.insertionPoint(lines, ins)
	case n0 < n1:
		return append(lines[:n0:n0], lines[n1+1:]...), n0
	default:
		return append(lines[:n1:n1], lines[n0+1:]...), n1
	}
}

func (a BlockArgs) insertionPoint(lines [][]byte, ins *pyRegexp) int {
	switch {
	case ins != nil:
		n0 := -1
		for i, l := range lines {
			if ins.find(l) != nil {
				n0 = i
			}
		}
		if n0 == -1 {
			return len(lines)
		}
		if a.InsertAfter != nil {
			return n0 + 1
		}
		return n0
	case a.InsertBefore != nil && a.InsertAfter == nil:
		return 0 // BOF
	}
	return len(lines) // EOF
}

// insertBlock puts the block at n0: the line before it gets a newline it
// lacks, and blank lines go around it as prepend_newline and
// append_newline ask.
func insertBlock(lines [][]byte, n0 int, block [][]byte, prepend, appendNL bool) [][]byte {
	if n0 > 0 && !bytes.HasSuffix(lines[n0-1], linesep) {
		lines[n0-1] = append(append([]byte(nil), lines[n0-1]...), linesep...)
	}
	if prepend && n0 != 0 && !bytes.Equal(lines[n0-1], linesep) {
		lines = splice(lines, n0, linesep)
		n0++
	}
	lines = splice(lines, n0, block...)
	after := n0 + len(block)
	if appendNL && after < len(lines) && !bytes.Equal(lines[after], linesep) {
		lines = splice(lines, after, linesep)
	}
	return lines
}

func splice(lines [][]byte, at int, add ...[]byte) [][]byte {
	out := make([][]byte, 0, len(lines)+len(add))
	out = append(append(append(out, lines[:at]...), add...), lines[at:]...)
	return out
}

// pySplitLines is Python's bytes.splitlines(True): lines end at "\n",
// "\r" or "\r\n", each keeping its end.
func pySplitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexAny(b, "\r\n")
		if i < 0 {
			return append(out, b)
		}
		end := i + 1
		if b[i] == '\r' && end < len(b) && b[end] == '\n' {
			end++
		}
		out = append(out, b[:end])
		b = b[end:]
	}
	return out
}
