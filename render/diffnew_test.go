package render

import (
	"strings"
	"testing"
)

// TestDiffNewIsDiffAgainstNothing: DiffNew is Diff against no content with
// the bare "--- before" header, for text, CRLF, a missing final newline,
// binary content and nothing at all.
func TestDiffNewIsDiffAgainstNothing(t *testing.T) {
	const path = `C:\Users\mdt\vllm\config.yml`
	for _, content := range []string{"a: 1\nb: 2\n", "a: 1\r\nb: 2\r\n", "no newline", "\x00\x01binary", "", "x\n"} {
		want := strings.Replace(Diff(path, nil, []byte(content)), "--- before: "+path+"\n", "--- before\n", 1)
		if got := DiffNew(path, []byte(content)); got != want {
			t.Errorf("%q:\n got %q\nwant %q", content, got, want)
		}
	}
}
