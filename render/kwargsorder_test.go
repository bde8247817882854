package render

import (
	"reflect"
	"testing"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

func lexed(t *testing.T, src string) []*tokens.Token {
	t.Helper()
	return lexTokens(src, compileKey{newline: "\n"}.config())
}

// Each call's keyword arguments in the order written, nested calls apart;
// one keyword argument alone needs no order.
func TestKwargsOrdersFromTokens(t *testing.T) {
	toks := lexed(t, "{{ f(x, b=1, a=g(d=[1, 2], c={'k': h(z=1)}), e=(1, 2)) }}")
	var got [][]string
	for _, tok := range toks {
		if order, ok := kwargsOrders(toks)[tok]; ok {
			got = append(got, order)
		}
	}
	want := [][]string{{"b", "a", "e"}, {"d", "c"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDictShadowed(t *testing.T) {
	cases := map[string]bool{
		"{{ dict(b=1, a=2) }}{{ dict([('x', 1)]) }}":          false,
		"{{ x.dict(b=1) }}":                                   false,
		"{% set dict = {} %}{{ dict(b=1, a=2) }}":             true,
		"{% for dict in l %}{% endfor %}":                     true,
		"{% macro dict(a, b) %}{% endmacro %}{{ dict(b=1) }}": true,
		"{% from 'm.j2' import dict %}":                       true,
		"{{ hostvars[h].dict }}":                              true,
	}
	for src, want := range cases {
		if got := dictShadowed(lexed(t, src)); got != want {
			t.Errorf("%s: shadowed %v, want %v", src, got, want)
		}
	}
}

func TestImportAliases(t *testing.T) {
	got := importAliases(lexed(t, "{% import 'm.j2' as m %}{% from 'n.j2' import f as g, h %}{{ x }}"))
	if want := map[string]bool{"m": true, "g": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// An order that does not name the keyword arguments given is not used:
// they come in name order, the order itself never among them.
func TestKwargNamesFallBackToNameOrder(t *testing.T) {
	values := func(m map[string]string) map[string]*exec.Value {
		out := map[string]*exec.Value{}
		for k, v := range m {
			out[k] = exec.AsValue(v)
		}
		return out
	}
	cases := []struct {
		kwargs map[string]string
		want   []string
	}{
		{map[string]string{"b": "", "a": ""}, []string{"a", "b"}},
		{map[string]string{"b": "", "a": "", kwargsOrderArg: "b a"}, []string{"b", "a"}},
		{map[string]string{"b": "", "a": "", kwargsOrderArg: "b c"}, []string{"a", "b"}},
		{map[string]string{"b": "", "a": "", kwargsOrderArg: "b"}, []string{"a", "b"}},
	}
	for _, c := range cases {
		if got := kwargNames(values(c.kwargs)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: got %q, want %q", c.kwargs, got, c.want)
		}
	}
}
