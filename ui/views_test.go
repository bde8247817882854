package ui

import "testing"

// Every view has its table entry: a name of its own, keys, a body and a key
// handler, so no view falls back to another's by accident.
func TestViewTableIsComplete(t *testing.T) {
	names := map[string]viewID{}
	for v := viewFleet; int(v) < viewCount; v++ {
		spec := viewTable()[v]
		if spec.name == "" || spec.keys == nil || spec.body == nil || spec.onKey == nil {
			t.Errorf("view %d has an incomplete entry: %+v", v, spec)
		}
		if other, taken := names[spec.name]; taken {
			t.Errorf("views %d and %d are both named %q", other, v, spec.name)
		}
		names[spec.name] = v
	}
}
