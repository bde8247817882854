package render

import (
	"reflect"
	"slices"
	"testing"

	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// cycle refers to itself and holds no interface: the index counts it as
// holding one (it cannot tell without walking the cycle), so it is walked.
type cycle struct {
	Next *cycle
	N    int
}

func TestNodeIndexSkipsOnlyWhatCannotHoldAnExpression(t *testing.T) {
	var x nodeIndex
	for _, c := range []struct {
		value any
		holds bool
	}{
		{&nodes.Output{}, true},
		{&nodes.FilterCall{}, true},
		{[]nodes.Expression{}, true},
		{map[string]nodes.Expression{}, true},
		{&cycle{}, true},
		{&tokens.Token{}, false},
		{[]*tokens.Token{}, false},
		{map[string]int{}, false},
		{"", false},
		{[2]nodes.Expression{}, false}, // rewriter.value does not walk arrays
	} {
		if got := x.of(reflect.TypeOf(c.value)).holds; got != c.holds {
			t.Errorf("%T: holds = %v, want %v", c.value, got, c.holds)
		}
	}
}

func TestNodeIndexWalksAStructsExpressionFieldsOnly(t *testing.T) {
	var x nodeIndex
	output := reflect.TypeOf(nodes.Output{})
	var names []string
	for _, i := range x.of(output).fields {
		names = append(names, output.Field(i).Name)
	}
	if want := []string{"Expression", "Condition", "Alternative"}; !slices.Equal(names, want) {
		t.Errorf("fields walked in nodes.Output = %v, want %v (not its tokens)", names, want)
	}
}
