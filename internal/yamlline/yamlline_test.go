package yamlline

import (
	"reflect"
	"testing"
)

func TestFileLineOfYAMLLine(t *testing.T) {
	cases := map[string][]int{
		"a\nb\n":         {1, 2, 3},
		"a\r\nb\r\n":     {1, 2, 3},
		"a\rb\r\nc":      {1, 1, 2},
		"a\u2028\u2029b": {1, 1, 1},
		"\r":             {1, 1},
		"\xc2":           {1},
	}
	for in, want := range cases {
		if got := FileLineOfYAMLLine([]byte(in)); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %v, want %v", in, got, want)
		}
	}
}

func TestFirstOther(t *testing.T) {
	cases := map[string]Break{
		"a\r\nb\r\n":        {},
		"a\nb":              {},
		"\xff\xfe\r\n":      {},
		"a\r":               {Line: 1, Name: "a bare carriage return"},
		"a\r\n\rb":          {Line: 2, Name: "a bare carriage return"},
		"x\ny\n# \u0085":    {Line: 3, Name: "a NEL (U+0085)"},
		"\r\n\u2028":        {Line: 2, Name: "a line separator (U+2028)"},
		"a: 'p\u2029q'\n\r": {Line: 1, Name: "a paragraph separator (U+2029)"},
	}
	for in, want := range cases {
		got, ok := FirstOther([]byte(in))
		if got != want || ok != (want != Break{}) {
			t.Errorf("FirstOther(%q) = %+v, %v; want %+v", in, got, ok, want)
		}
	}
}
