package render

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"reflect"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

func addDataFilters(filters map[string]filter) {
	filters["dict2items"] = filter{params: []string{"key_name", "value_name"}, fn: filterDict2Items}
	filters["items2dict"] = filter{params: []string{"key_name", "value_name"}, fn: filterItems2Dict}
	filters["combine"] = filter{params: []string{"dict1", "dict2", "dict3", "dict4", "dict5", "dict6", "dict7", "dict8", "recursive", "list_merge"}, fn: filterCombine}
	filters["flatten"] = filter{params: []string{"levels", "skip_nulls"}, fn: filterFlatten}
	filters["to_json"] = filter{params: []string{"indent", "sort_keys", "ensure_ascii"}, fn: filterToJSON}
	filters["to_nice_json"] = filter{params: []string{"indent", "sort_keys", "ensure_ascii"}, fn: filterToNiceJSON}
	filters["tojson"] = filter{params: []string{"indent"}, fn: filterJinjaToJSON}
	filters["round"] = filter{params: []string{"precision", "method"}, fn: filterRound}
	filters["to_yaml"] = filter{params: []string{"indent", "default_flow_style", "width", "sort_keys"}, fn: filterToYAML}
	filters["from_yaml"] = filter{fn: filterFromYAML}
	filters["to_nice_yaml"] = filter{params: []string{"indent", "default_flow_style", "width", "sort_keys"}, fn: filterToNiceYAML}
	filters["b64encode"] = filter{params: []string{"encoding"}, fn: filterB64Encode}
	filters["b64decode"] = filter{params: []string{"encoding"}, fn: filterB64Decode}
	filters["hash"] = filter{params: []string{"hashtype"}, fn: filterHash}
	filters["checksum"] = filter{fn: hashFilter("sha1")}
	filters["sha1"] = filter{fn: hashFilter("sha1")}
	filters["md5"] = filter{fn: hashFilter("md5")}
	filters["zip"] = filter{params: []string{"list1", "list2", "list3", "list4", "list5"}, fn: filterZip}
	filters["subelements"] = filter{params: []string{"subelements", "skip_missing"}, fn: filterSubelements}
}

// filterSubelements is Ansible's subelements: for each dict of the list,
// one [dict, element] pair per element of its list at the dotted key path;
// a dict without it is an error unless skip_missing.
func filterSubelements(in any, args []any) (any, error) {
	list, ok := in.(pyList)
	if !ok {
		return nil, fmt.Errorf("subelements lookup expects a list, got %s", typeName(in))
	}
	path, skipMissing := pyStr(args[0]), pyTruthy(or(args[1], false))
	out := pyList{}
	for _, item := range list {
		elements, found := subelementsOf(item, path)
		switch {
		case !found && skipMissing:
			continue
		case !found:
			return nil, fmt.Errorf("could not find '%s' key in iterated item %s", path, pyRepr(item))
		}
		for _, e := range elements {
			out = append(out, pyList{item, e})
		}
	}
	return out, nil
}

// subelementsOf is the list at the dotted key path of a dict.
func subelementsOf(item any, path string) (pyList, bool) {
	v := item
	for _, key := range strings.Split(path, ".") {
		d, ok := v.(pyDict)
		if !ok {
			return nil, false
		}
		if v, ok = d.get(key); !ok {
			return nil, false
		}
	}
	list, ok := v.(pyList)
	return list, ok
}

// filterDict2Items is Ansible's dict2items, in the dict's order.
func filterDict2Items(in any, args []any) (any, error) {
	d, ok := in.(pyDict)
	if !ok {
		//lint:ignore ST1005 Ansible's dict2items message, byte for byte
		return nil, fmt.Errorf("dict2items requires a dictionary, got %s instead.", typeName(in))
	}
	keyName, valueName := pyStr(or(args[0], "key")), pyStr(or(args[1], "value"))
	out := make(pyList, 0, len(d))
	for _, key := range d.keys() {
		item := newDict(2)
		item.set(keyName, key)
		item.set(valueName, d[key].val)
		out = append(out, item)
	}
	return out, nil
}

