package fleet

import udiff "github.com/aymanbagabas/go-udiff"

// Diff is the unified diff of a file task, like `ansible --check --diff`.
func Diff(dest string, old, new []byte, existed bool) string {
	before := "before: " + dest
	if !existed {
		old, before = nil, "before"
	}
	return udiff.Unified(before, "after: "+dest, string(old), string(new))
}
