package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// firstCollectionAt is the heap size at which the first garbage collection
// runs (deferFirstCollection).
const firstCollectionAt = 32 << 20

// deferFirstCollection lets the heap grow to limit bytes before the first
// garbage collection, then hands the collector back its usual pacing.
//
// Go starts collecting at a 4 MB heap and collects each time the heap
// doubles. A --check of a 50-host repository allocates about 11 MB and
// exits: its collections free little it could not have left to the exit,
// and cost about a quarter of its time (README.md, "Performance"). With the collector off
// and a memory limit of limit, a run allocating less never collects, and
// one allocating more collects once at limit and from then on as it would
// have (the cleanup below restores GOGC), so the peak heap of a large
// fleet's run is the one it had. The user's own GOGC or GOMEMLIMIT wins.
func deferFirstCollection(limit int64) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	percent := debug.SetGCPercent(-1)
	previous := debug.SetMemoryLimit(limit)
	sentinel := new(gcSentinel)
	runtime.AddCleanup(sentinel, restoreCollector, collectorSettings{percent, previous})
}

// gcSentinel is unreachable from the start: the first collection finds
// it garbage and runs its cleanup. It holds a pointer so that it is not
// batched with other tiny objects, which would keep it alive.
type gcSentinel struct{ _ *int }

type collectorSettings struct {
	percent int
	limit   int64
}

func restoreCollector(s collectorSettings) {
	debug.SetGCPercent(s.percent)
	debug.SetMemoryLimit(s.limit)
}
