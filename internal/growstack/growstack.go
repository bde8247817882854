// Package growstack grows a new goroutine's stack in one step, before the
// deep work it was started for.
//
// A goroutine starts on a 2 KB stack and, each time a call needs more,
// the runtime doubles it and copies every frame across: rendering a host's
// templates (gonja evaluates expressions recursively) or parsing YAML takes
// a stack of tens of KB, reached in four or five copies. Go sizes new
// stacks from the average it measured at the last garbage collection, but a
// --check of a small fleet ends before its first collection
// (deferFirstCollection, main package), so every goroutine starts small.
// Growing once, early, while the stack holds nothing, costs one small copy:
// a 10-host --check runs 3 % fewer instructions, half as many of them in
// runtime.copystack (callgrind; README.md, "Performance"). CockroachDB
// grows its stacks the same way.
//
// No library offers this: it is the runtime's own behaviour, driven from
// outside.
package growstack

// frame is the size of Grow's frame: the runtime doubles the stack until
// the frame fits, so a 2 KB stack becomes a 64 KB one.
const frame = 32 << 10

// Grow makes the calling goroutine's stack at least 64 KB, in one copy.
// Call it first thing in a goroutine that will recurse deeply.
//
//go:noinline
func Grow() {
	var buf [frame]byte
	use(buf[:])
}

// use keeps buf, and so Grow's frame, from being optimised away.
//
//go:noinline
func use(b []byte) { _ = b[len(b)-1] }
