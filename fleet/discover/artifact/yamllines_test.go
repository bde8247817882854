package artifact

import (
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
