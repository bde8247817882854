package render

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// to_yaml and to_nice_yaml are yaml.dump with Ansible's dumper. This file
// ports the part of PyYAML's emitter they reach: block and flow
// collections, and plain, single- and double-quoted scalars with line
// folding at the best width (80 columns).

// filterToYAML is Ansible's to_yaml: flow style for collections of scalars.
func filterToYAML(in any, args []any) (any, error) {
	return dumpYAML(in, yamlSettings(args, 2, false))
}

// filterToNiceYAML is Ansible's to_nice_yaml: block style, indent 4.
func filterToNiceYAML(in any, args []any) (any, error) {
	return dumpYAML(in, yamlSettings(args, 4, true))
}

type yamlStyle struct {
	indent    int
	width     int
	blockOnly bool
	sortKeys  bool
}

func yamlSettings(args []any, indent int, blockOnly bool) yamlStyle {
	style := yamlStyle{indent: 2, width: 80, blockOnly: blockOnly, sortKeys: pyTruthy(or(args[3], true))}
	if n, ok := or(args[0], indent).(int); ok && n > 1 && n < 10 {
		style.indent = n
	}
	if n, ok := or(args[2], nil).(int); ok && n > style.indent*2 {
		style.width = n
	}
	if flow := or(args[1], nil); flow != nil {
		style.blockOnly = !pyTruthy(flow)
	}
	return style
}

// yamlNode is a represented value: a scalar with its tag resolution, or a
// collection with its flow style.
type yamlNode struct {
	scalar   string
	isScalar bool
	// plainImplicit: read back as plain, the text has the node's own type.
	plainImplicit bool
	items         []*yamlNode // sequence items, or mapping keys and values in turn
	mapping       bool
	flow          bool
}

func dumpYAML(x any, style yamlStyle) (string, error) {
	node, err := style.represent(x)
	if err != nil {
		return "", err
	}
	e := &yamlEmitter{style: style, whitespace: true, indention: true, indent: -1}
	e.document(node)
	return e.out.String(), nil
}

func (s yamlStyle) represent(x any) (*yamlNode, error) {
	switch v := x.(type) {
	case nil:
		return plainScalar("null"), nil
	case bool:
		return plainScalar(strings.ToLower(pyBool(v))), nil
	case int:
		return plainScalar(fmt.Sprint(v)), nil
	case float64:
		return plainScalar(yamlFloat(v)), nil
	case string:
		return &yamlNode{scalar: v, isScalar: true, plainImplicit: resolvesToString(v)}, nil
	case pyList:
		return s.representList(v)
	case pyTuple:
		return s.representList(pyList(v))
	case pyDict:
		return s.representDict(v)
	case groupsMap:
		return s.representDict(v.dict())
	case *hostView:
		return s.representDict(v.dict())
	case error:
		return nil, v
	}
	return nil, fmt.Errorf("cannot represent an object: %s", pyRepr(x))
}

func plainScalar(text string) *yamlNode {
	return &yamlNode{scalar: text, isScalar: true, plainImplicit: true}
}

func (s yamlStyle) representList(list pyList) (*yamlNode, error) {
	node := &yamlNode{}
	allScalars := true
	for _, item := range list {
		child, err := s.represent(item)
		if err != nil {
			return nil, err
		}
		allScalars = allScalars && child.isScalar
		node.items = append(node.items, child)
	}
	node.flow = allScalars && !s.blockOnly
	return node, nil
}

func (s yamlStyle) representDict(d pyDict) (*yamlNode, error) {
	node := &yamlNode{mapping: true}
	keys := d.keys()
	if s.sortKeys {
		sort.Strings(keys)
	}
	allScalars := true
	for _, key := range keys {
		value, err := s.represent(d[key].val)
		if err != nil {
			return nil, err
		}
		allScalars = allScalars && value.isScalar
		node.items = append(node.items, &yamlNode{scalar: key, isScalar: true, plainImplicit: resolvesToString(key)}, value)
	}
	node.flow = allScalars && !s.blockOnly
	return node, nil
}

// yamlFloat is PyYAML's represent_float.
func yamlFloat(f float64) string {
	switch text := pyFloat(f); text {
	case "nan":
		return ".nan"
	case "inf":
		return ".inf"
	case "-inf":
		return "-.inf"
	default:
		if !strings.Contains(text, ".") && strings.Contains(text, "e") {
			return strings.Replace(text, "e", ".0e", 1)
		}
		return text
	}
}

// YAML 1.1 implicit types (PyYAML's resolver), keyed by what the first
// character may be. Each pattern compiles on first use (lazyre.New), not
// at every start; the table itself is never changed.
var yamlImplicit = []struct {
	first   string
	pattern func() *regexp.Regexp
}{
	{"yYnNtTfFoO", lazyre.New(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)},
	{"-+0123456789.", lazyre.New(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)},
	{"-+0123456789", lazyre.New(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)},
	{"<", lazyre.New(`^(?:<<)$`)},
	{"~nN", lazyre.New(`^(?:~|null|Null|NULL)$`)},
	{"0123456789", lazyre.New(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)},
	{"=", lazyre.New(`^(?:=)$`)},
	{"!&*", lazyre.New(`^(?:!|&|\*)$`)},
}

// resolvesToString tells whether s, written plain, reads back as a string.
func resolvesToString(s string) bool {
	if s == "" {
		return false
	}
	for _, implicit := range yamlImplicit {
		if strings.IndexByte(implicit.first, s[0]) >= 0 && implicit.pattern().MatchString(s) {
			return false
		}
	}
	return true
}

