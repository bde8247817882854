package inventory

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// The INI reader follows ansible/plugins/inventory/ini.py line by line.

var (
	iniSection   = lazyre.New(`^\[([^:\]\s]+)(?::([\p{L}\p{N}_]+))?\]\s*(?:#.*)?$`)
	iniGroupName = lazyre.New(`^([^:\]\s]+)\s*(?:#.*)?$`)
)

type iniReader struct {
	m       *model
	file    string
	secret  bool
	lineNo  int
	group   string
	state   string
	pending map[string]*pendingDecl
	order   []string // pending declarations in the order they were made
}

// pendingDecl is a group named in [x:vars] or [y:children] before it was
// declared; it must be declared by the end of the file.
type pendingDecl struct {
	line    int
	state   string
	parents []string
}

// parseINIInventory reads INI text into the model.
func parseINIInventory(m *model, text []byte, file string, secret bool) error {
	lines, err := iniLines(text, file)
	if err != nil {
		return err
	}
	r := &iniReader{m: m, file: file, secret: secret, group: "ungrouped", state: "hosts", pending: map[string]*pendingDecl{}}
	for i, line := range lines {
		r.lineNo = i + 1
		if err := r.parseLine(strings.TrimSpace(line)); err != nil {
			return err
		}
	}
	return r.checkPending()
}

// iniLines splits as Python's str.splitlines; with invalid UTF-8, comment
// lines are blanked and any other bad line is an error.
func iniLines(text []byte, file string) ([]string, error) {
	if utf8.Valid(text) {
		return pySplitLines(string(text)), nil
	}
	lines := pySplitLines(string(text))
	for i, l := range lines {
		if utf8.ValidString(l) {
			continue
		}
		if l != "" && (l[0] == '#' || l[0] == ';') {
			lines[i] = ""
			continue
		}
		return nil, errorAt(file, i+1, "invalid UTF-8 outside a comment")
	}
	return lines, nil
}

// pySplitLines is str.splitlines(): every Unicode line boundary counts.
func pySplitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isLineBoundary(r) {
			i += size
			continue
		}
		out = append(out, s[start:i])
		if r == '\r' && strings.HasPrefix(s[i+1:], "\n") {
			size++
		}
		i += size
		start = i
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func isLineBoundary(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

func (r *iniReader) errorf(format string, args ...any) error {
	return errorAt(r.file, r.lineNo, format, args...)
}

func (r *iniReader) at() Origin {
	return Origin{File: r.file, Line: r.lineNo, Secret: r.secret}
}

func (r *iniReader) parseLine(line string) error {
	if line == "" || line[0] == '#' || line[0] == ';' {
		return nil
	}
	if m := iniSection().FindStringSubmatch(line); m != nil {
		return r.section(m[1], m[2])
	}
	if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
		return r.errorf("Invalid section entry: '%s'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters", line)
	}
	switch r.state {
	case "hosts":
		return r.hostLine(line)
	case "vars":
		return r.varLine(line)
	}
	return r.childLine(line)
}

func (r *iniReader) section(rawName, state string) error {
	if state == "" {
		state = "hosts"
	}
	if state != "hosts" && state != "children" && state != "vars" {
		return r.errorf("Section [%s:%s] has unknown type: %s", rawName, state, state)
	}
	// Ansible's INI plugin calls to_safe_group_name, which with the default
	// TRANSFORM_INVALID_GROUP_CHARS=never only warns: "dc-east" stays.
	name := rawName
	if safeGroupName(name) != name {
		r.m.warn("%s:%d: invalid characters in group name %q (kept as is)", r.file, r.lineNo, name)
	}
	r.group, r.state = name, state
	if r.m.groupByName[name] == nil {
		if _, ok := r.pending[name]; state == "vars" && !ok {
			r.addPending(name, &pendingDecl{line: r.lineNo, state: "vars"})
		}
		if _, err := r.m.addGroup(name); err != nil {
			return r.errorf("%v", err)
		}
	}
	if decl := r.pending[name]; decl != nil && state != "vars" {
		if decl.state == "children" {
			return r.addPendingChildren(name)
		}
		r.dropPending(name)
	}
	return nil
}

func (r *iniReader) addPending(name string, decl *pendingDecl) {
	r.pending[name] = decl
	r.order = append(r.order, name)
}

func (r *iniReader) dropPending(name string) {
	delete(r.pending, name)
	r.order = removeFrom(r.order, name)
}

