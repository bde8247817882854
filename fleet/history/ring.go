package history

// ring is one host's samples: a fixed array written round, so a host's
// memory is allocated once and never grows.
type ring struct {
	at   []int64 // Unix milliseconds
	vals [][metricCount]float32
	head int // index of the oldest sample
	n    int // samples held
}

func newRing(capacity int) *ring {
	return &ring{at: make([]int64, capacity), vals: make([][metricCount]float32, capacity)}
}

// index is the array index of the i-th oldest sample.
func (r *ring) index(i int) int { return (r.head + i) % len(r.at) }

func (r *ring) latest() int64 { return r.at[r.index(r.n-1)] }

// push appends a sample, overwriting the oldest when full.
func (r *ring) push(at int64, v [metricCount]float32) {
	if r.n < len(r.at) {
		i := r.index(r.n)
		r.at[i], r.vals[i] = at, v
		r.n++
		return
	}
	r.at[r.head], r.vals[r.head] = at, v
	r.head = (r.head + 1) % len(r.at)
}

// each visits the samples oldest first.
func (r *ring) each(visit func(at int64, v [metricCount]float32)) {
	for i := range r.n {
		j := r.index(i)
		visit(r.at[j], r.vals[j])
	}
}
