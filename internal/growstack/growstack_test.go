package growstack

import (
	"sync"
	"testing"
)

// recurse needs about depth × 200 bytes of stack.
//
//go:noinline
func recurse(depth int) int {
	var pad [24]int
	pad[depth%24] = depth
	if depth == 0 {
		return pad[0]
	}
	return recurse(depth-1) + pad[depth%24]
}

// BenchmarkFreshGoroutine compares a new goroutine recursing ~40 KB deep
// with and without Grow first: the growth copies Grow saves.
func BenchmarkFreshGoroutine(b *testing.B) {
	for _, grow := range []bool{false, true} {
		name := map[bool]string{false: "growing", true: "grown"}[grow]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				var wg sync.WaitGroup
				wg.Go(func() {
					if grow {
						Grow()
					}
					recurse(200)
				})
				wg.Wait()
			}
		})
	}
}
