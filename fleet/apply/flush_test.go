package apply

import (
	"slices"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/plan"
)

// TestFlushStagesFollowPlaysAndFlushes: files split at each flush point
// and play; each handler runs after its flush's files and before the next
// flush's; a restart owed by a dead run runs last.
func TestFlushStagesFollowPlaysAndFlushes(t *testing.T) {
	file := func(play string, flush int, dest string) *plan.FileChange {
		return &plan.FileChange{Playbook: "site.yml", Play: play, Flush: flush, Dest: dest}
	}
	files := []*plan.FileChange{file("A", 0, "a0"), file("A", 0, "a0b"), file("A", 1, "a1"), file("A", 3, "a3"), file("B", 1, "b1")}
	handlers := []plan.HandlerRun{
		{Playbook: "site.yml", Play: "A", Flush: 0, Name: "hA0"}, {Playbook: "site.yml", Play: "A", Flush: 3, Name: "hA3"},
		{Playbook: "site.yml", Play: "B", Flush: 1, Name: "hB1"}, {Name: "owed", Pending: true},
	}
	var got []string
	for _, st := range flushStages(files, handlers) {
		for _, f := range st.files {
			got = append(got, f.Dest)
		}
		for _, hr := range st.handlers {
			got = append(got, hr.Name)
		}
		got = append(got, "|")
	}
	want := []string{"a0", "a0b", "hA0", "|", "a1", "|", "a3", "hA3", "|", "b1", "hB1", "owed", "|"}
	if !slices.Equal(got, want) {
		t.Errorf("stages %q, want %q", got, want)
	}
	if st := flushStages(nil, handlers[3:]); len(st) != 1 || st[0].handlers[0].Name != "owed" {
		t.Errorf("a restart alone: %+v", st)
	}
}
