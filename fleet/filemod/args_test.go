package filemod

import (
	"slices"
	"testing"
)

// A task with several arguments straylight does not run names them all, in
// name order, on every run (args is a map).
func TestRefusedArgumentsAreNamedInOrder(t *testing.T) {
	args := map[string]any{"path": "/x", "selevel": "s0", "attributes": "+i", "unsafe_writes": true}
	for range 20 {
		err := onlyArgs("file", args, []string{"path"})
		if err == nil || err.Error() != `arguments "attributes", "selevel", "unsafe_writes" of file are not supported` {
			t.Fatalf("onlyArgs = %v", err)
		}
	}
	if got := RefusedArgs(map[string]any{"path": "/x"}, []string{"path"}); got != nil {
		t.Fatalf("nothing refused: %q", got)
	}
	if got := RefusedArgs(map[string]any{"a b": 1}, nil); !slices.Equal(got, []string{`"a b"`}) {
		t.Fatalf("one refused: %q", got)
	}
}
