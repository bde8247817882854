// Package memo holds values made once per key: the first caller asking
// for a key makes its value, and callers asking for that key meanwhile
// wait for it instead of making it again. The repository's caches (a vars
// file parsed once however many hosts read it, a host's inventory merge,
// a start script read once per content) each had their own mutex, map and
// sync.Once per entry.
package memo

import "sync"

// Map is the values made so far, by key. The zero value is ready; it is
// safe for concurrent use. A value is shared by every caller: callers
// treat it as read-only.
type Map[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]*entry[V]
}

type entry[V any] struct {
	once  sync.Once
	value V
}

// Get returns key's value, calling build for it if no caller has yet.
// build runs without the map's lock, so it may ask the map for other keys.
func (m *Map[K, V]) Get(key K, build func() V) V {
	e := m.entry(key)
	e.once.Do(func() { e.value = build() })
	return e.value
}

func (m *Map[K, V]) entry(key K) *entry[V] {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[K]*entry[V]{}
	}
	e, ok := m.entries[key]
	if !ok {
		e = new(entry[V])
		m.entries[key] = e
	}
	return e
}
