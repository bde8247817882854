package status

import (
	"fmt"
	"time"
)

// activityWatch is what the monitor knows of a host's activity at a sample.
type activityWatch struct {
	watchedSince time.Time // first /metrics sample since the monitor started
	lastActive   time.Time // zero: never seen active
	threshold    time.Duration
}

// idleAt decides the idle state at now. A host never seen active is idle
// only once a full threshold has been watched, and then only "at least" that
// long: what it did before the monitor started is unknown.
func (w activityWatch) idleAt(now time.Time) Idle {
	idle := Idle{Activity: ActivityUnknown, Threshold: w.threshold}
	if w.watchedSince.IsZero() {
		return idle
	}
	if w.lastActive.IsZero() {
		idle.For, idle.AtLeast = max(now.Sub(w.watchedSince), 0), true
	} else {
		idle.For = max(now.Sub(w.lastActive), 0)
	}
	switch {
	case !w.lastActive.IsZero() && idle.For < w.threshold:
		idle.Activity = ActivityBusy
	case idle.For >= w.threshold:
		idle.Activity = ActivityIdle
	}
	return idle
}

// String is the idle column: "busy", "idle 7m", "idle ≥40s" (watched for
// less than the threshold, or never seen active) or "unknown".
func (i Idle) String() string {
	switch {
	case i.Activity == ActivityBusy:
		return "busy"
	case i.Activity == ActivityIdle && !i.AtLeast:
		return "idle " + shortDuration(i.For)
	case i.AtLeast:
		return "idle ≥" + shortDuration(i.For)
	}
	return "unknown"
}

// shortDuration is the largest one or two units: "850ms", "45s", "7m",
// "1h20m", "3d4h".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return twoUnits(int(d.Hours()), "h", int(d.Minutes())%60, "m")
	}
	return twoUnits(int(d.Hours())/24, "d", int(d.Hours())%24, "h")
}

func twoUnits(major int, majorUnit string, minor int, minorUnit string) string {
	if minor == 0 {
		return fmt.Sprintf("%d%s", major, majorUnit)
	}
	return fmt.Sprintf("%d%s%d%s", major, majorUnit, minor, minorUnit)
}
