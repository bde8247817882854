package render

import (
	"slices"
	"strings"
	"unicode"

	"github.com/nikolalohinski/gonja/v2/exec"
	"gopkg.in/yaml.v3"
)

// TemplateValue templates value against scope the way Ansible templates
// variables and module arguments (Templar.template): strings are rendered,
// lists and maps are templated item by item (map keys are not), anything
// else is returned as is. Like Ansible (without jinja2_native), a string
// that is one {{ }} of a bool, list or dict keeps that type, a rendered
// string that reads as a list, dict or bool becomes one, and everything
// else is a string ("{{ vllm.port }}" gives "8000"; only "{{ port }}"
// naming a variable whose raw value is 8000 gives 8000). With
// Options.DataTagging (ansible-core 2.19) a template of one value keeps it
// ("{{ vllm.port }}" gives 8000) and others are strings (renderNative).
// The result holds plain Go values: nil, bool, int, float64, string,
// []any and map[string]any.
func (e *Engine) TemplateValue(scope *Scope, value any) (any, error) {
	result, err := e.finishedValue(scope, value)
	if err != nil {
		return nil, err
	}
	return plain(result), nil
}

// finishedValue is value templated and finalized as a whole: 2.19's omit
// (only 2.19 has omitValue) drops out of the lists and dicts in it
// (nativeResult); a value that is omit itself is left to the caller
// (OmitPlaceholder). The core version is not asked: a value without a
// template must not need it.
func (e *Engine) finishedValue(scope *Scope, value any) (any, error) {
	result, err := e.templateValue(scope, value, nil)
	if err != nil || !holdsOmit(result) {
		return result, err
	}
	return nativeResult(result), nil
}

// holdsOmit tells whether x is or contains 2.19's omit.
func holdsOmit(x any) bool {
	switch v := x.(type) {
	case omitValue:
		return true
	case pyList:
		return slices.ContainsFunc(v, holdsOmit)
	case pyDict:
		for _, slot := range v {
			if holdsOmit(slot.val) {
				return true
			}
		}
	}
	return false
}

func (e *Engine) templateValue(s *Scope, value any, c *chain) (any, error) {
	switch v := value.(type) {
	case string:
		if !isPossiblyTemplate(v) {
			return value, nil // as it came: no new interface for the string
		}
		return e.templateString(s, v, c)
	case []any:
		return e.templateList(s, canonicalSlice(v), c)
	case pyList:
		return e.templateList(s, v, c)
	case pyTuple:
		return e.templateList(s, pyList(v), c)
	case map[string]any:
		return e.templateDict(s, canonicalMap(v), c)
	case *Map:
		return e.templateMap(s, v, c)
	case pyDict:
		return e.templateDict(s, v, c)
	case *yaml.Node:
		return e.templateValue(s, canonicalNode(v), c)
	}
	return canonical(value), nil
}

func (e *Engine) templateList(s *Scope, list pyList, c *chain) (pyList, error) {
	out := make(pyList, len(list))
	for i, item := range list {
		value, err := e.templateValue(s, item, c)
		if err != nil {
			return nil, err
		}
		out[i] = value
	}
	return out, nil
}

func (e *Engine) templateDict(s *Scope, dict pyDict, c *chain) (pyDict, error) {
	out := newDict(len(dict))
	for _, key := range dict.keys() {
		value, err := e.templateValue(s, dict[key].val, c)
		if err != nil {
			return nil, err
		}
		out.set(key, value)
	}
	return out, nil
}

// templateMap is templateDict of canonicalOrdered(m), without that
// intermediate dict (an inventory mapping is templated for every host
// that reads it).
func (e *Engine) templateMap(s *Scope, m *Map, c *chain) (pyDict, error) {
	out := newDict(len(m.Keys))
	for _, key := range m.Keys {
		value, err := e.templateValue(s, canonical(m.Values[key]), c)
		if err != nil {
			return nil, err
		}
		out.set(key, value)
	}
	return out, nil
}

// singleVarName is Templar's SINGLE_VAR: the name when src is only
// {{ name }}. It reads what ^\{\{\s*([\p{L}\p{N}_]*)\s*\}\}$ matches,
// by hand: compiling that expression's Unicode classes cost ~1 M
// instructions at every start (TestSingleVarNameIsTheExpression).
func singleVarName(src string) (string, bool) {
	inner, ok := strings.CutPrefix(src, "{{")
	if !ok {
		return "", false
	}
	if inner, ok = strings.CutSuffix(inner, "}}"); !ok {
		return "", false
	}
	inner = strings.TrimLeft(inner, reSpace)
	name := inner[:nameEnd(inner)]
	return name, strings.TrimLeft(inner[len(name):], reSpace) == ""
}

// reSpace is what \s matches in Go's regexp syntax.
const reSpace = "\t\n\f\r "

// nameEnd is where s stops being letters, numbers and underscores.
func nameEnd(s string) int {
	for i, r := range s {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return i
		}
	}
	return len(s)
}

