package filemod

import (
	"fmt"
	"slices"
	"strings"
)

// winPresent is Present's search (win_lineinfile.ps1:146-178 at community.windows
// 3b606203a2dc71ea8278a0581a51b3cacfd0677f): the last line the regex
// matches (or equal to line), and the insertion point after or before the
// last line the insertafter or insertbefore regex matches.
type winPresent struct {
	a           WinLineArgs
	lines       []string
	matched     int // index[0]
	insertAt    int // index[1]
	matchedLine string
}

// presentResult is Present (:65-242).
func (a WinLineArgs) presentResult(current []byte, exists bool, lines []string, eol, bom bool) (LineResult, error) {
	if a.InsertAfter == "" && a.InsertBefore == "" {
		a.InsertAfter = "EOF" // :450-452
	}
	p := &winPresent{a: a, lines: lines, matched: -1, insertAt: -1}
	if err := p.search(); err != nil {
		return LineResult{}, err
	}
	r, err := p.edit()
	switch {
	case err != nil:
		return LineResult{}, err
	case !exists && !r.Changed:
		return LineResult{}, fmt.Errorf("create on a missing file with nothing to add: the module leaves a file holding one empty line and reports it unchanged (win_lineinfile.ps1:94); straylight does not run that")
	case !r.Changed:
		r.Content = current
		return r, nil
	}
	if eol {
		p.lines = append(p.lines, "") // :220-222
	}
	r.Content = a.written(p.lines, bom)
	return r, nil
}

func (p *winPresent) search() error {
	m, err := p.a.matcher()
	if err != nil {
		return err
	}
	ins, err := p.insertMatcher()
	if err != nil {
		return err
	}
	for i, cur := range p.lines {
		if err := p.visit(i, cur, m, ins); err != nil {
			return err
		}
	}
	return nil
}

func (p *winPresent) visit(i int, cur string, m, ins func(string) (bool, error)) error {
	hit, err := m(cur)
	if err != nil || hit {
		p.matched, p.matchedLine = i, cur
		return err
	}
	if ins == nil {
		return nil
	}
	if hit, err = ins(cur); !hit || err != nil {
		return err
	}
	if p.a.InsertAfter != "" {
		p.insertAt = i + 1
	}
	if p.a.InsertBefore != "" {
		p.insertAt = i
	}
	return nil
}

func (p *winPresent) insertMatcher() (func(string) (bool, error), error) {
	pattern := p.a.insertPattern()
	if pattern == "" {
		return nil, nil
	}
	re, err := compileDotNet(pattern)
	if err != nil {
		return nil, err
	}
	return re.matches, nil
}

// edit is :180-210.
func (p *winPresent) edit() (LineResult, error) {
	a := p.a
	switch {
	case p.matched != -1:
		return p.replace()
	case a.Backrefs: // no match: nothing to do
		return LineResult{}, nil
	case strings.EqualFold(a.InsertBefore, "BOF") || strings.EqualFold(a.InsertAfter, "BOF"):
		p.lines = slices.Insert(p.lines, 0, a.Line)
	case strings.EqualFold(a.InsertAfter, "EOF") || p.insertAt == -1:
		p.lines = append(p.lines, a.Line)
	default:
		p.lines = slices.Insert(p.lines, p.insertAt, a.Line)
	}
	return LineResult{Changed: true, Msg: "line added"}, nil
}

// replace: the matched line becomes line, or with backrefs the matched line
// with every match of the regex replaced by it ([regex]::Replace, :182).
func (p *winPresent) replace() (LineResult, error) {
	newLine := p.a.Line
	if p.a.Backrefs {
		re, err := compileDotNet(p.a.Regex)
		if err != nil {
			return LineResult{}, err
		}
		if newLine, err = re.replace(p.matchedLine, p.a.Line); err != nil {
			return LineResult{}, err
		}
	}
	if p.lines[p.matched] == newLine {
		return LineResult{}, nil
	}
	p.lines[p.matched] = newLine
	return LineResult{Changed: true, Msg: "line replaced"}, nil
}
