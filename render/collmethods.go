package render

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Python's list and dict methods (l.append(x), d.update(...), ...), with
// Python's results (None for the mutators), errors, and mutation in place.
//
// Where values live decides what a mutation may change. The variables a
// template reads (inventory, defaults, facts, hostvars, the Scope's cached
// results) are shared between templates, tasks and hosts rendering in
// parallel, so the engine never changes them: a list or dict a render may
// change is its own, an *ownedList or an ownedDict. A render owns:
//   - what {% set name = ... %} assigns to a name (a literal, a filter's
//     result, a variable: a variable's list or dict is copied, shallowly);
//   - what a method of an owned value stores or returns (setdefault's
//     default, copy());
//   - an item of an owned value once read (d['k'], l[0], a loop variable),
//     or of a namespace(...), its own list or dict copied then;
//   - the lists and dicts of the variables a template reads, when it calls
//     a method that changes one (callsMutator): copied, shallowly, as the
//     render starts;
//   - any other list or dict a method changes (an item of a filter's
//     result, hostvars[h].x): gonja rebinds the name it was called on
//     (exec.Evaluator.evalMethod) to the changed copy.
//
// As in Jinja2, a mutation is then seen by every later read of that value
// in the render. What leaves the render (a value handed to a filter, a
// template's result, a variable's templated value) goes through toPy,
// which copies an owned value into plain ones (frozen): nothing owned
// reaches a cache, another template or another host.
//
// Ansible does the same across renders: under 2.14 each name a template
// reads is templated (lib/ansible/template/vars.py:98 at v2.14.18), which
// rebuilds each list and dict (template/__init__.py:721-744); 2.19 wraps
// them in lazy containers built on a copy (lib/ansible/_internal/
// _templating/_lazy_containers.py:228-238 and :371-381 at v2.19.14); and a
// template task runs in a forked worker (executor/process/worker.py:39 at
// v2.14.18), so no mutation outlives its task.

// ownedList is a list the render may change in place; always *ownedList.
type ownedList []any

// ownedDict is a dict the render may change in place.
type ownedDict map[string]dictSlot

func (l *ownedList) String() string { return pyRepr(freeze(l)) }

func (d ownedDict) String() string { return pyRepr(freeze(d)) }

// freeze copies owned values, deeply, into plain ones; anything else is
// returned as it is (plain lists and dicts never hold owned values; a
// tuple of an owned dict's items() may).
func freeze(x any) any {
	switch v := x.(type) {
	case pyTuple:
		return freezeTuple(v)
	case *ownedList:
		out := make(pyList, len(*v))
		for i, item := range *v {
			out[i] = freeze(item)
		}
		return out
	case ownedDict:
		out := make(pyDict, len(v))
		for key, slot := range v {
			out[key] = dictSlot{pos: slot.pos, val: freeze(slot.val)}
		}
		return out
	}
	return x
}

// freezeTuple is t, or a copy of it with its owned items frozen.
func freezeTuple(t pyTuple) pyTuple {
	if !slices.ContainsFunc(t, holdsOwned) {
		return t
	}
	out := make(pyTuple, len(t))
	for i, item := range t {
		out[i] = freeze(item)
	}
	return out
}

func holdsOwned(x any) bool {
	switch v := x.(type) {
	case *ownedList, ownedDict:
		return true
	case pyTuple:
		return slices.ContainsFunc(v, holdsOwned)
	}
	return false
}

// own returns x as a value the render may change: an owned value as it is
// (Python's aliasing), a plain list or dict as an owned shallow copy, any
// other value as it is.
func own(x any) any {
	switch v := x.(type) {
	case pyList:
		items := append(ownedList{}, v...)
		return &items
	case pyDict:
		out := make(ownedDict, len(v))
		for key, slot := range v {
			out[key] = slot
		}
		return out
	}
	return x
}