// templateString is Templar.template for one string (convert_data on,
// escape_backslashes on, trailing newlines preserved).
func (e *Engine) templateString(s *Scope, str string, c *chain) (any, error) {
	if !isPossiblyTemplate(str) {
		return str, nil
	}
	key := compileKey{src: str, newline: "\n", trimBlocks: true, escapeBackslashes: true}
	compiled := e.compile(key)
	if value, ok := rawScalar(s, compiled.singleVar); ok {
		return value, nil
	}
	if err := e.failure(str, compiled); err != nil {
		return nil, err
	}
	result, err := e.renderValue(compiled, s, c)
	if err == nil && c == nil && e.dataTagging() {
		// An argument is finalized whole, a variable read in a template
		// is not (it may hold a range): see storable.
		err = storable(result)
	}
	if err != nil {
		return nil, newError(str, err, 0)
	}
	if text, ok := result.(string); ok {
		return preserveTrailingNewlines(str, text, "\n"), nil
	}
	return result, nil
}

// templateFile is what the template lookup returns for a file (src) read
// at name: under ansible-core 2.14 Templar.template's result
// (convert_data as asked, trailing newlines preserved, backslashes not
// escaped: lib/ansible/plugins/lookup/template.py:147-153 at v2.14.18),
// under 2.19 its engine's, not finalized: a template of one value that is
// not a string gives that value, anything else a string with its trailing
// newlines (plugins/lookup/template.py:158-167, _engine.py:389-403 at
// v2.19.14). A source without template syntax is returned as it is.
func (e *Engine) templateFile(name, src string, s *Scope, opts TemplateOptions, lookup templateLookupOptions) (any, error) {
	if !possiblyTemplate(src, lookup.marks.orJinja()) {
		return src, nil
	}
	key := compileKey{src: src, newline: "\n", trimBlocks: opts.TrimBlocks, lstripBlocks: opts.LstripBlocks, delimiters: lookup.marks}
	if err := applyOverrides(&key); err != nil {
		return nil, &Error{Template: name, Line: 1, Kind: ErrSyntax, Message: err.Error(), Err: err}
	}
	c := e.compile(key)
	if err := e.failure(name, c); err != nil {
		return nil, err
	}
	vars := e.contextFor(c, s, nil)
	run := &templateRun{engine: e, scope: s, key: key, search: opts.SearchPath, root: opts.Root, name: name}
	vars.Set(templateRunName, run)
	result, err := e.fileResult(c, vars, run, lookup.convert)
	if err != nil {
		return nil, asTemplateError(name, err)
	}
	if text, ok := result.(string); ok {
		return preserveTrailingNewlines(src, text, "\n"), nil
	}
	return result, nil
}

// fileResult renders a template file as the template lookup's core does
// (templateFile) and returns its value before trailing newlines.
func (e *Engine) fileResult(c *compiled, vars *exec.Context, run *templateRun, convert bool) (any, error) {
	if !e.dataTagging() {
		if convert {
			return e.renderData(c, vars)
		}
		return e.execute(c, vars)
	}
	run.outputs = &outputs{}
	vars.Set(finalizeFunc, run.outputs.finalize)
	out, err := e.execute(c, vars)
	if value, lone := run.outputs.lone(out); lone && err == nil {
		return value, nil
	}
	return out, err
}

