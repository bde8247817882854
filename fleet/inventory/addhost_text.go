package inventory

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"gopkg.in/yaml.v3"
)

// isYAMLInventory tells the YAML plugin's files from INI ones, as loading
// does: by extension, else by whether the text is a YAML mapping.
func isYAMLInventory(data []byte, file string) bool {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".yml", ".yaml", ".json":
		return true
	case ".ini":
		return false
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return false
	}
	return doc.Content[0].Kind == yaml.MappingNode
}

// textLines splits text after each "\n", keeping the line endings.
func textLines(data []byte) []string {
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// cutEOL splits a line from its ending ("\r\n", "\n" or none).
func cutEOL(line string) (body, eol string) {
	if b, ok := strings.CutSuffix(line, "\r\n"); ok {
		return b, "\r\n"
	}
	if b, ok := strings.CutSuffix(line, "\n"); ok {
		return b, "\n"
	}
	return line, ""
}

// fileEOL is the file's first line ending ("\n" when it has none).
func fileEOL(lines []string) string {
	if len(lines) > 0 {
		if _, eol := cutEOL(lines[0]); eol != "" {
			return eol
		}
	}
	return "\n"
}

// withEOL ends each new line with eol.
func withEOL(lines []string, eol string) string {
	return strings.Join(lines, eol) + eol
}

// insertAfter returns lines with text added after line index i; a last
// line without an ending gets one first.
func insertAfter(lines []string, i int, text string, eol string) []string {
	out := slices.Clone(lines)
	if _, end := cutEOL(out[i]); end == "" {
		out[i] += eol
	}
	return slices.Insert(out, i+1, text)
}

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }

// iniAddress finds an ansible_host=value token on an INI host line.
var iniAddress = lazyre.New(`(\s)ansible_host=("[^"]*"|'[^']*'|[^\s#;]+)`)

// insertINIHost copies each of the template's host lines below itself.
func insertINIHost(data []byte, c HostCopy) ([]byte, error) {
	lines := textLines(data)
	eol := fileEOL(lines)
	for i, n := range slices.Backward(sortedLines(c.Lines)) {
		if n < 1 || n > len(lines) {
			return nil, errorAt(c.File, n, "no such line for host %s", c.Template)
		}
		copied, err := iniHostCopy(lines[n-1], firstOnly(c, i), n)
		if err != nil {
			return nil, err
		}
		lines = insertAfter(lines, n-1, copied+eol, eol)
	}
	return []byte(strings.Join(lines, "")), nil
}

// firstOnly keeps SetAddress for the first declaration only: one
// ansible_host is enough.
func firstOnly(c HostCopy, i int) HostCopy {
	c.SetAddress = c.SetAddress && i == 0
	return c
}

func sortedLines(lines []int) []int {
	out := slices.Clone(lines)
	slices.Sort(out)
	return slices.Compact(out)
}

// iniHostCopy is the template's host line for the new host, without its
// line ending.
func iniHostCopy(line string, c HostCopy, n int) (string, error) {
	body, _ := cutEOL(line)
	indent := body[:indentOf(body)]
	rest := body[len(indent):]
	first, _, _ := strings.Cut(strings.ReplaceAll(rest, "\t", " "), " ")
	if first != c.Template {
		return "", errorAt(c.File, n, "%s is declared by the pattern %q (a range or a port), not by its name: add %s by hand", c.Template, first, c.Name)
	}
	rest = c.Name + rest[len(first):]
	if loc := iniAddress().FindStringSubmatchIndex(rest); loc != nil {
		return indent + rest[:loc[4]] + c.Address + rest[loc[5]:], nil
	}
	if c.SetAddress {
		rest = c.Name + " ansible_host=" + c.Address + rest[len(c.Name):]
	}
	return indent + rest, nil
}

// yamlHostEntry is one declaration of the template under a group's hosts.
type yamlHostEntry struct {
	key, value *yaml.Node
	step       int // the indentation of the hosts mapping's entries under "hosts:"
}

// insertYAMLHost copies each of the template's entries below itself.
func insertYAMLHost(data []byte, c HostCopy) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlSyntaxError(c.File, data, err)
	}
	entries := findHostEntries(&doc, c)
	if len(entries) == 0 {
		return nil, errorAt(c.File, 0, "%s is not a key under a group's hosts: add %s by hand", c.Template, c.Name)
	}
	lines := textLines(data)
	eol := fileEOL(lines)
	for i, e := range slices.Backward(entries) {
		var err error
		if lines, err = insertYAMLEntry(lines, e, firstOnly(c, i), eol); err != nil {
			return nil, err
		}
	}
	return []byte(strings.Join(lines, "")), nil
}

// findHostEntries walks the document for the template's keys under
// "hosts:" mappings, at the lines the inventory declared it, in line order.
func findHostEntries(n *yaml.Node, c HostCopy) []yamlHostEntry {
	var out []yamlHostEntry
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "hosts" && v.Kind == yaml.MappingNode {
				out = append(out, hostKeys(v, k.Column, c)...)
			}
		}
	}
	for _, child := range n.Content {
		out = append(out, findHostEntries(child, c)...)
	}
	slices.SortFunc(out, func(a, b yamlHostEntry) int { return a.key.Line - b.key.Line })
	return out
}

func hostKeys(hosts *yaml.Node, hostsColumn int, c HostCopy) []yamlHostEntry {
	var out []yamlHostEntry
	for i := 0; i+1 < len(hosts.Content); i += 2 {
		k := hosts.Content[i]
		if k.Value == c.Template && slices.Contains(c.Lines, k.Line) {
			out = append(out, yamlHostEntry{key: k, value: hosts.Content[i+1], step: max(1, k.Column-hostsColumn)})
		}
	}
	return out
}

