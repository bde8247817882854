package ansible

import (
	"testing"
	"time"
)

// A template's modification time prints as Python's str() of
// datetime.fromtimestamp(st_mtime): microseconds rounded half to even
// from the double, carried into the second, left out when zero (the
// wanted strings are Python 3.11's).
func TestTemplateTimesPrintAsPythonDatetimes(t *testing.T) {
	for _, c := range []struct {
		nsec int
		want string
	}{
		{123456789, "2026-01-02 03:04:05.123457"},
		{0, "2026-01-02 03:04:05"},
		{999999600, "2026-01-02 03:04:06"},
		{500, "2026-01-02 03:04:05"},
		{1500, "2026-01-02 03:04:05.000001"},
		{2500, "2026-01-02 03:04:05.000002"},
	} {
		mtime := time.Date(2026, 1, 2, 3, 4, 5, c.nsec, time.UTC)
		if got := pyDatetime(pyFromTimestamp(mtime).UTC()); got != c.want {
			t.Errorf("%d ns: %q, want %q", c.nsec, got, c.want)
		}
	}
}