func isPossiblyTemplate(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%") || strings.Contains(s, "{#")
}

// possiblyTemplate is isPossiblyTemplate with the given markers
// (Templar.is_possibly_template, 2.19's is_possibly_template with the
// overrides' markers: _jinja_bits.py:955-960 at v2.19.14).
func possiblyTemplate(s string, marks delimiters) bool {
	return strings.Contains(s, marks.variableStart) || strings.Contains(s, marks.blockStart) || strings.Contains(s, marks.commentStart)
}

// rawScalar is Templar's shortcut for "{{ name }}" naming a variable whose
// raw value is a bool, a number or null: that value is returned untemplated.
func rawScalar(s *Scope, name string) (any, bool) {
	if name == "" {
		return nil, false
	}
	raw, ok := s.raw.get(name)
	if !ok {
		return nil, false
	}
	switch v := canonical(raw).(type) {
	case nil, bool, int, float64:
		return v, true
	}
	return nil, false
}

// renderValue renders compiled as a variable's value (renderData, or
// renderNative under 2.19), a lone {{ }} of the usual shape through the
// shortcut (fastSingle).
func (e *Engine) renderValue(c *compiled, s *Scope, ch *chain) (any, error) {
	if value, ok := e.fastSingle(c, s, ch); ok {
		if e.dataTagging() {
			return nativeResult(value), nil
		}
		return c.singleData(value), nil
	}
	if e.dataTagging() {
		return e.renderNative(c, e.contextFor(c, s, ch))
	}
	return e.renderData(c, e.contextFor(c, s, ch))
}

// renderData renders compiled and converts the result like
// ansible_eval_concat: one {{ }} keeps a bool, list or dict; other results
// are strings, turned into a list, dict or bool when they read as one.
func (e *Engine) renderData(c *compiled, vars *exec.Context) (any, error) {
	if c.single == nil {
		out, err := e.execute(c, vars)
		if err != nil {
			return nil, err
		}
		return convertData(out), nil
	}
	value, err := e.evalSingle(c, vars)
	if err != nil {
		return nil, err
	}
	return c.singleData(value), nil
}

// singleData is the package's singleData, keeping a text filter's string as
// it is.
func (c *compiled) singleData(value any) any {
	if text, ok := value.(string); ok && c.text {
		return text
	}
	return singleData(value)
}

// singleData is a lone {{ }}'s value as Ansible's concat and convert_data
// leave it (2.14): None prints as nothing, a string may read as data, a
// bool, list or dict stays, anything else prints.
func singleData(value any) any {
	switch v := value.(type) {
	case nil:
		return ""
	case string:
		return convertData(v)
	case bool, pyList, pyDict:
		return v
	case pyRange:
		return v.items()
	}
	return pyStr(value)
}

// renderNative renders compiled as ansible-core 2.19 templates a value: its
// concat keeps a lone output node as it is (None for none; None-valued
// nodes dropped) and joins several into a string, no longer read as a
// Python literal, and the result is finalized, tuples becoming lists
// (lib/ansible/_internal/_templating/_jinja_bits.py:738-756, :894-895,
// :1071-1108 at v2.19.14).
func (e *Engine) renderNative(c *compiled, vars *exec.Context) (any, error) {
	if c.single != nil {
		value, err := e.evalSingle(c, vars)
		return nativeResult(value), err
	}
	counted := &outputs{}
	vars.Set(finalizeFunc, counted.finalize)
	out, err := e.execute(c, vars)
	if err != nil {
		return nil, err
	}
	if value, lone := counted.lone(out); lone {
		return value, nil
	}
	return out, nil
}

// nativeResult is a templated value as 2.19 finalizes it: tuples become
// lists, inside containers too.
func nativeResult(value any) any { return finalizedValue(value, false) }

// finalizedValue is nativeResult, but for groupby's tuples when
// keepGroups: 2.19 prints a node's GroupTuple as it is, inner tuples
// kept, converting it to a list only as a lone value.
func finalizedValue(value any, keepGroups bool) any {
	switch v := value.(type) {
	case pyTuple:
		if keepGroups && isGroupTuple(v) {
			return v
		}
		return finalizedValue(pyList(v), keepGroups)
	case pyList:
		out := make(pyList, 0, len(v))
		for _, item := range v {
			if item != (omitValue{}) {
				out = append(out, finalizedValue(item, keepGroups))
			}
		}
		return out
	case pyDict:
		out := newDict(len(v))
		for _, key := range v.keys() {
			if item := v[key].val; item != (omitValue{}) {
				out.set(key, finalizedValue(item, keepGroups))
			}
		}
		return out
	}
	return value
}

// OmitPlaceholder is the value of the omit variable: a module argument that
// templates to it ("{{ mode | default(omit) }}") is left out, as Ansible
// does (its placeholder carries a random suffix; this one is fixed).
const OmitPlaceholder = "__omit_place_holder__straylight"

// omitValue is ansible-core 2.19's omit: not a string but a sentinel that
// prints as <<Omit>> (str(), ~), as nothing among a template's output,
// drops out of the lists and dicts it is in when they are finalized, and
// fails a template module whose only output it is
// (lib/ansible/_internal/_templating/_utils.py:76-98, _jinja_bits.py:
// 1010-1019, _engine.py:300-317 at v2.19.14). Values leaving the engine
// (TemplateValue) carry OmitPlaceholder in its place.
type omitValue struct{}

func (omitValue) String() string { return "<<Omit>>" }

// omitFor is the omit variable: 2.19's sentinel with e templating as 2.19
// does, else 2.14's placeholder string.
func omitFor(e *Engine) any {
	if e != nil && e.dataTagging() {
		return omitValue{}
	}
	return OmitPlaceholder
}

// RemoveOmitted drops, from templated module arguments, the arguments (and
// nested dict entries) whose value is OmitPlaceholder: Ansible's
// remove_omit.
func RemoveOmitted(args any) any {
	dict, ok := args.(map[string]any)
	if !ok {
		return args
	}
	out := make(map[string]any, len(dict))
	for key, value := range dict {
		if value == OmitPlaceholder {
			continue
		}
		out[key] = removeOmittedIn(value)
	}
	return out
}

func removeOmittedIn(value any) any {
	list, ok := value.([]any)
	if !ok {
		return RemoveOmitted(value)
	}
	out := make([]any, len(list))
	for i, item := range list {
		out[i] = RemoveOmitted(item)
	}
	return out
}
