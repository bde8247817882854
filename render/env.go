package render

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	controlStructures "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// newEnvironment assembles gonja's environment with Ansible's behaviour:
// gonja's statements (with a `for` that keeps dict order), Jinja2 filters
// and tests from gonja where they already match, ours (Ansible's filters,
// undefined-aware tests) where they do not, and Ansible's globals.
func newEnvironment(dataTagging func() bool) *exec.Environment {
	return &exec.Environment{
		Filters:           newFilterSet(dataTagging),
		Tests:             newTestSet(dataTagging),
		ControlStructures: newControlStructures(dataTagging),
		Methods:           newMethods(),
		Context:           newGlobals(),
	}
}

// gonjaStatements are the statements gonja runs as Jinja2 does; set, with
// and filter (statements.go), include, import and from (include.go) are
// ours, extends is refused.
var gonjaStatements = []string{
	"autoescape", "block", "if",
	"macro", "raw", "do", "break", "continue", "trans", "call",
}

func newControlStructures(dataTagging func() bool) *exec.ControlStructureSet {
	set := map[string]parser.ControlStructureParser{}
	for _, name := range gonjaStatements {
		if statement, ok := builtins.ControlStructures.Get(name); ok {
			set[name] = statement
		}
	}
	gonjaFor, _ := builtins.ControlStructures.Get("for")
	set["for"] = orderedForParser(gonjaFor)
	set["set"], set["with"], set["filter"] = withNativeConcat(setParser, dataTagging), withParser, withNativeConcat(filterParser, dataTagging) // statements.go
	set["include"], set["import"], set["from"] = includeParser, importParser, fromParser
	set["extends"] = extendsParser
	set["raw"] = rawParser
	set["macro"] = withNativeConcat(orderedMacroParser(set["macro"]), dataTagging) // macro_kwargs.go
	set["call"] = withNativeConcat(nativeCallParser(set["call"]), dataTagging)     // empty_body.go
	return exec.NewControlStructureSet(set)
}

// orderedFor runs gonja's for-loop over a sequence we prepare: dicts are
// iterated in insertion order (gonja sorts map keys), lazy views by name.
type orderedFor struct {
	Inner *controlStructures.ForControlStructure
}

func orderedForParser(gonjaFor parser.ControlStructureParser) parser.ControlStructureParser {
	return func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		statement, err := gonjaFor(p, args)
		if err != nil {
			return nil, err
		}
		if inner, ok := statement.(*controlStructures.ForControlStructure); ok {
			return &orderedFor{Inner: inner}, nil
		}
		return statement, nil
	}
}

func (f *orderedFor) Position() *tokens.Token { return f.Inner.Position() }
func (f *orderedFor) String() string          { return f.Inner.String() }

// loopSequenceName holds the prepared sequence in the loop's own context.
const loopSequenceName = "__straylight_loop_sequence"

// Execute implements exec.ControlStructure.
func (f *orderedFor) Execute(r *exec.Renderer, tag *nodes.ControlStructureBlock) (err error) {
	defer keepSizeLimit(&err)
	sequence := r.Eval(f.Inner.ObjectEvaluator)
	if sequence.IsError() {
		return sequence
	}
	if _, err := pyIter(toPy(sequence)); err != nil {
		return err
	}
	sub := r.Inherit()
	sub.Environment.Context.Set(loopSequenceName, loopSequence(sequence.Interface(), f.Inner.Value != ""))
	loop := *f.Inner
	loop.ObjectEvaluator = &nodes.Name{Name: &tokens.Token{Type: tokens.Name, Val: loopSequenceName, Line: f.Position().Line}}
	return loop.Execute(sub, tag)
}

