package render

import (
	"reflect"
	"sync"
)

// nodeIndex remembers, per Go type of gonja's trees, whether a value of it
// can hold an expression and, for a struct, which of its exported fields
// can: the rewriter (rewrite.go) walks those alone. A tree's tokens,
// positions and flags are most of its fields; reflecting over each of them
// was more than half of compiling a template (45 of 80 µs for the seed's
// vLLM config template). An engine's compiles share one index.
type nodeIndex struct {
	types sync.Map // reflect.Type → *typeNodes
}

// typeNodes is what a nodeIndex knows of one type.
type typeNodes struct {
	holds  bool  // a value of the type can hold an expression
	fields []int // a struct's exported fields that can
}

func (x *nodeIndex) of(t reflect.Type) *typeNodes {
	if known, ok := x.types.Load(t); ok {
		return known.(*typeNodes)
	}
	known, _ := x.types.LoadOrStore(t, newTypeNodes(t))
	return known.(*typeNodes)
}

func newTypeNodes(t reflect.Type) *typeNodes {
	tn := &typeNodes{holds: holdsNodes(t, map[reflect.Type]bool{})}
	if t.Kind() != reflect.Struct {
		return tn
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && holdsNodes(f.Type, map[reflect.Type]bool{}) {
			tn.fields = append(tn.fields, i)
		}
	}
	return tn
}

// holdsNodes tells whether the rewriter's walk (rewriter.value) can reach
// an interface value from a value of type t: through pointers, slices,
// exported struct fields, or a map's interface values. A type met again
// on the way (a tree's types refer to each other) counts as holding one.
func holdsNodes(t reflect.Type, visiting map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Map:
		return t.Elem().Kind() == reflect.Interface
	case reflect.Pointer, reflect.Slice:
		return holdsNodes(t.Elem(), visiting)
	case reflect.Struct:
		return structHoldsNodes(t, visiting)
	}
	return false
}

func structHoldsNodes(t reflect.Type, visiting map[reflect.Type]bool) bool {
	if visiting[t] {
		return true
	}
	visiting[t] = true
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && holdsNodes(f.Type, visiting) {
			return true
		}
	}
	return false
}
