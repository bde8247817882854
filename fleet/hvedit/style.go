package hvedit

import "gopkg.in/yaml.v3"

// fileStyle is how a file lays out nested values, so that new lines match it.
type fileStyle struct {
	indentUnit int  // nested mapping entries' extra indentation
	seqOffset  int  // a block list's "- " relative to its key (0: indentless)
	blockLists bool // lists are written as "- item" lines, not [a, b]
	foundUnit  bool
	foundSeq   bool
}

// detectStyle reads the layout from the first nested mapping and the first
// list of root. Without any, new mappings indent by 2 and lists are written
// in flow style, which keeps a changed value on its one line.
func detectStyle(root *yaml.Node) fileStyle {
	st := fileStyle{indentUnit: 2, seqOffset: 2}
	if root != nil {
		st.scan(root)
	}
	return st
}

func (st *fileStyle) scan(m *yaml.Node) {
	if m.Kind != yaml.MappingNode || isFlow(m) {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		st.note(m.Content[i], m.Content[i+1])
		st.scan(m.Content[i+1])
	}
}

func (st *fileStyle) note(key, value *yaml.Node) {
	switch {
	case value.Kind == yaml.MappingNode && !isFlow(value) && !st.foundUnit && value.Column > key.Column:
		st.indentUnit, st.foundUnit = value.Column-key.Column, true
	case value.Kind == yaml.SequenceNode && !st.foundSeq:
		st.foundSeq, st.blockLists = true, !isFlow(value)
		if st.blockLists && value.Column >= key.Column {
			st.seqOffset = value.Column - key.Column
		}
	}
}

// quotingOf is how an existing string value (or a list's first item) is
// quoted; ok is false for values that are not strings.
func quotingOf(n *yaml.Node) (quoting, bool) {
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
		return quotingOf(n.Content[0])
	}
	if n.Kind != yaml.ScalarNode || isVaulted(n) || n.ShortTag() != "!!str" {
		return plainQuoting, false
	}
	switch {
	case n.Style&yaml.SingleQuotedStyle != 0:
		return singleQuoting, true
	case n.Style&(yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return doubleQuoting, true
	}
	return plainQuoting, true
}

// siblingQuoting is the quoting most string values of mapping m use (plain
// on a tie), for a key that has no old value to follow.
func siblingQuoting(m *yaml.Node) quoting {
	counts := map[quoting]int{}
	for i := 1; m != nil && i < len(m.Content); i += 2 {
		if q, ok := quotingOf(m.Content[i]); ok && m.Content[i].Kind == yaml.ScalarNode {
			counts[q]++
		}
	}
	best := plainQuoting
	for _, q := range []quoting{doubleQuoting, singleQuoting} {
		if counts[q] > counts[best] {
			best = q
		}
	}
	return best
}
