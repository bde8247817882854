package hvedit

import "gopkg.in/yaml.v3"

// replaceValue plans the splices that put r in place of the value v of key k
// in a mapping whose entries are indented by indent.
func (e *editor) replaceValue(k, v *yaml.Node, r rendered, indent int, flow bool) ([]splice, error) {
	start := e.src.start(v)
	end, err := e.src.end(v, indent, flow)
	if err != nil {
		return nil, err
	}
	blockCollection := isBlockCollection(v)
	switch {
	case !r.isBlock() && !blockCollection:
		return []splice{e.inlineOverInline(v, start, end, r)}, nil
	case !r.isBlock():
		return e.inlineOverBlock(k, start, end, r, indent)
	case v.Kind == yaml.SequenceNode && blockCollection:
		return []splice{{e.src.lineStart(start), end, e.indented(r.lines, v.Column-1)}}, nil
	case blockCollection:
		return e.blockOverBlock(k, start, end, r, indent)
	}
	return e.blockOverInline(k, end, r, indent, flow)
}

func isBlockCollection(n *yaml.Node) bool {
	return (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && !isFlow(n)
}

// inlineOverInline replaces the value's text, keeping a `!!str` or `!unsafe`
// tag in front of a new string and whatever follows (a `# comment`).
func (e *editor) inlineOverInline(v *yaml.Node, start, end int, r rendered) splice {
	if isEmptyNull(v) {
		return splice{start, start, " " + r.inline}
	}
	if keepsTag(v, r) {
		start = e.src.skipProperties(start)
	}
	return splice{start, end, r.inline}
}

// keepsTag: a tag that marks text (`!!str`, `!unsafe`) stays on new text.
func keepsTag(v *yaml.Node, r rendered) bool {
	tagged := v.Style&yaml.TaggedStyle != 0 && v.Anchor == ""
	return tagged && r.text && (v.Tag == "!!str" || v.Tag == "!unsafe")
}

// inlineOverBlock writes the new value after "key:" and drops the lines of
// the old block mapping or list.
func (e *editor) inlineOverBlock(k *yaml.Node, start, end int, r rendered, indent int) ([]splice, error) {
	colon, err := e.afterColon(k, indent, false)
	if err != nil {
		return nil, err
	}
	return []splice{{colon, colon, " " + r.inline}, e.deleteLines(start, end)}, nil
}

func (e *editor) blockOverBlock(k *yaml.Node, start, end int, r rendered, indent int) ([]splice, error) {
	colon, err := e.afterColon(k, indent, false)
	if err != nil {
		return nil, err
	}
	lines := e.indented(r.lines, k.Column-1+r.offset)
	return []splice{e.insertLinesAfter(colon, lines), e.deleteLines(start, end)}, nil
}

// blockOverInline turns "key: value  # note" into "key:  # note" followed by
// the block lines.
func (e *editor) blockOverInline(k *yaml.Node, end int, r rendered, indent int, flow bool) ([]splice, error) {
	colon, err := e.afterColon(k, indent, flow)
	if err != nil {
		return nil, err
	}
	lines := e.indented(r.lines, k.Column-1+r.offset)
	return []splice{{colon, end, ""}, e.insertLinesAfter(end, lines)}, nil
}

// addEntry plans the splices that add keys[0] (nesting the rest) at the end
// of mapping m, or of the document when m is nil.
func (e *editor) addEntry(m *yaml.Node, keys []string, r rendered, flow bool) ([]splice, error) {
	switch {
	case m == nil:
		return []splice{e.appendToDocument(e.entryLines(keys, r))}, nil
	case flow:
		return e.addFlowEntry(m, flowEntry(keys, r))
	}
	last, indent := m.Content[len(m.Content)-1], e.src.childIndent(m)
	end, err := e.src.end(last, indent, false)
	if err != nil {
		return nil, err
	}
	return []splice{e.insertLinesAfter(end, e.indented(e.entryLines(keys, r), indent))}, nil
}

func (e *editor) addFlowEntry(m *yaml.Node, entry string) ([]splice, error) {
	end, err := e.src.end(m, 0, true)
	if err != nil {
		return nil, err
	}
	closer := end - 1
	if len(m.Content) == 0 {
		return []splice{{closer, closer, entry}}, nil
	}
	lastEnd, err := e.src.end(m.Content[len(m.Content)-1], 0, true)
	if err != nil {
		return nil, err
	}
	return []splice{{lastEnd, lastEnd, ", " + entry}}, nil
}

// appendToDocument adds top-level lines at the end of a document that holds
// no mapping yet, keeping whether the file ends with a line break.
func (e *editor) appendToDocument(lines []string) splice {
	body, text := e.src.body, e.indented(lines, 0)
	switch {
	case len(body) == 0 || body[len(body)-1] == '\n':
		text += e.src.eol
	default:
		text = e.src.eol + text
	}
	return splice{len(body), len(body), text}
}

// replaceNull turns the null value v of key k into a mapping holding keys.
func (e *editor) replaceNull(k, v *yaml.Node, keys []string, r rendered, indent int, flow bool) ([]splice, error) {
	if flow {
		return e.replaceValue(k, v, rendered{inline: "{" + flowEntry(keys, r) + "}"}, indent, flow)
	}
	lines := e.indented(e.entryLines(keys, r), k.Column-1+e.style.indentUnit)
	start := e.src.start(v)
	if isEmptyNull(v) {
		return []splice{e.insertLinesAfter(start, lines)}, nil
	}
	end, err := e.src.end(v, indent, false)
	if err != nil {
		return nil, err
	}
	colon, err := e.afterColon(k, indent, false)
	if err != nil {
		return nil, err
	}
	return []splice{{colon, end, ""}, e.insertLinesAfter(end, lines)}, nil
}
