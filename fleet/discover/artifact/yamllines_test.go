package artifact

import (
	"reflect"
	"strings"
	"testing"
)

// A bare "\r", NEL, LS or PS is a line break to yaml.v3 and not to an
// editor or grep -n: sources and errors name the file's "\n" lines.
func TestYAMLLinesAreTheFilesLines(t *testing.T) {
	for _, brk := range []string{"\r", "\u0085", "\u2028", "\u2029"} {
		content := "# notes" + brk + "# more notes\n" +
			"services:\n  llm:\n    image: vllm/vllm-openai\n    command: [--model, m]\n"
		found, err := Recognize("compose.yaml", []byte(content))
		if err != nil {
			t.Fatalf("%q: %v", brk, err)
		}
		if len(found.Backends) != 1 || found.Backends[0].Source.Line != 5 {
			t.Errorf("%q: want one backend on line 5 (grep -n command), got %+v", brk, found.Backends)
		}
		bad := strings.Replace(content, "[--model, m]", "{a: b}", 1)
		_, err = Recognize("compose.yaml", []byte(bad))
		if err == nil || !strings.HasPrefix(err.Error(), "compose.yaml:5: services.llm.command:") {
			t.Errorf("%q: error %v, want it on line 5", brk, err)
		}
	}
}

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
		if got := fileLineOfYAMLLine([]byte(in)); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]bool{"a\r\nb\r\n": false, "a\nb": false, "a\r": true, "a\r\n\rb": true, "\u0085": true} {
		if got := hasOtherBreaks([]byte(in)); got != want {
			t.Errorf("hasOtherBreaks(%q) = %v", in, got)
		}
	}
}
