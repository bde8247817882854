package render

// The helpers here let the Ansible stage (fleet/ansible) evaluate task
// keywords — loops, conditions, set_fact — with the same values and the
// same Python printing the templates use.

// TemplateOrdered is TemplateValue keeping the order of mappings: a
// mapping comes back as *Map (insertion order, as Ansible's dicts), lists
// as []any, scalars as nil, bool, int, float64 or string. Loops over a
// dict and facts set from one keep the order a template would print.
func (e *Engine) TemplateOrdered(scope *Scope, value any) (any, error) {
	result, err := e.finishedValue(scope, value)
	if err != nil {
		return nil, err
	}
	return ordered(result), nil
}

func ordered(x any) any {
	switch v := x.(type) {
	case pyDict:
		m := NewMap()
		for _, key := range v.keys() {
			slot, _ := v.get(key)
			m.Set(key, ordered(slot))
		}
		return m
	case pyList, pyTuple:
		list, _ := asList(v)
		out := make([]any, len(list))
		for i, item := range list {
			out[i] = ordered(item)
		}
		return out
	case pyRange:
		return ordered(v.items())
	case omitValue:
		return OmitPlaceholder
	}
	return x
}

// PyStr is Python's str() of a value as TemplateValue or TemplateOrdered
// returns it.
func PyStr(x any) string { return pyStr(canonical(x)) }

// PyJSON is json.dumps of such a value with Python's defaults (", " and
// ": " between items, non-ASCII escaped): what Ansible's copy action
// writes for a content that is a dict or a list.
func PyJSON(x any) (string, error) {
	return dumpJSON(canonical(x), jsonStyle{indent: -1, itemSep: ", ", keySep: ": ", ensureASCII: true})
}

// Truthy is Python's bool() of such a value.
func Truthy(x any) bool { return pyTruthy(canonical(x)) }

// PyTypeName is the Python type name of such a value (str, int, dict, …).
func PyTypeName(x any) string { return typeName(canonical(x)) }

// MapEntries gives a mapping's keys in order and a getter; ok is false when
// x is not a mapping.
func MapEntries(x any) (keys []string, get func(string) any, ok bool) {
	d, isDict := canonical(x).(pyDict)
	if !isDict {
		return nil, nil, false
	}
	return d.keys(), func(k string) any { v, _ := d.get(k); return ordered(v) }, true
}