// filterItems2Dict is Ansible's items2dict.
func filterItems2Dict(in any, args []any) (any, error) {
	list, ok := in.(pyList)
	if !ok {
		//lint:ignore ST1005 Ansible's items2dict message, byte for byte
		return nil, fmt.Errorf("items2dict requires a list, got %s instead.", typeName(in))
	}
	keyName, valueName := pyStr(or(args[0], "key")), pyStr(or(args[1], "value"))
	out := newDict(len(list))
	for _, item := range list {
		entry, ok := item.(pyDict)
		if !ok {
			//lint:ignore ST1005 Ansible's items2dict message, byte for byte
			return nil, fmt.Errorf("items2dict requires a list of dictionaries, got %s instead.", typeName(item))
		}
		key, hasKey := entry.get(keyName)
		value, hasValue := entry.get(valueName)
		if !hasKey || !hasValue {
			//lint:ignore ST1005 Ansible's items2dict message, byte for byte
			return nil, fmt.Errorf("items2dict requires each dictionary in the list to contain the keys '%s' and '%s', got %s instead.", keyName, valueName, pyRepr(entry))
		}
		out.set(dictKey(key), value)
	}
	return out, nil
}

// filterCombine is Ansible's combine: later dicts win; recursive merges
// nested dicts; list_merge says what happens to lists.
func filterCombine(in any, args []any) (any, error) {
	terms := pyList{in}
	for _, arg := range args[:8] {
		if arg != notGiven {
			terms = append(terms, arg)
		}
	}
	dicts, err := combineTerms(terms)
	if err != nil {
		return nil, err
	}
	recursive := pyTruthy(or(args[8], false))
	listMerge := pyStr(or(args[9], "replace"))
	result := newDict(0)
	for _, d := range dicts {
		result, err = mergeHash(result, d, recursive, listMerge)
		if err != nil {
			return nil, err
		}
	}
	return result, nil
}

// combineTerms flattens one level, so [d1, d2] | combine works.
func combineTerms(terms pyList) ([]pyDict, error) {
	var dicts []pyDict
	for _, term := range terms {
		if list, ok := asList(term); ok {
			nested, err := combineTerms(list)
			if err != nil {
				return nil, err
			}
			dicts = append(dicts, nested...)
			continue
		}
		d, ok := term.(pyDict)
		if !ok {
			return nil, fmt.Errorf("failed to combine variables, expected dicts but got a '%s'", typeName(term))
		}
		dicts = append(dicts, d)
	}
	return dicts, nil
}

// mergeHash is ansible.utils.vars.merge_hash(x, y): a copy of x updated
// with y.
func mergeHash(x, y pyDict, recursive bool, listMerge string) (pyDict, error) {
	out := newDict(len(x) + len(y))
	for _, key := range x.keys() {
		out.set(key, x[key].val)
	}
	for _, key := range y.keys() {
		value, err := mergeValue(out, key, y[key].val, recursive, listMerge)
		if err != nil {
			return nil, err
		}
		out.set(key, value)
	}
	return out, nil
}

func mergeValue(out pyDict, key string, value any, recursive bool, listMerge string) (any, error) {
	old, exists := out.get(key)
	if !exists {
		return value, nil
	}
	oldDict, oldIsDict := old.(pyDict)
	newDict, newIsDict := value.(pyDict)
	if recursive && oldIsDict && newIsDict {
		return mergeHash(oldDict, newDict, recursive, listMerge)
	}
	oldList, oldIsList := old.(pyList)
	newList, newIsList := value.(pyList)
	if oldIsList && newIsList {
		return mergeLists(oldList, newList, listMerge)
	}
	return value, nil
}

func mergeLists(old, new pyList, listMerge string) (any, error) {
	switch listMerge {
	case "replace":
		return new, nil
	case "keep":
		return old, nil
	case "append":
		return append(append(pyList{}, old...), new...), nil
	case "prepend":
		return append(append(pyList{}, new...), old...), nil
	case "append_rp":
		return append(withoutItems(old, new), new...), nil
	case "prepend_rp":
		return append(append(pyList{}, new...), withoutItems(old, new)...), nil
	}
	return nil, fmt.Errorf("merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'")
}

func withoutItems(list, remove pyList) pyList {
	out := pyList{}
	for _, item := range list {
		if !containsValue(remove, item) {
			out = append(out, item)
		}
	}
	return out
}

func containsValue(list pyList, x any) bool {
	for _, item := range list {
		if pyEqual(item, x) {
			return true
		}
	}
	return false
}