// stored is what an owned value keeps of a method's argument: the owned
// value itself (Python's aliasing), else its engine form.
func stored(v *exec.Value) any {
	if v == nil || !v.Val.IsValid() {
		return nil
	}
	switch raw := v.Interface().(type) {
	case *ownedList, ownedDict:
		return raw
	case *exec.Value:
		return stored(raw)
	}
	return toPy(v)
}

// owning is what {% set %} binds a name to when it is assigned x: a list
// or dict owned (an owned one as it is), anything else as it is (gonja's
// namespace, a map[string]any, keeps its own semantics).
func owning(x any) any {
	switch x.(type) {
	case exec.ValuesList, *exec.Dict, pyList, pyDict, []any:
		return own(canonical(x))
	}
	return x
}

// ownItem makes the list or dict under an owned container's slot owned
// (copying it once) and returns it.
func ownItem(slot *any) any {
	*slot = own(*slot)
	return *slot
}

// index resolves a Python index into l (negative from the end).
func (l *ownedList) index(key any) (int, bool) {
	i, ok := key.(int)
	if !ok {
		return 0, false
	}
	if i < 0 {
		i += len(*l)
	}
	return i, i >= 0 && i < len(*l)
}

// GetItem implements exec.ItemGetter; the item is owned from then on.
func (l *ownedList) GetItem(key any) (*exec.Value, bool) {
	if i, ok := l.index(key); ok {
		return exec.AsValue(ownItem(&(*l)[i])), true
	}
	return pyList(*l).GetItem(key)
}

// GetAttribute implements exec.AttributeGetter: a list's attributes are
// its methods.
func (l *ownedList) GetAttribute(name string) (*exec.Value, bool) {
	method := listMethodNamed(name)
	if method == nil {
		return exec.AsValue(nil), false
	}
	return exec.AsValue(boundList(l, method)), true
}

// ownAll makes every list and dict item of l owned: a loop over l gives
// its items themselves, which the loop body may change.
func (l *ownedList) ownAll() *ownedList {
	for i := range *l {
		ownItem(&(*l)[i])
	}
	return l
}

// GetItem implements exec.ItemGetter; the item is owned from then on.
func (d ownedDict) GetItem(key any) (*exec.Value, bool) {
	name := dictKey(key)
	slot, ok := d[name]
	if !ok {
		return pyDict(d).GetItem(key)
	}
	item := ownItem(&slot.val)
	d[name] = slot
	return exec.AsValue(item), true
}

// GetAttribute implements exec.AttributeGetter: a dict method when one
// has that name (Jinja2 tries getattr first), else the item.
func (d ownedDict) GetAttribute(name string) (*exec.Value, bool) {
	if method := dictMethodNamed(name); method != nil {
		return exec.AsValue(boundDict(d, method)), true
	}
	return d.GetItem(name)
}

// ownAll makes every list and dict value of d owned (see ownedList's).
func (d ownedDict) ownAll() ownedDict {
	for key, slot := range d {
		ownItem(&slot.val)
		d[key] = slot
	}
	return d
}

// remove deletes key, keeping positions dense (pyDict.keys needs them).
func (d ownedDict) remove(key string) {
	gone := d[key].pos
	delete(d, key)
	for k, slot := range d {
		if slot.pos > gone {
			d[k] = dictSlot{pos: slot.pos - 1, val: slot.val}
		}
	}
}

// lastKey is the key inserted last.
func (d ownedDict) lastKey() string {
	for key, slot := range d {
		if slot.pos == len(d)-1 {
			return key
		}
	}
	return ""
}

type listMethod func(l *ownedList, args *exec.VarArgs) (any, error)

type dictMethodFunc func(d ownedDict, args *exec.VarArgs) (any, error)

// boundList is l.name as a callable gonja calls with the call's arguments.
func boundList(l *ownedList, method listMethod) func(*exec.VarArgs) *exec.Value {
	return func(args *exec.VarArgs) *exec.Value { return methodResult(method(l, args)) }
}

func boundDict(d ownedDict, method dictMethodFunc) func(*exec.VarArgs) *exec.Value {
	return func(args *exec.VarArgs) *exec.Value { return methodResult(method(d, args)) }
}

