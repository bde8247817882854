package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// firstCollectionAt is the memory limit at which the first garbage
// collection runs (deferFirstCollection): the Go runtime's memory, so the
// heap is some 10 MiB less. At 48 MiB rather than 32, a 1,000-host --check
// collects 5 times instead of 6, the first time with a larger share of its
// heap live: 25 interleaved runs, 234 -> 215 ms median wall and 435 -> 397
// ms CPU, max RSS 84.2 -> 85.6 MiB median (88.7 -> 90.3 at most); 50 hosts
// (about 10 MB allocated) never reach either (README.md, "Performance").
const firstCollectionAt = 48 << 20

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
