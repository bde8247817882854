// Package yamlline knows where yaml.v3 breaks lines, so that a YAML node's
// line can be told as a reader counts it.
//
// yaml.v3, like libyaml and the PyYAML that Ansible reads with, breaks a
// line at "\n", "\r\n", a bare "\r", NEL (U+0085), LS (U+2028) and PS
// (U+2029) (yaml.v3's is_break, yamlprivateh.go, v3.0.1). An editor, grep
// -n and a reader count "\n"s. A file with any of the other four has nodes
// whose Line is further down than the line a reader sees: the recogniser
// moves them to the file's lines (ToFileLines), and the vars editor, whose
// splices work on "\n" lines, refuses such a file (FirstOther).
package yamlline

import (
	"bytes"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Break is a line break yaml.v3 reads that a reader does not: where it is
// and its name for a message.
type Break struct {
	Line int // the 1-based "\n" line it is on
	Name string
}

// FirstOther is the first bare "\r", NEL, LS or PS of content; ok is false
// when there is none.
func FirstOther(content []byte) (b Break, ok bool) {
	if !mayHaveOther(content) {
		return Break{}, false
	}
	for i := range content {
		if yamlBreakSize(content, i) > 0 {
			if name := otherName(content, i); name != "" {
				return Break{Line: bytes.Count(content[:i], []byte("\n")) + 1, Name: name}, true
			}
		}
	}
	return Break{}, false
}

// mayHaveOther is the quick answer for nearly every file: without a "\r"
// and the first bytes of NEL (0xC2) and of LS and PS (0xE2), none is there.
func mayHaveOther(content []byte) bool {
	return bytes.IndexByte(content, '\r') >= 0 || bytes.IndexByte(content, 0xC2) >= 0 || bytes.IndexByte(content, 0xE2) >= 0
}

// otherName names the break at i when it is one a reader does not count
// ("" for "\n" and "\r\n").
func otherName(b []byte, i int) string {
	switch r, _ := utf8.DecodeRune(b[i:]); r {
	case '\n':
		return ""
	case '\r':
		if i+1 < len(b) && b[i+1] == '\n' {
			return ""
		}
		return "a bare carriage return"
	case '\u0085':
		return "a NEL (U+0085)"
	case '\u2028':
		return "a line separator (U+2028)"
	}
	return "a paragraph separator (U+2029)"
}

// ToFileLines rewrites the Line of every node under the documents from
// yaml.v3's count to the file's count of "\n"-ended lines. A file whose
// only breaks are "\n" and "\r\n" (nearly all) is left as it is.
func ToFileLines(content []byte, docs []*yaml.Node) {
	if _, ok := FirstOther(content); !ok {
		return
	}
	lines := FileLineOfYAMLLine(content)
	for _, doc := range docs {
		remap(doc, lines)
	}
}

// FileLineOfYAMLLine lists, for each line yaml.v3 counts (from 1, at
// index 0), the 1-based "\n" line of the file it starts on.
func FileLineOfYAMLLine(content []byte) []int {
	lines := []int{1}
	fileLine := 1
	for i := 0; i < len(content); {
		size := yamlBreakSize(content, i)
		if size == 0 {
			i++
			continue
		}
		if content[i+size-1] == '\n' {
			fileLine++
		}
		lines = append(lines, fileLine)
		i += size
	}
	return lines
}

// yamlBreakSize is the length of the line break yaml.v3 reads at i ("\r\n",
// "\r", "\n", NEL, LS or PS), or 0.
func yamlBreakSize(b []byte, i int) int {
	switch {
	case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
		return 2
	case b[i] == '\r' || b[i] == '\n':
		return 1
	case b[i] == 0xC2 && i+1 < len(b) && b[i+1] == 0x85:
		return 2
	case b[i] == 0xE2 && i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9):
		return 3
	}
	return 0
}

// remap walks the tree by Content, where every node is once (an alias's
// target is reached where it is defined).
func remap(n *yaml.Node, lines []int) {
	if n.Line >= 1 {
		n.Line = lines[min(n.Line, len(lines))-1]
	}
	for _, c := range n.Content {
		remap(c, lines)
	}
}