// methodResult is a method's result as gonja takes it: its error, or its
// value (a gonja value as it is: a default d.get returns).
func methodResult(out any, err error) *exec.Value {
	if err != nil {
		return exec.AsValue(err)
	}
	if value, ok := out.(*exec.Value); ok {
		return value
	}
	return exec.AsValue(out)
}

// listMethodNamed is Python's list method name, or nil.
func listMethodNamed(name string) listMethod {
	switch name {
	case "append":
		return listAppend
	case "extend":
		return listExtend
	case "insert":
		return listInsert
	case "pop":
		return listPop
	case "remove":
		return listRemove
	case "index":
		return listIndex
	case "count":
		return listCount
	}
	return listMethodNamedMore(name)
}

func listMethodNamedMore(name string) listMethod {
	switch name {
	case "reverse":
		return listReverse
	case "sort":
		return listSort
	case "clear":
		return listClear
	case "copy":
		return listCopy
	}
	return nil
}

// dictMethodNamed is Python's dict method name, or nil.
func dictMethodNamed(name string) dictMethodFunc {
	switch name {
	case "update":
		return dictUpdate
	case "pop":
		return dictPop
	case "popitem":
		return dictPopitem
	case "setdefault":
		return dictSetdefault
	case "clear":
		return dictClear
	case "copy":
		return dictCopy
	}
	return dictMethodNamedMore(name)
}

func dictMethodNamedMore(name string) dictMethodFunc {
	switch name {
	case "get":
		return ownedGet
	case "keys":
		return func(d ownedDict, va *exec.VarArgs) (any, error) { return plainKeys(pyDict(d), va) }
	case "items", "values":
		return func(d ownedDict, va *exec.VarArgs) (any, error) { return d.view(name, va) }
	case "fromkeys":
		return dictFromkeys
	}
	return nil
}

// view is d.items() or d.values(): a list of d's values themselves (owned)
// or of (key, value) tuples.
func (d ownedDict) view(name string, va *exec.VarArgs) (any, error) {
	if err := dictCall(name, va).none(); err != nil {
		return nil, err
	}
	items := name == "items"
	out := make(ownedList, 0, len(d))
	for _, key := range pyDict(d).keys() {
		value, _ := d.GetItem(key)
		out = append(out, value.Interface())
		if items {
			out[len(out)-1] = pyTuple{key, value.Interface()}
		}
	}
	return &out, nil
}

// ownedGet is d.get(key, default=None), the item itself (owned).
func ownedGet(d ownedDict, va *exec.VarArgs) (any, error) {
	args, err := dictCall("get", va).positional(1, 2)
	if err != nil {
		return nil, err
	}
	key := dictKey(freeze(args[0]))
	if _, ok := d[key]; ok {
		item, _ := d.GetItem(key)
		return item.Interface(), nil
	}
	return or(args[1], nil), nil
}

func listAppend(l *ownedList, va *exec.VarArgs) (any, error) {
	item, err := listCall("append", va).one()
	if err != nil {
		return nil, err
	}
	*l = append(*l, item)
	return nil, nil
}

func listExtend(l *ownedList, va *exec.VarArgs) (any, error) {
	arg, err := listCall("extend", va).one()
	if err != nil {
		return nil, err
	}
	if other, ok := arg.(*ownedList); ok {
		*l = append(*l, *other...)
		return nil, nil
	}
	items, err := pyIter(freeze(arg))
	if err != nil {
		return nil, err
	}
	*l = append(*l, items...)
	return nil, nil
}

func listInsert(l *ownedList, va *exec.VarArgs) (any, error) {
	args, err := listCall("insert", va).positional(2, 2)
	if err != nil {
		return nil, err
	}
	at, err := pyIndex(args[0])
	if err != nil {
		return nil, err
	}
	at = min(adjustIndex(at, len(*l)), len(*l))
	*l = append(*l, nil)
	copy((*l)[at+1:], (*l)[at:])
	(*l)[at] = args[1]
	return nil, nil
}

