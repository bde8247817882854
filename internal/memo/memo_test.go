package memo

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestGetMakesEachValueOnce(t *testing.T) {
	var m Map[string, int]
	var made atomic.Int32
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			key := []string{"a", "b"}[i%2]
			got := m.Get(key, func() int { made.Add(1); return len(key) * 10 })
			if got != 10 {
				t.Errorf("Get(%q) = %d, want 10", key, got)
			}
		})
	}
	wg.Wait()
	if made.Load() != 2 {
		t.Fatalf("made %d values for 2 keys", made.Load())
	}
}

func TestMakeMayAskForAnotherKey(t *testing.T) {
	var m Map[int, int]
	got := m.Get(2, func() int { return m.Get(1, func() int { return 1 }) + 1 })
	if got != 2 || m.Get(1, nil) != 1 {
		t.Fatalf("got %d and %d, want 2 and 1", got, m.Get(1, nil))
	}
}
