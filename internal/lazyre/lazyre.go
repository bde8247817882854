// Package lazyre compiles a regular expression the first time it is used
// rather than when its package is initialised.
//
// Every straylight process runs every package's initialisation, whatever
// it was asked to do: the lab's PowerShell patterns start with a --check,
// the doctor's with a plan. Compiled at start-up, the ~60 expressions cost
// each process about 0.8 ms — a tenth of a 10-host --check (README.md,
// "Performance"). Compiled on first use, a run pays only for those it
// needs.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr on its first call (panicking,
// as regexp.MustCompile does, when expr is not valid) and returns the same
// *regexp.Regexp on every call. It is safe for concurrent use.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