func listPop(l *ownedList, va *exec.VarArgs) (any, error) {
	args, err := listCall("pop", va).positional(0, 1)
	if err != nil {
		return nil, err
	}
	if len(*l) == 0 {
		return nil, fmt.Errorf("pop from empty list")
	}
	at, err := intOr(args[0], -1)
	if err != nil {
		return nil, err
	}
	i, ok := l.index(at)
	if !ok {
		return nil, fmt.Errorf("pop index out of range")
	}
	item := (*l)[i]
	*l = append((*l)[:i], (*l)[i+1:]...)
	return item, nil
}

// find is the index of the first item equal to x from start, or -1.
func (l *ownedList) find(x any, start, end int) int {
	for i := max(start, 0); i < min(end, len(*l)); i++ {
		if pyEqual(freeze((*l)[i]), x) {
			return i
		}
	}
	return -1
}

func listRemove(l *ownedList, va *exec.VarArgs) (any, error) {
	x, err := listCall("remove", va).one()
	if err != nil {
		return nil, err
	}
	i := l.find(freeze(x), 0, len(*l))
	if i < 0 {
		return nil, fmt.Errorf("list.remove(x): x not in list")
	}
	*l = append((*l)[:i], (*l)[i+1:]...)
	return nil, nil
}

func listIndex(l *ownedList, va *exec.VarArgs) (any, error) {
	args, err := listCall("index", va).positional(1, 3)
	if err != nil {
		return nil, err
	}
	start, end, err := startAndEnd(args[1], args[2], len(*l), indexBound)
	if err != nil {
		return nil, err
	}
	x := freeze(args[0])
	if i := l.find(x, start, end); i >= 0 {
		return i, nil
	}
	return nil, fmt.Errorf("%s is not in list", pyRepr(x))
}

func listCount(l *ownedList, va *exec.VarArgs) (any, error) {
	arg, err := listCall("count", va).one()
	if err != nil {
		return nil, err
	}
	x, count := freeze(arg), 0
	for _, item := range *l {
		if pyEqual(freeze(item), x) {
			count++
		}
	}
	return count, nil
}

func listReverse(l *ownedList, va *exec.VarArgs) (any, error) {
	if err := listCall("reverse", va).none(); err != nil {
		return nil, err
	}
	for i, j := 0, len(*l)-1; i < j; i, j = i+1, j-1 {
		(*l)[i], (*l)[j] = (*l)[j], (*l)[i]
	}
	return nil, nil
}

// listSort is list.sort(reverse=False): Python's stable sort with its
// comparisons (mixed types refused). key= takes a function, which a
// template has none of but macros: refused.
func listSort(l *ownedList, va *exec.VarArgs) (any, error) {
	args, err := listCall("sort", va).keywordOnly("key", "reverse")
	if err != nil {
		return nil, err
	}
	if args[0] != notGiven {
		return nil, fmt.Errorf("list.sort(key=...) " + notSupportedMark + "'s renderer")
	}
	return nil, l.sortItems(args[1] != notGiven && pyTruthy(freeze(args[1])))
}

func (l *ownedList) sortItems(reverse bool) error {
	frozen := freeze(l).(pyList)
	order := make([]int, len(frozen))
	for i := range order {
		order[i] = i
	}
	var failed error
	sort.SliceStable(order, func(a, b int) bool {
		c, err := pyCompare(frozen[order[a]], frozen[order[b]])
		failed = cmp.Or(failed, err)
		return (c < 0 && !reverse) || (c > 0 && reverse)
	})
	if failed != nil {
		return failed
	}
	sorted := make(ownedList, len(order))
	for i, at := range order {
		sorted[i] = (*l)[at]
	}
	*l = sorted
	return nil
}

func listClear(l *ownedList, va *exec.VarArgs) (any, error) {
	if err := listCall("clear", va).none(); err != nil {
		return nil, err
	}
	*l = ownedList{}
	return nil, nil
}

