package render

import (
	"reflect"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// Printing in gonja uses Go's formatting of its own values ("[a, ]" for
// ['a', None]); Jinja2 prints Python's str() of the value, and Ansible's
// finalize turns a None into an empty string. After parsing, every {{ }}
// expression goes through the filter finalizeFunc, both sides of `~`
// through strFunc (filters that pass a failing input on untouched), tuple
// literals become calls of tupleFunc, and some operators calls too (see
// operators.go): gonja passes a failing argument on without calling the
// function, keeping the error intact. Only nodes
// reachable through exported fields can be rewritten: the set, with and
// filter statements are the engine's own for that (statements.go).

const (
	finalizeFunc = "__straylight_finalize"
	strFunc      = "__straylight_str"
	tupleFunc    = "__straylight_tuple"
	// dictFunc makes a dict literal the engine's dict, whose truth is
	// Python's ({} is false; gonja's dict literal was always true).
	dictFunc = "__straylight_dict"
	// testArgsFunc marks a test's parenthesized arguments (fixTokens); it
	// is never called: rewriteNode moves its arguments into the test.
	testArgsFunc = "__straylight_test_args"
	// loopItemFunc reads loop.previtem and loop.nextitem, undefined at
	// the first and last item as in Jinja2, where gonja's are None.
	loopItemFunc = "__straylight_loop_item"
)

// internalFunctions are the functions rewritten templates call.
func internalFunctions() map[string]any {
	functions := map[string]any{tupleFunc: tuple, sliceFunc: sliceCall, loopItemFunc: loopItem, macroKwargsFunc: macroKwargs}
	for name, fn := range operatorFunctions() {
		functions[name] = fn
	}
	return functions
}

// rewriter walks a tree once: seen holds the nodes visited, wrapped the
// expressions already given a wrapper (whose slot then holds the wrapper).
// qualified are the names given their collection prefix back (qualify).
// index tells which values can hold an expression: the walk skips the rest.
type rewriter struct {
	treeFacts
	index     *nodeIndex
	seen      map[uintptr]bool
	wrapped   map[nodes.Expression]bool
	qualified []qualifiedUse
	uses      []qualifiedUse // every filter and test called by name
	macros    []*nodes.Macro // the macros whose body is being walked, innermost last
}

// treeFacts are what the rewriter reads from the template's tokens:
// prefixes are the collection prefixes written before names
// (shortFilterNames), chained the positions of the comparison operators
// that continue a chain (chainedComparisons), kwargs the calls' keyword
// argument orders (kwargsOrders), and keepsKwargs tells which calls get
// theirs (keepsKwargsOrder).
type treeFacts struct {
	prefixes    map[int]string
	chained     map[int]bool
	kwargs      map[*tokens.Token][]string
	keepsKwargs func(*nodes.Call) bool
}

// rewriteTree rewrites root in place and returns the filters and tests
// written with a collection prefix (qualify) and every filter and test
// the tree calls by name (uses).
func rewriteTree(root *nodes.Template, facts treeFacts, index *nodeIndex) (qualified, uses []qualifiedUse) {
	rw := &rewriter{treeFacts: facts, index: index, seen: map[uintptr]bool{}, wrapped: map[nodes.Expression]bool{}}
	for _, node := range root.Nodes {
		rw.value(reflect.ValueOf(node))
	}
	return rw.qualified, rw.uses
}

func (rw *rewriter) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Interface:
		rw.slot(v)
	case reflect.Map:
		rw.mapValues(v)
	case reflect.Pointer:
		rw.pointer(v)
	case reflect.Struct:
		for _, i := range rw.index.of(v.Type()).fields {
			rw.value(v.Field(i))
		}
	case reflect.Slice:
		if !rw.index.of(v.Type()).holds {
			return
		}
		for i := 0; i < v.Len(); i++ {
			rw.value(v.Index(i))
		}
	}
}

