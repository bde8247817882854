package lazyre

import (
	"sync"
	"testing"
)

func TestNewCompilesOnceOnFirstUse(t *testing.T) {
	re := New(`^a(b+)$`)
	var wg sync.WaitGroup
	got := make([]any, 8)
	for i := range got {
		wg.Go(func() { got[i] = re() })
	}
	wg.Wait()
	for _, r := range got {
		if r != got[0] {
			t.Fatalf("calls returned different *Regexp values: %p and %p", r, got[0])
		}
	}
	if m := re().FindStringSubmatch("abbb"); len(m) != 2 || m[1] != "bbb" {
		t.Fatalf("FindStringSubmatch(abbb) = %q, want [abbb bbb]", m)
	}
}

func TestNewPanicsOnlyWhenUsed(t *testing.T) {
	bad := New(`(`) // not compiled yet: no panic here
	defer func() {
		if recover() == nil {
			t.Fatal("an invalid expression compiled without a panic")
		}
	}()
	bad()
}