func listCopy(l *ownedList, va *exec.VarArgs) (any, error) {
	if err := listCall("copy", va).none(); err != nil {
		return nil, err
	}
	items := append(ownedList{}, *l...)
	return &items, nil
}

// dictUpdate is d.update([other], **kwargs): a mapping's items or a list
// of pairs, then the keyword arguments in the order written (kwargNames).
func dictUpdate(d ownedDict, va *exec.VarArgs) (any, error) {
	c := dictCall("update", va)
	if err := c.expected(0, 1); err != nil {
		return nil, err
	}
	if len(c.args) == 1 {
		if err := d.merge(c.args[0]); err != nil {
			return nil, err
		}
	}
	for _, key := range c.kwargOrder {
		pyDict(d).set(key, c.kwargs[key])
	}
	return nil, nil
}

func (d ownedDict) merge(other any) error {
	switch v := other.(type) {
	case ownedDict:
		for _, key := range pyDict(v).keys() {
			pyDict(d).set(key, v[key].val)
		}
		return nil
	case *ownedList:
		return mergeInto(pyDict(d), freeze(v))
	}
	return mergeInto(pyDict(d), other)
}

func dictPop(d ownedDict, va *exec.VarArgs) (any, error) {
	args, err := dictCall("pop", va).positional(1, 2)
	if err != nil {
		return nil, err
	}
	key := dictKey(freeze(args[0]))
	if slot, ok := d[key]; ok {
		d.remove(key)
		return slot.val, nil
	}
	if args[1] != notGiven {
		return args[1], nil
	}
	return nil, fmt.Errorf("KeyError: %s", pyRepr(freeze(args[0])))
}

func dictPopitem(d ownedDict, va *exec.VarArgs) (any, error) {
	if err := dictCall("popitem", va).none(); err != nil {
		return nil, err
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("KeyError: 'popitem(): dictionary is empty'")
	}
	key := d.lastKey()
	value := d[key].val
	d.remove(key)
	return pyTuple{key, freeze(value)}, nil
}

func dictSetdefault(d ownedDict, va *exec.VarArgs) (any, error) {
	args, err := dictCall("setdefault", va).positional(1, 2)
	if err != nil {
		return nil, err
	}
	key := dictKey(freeze(args[0]))
	if slot, ok := d[key]; ok {
		item := ownItem(&slot.val)
		d[key] = slot
		return item, nil
	}
	value := own(or(args[1], nil))
	pyDict(d).set(key, value)
	return value, nil
}

func dictClear(d ownedDict, va *exec.VarArgs) (any, error) {
	if err := dictCall("clear", va).none(); err != nil {
		return nil, err
	}
	for key := range d {
		delete(d, key)
	}
	return nil, nil
}

func dictCopy(d ownedDict, va *exec.VarArgs) (any, error) {
	if err := dictCall("copy", va).none(); err != nil {
		return nil, err
	}
	out := make(ownedDict, len(d))
	for key, slot := range d {
		out[key] = slot
	}
	return out, nil
}

// dictFromkeys is dict.fromkeys(iterable, value=None): a new dict.
func dictFromkeys(_ ownedDict, va *exec.VarArgs) (any, error) {
	args, err := dictCall("fromkeys", va).positional(1, 2)
	if err != nil {
		return nil, err
	}
	keys, err := pyIter(freeze(args[0]))
	if err != nil {
		return nil, err
	}
	out := make(ownedDict, len(keys))
	for _, key := range keys {
		pyDict(out).set(dictKey(key), or(args[1], nil))
	}
	return out, nil
}

// plainListMethod runs Python's list method name on a list the render does
// not own (a variable's, a literal): on an owned copy, which gonja then
// binds to the name the method was called on (exec.Evaluator.evalMethod).
func plainListMethod(name string) exec.Method[[]any] {
	method := listMethodNamed(name)
	return func(_ []any, self *exec.Value, args *exec.VarArgs) (any, error) {
		l, ok := own(toPy(self)).(*ownedList)
		if !ok {
			return nil, fmt.Errorf("'%s' object has no attribute '%s'", typeName(toPy(self)), name)
		}
		*self = *exec.AsValue(l)
		return resultOrError(method(l, args))
	}
}