// loopSequence is what Python iterates for x: keys for a dict, in order;
// with two loop variables, (key, value) pairs.
func loopSequence(x any, pairs bool) any {
	var keys []string
	var value func(string) any
	switch v := x.(type) {
	case pyDict:
		keys, value = v.keys(), func(k string) any { return v[k].val }
	case *exec.Dict:
		return loopSequence(canonicalGonjaDict(v), pairs)
	case ownedDict:
		return loopSequence(pyDict(v.ownAll()), pairs)
	case *ownedList:
		return v.ownAll()
	case groupsMap:
		keys, value = v.names(), func(k string) any { return stringList(v[k]) }
	case *hostVarsView:
		keys, value = v.hosts(), func(k string) any { item, _ := v.GetItem(k); return item.Interface() }
	case *hostView:
		return loopSequence(v.dict(), pairs)
	case pyRange:
		return v.items()
	default:
		return x
	}
	out := make(pyList, len(keys))
	for i, key := range keys {
		out[i] = key
		if pairs {
			out[i] = pyList{key, value(key)}
		}
	}
	return out
}

// newGlobals returns Jinja2's globals as Ansible has them.
func newGlobals() *exec.Context {
	globals := map[string]any{
		"lookup": unsupportedGlobal("lookup"),
		"query":  unsupportedGlobal("query"),
		"q":      unsupportedGlobal("q"),
		"now":    unsupportedGlobal("now"),
		"undef":  undefGlobal,
	}
	for _, name := range []string{"lipsum", "cycler", "joiner"} {
		if fn, ok := builtins.GlobalFunctions.Get(name); ok {
			globals[name] = fn
		}
	}
	globals["namespace"] = namespaceGlobal
	globals["dict"] = dictGlobal
	globals["range"] = rangeGlobal
	for name, fn := range internalFunctions() {
		globals[name] = fn
	}
	return exec.NewContext(globals)
}

// unsupportedGlobal stands for Ansible globals whose result depends on the
// controller at run time (lookups, the clock): straylight cannot promise
// Ansible's bytes for them, so it says so.
func unsupportedGlobal(name string) func(*exec.VarArgs) *exec.Value {
	return func(*exec.VarArgs) *exec.Value {
		return exec.AsValue(fmt.Errorf("%s() "+notSupportedMark+"'s renderer", name))
	}
}

func undefGlobal(args *exec.VarArgs) *exec.Value {
	hint := "Mandatory variable has not been overridden"
	if len(args.Args) > 0 && args.Args[0].IsString() && args.Args[0].String() != "" {
		hint = args.Args[0].String()
	}
	return undefinedValue(&UndefinedError{Name: "undef", Hint: hint})
}

// dictGlobal is dict(...): dict(a=1), dict(pairs), dict(mapping, a=1).
func dictGlobal(args *exec.VarArgs) *exec.Value {
	out := newDict(len(args.KwArgs))
	for _, arg := range args.Args {
		if err := mergeInto(out, toPy(arg)); err != nil {
			return exec.AsValue(err)
		}
	}
	for _, key := range kwargNames(args.KwArgs) {
		out.set(key, toPy(args.KwArgs[key]))
	}
	return exec.AsValue(out)
}

func mergeInto(out pyDict, x any) error {
	switch v := x.(type) {
	case pyDict:
		for _, key := range v.keys() {
			out.set(key, v[key].val)
		}
		return nil
	case pyList:
		for _, item := range v {
			pair, ok := asList(item)
			if !ok || len(pair) != 2 {
				return fmt.Errorf("dictionary update sequence element has wrong length")
			}
			out.set(dictKey(pair[0]), pair[1])
		}
		return nil
	}
	return fmt.Errorf("'%s' object is not iterable", typeName(x))
}

// typeName is Python's type name of an engine value (type_debug).
func typeName(x any) string {
	switch x.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case pyList, *ownedList:
		return "list"
	case pyTuple:
		return "tuple"
	case pyDict, ownedDict, groupsMap, *hostView:
		return "dict"
	case *hostVarsView:
		return "HostVars"
	case pyRange:
		return "range"
	case omitValue:
		return "_OmitType"
	case error:
		return "AnsibleUndefined"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", x), "*")
}

// newMethods are gonja's methods, with Python's str methods ours
// (pyStrMethods, strmethods.go): gonja's differ from Python's.
func newMethods() exec.Methods {
	methods := builtins.Methods
	str := map[string]exec.Method[string]{}
	for name, method := range pyStrMethods() {
		str[name] = asGonjaMethod(name, method)
	}
	methods.Str = exec.NewMethodSet(str)
	methods.List, methods.Dict = collectionMethods()
	return methods
}