// pyEqual is Python's == on engine values.
func pyEqual(a, b any) bool {
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	switch va := a.(type) {
	case pyList:
		vb, ok := b.(pyList)
		return ok && listsEqual(va, vb)
	case pyTuple:
		vb, ok := b.(pyTuple)
		return ok && listsEqual(pyList(va), pyList(vb))
	case pyDict:
		vb, ok := b.(pyDict)
		return ok && dictsEqual(va, vb)
	}
	if t := reflect.TypeOf(a); t != nil && t == reflect.TypeOf(b) && !t.Comparable() {
		return reflect.DeepEqual(a, b) // groups: a dict of lists, compared by content
	}
	return a == b
}

// toFloat reads numbers and bools as Python compares them (True == 1).
func toFloat(x any) (float64, bool) {
	switch v := x.(type) {
	case int:
		return float64(v), true
	case float64:
		return v, true
	case bool:
		return float64(boolToInt(v)), true
	}
	return 0, false
}

func listsEqual(a, b pyList) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !pyEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

func dictsEqual(a, b pyDict) bool {
	if len(a) != len(b) {
		return false
	}
	for key, slot := range a {
		other, ok := b[key]
		if !ok || !pyEqual(slot.val, other.val) {
			return false
		}
	}
	return true
}

// filterFlatten is Ansible's flatten; levels None (-1 here) is unlimited.
func filterFlatten(in any, args []any) (any, error) {
	list, ok := in.(pyList)
	if !ok {
		return nil, fmt.Errorf("flatten expects a list, got %s", typeName(in))
	}
	levels := -1
	if n, ok := or(args[0], nil).(int); ok {
		levels = n
	}
	return flattenList(list, levels, pyTruthy(or(args[1], true))), nil
}

func flattenList(list pyList, levels int, skipNulls bool) pyList {
	out := pyList{}
	for _, item := range list {
		if skipNulls && (item == nil || item == "None" || item == "null") {
			continue
		}
		nested, ok := asList(item)
		switch {
		case !ok || levels == 0:
			out = append(out, item)
		case levels < 0:
			out = append(out, flattenList(nested, -1, skipNulls)...)
		default:
			out = append(out, flattenList(nested, levels-1, skipNulls)...)
		}
	}
	return out
}

func filterB64Encode(in any, _ []any) (any, error) {
	return base64.StdEncoding.EncodeToString([]byte(pyStr(in))), nil
}

func filterB64Decode(in any, _ []any) (any, error) {
	decoded, err := base64.StdEncoding.DecodeString(pyStr(in))
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(decoded) {
		return strings.ToValidUTF8(string(decoded), "\uFFFD"), nil
	}
	return string(decoded), nil
}

var hashes = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
	"sha384": sha512.New384, "sha512": sha512.New,
}

func filterHash(in any, args []any) (any, error) {
	return hashFilter(pyStr(or(args[0], "sha1")))(in, nil)
}

func hashFilter(name string) func(any, []any) (any, error) {
	return func(in any, _ []any) (any, error) {
		newHash, ok := hashes[name]
		if !ok {
			return nil, fmt.Errorf("unsupported hash type %s", name)
		}
		h := newHash()
		h.Write([]byte(pyStr(in)))
		return hex.EncodeToString(h.Sum(nil)), nil
	}
}

// filterFromYAML is Ansible's from_yaml: a string is read as YAML (1.1
// scalars, as Ansible's loader reads them); anything else is returned as
// it is.
func filterFromYAML(in any, _ []any) (any, error) {
	s, ok := in.(string)
	if !ok {
		return in, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		return nil, fmt.Errorf("from_yaml: %v", err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return canonicalNode(doc.Content[0]), nil
}

// filterZip is Ansible's zip: one tuple per position, as long as the
// shortest input (Python's zip).
func filterZip(in any, args []any) (any, error) {
	lists := []pyList{}
	for _, a := range append([]any{in}, args...) {
		if a == notGiven {
			continue
		}
		l, ok := a.(pyList)
		if !ok {
			return nil, fmt.Errorf("zip expects lists, got %s", typeName(a))
		}
		lists = append(lists, l)
	}
	out := pyList{}
	for i := 0; ; i++ {
		row := pyTuple{}
		for _, l := range lists {
			if i >= len(l) {
				return out, nil
			}
			row = append(row, l[i])
		}
		out = append(out, row)
	}
}