// resultOrError is a method's result, its error as the result: gonja
// says "invalid call to method 'pop' of {...}: " of an error a method
// returns, which the engine cannot take apart for a dict's repr.
func resultOrError(out any, err error) (any, error) {
	if err != nil {
		return err, nil
	}
	return out, nil
}

// plainDictMutator is plainListMethod's for dicts.
func plainDictMutator(name string) exec.Method[map[string]any] {
	method := dictMethodNamed(name)
	return func(_ map[string]any, self *exec.Value, args *exec.VarArgs) (any, error) {
		d, ok := own(asPlainDict(toPy(self))).(ownedDict)
		if !ok {
			return nil, fmt.Errorf("'%s' object has no attribute '%s'", typeName(toPy(self)), name)
		}
		*self = *exec.AsValue(d)
		return resultOrError(method(d, args))
	}
}

// asPlainDict is x, groups as the dict it is to Python.
func asPlainDict(x any) any {
	if g, ok := x.(groupsMap); ok {
		return g.dict()
	}
	return x
}

// listMethodNames and dictMethodNames are the methods Python's list and
// dict have.
func listMethodNames() []string {
	return []string{"append", "extend", "insert", "pop", "remove", "index", "count", "reverse", "sort", "clear", "copy"}
}

func dictMethodNames() []string {
	return []string{"update", "pop", "popitem", "setdefault", "clear", "copy", "get", "items", "keys", "values", "fromkeys"}
}

// collectionMethods are gonja's list and dict method sets: Python's
// methods on a list or dict the render does not own yet.
func collectionMethods() (*exec.MethodSet[[]any], *exec.MethodSet[map[string]any]) {
	lists := map[string]exec.Method[[]any]{}
	for _, name := range listMethodNames() {
		lists[name] = plainListMethod(name)
	}
	dicts := map[string]exec.Method[map[string]any]{}
	for _, name := range dictMethodNames() {
		dicts[name] = plainDictMutator(name)
	}
	return exec.NewMethodSet(lists), exec.NewMethodSet(dicts)
}

// callsMutator tells whether a template calls a method that changes a
// list or dict (x.append(...), x.y.update(...)): its render then owns the
// lists and dicts of the variables it reads (Engine.contextFor), as
// Ansible's render has its own copies of them, so that a mutation is seen
// through every later read of the variable, in a loop's body too.
func callsMutator(toks []*tokens.Token) bool {
	for i := 1; i < len(toks); i++ {
		if toks[i].Type == tokens.Name && toks[i-1].Type == tokens.Dot && isMutator(toks[i].Val) && nextIsParenthesis(toks[i+1:]) {
			return true
		}
	}
	return false
}

func isMutator(method string) bool {
	switch method {
	case "append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear", "update", "popitem", "setdefault":
		return true
	}
	return false
}

// pyNamespace is Jinja2's namespace(...): {% set ns.attr = x %} changes
// it, and a list or dict read from it is owned (kept in it), so that
// ns.items.append(x) in a loop changes ns.items.
type pyNamespace map[string]any

// namespaceGlobal is namespace(a=1, ...).
func namespaceGlobal(args *exec.VarArgs) pyNamespace {
	ns := make(pyNamespace, len(args.KwArgs))
	for key, value := range args.KwArgs {
		ns[key] = value
	}
	return ns
}

// GetAttribute implements exec.AttributeGetter.
func (ns pyNamespace) GetAttribute(name string) (*exec.Value, bool) {
	value, ok := ns[name]
	if !ok {
		return exec.AsValue(nil), false
	}
	if v, isValue := value.(*exec.Value); isValue {
		value = v.Interface()
	}
	ns[name] = owning(value)
	return exec.AsValue(ns[name]), true
}
