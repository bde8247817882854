package inventory

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"gopkg.in/yaml.v3"
)

// Error is bad input in an inventory or variables file. It names the file
// and, where known, the line; it never quotes a secret.
type Error struct {
	File string // as given to Load or found beside it; may be absolute
	Line int    // 1-based; 0 when the whole file is concerned
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

func errorAt(file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

var yamlLineError = lazyre.New(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlSyntaxError turns yaml.v3's "yaml: line N: msg" into an Error naming
// the file and the line of the problem.
func yamlSyntaxError(file string, data []byte, err error) *Error {
	m := yamlLineError().FindStringSubmatch(err.Error())
	if m == nil {
		return errorAt(file, 0, "%s", err.Error())
	}
	line := 1 // yaml.v3 omits the line when it is the first
	if m[1] != "" {
		line, _ = strconv.Atoi(m[1])
	}
	if parserProblems[m[2]] {
		line = parserErrorLine(data, parserFrom(m[1]), m[2])
	}
	return errorAt(file, line, "%s", m[2])
}

// parserProblems are libyaml's parser (not scanner) errors. For those
// yaml.v3 prints the 0-based line of the enclosing construct, not the line
// of the problem.
var parserProblems = map[string]bool{
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected node content":     true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
}

// parserFrom is where to start looking: yaml.v3 printed a 0-based line.
func parserFrom(printed string) int {
	n, _ := strconv.Atoi(printed)
	return n + 1
}

// maxErrorSearchLines bounds the search for a parser error's line.
const maxErrorSearchLines = 2000

// parserErrorLine finds the first line at which the document, cut there,
// already fails with the same problem: that is where the problem is.
func parserErrorLine(data []byte, from int, problem string) int {
	lines := strings.SplitAfter(string(data), "\n")
	for n := from; n <= len(lines) && n < from+maxErrorSearchLines; n++ {
		if prefixFails(strings.Join(lines[:n], ""), problem) {
			return n
		}
	}
	return from
}

func prefixFails(text, problem string) (fails bool) {
	defer func() {
		if recover() != nil {
			fails = false
		}
	}()
	var n yaml.Node
	err := yaml.Unmarshal([]byte(text), &n)
	return err != nil && strings.HasSuffix(err.Error(), problem)
}
