package filemod

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// WinLineArgs are community.windows.win_lineinfile's arguments, templated.
// The module tests its string arguments for truth, so an empty string is
// an argument not given (win_lineinfile.ps1:133, 139, 446, 474 at
// community.windows 3b606203a2dc71ea8278a0581a51b3cacfd0677f; the file:line
// citations in this file are at that commit).
type WinLineArgs struct {
	Path         string
	Regex        string
	Line         string
	Absent       bool // state: absent
	InsertAfter  string
	InsertBefore string
	Create       bool
	Backrefs     bool
	Newline      string // "\r\n" (newline: windows, the default) or "\n" (unix), :365-368
	UTF8BOM      bool   // encoding: utf-8, .NET's UTF-8 with its preamble (:377)
}

// winLineArgNames are the arguments straylight runs (:346-357 read them;
// validate runs a program on the host, which straylight does not).
var winLineArgNames = []string{"path", "dest", "destfile", "name", "regex", "regexp", "line", "state",
	"insertafter", "insertbefore", "create", "backrefs", "backup", "newline", "encoding"}

// ParseWinLineArgs reads win_lineinfile's templated arguments.
func ParseWinLineArgs(args map[string]any) (WinLineArgs, error) {
	if _, ok := args["validate"]; ok {
		return WinLineArgs{}, fmt.Errorf("validate runs a program on the Windows host (win_lineinfile.ps1:18-41); straylight does not run it")
	}
	if err := onlyArgs("win_lineinfile", args, winLineArgNames); err != nil {
		return WinLineArgs{}, err
	}
	a := WinLineArgs{Path: strings.ReplaceAll(firstString(args, "path", "dest", "destfile", "name"), "/", `\`),
		Regex: firstString(args, "regex", "regexp"), Line: String(args["line"]),
		InsertAfter: String(args["insertafter"]), InsertBefore: String(args["insertbefore"])}
	if err := a.parseChoices(args); err != nil {
		return a, err
	}
	for name, dst := range map[string]*bool{"create": &a.Create, "backrefs": &a.Backrefs} {
		var err error
		if *dst, err = WinBoolArg(args, name, false); err != nil {
			return a, err
		}
	}
	return a, a.compileAll()
}

// parseChoices reads path, state, newline and encoding (:346-378).
func (a *WinLineArgs) parseChoices(args map[string]any) error {
	state, newline, encoding := stringOr(args, "state", "present"), stringOr(args, "newline", "windows"), stringOr(args, "encoding", "auto")
	switch {
	case a.Path == "":
		return fmt.Errorf("missing path")
	case strings.Contains(a.Path, "%"):
		return fmt.Errorf("path %q: the module expands %%VARIABLES%% in a path on the host; straylight does not", a.Path)
	case state != "present" && state != "absent":
		return fmt.Errorf("state %q is not present or absent", state)
	case newline != "windows" && newline != "unix":
		return fmt.Errorf("newline %q is not windows or unix", newline)
	case encoding != "auto" && !strings.EqualFold(encoding, "utf-8"):
		return fmt.Errorf("encoding %q: straylight runs win_lineinfile with encoding auto or utf-8", encoding)
	}
	a.Absent, a.Newline, a.UTF8BOM = state == "absent", "\r\n", encoding != "auto"
	if newline == "unix" {
		a.Newline = "\n"
	}
	return nil
}

// compileAll refuses now, by name, a pattern Go cannot run as .NET does.
func (a WinLineArgs) compileAll() error {
	for _, p := range []string{a.Regex, a.insertPattern()} {
		if p == "" {
			continue
		}
		if _, err := compileDotNet(p); err != nil {
			return fmt.Errorf("regex: %w", err)
		}
	}
	return nil
}

// insertPattern is the insertafter or insertbefore regex (:139-144): not
// BOF or EOF, which PowerShell's -eq compares without case.
func (a WinLineArgs) insertPattern() string {
	switch {
	case a.InsertAfter != "" && !strings.EqualFold(a.InsertAfter, "BOF") && !strings.EqualFold(a.InsertAfter, "EOF"):
		return a.InsertAfter
	case a.InsertBefore != "" && !strings.EqualFold(a.InsertBefore, "BOF"):
		return a.InsertBefore
	}
	return ""
}

// Module names the edit's module.
func (a WinLineArgs) Module() string { return "win_lineinfile" }

// Apply is WinLineInFile.
func (a WinLineArgs) Apply(current []byte, exists bool) (LineResult, error) {
	return WinLineInFile(a, current, exists)
}

// WinLineInFile returns the file's content after win_lineinfile, as
// win_lineinfile.ps1 computes it; its failures carry the module's message.
func WinLineInFile(a WinLineArgs, current []byte, exists bool) (LineResult, error) {
	if err := a.check(); err != nil {
		return LineResult{}, err
	}
	if !exists && (a.Absent || !a.Create) {
		//lint:ignore ST1005 the module's own message (:91, :250)
		return LineResult{}, fmt.Errorf("Path %s %w !", a.Path, ErrMissing)
	}
	text, bom, err := a.decode(current, exists)
	if err != nil {
		return LineResult{}, err
	}
	lines, eol := readAllLines(text), endsWithLineBreak(text)
	if !exists {
		lines, eol = []string{""}, false // :94-95: WriteAllLines($path, "") wrote one empty line
	}
	if a.Absent {
		return a.absentResult(current, lines, eol, bom)
	}
	return a.presentResult(current, exists, lines, eol, bom)
}

// check is the module's dispatch (:440-476).
func (a WinLineArgs) check() error {
	switch {
	case a.Absent && a.Regex == "" && a.Line == "":
		return fmt.Errorf("one of line= or regexp= is required with state=absent")
	case !a.Absent && a.Backrefs && a.Regex == "":
		return fmt.Errorf("regexp= is required with backrefs=true")
	case !a.Absent && a.Line == "":
		return fmt.Errorf("line= is required with state=present")
	}
	return nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decode reads the file as the module does (:371-434, :110): a UTF-8 byte
// order mark is kept for the write (encoding auto finds it), encoding
// utf-8 writes one; UTF-16 and UTF-32 files and bytes that are not UTF-8
// are refused.
func (a WinLineArgs) decode(current []byte, exists bool) (string, bool, error) {
	for _, bom := range [][]byte{{0, 0, 0xFE, 0xFF}, {0xFF, 0xFE}, {0xFE, 0xFF}} {
		if bytes.HasPrefix(current, bom) {
			return "", false, fmt.Errorf("%s starts with a UTF-16 or UTF-32 byte order mark: straylight runs win_lineinfile on UTF-8 files only", a.Path)
		}
	}
	hasBOM := bytes.HasPrefix(current, utf8BOM)
	text := bytes.TrimPrefix(current, utf8BOM)
	if !utf8.Valid(text) {
		return "", false, fmt.Errorf("%s is not valid UTF-8: .NET would read it with replacement characters; straylight does not guess", a.Path)
	}
	return string(text), a.UTF8BOM || (hasBOM && exists), nil
}

// readAllLines is File.ReadAllLines: lines end at CR LF, LF or CR; a final
// line break ends the last line, it starts no new one.
func readAllLines(text string) []string {
	var lines []string
	for text != "" {
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			return append(lines, text)
		}
		lines = append(lines, text[:i])
		if strings.HasPrefix(text[i:], "\r\n") {
			i++
		}
		text = text[i+1:]
	}
	return lines
}

// endsWithLineBreak is :118: the text's last character is LF or CR.
func endsWithLineBreak(text string) bool {
	return strings.HasSuffix(text, "\n") || strings.HasSuffix(text, "\r")
}

// written is what WriteLines leaves (:15-16): the lines joined with the
// newline, after the encoding's preamble.
func (a WinLineArgs) written(lines []string, bom bool) []byte {
	joined := []byte(strings.Join(lines, a.Newline))
	if bom {
		return append(append([]byte(nil), utf8BOM...), joined...)
	}
	return joined
}

// absentResult is Absent (:246-337): every line the regex matches (or
// equal to line, with case) is removed, the empty string after a final
// line break included.
func (a WinLineArgs) absentResult(current []byte, lines []string, eol, bom bool) (LineResult, error) {
	if eol {
		lines = append(lines, "")
	}
	m, err := a.matcher()
	if err != nil {
		return LineResult{}, err
	}
	var left []string
	found := 0
	for _, cur := range lines {
		hit, err := m(cur)
		if err != nil {
			return LineResult{}, err
		}
		if hit {
			found++
			continue
		}
		left = append(left, cur)
	}
	r := LineResult{Content: current, Changed: found > 0, Msg: fmt.Sprintf("%d line(s) removed", found)}
	if r.Changed {
		r.Content = a.written(left, bom)
	}
	return r, nil
}

// matcher is the loop's test (:155-165, :292-299): the regex when given,
// else the line compared with case (-ceq).
func (a WinLineArgs) matcher() (func(string) (bool, error), error) {
	if a.Regex == "" {
		return func(cur string) (bool, error) { return cur == a.Line, nil }, nil
	}
	re, err := compileDotNet(a.Regex)
	if err != nil {
		return nil, err
	}
	return re.matches, nil
}