// yamlEmitter holds PyYAML's emitter state.
type yamlEmitter struct {
	style      yamlStyle
	out        strings.Builder
	indents    []int
	indent     int // -1: none yet
	flowLevel  int
	column     int
	whitespace bool
	indention  bool
	// node contexts
	mappingContext, simpleKey bool
}

// document emits one implicit document. libyaml (Ansible's dumper) writes
// neither "---" for an empty scalar nor "..." after a plain one.
func (e *yamlEmitter) document(node *yamlNode) {
	e.node(node, false, false)
	e.writeIndent()
}

func (e *yamlEmitter) node(node *yamlNode, mapping, simpleKey bool) {
	e.mappingContext, e.simpleKey = mapping, simpleKey
	switch {
	case node.isScalar:
		e.increaseIndent(true, false)
		e.scalar(node)
		e.popIndent()
	case e.flowLevel > 0 || node.flow || len(node.items) == 0:
		e.flowCollection(node)
	case node.mapping:
		e.blockMapping(node)
	default:
		e.blockSequence(node)
	}
}

func (e *yamlEmitter) increaseIndent(flow, indentless bool) {
	e.indents = append(e.indents, e.indent)
	switch {
	case e.indent < 0 && flow:
		e.indent = e.style.indent
	case e.indent < 0:
		e.indent = 0
	case !indentless:
		e.indent += e.style.indent
	}
}

func (e *yamlEmitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1]
	e.indents = e.indents[:len(e.indents)-1]
}

func (e *yamlEmitter) flowCollection(node *yamlNode) {
	open, close := "[", "]"
	if node.mapping {
		open, close = "{", "}"
	}
	e.writeIndicator(open, true, true, false)
	e.flowLevel++
	e.increaseIndent(true, false)
	step := 1
	if node.mapping {
		step = 2
	}
	for i := 0; i < len(node.items); i += step {
		if i > 0 {
			e.writeIndicator(",", false, false, false)
		}
		if e.column > e.style.width {
			e.writeIndent()
		}
		e.flowItem(node, i)
	}
	e.popIndent()
	e.flowLevel--
	e.writeIndicator(close, false, false, false)
}

func (e *yamlEmitter) flowItem(node *yamlNode, i int) {
	if !node.mapping {
		e.node(node.items[i], false, false)
		return
	}
	key, value := node.items[i], node.items[i+1]
	if isSimpleKey(key) {
		e.node(key, true, true)
		e.writeIndicator(":", false, false, false)
	} else {
		e.writeIndicator("?", true, false, false)
		e.node(key, true, false)
		if e.column > e.style.width {
			e.writeIndent()
		}
		e.writeIndicator(":", true, false, false)
	}
	e.node(value, true, false)
}

func (e *yamlEmitter) blockSequence(node *yamlNode) {
	indentless := e.mappingContext && !e.indention
	e.increaseIndent(false, indentless)
	for _, item := range node.items {
		e.writeIndent()
		e.writeIndicator("-", true, false, true)
		e.node(item, false, false)
	}
	e.popIndent()
}

func (e *yamlEmitter) blockMapping(node *yamlNode) {
	e.increaseIndent(false, false)
	for i := 0; i < len(node.items); i += 2 {
		key, value := node.items[i], node.items[i+1]
		e.writeIndent()
		if isSimpleKey(key) {
			e.node(key, true, true)
			e.writeIndicator(":", false, false, false)
		} else {
			e.writeIndicator("?", true, false, true)
			e.node(key, true, false)
			e.writeIndent()
			e.writeIndicator(":", true, false, true)
		}
		e.node(value, true, false)
	}
	e.popIndent()
}

// isSimpleKey is libyaml's yaml_emitter_check_simple_key for the keys we
// emit (scalars): one line of at most 128 bytes. Ansible dumps with
// libyaml's emitter where PyYAML has it (module_utils/common/yaml.py,
// CSafeDumper), and every Ansible install here has: PyYAML's own emitter
// counts characters, wants fewer than 128 and writes an empty key in the
// explicit form (a "?" line), libyaml as a quoted empty string.
func isSimpleKey(key *yamlNode) bool {
	return len(key.scalar) <= 128 && !analyzeScalar(key.scalar).multiline
}

func (e *yamlEmitter) scalar(node *yamlNode) {
	a := analyzeScalar(node.scalar)
	split := !e.simpleKey
	switch e.chooseStyle(node, a) {
	case '"':
		e.writeDoubleQuoted(node.scalar, split)
	case '\'':
		e.writeSingleQuoted(node.scalar, split)
	default:
		e.writePlain(node.scalar, split)
	}
}

func (e *yamlEmitter) chooseStyle(node *yamlNode, a scalarAnalysis) byte {
	if node.plainImplicit && !(e.simpleKey && (a.empty || a.multiline)) &&
		((e.flowLevel > 0 && a.allowFlowPlain) || (e.flowLevel == 0 && a.allowBlockPlain)) {
		return 0
	}
	if a.allowSingleQuoted && !(e.simpleKey && a.multiline) {
		return '\''
	}
	return '"'
}

func (e *yamlEmitter) write(text string) {
	e.out.WriteString(text)
	e.column += utf8.RuneCountInString(text)
}

func (e *yamlEmitter) writeIndicator(indicator string, needWhitespace, whitespace, indention bool) {
	if !e.whitespace && needWhitespace {
		indicator = " " + indicator
	}
	e.whitespace = whitespace
	e.indention = e.indention && indention
	e.write(indicator)
}

func (e *yamlEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.writeLineBreak("\n")
	}
	if e.column < indent {
		e.whitespace = true
		e.write(repeatString(" ", indent-e.column))
	}
}

func (e *yamlEmitter) writeLineBreak(text string) {
	e.whitespace = true
	e.indention = true
	e.out.WriteString(text)
	e.column = 0
}