// slot rewrites the expression an interface field holds, replacing it when
// it can be set.
func (rw *rewriter) slot(v reflect.Value) {
	if v.IsNil() {
		return
	}
	if v.CanSet() {
		if replacement := rw.expression(v.Interface()); replacement != nil {
			v.Set(reflect.ValueOf(replacement))
		}
	}
	if name, isName := v.Interface().(*nodes.Name); isName {
		if wrapper := rw.implicitArguments(name.Name.Val); wrapper != "" && v.CanSet() && !rw.wrapped[name] {
			rw.wrapped[name] = true
			v.Set(reflect.ValueOf(call(wrapper, name))) // varargs a tuple, kwargs in the call's order
		}
	}
	rw.value(v.Elem())
}

// pointer rewrites a node in place, once, when gonja exposes it.
func (rw *rewriter) pointer(v reflect.Value) {
	if v.IsNil() || !rw.index.of(v.Type()).holds || rw.seen[v.Pointer()] || !v.Elem().CanSet() {
		return
	}
	rw.seen[v.Pointer()] = true
	switch n := v.Interface().(type) {
	case *nodes.FilterCall:
		rw.qualify(filterKind, n.Token, &n.Name)
		rw.uses = append(rw.uses, qualifiedUse{kind: filterKind, name: n.Name, line: n.Token.Line})
	case *nodes.TestCall:
		rw.qualify(testKind, n.Token, &n.Name)
		rw.uses = append(rw.uses, qualifiedUse{kind: testKind, name: n.Name, line: n.Token.Line})
	case *nodes.Macro:
		rw.macros = append(rw.macros, n)
		defer func() { rw.macros = rw.macros[:len(rw.macros)-1] }()
	case *nodes.Call:
		adoptReceiver(n)
		orderKwargs(n, rw.kwargs, rw.keepsKwargs)
	}
	rewriteNode(v.Interface())
	rw.value(v.Elem())
}

// adoptReceiver gives a method call on a bracketed receiver,
// `(v | string).split('.')`, the receiver gonja's parser leaves out
// (nodes.Call.Parent, which it sets for `v.split('.')`): without it gonja's
// evaluator looked for no method, and the call failed as "not callable".
// Oracle: method_bracketed_receiver, both cores.
func adoptReceiver(c *nodes.Call) {
	if get, ok := c.Func.(*nodes.GetAttribute); ok && c.Parent == nil {
		c.Parent = get.Node
	}
}

// implicitArguments gives the innermost macro being walked Jinja2's
// implicit varargs or kwargs when its body reads that name: Jinja2 passes
// a macro's extra positional arguments as the tuple varargs and extra
// keyword arguments as the dict kwargs when the body uses them
// (jinja2/compiler.py, macro_body), where gonja takes only its explicit
// *args and **kwargs parameters.
//
// It returns the function the caller reads that name through: varargs
// as a tuple (tupleFunc), kwargs in the call's order (macroKwargsFunc);
// "" for another name.
func (rw *rewriter) implicitArguments(name string) string {
	if len(rw.macros) == 0 {
		return ""
	}
	m := rw.macros[len(rw.macros)-1]
	switch {
	case name == "varargs" && (m.VarArgsName == "" || m.VarArgsName == name):
		m.VarArgsName = name
		return tupleFunc
	case name == "kwargs" && (m.KwArgsName == "" || m.KwArgsName == name):
		m.KwArgsName = name
		return macroKwargsFunc
	}
	return ""
}

// mapValues rewrites the expressions of a map (a call's keyword arguments).
func (rw *rewriter) mapValues(v reflect.Value) {
	iter := v.MapRange()
	for iter.Next() {
		value := iter.Value()
		if value.Kind() != reflect.Interface || value.IsNil() {
			continue
		}
		if replacement := rw.expression(value.Interface()); replacement != nil {
			v.SetMapIndex(iter.Key(), reflect.ValueOf(replacement))
			value = reflect.ValueOf(replacement)
		}
		rw.value(value.Elem())
	}
}

