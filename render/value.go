package render

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"

	"github.com/nikolalohinski/gonja/v2/exec"
	"gopkg.in/yaml.v3"
)

// Inside the engine every value has one of the shapes a Python value has
// after Ansible loads YAML: nil (None), bool, int, float64, string, pyList,
// pyDict, or one of the lazy views (hostvars). Values coming from gonja
// (ValuesList, *exec.Dict, []any, ...) are brought into this shape by toPy.

// pyDict is a Python dict as gonja sees it: a Go map, so that gonja's
// truthiness, `in`, length and equality work, whose slots remember the
// insertion position, because Python dicts iterate and print in insertion
// order (to_json, dict2items, {% for %} and printing depend on it).
type pyDict map[string]dictSlot

type dictSlot struct {
	pos int
	val any
}

func newDict(size int) pyDict { return make(pyDict, size) }

// set stores val under key; a new key goes to the end, an existing key keeps
// its place (Python's dict assignment).
func (d pyDict) set(key string, val any) {
	if slot, ok := d[key]; ok {
		d[key] = dictSlot{pos: slot.pos, val: val}
		return
	}
	d[key] = dictSlot{pos: len(d), val: val}
}

func (d pyDict) get(key string) (any, bool) {
	slot, ok := d[key]
	return slot.val, ok
}

// keys returns the keys in insertion order. Positions are dense because
// keys are never deleted.
func (d pyDict) keys() []string {
	keys := make([]string, len(d))
	for key, slot := range d {
		keys[slot.pos] = key
	}
	return keys
}

func (d pyDict) String() string { return pyRepr(d) }

// GetItem implements exec.ItemGetter: d[key], with Jinja2's undefined for a
// missing key. A missing key is reported as found, its value being the
// undefined error: gonja then passes it on as is, where it would otherwise
// wrap it with pkg/errors, capturing a stack trace (which made the missing
// attributes under default() the main cost of rendering).
func (d pyDict) GetItem(key any) (*exec.Value, bool) {
	name := dictKey(key)
	if val, ok := d.get(name); ok {
		return exec.AsValue(val), true
	}
	return undefinedValue(&UndefinedError{Name: name, Hint: fmt.Sprintf("'dict object' has no attribute '%s'", name)}), true
}

// GetAttribute implements exec.AttributeGetter: d.name is a dict method when
// one has that name (Jinja2 tries getattr first), else the item.
func (d pyDict) GetAttribute(name string) (*exec.Value, bool) {
	if method := dictMethod(d, name); method != nil {
		return exec.AsValue(method), true
	}
	value, found := d.GetItem(name)
	return value, found
}

func dictKey(key any) string {
	switch k := key.(type) {
	case string:
		return k
	case nil:
		return "None"
	default:
		return pyStr(k)
	}
}

// pyList is a Python list; a named slice type so that it prints like Python
// and so that a missing index is undefined rather than None.
type pyList []any

func (l pyList) String() string { return pyRepr(l) }

// GetItem implements exec.ItemGetter with Python's negative indexes.
func (l pyList) GetItem(key any) (*exec.Value, bool) {
	index, ok := key.(int)
	if !ok {
		return undefinedValue(&UndefinedError{Name: fmt.Sprint(key), Hint: fmt.Sprintf("'list object' has no attribute '%v'", key)}), true
	}
	if index < 0 {
		index += len(l)
	}
	if index < 0 || index >= len(l) {
		return undefinedValue(&UndefinedError{Name: strconv.Itoa(index), Hint: "list object has no element " + strconv.Itoa(index)}), true
	}
	return exec.AsValue(l[index]), true
}

// GetAttribute implements exec.AttributeGetter; lists have no attributes
// templates use, so it reports none and lets gonja try its list methods.
func (l pyList) GetAttribute(name string) (*exec.Value, bool) {
	return exec.AsValue(nil), false
}

// pyTuple is a Python tuple: a list that prints with parentheses, as
// regex_findall groups and dict items do.
type pyTuple []any

func (t pyTuple) String() string { return pyRepr(t) }

// GetItem implements exec.ItemGetter.
func (t pyTuple) GetItem(key any) (*exec.Value, bool) { return pyList(t).GetItem(key) }