// addPendingChildren links a group, now declared, under the groups that
// named it as a child before.
func (r *iniReader) addPendingChildren(name string) error {
	decl := r.pending[name]
	if decl == nil {
		return nil
	}
	r.dropPending(name)
	for _, parent := range decl.parents {
		if err := r.m.addChild(parent, name); err != nil {
			return r.errorf("%v", err)
		}
		if pd := r.pending[parent]; pd != nil && pd.state == "children" {
			if err := r.addPendingChildren(parent); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *iniReader) hostLine(line string) error {
	tokens, err := shlexSplit(line)
	if err != nil {
		return r.errorf("Error parsing host definition '%s': %v", line, err)
	}
	if len(tokens) == 0 {
		return r.errorf("Expected a host definition, got: %s", line)
	}
	names, port, err := r.expandHost(tokens[0])
	if err != nil {
		return err
	}
	vars, err := r.hostVars(tokens[1:])
	if err != nil {
		return err
	}
	return r.addHosts(names, port, vars)
}

// expandHost adds the INI plugin's own checks to the host pattern.
func (r *iniReader) expandHost(pattern string) ([]string, int, error) {
	names, port, err := expandHostPattern(pattern)
	if err != nil {
		return nil, 0, r.errorf("%v", err)
	}
	if strings.HasSuffix(strings.TrimSpace(pattern), ":") && port == 0 {
		return nil, 0, r.errorf("Invalid host pattern '%s' supplied, ending in ':' is not allowed, this character is reserved to provide a port.", pattern)
	}
	for _, n := range names {
		if strings.TrimSpace(n) == "---" {
			return nil, 0, r.errorf("Invalid host pattern '%s' supplied, '---' is normally a sign this is a YAML file.", pattern)
		}
	}
	return names, port, nil
}

func (r *iniReader) hostVars(tokens []string) ([]namedEntry, error) {
	var vars []namedEntry
	for _, t := range tokens {
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			return nil, r.errorf("Expected key=value host variable assignment, got: %s", t)
		}
		vars = append(vars, namedEntry{k, r.entry(k, iniValue(v))})
	}
	return vars, nil
}

func (r *iniReader) addHosts(names []string, port int, vars []namedEntry) error {
	for _, name := range names {
		if err := r.m.addHost(name, r.group, port, r.at()); err != nil {
			return r.errorf("%v", err)
		}
		h := r.m.hostByName[name]
		for _, v := range vars {
			h.vars.set(v.key, v.entry)
		}
	}
	return nil
}

func (r *iniReader) varLine(line string) error {
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return r.errorf("Expected key=value, got: %s", line)
	}
	k = strings.TrimSpace(k)
	e := r.entry(k, iniValue(strings.TrimSpace(v)))
	if err := r.m.setGroupVar(r.m.groupByName[r.group], k, e); err != nil {
		return r.errorf("%v", err)
	}
	return nil
}

func (r *iniReader) childLine(line string) error {
	m := iniGroupName().FindStringSubmatch(line)
	if m == nil {
		return r.errorf("Expected group name, got: %s", line)
	}
	child := m[1]
	if r.m.groupByName[child] != nil {
		if err := r.m.addChild(r.group, child); err != nil {
			return r.errorf("%v", err)
		}
		return nil
	}
	if decl := r.pending[child]; decl != nil {
		decl.parents = append(decl.parents, r.group)
		return nil
	}
	r.addPending(child, &pendingDecl{line: r.lineNo, state: "children", parents: []string{r.group}})
	return nil
}

// checkPending reports the first group that was used but never declared.
func (r *iniReader) checkPending() error {
	if len(r.order) == 0 {
		return nil
	}
	name := r.order[0]
	decl := r.pending[name]
	if decl.state == "vars" {
		return errorAt(r.file, decl.line, "Section [%s:vars] not valid for undefined group: %s", name, name)
	}
	parent := decl.parents[len(decl.parents)-1]
	return errorAt(r.file, decl.line, "Section [%s:children] includes undefined group: %s", parent, name)
}

// iniValue is the INI plugin's _parse_value: a Python literal when
// ast.literal_eval accepts it, the text itself otherwise.
func iniValue(v string) any {
	if lit, ok := pyLiteral(v); ok {
		return lit
	}
	return v
}

// entry records an INI value with its line; keys nested in a literal dict
// or list share that line.
func (r *iniReader) entry(name string, v any) *varEntry {
	e := &varEntry{value: v}
	e.origins = literalOrigins(e.origins, name, v, r.at())
	return e
}

func literalOrigins(out []pathOrigin, path string, v any, at Origin) []pathOrigin {
	out = append(out, pathOrigin{path: path, origin: at})
	switch t := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			out = literalOrigins(out, joinPath(path, k), t[k], at)
		}
	case []any:
		for i, item := range t {
			out = literalOrigins(out, joinPath(path, strconv.Itoa(i)), item, at)
		}
	}
	return out
}

// parseHostList handles "-i 'web1,web2,'": hosts separated by commas, all
// ungrouped (Ansible's host_list plugin).
func parseHostList(m *model, list string) error {
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, port, err := parseAddress(item, false)
		if err != nil {
			name, port = item, 0
		}
		if m.hostByName[name] != nil {
			continue
		}
		if err := m.addHost(name, "ungrouped", port, Origin{}); err != nil {
			return fmt.Errorf("host list %q: %v", list, err)
		}
	}
	return nil
}
