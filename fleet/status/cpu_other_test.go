//go:build !unix

package status

import "time"

// processCPU is not measured here: the benchmark reports cpu-ms as 0.
func processCPU() time.Duration { return 0 }