// expression returns what replaces an expression, or nil. A chain of
// filters becomes nested one-filter expressions, so that each filter gets
// its input even when that input is an undefined value (gonja stops a chain
// at the first error; Jinja2 lets default() see it). **, // and % become
// Python's operators, a tuple literal a tuple, and a slice Python's
// (pySlice).
func (rw *rewriter) expression(expr any) nodes.Expression {
	switch n := expr.(type) {
	case *nodes.FilteredExpression:
		if len(n.Filters) > 1 {
			last := len(n.Filters) - 1
			inner := &nodes.FilteredExpression{Expression: n.Expression, Filters: n.Filters[:last]}
			return &nodes.FilteredExpression{Expression: inner, Filters: n.Filters[last:]}
		}
	case *nodes.Tuple:
		if rw.wrapped[n] {
			return nil
		}
		rw.wrapped[n] = true
		return call(tupleFunc, n)
	case *nodes.Dict:
		if rw.wrapped[n] {
			return nil
		}
		rw.wrapped[n] = true
		return filtered(dictFunc, n)
	case *nodes.GetAttribute:
		if isLoopItem(n) {
			return call(loopItemFunc, n.Node.(nodes.Expression), &nodes.String{Location: n.Location, Val: n.Attribute})
		}
	case *nodes.GetSlice:
		return call(sliceFunc, n.Node, orNone(n.Start, n.Location), orNone(n.End, n.Location), orNone(n.Step, n.Location))
	case *nodes.Negation:
		if rw.wrapped[n] {
			return nil
		}
		rw.wrapped[n] = true
		return filtered(notFunc, n.Term)
	case *nodes.BinaryExpression:
		if chain := rw.unchained(n); chain != nil {
			return chain
		}
		if contains := membership(n); contains != nil {
			return contains
		}
		if name, ok := pythonOperators[n.Operator.Token.Type]; ok {
			_, isTuple := n.Right.(*nodes.Tuple)
			return call(name, n.Left, n.Right, &nodes.Bool{Location: n.Operator.Token, Val: isTuple})
		}
	}
	return nil
}

var pythonOperators = map[tokens.Type]string{
	tokens.Power:              powFunc,
	tokens.FloorDivision:      floorDivFunc,
	tokens.Modulo:             modFunc,
	tokens.Addition:           addFunc,
	tokens.Multiply:           mulFunc,
	tokens.Subtraction:        subFunc,
	tokens.In:                 inFunc,
	tokens.Equals:             eqFunc,
	tokens.Ne:                 neFunc,
	tokens.LowerThan:          ltFunc,
	tokens.LowerThanOrEqual:   leFunc,
	tokens.GreaterThan:        gtFunc,
	tokens.GreaterThanOrEqual: geFunc,
}

func rewriteNode(node any) {
	switch n := node.(type) {
	case *nodes.TestCall:
		testArguments(n)
	case *nodes.Output:
		n.Expression = filtered(finalizeFunc, n.Expression)
		if n.Alternative != nil {
			n.Alternative = filtered(finalizeFunc, n.Alternative)
		}
	case *nodes.BinaryExpression:
		if n.Operator.Token.Type == tokens.Tilde {
			n.Left = filtered(strFunc, n.Left)
			n.Right = filtered(strFunc, n.Right)
		}
	}
}

// orNone is a slice's bound, or None where it is left out.
func orNone(bound nodes.Node, at *tokens.Token) nodes.Expression {
	if bound == nil {
		return &nodes.None{Location: at}
	}
	return bound
}

// testArguments makes the arguments of the testArgsFunc call that
// fixTokens put after a test's name the test's arguments.
func testArguments(test *nodes.TestCall) {
	if len(test.Args) != 1 || len(test.Kwargs) != 0 {
		return
	}
	marked, ok := test.Args[0].(*nodes.Call)
	if name, isName := funcName(marked, ok); isName && name == testArgsFunc {
		test.Args, test.Kwargs = marked.Args, marked.Kwargs
	}
}