// GetAttribute implements exec.AttributeGetter: groupby's tuples have
// grouper and list, other tuples no attributes.
func (t pyTuple) GetAttribute(name string) (*exec.Value, bool) {
	value, ok := groupTupleAttribute(t, name)
	return exec.AsValue(value), ok
}

// asList reads a list or a tuple.
func asList(x any) (pyList, bool) {
	switch v := x.(type) {
	case pyList:
		return v, true
	case pyTuple:
		return pyList(v), true
	}
	return nil, false
}

// toPy brings a gonja value into the engine's shape.
func toPy(v *exec.Value) any {
	if v == nil || v.IsNil() {
		return nil
	}
	return canonical(v.Interface())
}

// canonical brings any Go value into the engine's shape: maps become
// pyDicts (Go maps in sorted key order, since they have no order), slices
// pyLists, sized numbers int or float64.
func canonical(x any) any {
	if value, ok := x.(*exec.Value); ok { // before `error`: *exec.Value has an Error method
		return toPy(value)
	}
	switch v := x.(type) {
	case nil, bool, int, float64, string, pyDict, pyList, pyRange, omitValue, error, *hostVarsView, *hostView, groupsMap:
		return v
	case *ownedList, ownedDict, pyTuple:
		return freeze(v)
	case emptyRange:
		return v.pyRange()
	case exec.ValuesList:
		return canonicalValues(v)
	case *exec.Dict:
		return canonicalGonjaDict(v)
	case []any:
		return canonicalSlice(v)
	case map[string]any:
		return canonicalMap(v)
	case *Map:
		return canonicalOrdered(v)
	case *yaml.Node:
		return canonicalNode(v)
	}
	return canonicalReflect(reflect.ValueOf(x))
}

func canonicalValues(values exec.ValuesList) pyList {
	out := make(pyList, len(values))
	for i, value := range values {
		out[i] = toPy(value)
	}
	return out
}

func canonicalGonjaDict(d *exec.Dict) pyDict {
	out := newDict(len(d.Pairs))
	for _, pair := range d.Pairs {
		out.set(dictKey(toPy(pair.Key)), toPy(pair.Value))
	}
	return out
}

func canonicalSlice(values []any) pyList {
	out := make(pyList, len(values))
	for i, value := range values {
		out[i] = canonical(value)
	}
	return out
}

func canonicalMap(m map[string]any) pyDict {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	out := newDict(len(m))
	for _, key := range keys {
		out.set(key, canonical(m[key]))
	}
	return out
}

func canonicalOrdered(m *Map) pyDict {
	out := newDict(len(m.Keys))
	for _, key := range m.Keys {
		out.set(key, canonical(m.Values[key]))
	}
	return out
}

func canonicalReflect(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return uintToPy(v.Uint())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Slice, reflect.Array:
		return canonicalReflectList(v)
	case reflect.Map:
		return canonicalReflectMap(v)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return canonical(v.Elem().Interface())
	}
	if v.IsValid() && v.CanInterface() {
		return v.Interface()
	}
	return nil
}

func uintToPy(u uint64) any {
	if u > math.MaxInt64 {
		return float64(u)
	}
	return int(u)
}

func canonicalReflectList(v reflect.Value) pyList {
	out := make(pyList, v.Len())
	for i := range out {
		out[i] = canonical(v.Index(i).Interface())
	}
	return out
}

func canonicalReflectMap(v reflect.Value) pyDict {
	plain := make(map[string]any, v.Len())
	iter := v.MapRange()
	for iter.Next() {
		plain[dictKey(canonical(iter.Key().Interface()))] = iter.Value().Interface()
	}
	return canonicalMap(plain)
}

// plain turns an engine value into plain Go values (map[string]any, []any,
// scalars) for callers outside the package.
func plain(x any) any { return dictOrigins(nil).plain(x) }

// dictOrigins remembers, when not nil, the dict each Go map plain made
// came from, so that the dicts a gonja filter hands back (the items
// selectattr, select, sort or unique keep) are given back as they were,
// keys in their order: brought back from Go maps, they had their keys
// sorted ({'name': 'x', 'port': 1} printed with port last).
type dictOrigins map[uintptr]pyDict

