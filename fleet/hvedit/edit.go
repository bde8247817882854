package hvedit

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// splice replaces body[start:end] with text.
type splice struct {
	start, end int
	text       string
}

// applySplices applies non-overlapping splices to a copy of body.
func applySplices(body []byte, splices []splice) []byte {
	// Back to front; at one offset the longer splice first, so that an
	// insertion there is not swallowed by a deletion applied after it.
	slices.SortFunc(splices, func(a, b splice) int {
		if a.start != b.start {
			return b.start - a.start
		}
		return b.end - a.end
	})
	out := slices.Clone(body)
	for _, sp := range splices {
		out = slices.Concat(out[:sp.start], []byte(sp.text), out[sp.end:])
	}
	return out
}

// rendered is a new value as text: inline (written after "key: ", possibly
// over several lines for a `!vault |` block), or block lines (a block list)
// written under the key, indented by offset relative to it.
type rendered struct {
	inline string
	lines  []string
	offset int
	text   bool // the value is a string
}

func (r rendered) isBlock() bool { return r.lines != nil }

// editor plans the splices of one edit of a document.
type editor struct {
	src   *source
	root  *yaml.Node
	style fileStyle
}

func newEditor(text []byte) (*editor, error) {
	src := newSource(text)
	if err := checkEncoding(src.body); err != nil {
		return nil, &Error{Err: err}
	}
	root, err := parseRoot(src.body)
	if err != nil {
		return nil, err
	}
	return &editor{src: src, root: root, style: detectStyle(root)}, nil
}

// renderValue writes v for the place of old (nil when added) in mapping m.
func (e *editor) renderValue(v any, old, m *yaml.Node, flow bool) rendered {
	q := siblingQuoting(m)
	if old != nil {
		if oq, ok := quotingOf(old); ok {
			q = oq
		}
	}
	list, isList := v.([]any)
	if !isList {
		_, text := v.(string)
		return rendered{inline: renderScalar(v, q), text: text}
	}
	if len(list) > 0 && !flow && e.wantsBlockList(old) {
		return rendered{lines: blockListLines(list, q), offset: e.style.seqOffset}
	}
	return rendered{inline: renderFlowList(list, q)}
}

func (e *editor) wantsBlockList(old *yaml.Node) bool {
	if old != nil && old.Kind == yaml.SequenceNode {
		return !isFlow(old)
	}
	return e.style.blockLists
}

// indented prefixes each line with n spaces and joins them with the file's
// line ending.
func (e *editor) indented(lines []string, n int) string {
	pad := strings.Repeat(" ", n)
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = pad + l
	}
	return strings.Join(out, e.src.eol)
}

// insertLinesAfter adds lines (already indented) after the line holding off.
func (e *editor) insertLinesAfter(off int, text string) splice {
	end := e.src.contentEnd(off)
	return splice{end, end, e.src.eol + text}
}

// deleteLines removes the whole lines from the one holding from to the one
// holding to, line breaks included.
func (e *editor) deleteLines(from, to int) splice {
	start := e.src.lineStart(from)
	if next := e.src.nextLine(to); next >= 0 {
		return splice{start, next, ""}
	}
	if start > 0 { // the last line has no break: take the one before it
		start--
		if start > 0 && e.src.body[start-1] == '\r' {
			start--
		}
	}
	return splice{start, e.src.contentEnd(to), ""}
}

// afterColon is the offset just after the ':' that follows key k.
func (e *editor) afterColon(k *yaml.Node, indent int, flow bool) (int, error) {
	end, err := e.src.end(k, indent, flow)
	if err != nil {
		return 0, err
	}
	pos := e.src.skipSpace(end, false)
	if pos >= len(e.src.body) || e.src.body[pos] != ':' {
		return 0, errNoEnd
	}
	return pos + 1, nil
}

// entryLines writes "key: value" for keys[0], nesting mappings for the rest
// of keys, as block lines relative to the entry's indentation.
func (e *editor) entryLines(keys []string, r rendered) []string {
	head := renderScalar(keys[0], plainQuoting) + ":"
	switch {
	case len(keys) > 1:
		return append([]string{head}, indentAll(e.entryLines(keys[1:], r), e.style.indentUnit)...)
	case r.isBlock():
		return append([]string{head}, indentAll(r.lines, r.offset)...)
	}
	return []string{head + " " + r.inline}
}

// flowEntry writes "key: value" for keys[0] in flow style, nesting {…}.
func flowEntry(keys []string, r rendered) string {
	head := renderScalar(keys[0], plainQuoting) + ": "
	if len(keys) > 1 {
		return head + "{" + flowEntry(keys[1:], r) + "}"
	}
	return head + r.inline
}

func indentAll(lines []string, n int) []string {
	pad := strings.Repeat(" ", n)
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = pad + l
	}
	return out
}