func funcName(c *nodes.Call, ok bool) (string, bool) {
	if !ok || c.Parent != nil {
		return "", false
	}
	name, isName := c.Func.(*nodes.Name)
	if !isName {
		return "", false
	}
	return name.Name.Val, true
}

// filtered is expr through one of internalFilters. A filter, not a call:
// gonja calls a function through reflect, with the arguments as a list of
// reflect.Values; a filter is called directly (planning 1,000 hosts, one
// wrapper per {{ }}, allocates 6 % fewer objects). The filter passes a
// failing input on as it is, as a call would.
func filtered(name string, expr nodes.Expression) nodes.Expression {
	return &nodes.FilteredExpression{Expression: expr,
		Filters: []*nodes.FilterCall{{Token: expr.Position(), Name: name, Kwargs: map[string]nodes.Expression{}}}}
}

// internalFilters are the filters rewritten templates call.
func internalFilters() map[string]exec.FilterFunction {
	return map[string]exec.FilterFunction{finalizeFunc: finalizeFilter, strFunc: strFilter, notFunc: notFilter, truthFunc: truthFilter, dictFunc: dictFilter}
}

// finalizeFilter is finalizeFunc as a filter: the render's own finalize
// when its context holds one (outputs.finalize counts 2.19's outputs),
// else finalize.
func finalizeFilter(e *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if own, ok := e.Environment.Context.Get(finalizeFunc); ok {
		if fn, ok := own.(func(*exec.Value) *exec.Value); ok {
			return fn(in)
		}
	}
	return finalize(in)
}

// dictFilter is a dict literal's value as the engine's dict.
func dictFilter(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	return exec.AsValue(toPy(in))
}

// strFilter is Python's str(), for the operands of `~`.
func strFilter(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	return exec.AsValue(pyStr(toPy(in)))
}

// call is a call of one of internalFunctions with args.
func call(name string, args ...nodes.Expression) nodes.Expression {
	at := args[0].Position()
	return &nodes.Call{
		Location: at,
		Func:     &nodes.Name{Name: &tokens.Token{Type: tokens.Name, Val: name, Line: at.Line, Col: at.Col}},
		Args:     args,
		Kwargs:   map[string]nodes.Expression{},
	}
}

// finalize is Ansible's _ansible_finalize followed by str(): None prints
// as nothing, everything else as Python prints it.
func finalize(in *exec.Value) *exec.Value {
	value := unrolled(toPy(in))
	if value == nil {
		return exec.AsValue("")
	}
	if err := firstError(value); err != nil {
		return exec.AsValue(err)
	}
	return exec.AsValue(pyStr(value))
}

// tuple makes a tuple literal a tuple (gonja evaluates it to a list).
// isLoopItem tells whether n is loop.previtem or loop.nextitem.
func isLoopItem(n *nodes.GetAttribute) bool {
	name, ok := n.Node.(*nodes.Name)
	return ok && name.Name.Val == "loop" && (n.Attribute == "previtem" || n.Attribute == "nextitem")
}

// loopItem is the loop's previtem or nextitem (its arguments: the loop and
// the attribute's name); at the first or last item Jinja2's LoopContext
// gives an undefined value ("there is no previous item"), which Ansible
// fails on when printed and `is defined` finds false.
func loopItem(args *exec.VarArgs) *exec.Value {
	loop, attribute := args.Args[0], args.Args[1].String()
	edge, hint := "first", "there is no previous item"
	if attribute == "nextitem" {
		edge, hint = "last", "there is no next item"
	}
	if at, ok := loop.GetAttribute(edge); ok && at.IsTrue() {
		return undefinedValue(&UndefinedError{Name: "loop." + attribute, Hint: hint})
	}
	item, _ := loop.GetAttribute(attribute)
	if pair, isPair := item.Interface().([2]*exec.Value); isPair { // a dict's items()
		return exec.AsValue(pyTuple{toPy(pair[0]), toPy(pair[1])})
	}
	return item
}

func tuple(args *exec.VarArgs) *exec.Value {
	list, _ := asList(toPy(args.Args[0]))
	return exec.AsValue(pyTuple(list))
}