func (o dictOrigins) plain(x any) any {
	switch v := x.(type) {
	case pyDict:
		out := make(map[string]any, len(v))
		for key, slot := range v {
			out[key] = o.plain(slot.val)
		}
		if o != nil {
			o[reflect.ValueOf(out).Pointer()] = v
		}
		return out
	case pyList, pyTuple:
		list, _ := asList(v)
		out := make([]any, len(list))
		for i, item := range list {
			out[i] = o.plain(item)
		}
		return out
	case pyRange:
		return o.plain(v.items())
	case omitValue:
		return OmitPlaceholder
	}
	return x
}

// restore puts back, in a filter's result, the dicts plain turned into
// Go maps, in lists (of values or of gonja's values) at any depth.
func (o dictOrigins) restore(x any) any {
	switch v := x.(type) {
	case map[string]any:
		if d, ok := o[reflect.ValueOf(v).Pointer()]; ok {
			return d
		}
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = o.restore(item)
		}
		return out
	case []*exec.Value:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = o.restore(item.Interface())
		}
		return out
	}
	return x
}

// Map is an insertion-ordered mapping: what a YAML mapping is once Ansible
// has loaded it (Python dicts keep insertion order, and to_json, dict2items,
// {% for %} and printing show it). Raw variables may hold *Map anywhere a
// map[string]any could be; a plain Go map is taken in sorted key order.
type Map struct {
	Keys   []string
	Values map[string]any
}

// NewMap returns an empty ordered mapping.
func NewMap() *Map { return &Map{Values: map[string]any{}} }

// Set stores value under key, appending the key when it is new.
func (m *Map) Set(key string, value any) {
	if _, ok := m.Values[key]; !ok {
		m.Keys = append(m.Keys, key)
	}
	m.Values[key] = value
}

// dictMethod returns the dict method a template calls as d.name(...) on a
// dict the render does not own (get, items, keys, values: the methods that
// only read it; the others change a copy, plainDictMutator), or nil.
// keys() and values() give lists (Python's views print differently, but
// templates iterate them).
func dictMethod(d pyDict, name string) func(*exec.VarArgs) *exec.Value {
	if read := dictReader(name); read != nil {
		return boundReader(d, read)
	}
	return nil
}

// dictReaderFunc is a method that reads a dict the render does not own.
type dictReaderFunc func(d pyDict, va *exec.VarArgs) (any, error)

func dictReader(name string) dictReaderFunc {
	switch name {
	case "items":
		return plainItems
	case "keys":
		return plainKeys
	case "values":
		return plainValues
	case "get":
		return dictGet
	}
	return nil
}

// boundReader is d.name as a callable gonja calls with the call's
// arguments (cleanMessage drops gonja's naming it in an error).
func boundReader(d pyDict, read dictReaderFunc) func(*exec.VarArgs) *exec.Value {
	return func(va *exec.VarArgs) *exec.Value { return methodResult(read(d, va)) }
}

func plainItems(d pyDict, va *exec.VarArgs) (any, error) {
	if err := dictCall("items", va).none(); err != nil {
		return nil, err
	}
	return dictItems(d), nil
}

func plainKeys(d pyDict, va *exec.VarArgs) (any, error) {
	if err := dictCall("keys", va).none(); err != nil {
		return nil, err
	}
	return stringList(d.keys()), nil
}

func plainValues(d pyDict, va *exec.VarArgs) (any, error) {
	if err := dictCall("values", va).none(); err != nil {
		return nil, err
	}
	return dictValues(d), nil
}

func dictValues(d pyDict) pyList {
	out := make(pyList, 0, len(d))
	for _, key := range d.keys() {
		out = append(out, d[key].val)
	}
	return out
}

// dictGet is d.get(key, default=None); the default as the template gave it.
func dictGet(d pyDict, va *exec.VarArgs) (any, error) {
	args, err := dictCall("get", va).positional(1, 2)
	if err != nil {
		return nil, err
	}
	if value, ok := d.get(dictKey(freeze(args[0]))); ok {
		return value, nil
	}
	if len(va.Args) > 1 {
		return va.Args[1], nil
	}
	return nil, nil
}
