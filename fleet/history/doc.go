// Package history keeps the last minutes of each GPU host's load — GPU
// utilization and memory, KV-cache usage, running and waiting requests,
// generated tokens per second — so the terminal UI can draw sparklines and
// charts instead of single numbers.
//
// A Store is fed the status monitor's snapshots (Record). Each host has one
// fixed-size ring of samples, sized from the window and the refresh cadence
// when the store is made, so memory stays bounded however long straylight
// runs: a sample is an int64 time and six float32 figures (32 bytes), and a
// full ring of 15 minutes at the default 2 s cadence is 451 samples, about
// 14 KiB a host. Hosts that leave the fleet leave the store with their ring.
//
// Readers ask for the last n samples (Recent: the fleet table's sparklines)
// or for the window cut into n equal time buckets (Buckets: the host
// detail's charts). A figure that was not known at a sample (the host was
// down, /metrics did not answer) is NaN, and is drawn as a gap.
package history
