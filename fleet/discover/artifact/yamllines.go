package artifact

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// yaml.v3, like libyaml and the PyYAML Ansible reads with, counts a line
// break at a bare carriage return and at NEL, LS and PS as well as at "\n".
// A source a reader opens in an editor or finds with grep -n is counted in
// "\n"s, so a file holding any of the others has its nodes' lines moved to
// the file's own before anything reads them.

// toFileLines rewrites the Line of every node under the documents from
// yaml.v3's count to the file's count of "\n"-ended lines. A file whose only
// breaks are "\n" and "\r\n" (nearly all) is left as it is.
func toFileLines(content []byte, docs []*yaml.Node) {
	if !hasOtherBreaks(content) {
		return
	}
	lines := fileLineOfYAMLLine(content)
	for _, doc := range docs {
		remapLines(doc, lines)
	}
}

// hasOtherBreaks reports a bare "\r", NEL, LS or PS in the content.
func hasOtherBreaks(content []byte) bool {
	for i := bytes.IndexAny(content, "\r\u0085\u2028\u2029"); i >= 0; {
		if content[i] != '\r' || i+1 == len(content) || content[i+1] != '\n' {
			return true
		}
		next := bytes.IndexAny(content[i+1:], "\r\u0085\u2028\u2029")
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

// fileLineOfYAMLLine lists, for each line yaml.v3 counts (from 1, at index
// 0), the 1-based "\n" line of the file it starts on.
func fileLineOfYAMLLine(content []byte) []int {
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

// remapLines walks the tree by Content, where every node is once (an
// alias's target is reached where it is defined).
func remapLines(n *yaml.Node, lines []int) {
	if n.Line >= 1 {
		n.Line = lines[min(n.Line, len(lines))-1]
	}
	for _, c := range n.Content {
		remapLines(c, lines)
	}
}
