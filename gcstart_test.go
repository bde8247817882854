package main

import (
	"math"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// gcOff is how runtime/metrics reads GOGC=off.
const gcOff = math.MaxUint64

// collectorSetting reads GOGC and the memory limit as the runtime has them.
func collectorSetting() (percent, limit uint64) {
	samples := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(samples)
	return samples[0].Value.Uint64(), samples[1].Value.Uint64()
}

func TestDeferFirstCollectionHandsPacingBackAfterTheFirstCollection(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	percentBefore, limitBefore := collectorSetting()
	deferFirstCollection(1 << 40)
	if percent, limit := collectorSetting(); percent != gcOff || limit != 1<<40 {
		t.Fatalf("before the first collection: GOGC %d, limit %d; want off (%d) and %d", percent, limit, uint64(gcOff), uint64(1<<40))
	}
	runtime.GC()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if percent, limit := collectorSetting(); percent == percentBefore && limit == limitBefore {
			return
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	percent, limit := collectorSetting()
	t.Fatalf("after a collection: GOGC %d, limit %d; want them restored to %d, %d", percent, limit, percentBefore, limitBefore)
}

func TestDeferFirstCollectionLeavesTheUsersSettings(t *testing.T) {
	t.Setenv("GOGC", "150")
	percentBefore, limitBefore := collectorSetting()
	deferFirstCollection(1 << 40)
	if percent, limit := collectorSetting(); percent != percentBefore || limit != limitBefore {
		t.Fatalf("GOGC set by the user: collector changed to GOGC %d, limit %d", percent, limit)
	}
}