// insertYAMLEntry adds the copy of one entry after its last line.
func insertYAMLEntry(lines []string, e yamlHostEntry, c HostCopy, eol string) ([]string, error) {
	start, col := e.key.Line-1, e.key.Column-1
	if err := checkBlockEntry(lines, e, c); err != nil {
		return nil, err
	}
	end := blockEnd(lines, start, col)
	block := make([]string, 0, end-start+2)
	for _, l := range lines[start : end+1] {
		body, _ := cutEOL(l)
		block = append(block, body)
	}
	block, err := renameYAMLKey(block, col, c)
	if err == nil {
		block, err = setYAMLAddress(block, e, c)
	}
	if err != nil {
		return nil, err
	}
	return insertAfter(lines, end, withEOL(block, eol), eol), nil
}

// checkBlockEntry refuses what cannot be copied line by line: an entry in
// flow style, or a value with an anchor, an alias or a tag.
func checkBlockEntry(lines []string, e yamlHostEntry, c HostCopy) error {
	v := e.value
	switch {
	case indentOf(lines[e.key.Line-1]) != e.key.Column-1:
		return errorAt(c.File, e.key.Line, "%s's entry is in flow style: add %s by hand", c.Template, c.Name)
	case v.Anchor != "" || v.Kind == yaml.AliasNode || v.Style&yaml.TaggedStyle != 0:
		return errorAt(c.File, e.key.Line, "%s's entry has an anchor, alias or tag: add %s by hand", c.Template, c.Name)
	case v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle != 0:
		return errorAt(c.File, e.key.Line, "%s's variables are a flow mapping: add %s by hand", c.Template, c.Name)
	case v.Kind != yaml.MappingNode && v.ShortTag() != "!!null":
		return errorAt(c.File, e.key.Line, "%s's entry is not a mapping of variables", c.Template)
	}
	return nil
}

// blockEnd is the index of the last non-blank line indented deeper than
// col after start (start itself when none).
func blockEnd(lines []string, start, col int) int {
	end := start
	for j := start + 1; j < len(lines); j++ {
		body, _ := cutEOL(lines[j])
		if strings.TrimSpace(body) == "" {
			continue
		}
		if indentOf(body) <= col {
			break
		}
		end = j
	}
	return end
}

// renameYAMLKey puts the new name in place of the template's key, plain or
// quoted as it was.
func renameYAMLKey(block []string, col int, c HostCopy) ([]string, error) {
	rest := block[0][col:]
	for _, q := range []string{"", `"`, `'`} {
		if old := q + c.Template + q + ":"; strings.HasPrefix(rest, old) {
			block[0] = block[0][:col] + q + c.Name + q + ":" + rest[len(old):]
			return block, nil
		}
	}
	return nil, errorAt(c.File, 0, "%s's key is written in a way straylight does not copy: add %s by hand", c.Template, c.Name)
}

// setYAMLAddress replaces the copied ansible_host, or adds one.
func setYAMLAddress(block []string, e yamlHostEntry, c HostCopy) ([]string, error) {
	line := func(indent int) string {
		return strings.Repeat(" ", indent) + "ansible_host: " + yamlAddress(c.Address)
	}
	if e.value.Kind != yaml.MappingNode {
		if !c.SetAddress {
			return block, nil
		}
		return nullEntryWithAddress(block, line(e.key.Column-1+e.step), c)
	}
	for i := 0; i+1 < len(e.value.Content); i += 2 {
		k, v := e.value.Content[i], e.value.Content[i+1]
		if k.Value == "ansible_host" {
			return replaceYAMLAddress(block, k, v, e, line(k.Column-1), c)
		}
	}
	if c.SetAddress {
		first := e.value.Content[0]
		return slices.Insert(block, 1, line(first.Column-1)), nil
	}
	return block, nil
}

func nullEntryWithAddress(block []string, line string, c HostCopy) ([]string, error) {
	_, after, _ := strings.Cut(block[0], ":")
	if s := strings.TrimSpace(after); s != "" && !strings.HasPrefix(s, "#") {
		return nil, errorAt(c.File, 0, "%s's entry holds %q: add %s by hand", c.Template, s, c.Name)
	}
	return append(block[:1:1], line), nil
}

func replaceYAMLAddress(block []string, k, v *yaml.Node, e yamlHostEntry, line string, c HostCopy) ([]string, error) {
	i := k.Line - e.key.Line
	if v.Line != k.Line || v.Kind != yaml.ScalarNode || v.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) != 0 {
		return nil, errorAt(c.File, k.Line, "%s's ansible_host is not a one-line value: add %s by hand", c.Template, c.Name)
	}
	if i+1 < len(block) && indentOf(block[i+1]) > k.Column-1 && strings.TrimSpace(block[i+1]) != "" {
		return nil, errorAt(c.File, k.Line, "%s's ansible_host continues on the next line: add %s by hand", c.Template, c.Name)
	}
	block[i] = line
	return block, nil
}

// yamlAddress writes an address as a YAML string: plain when YAML reads it
// back as that string, else double-quoted.
func yamlAddress(addr string) string {
	var back any
	if yaml.Unmarshal([]byte("a: "+addr), &back) == nil {
		if m, ok := back.(map[string]any); ok && m["a"] == addr {
			return addr
		}
	}
	return `"` + addr + `"`
}
