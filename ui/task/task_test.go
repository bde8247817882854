package task

import (
	"context"
	"errors"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
)

// TestObserveNeverBlocks: the engine's goroutines may report thousands of
// events while nobody reads; none of them waits.
func TestObserveNeverBlocks(t *testing.T) {
	p := New(7)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				p.Observe(fleetapply.Event{Kind: fleetapply.EvRouteChunk, Chunk: string(rune('a' + g)), Route: string(rune(i))})
			}
		})
	}
	wg.Wait()
	p.Finish(errors.New("boom"))
	msg := p.Next(context.Background())().(EventsMsg)
	if msg.ID != 7 || len(msg.Events) != 8000 || !msg.Done || msg.Err == nil {
		t.Errorf("one message with everything queued: id %d, %d events, done %v, err %v", msg.ID, len(msg.Events), msg.Done, msg.Err)
	}
}

func TestEventsKeepTheirOrder(t *testing.T) {
	p := New(1)
	for i := range 5 {
		p.Observe(fleetapply.Event{Chunk: string(rune('0' + i))})
	}
	msg := p.Next(context.Background())().(EventsMsg)
	got := ""
	for _, ev := range msg.Events {
		got += ev.Chunk
	}
	if got != "01234" || msg.Done {
		t.Errorf("%q done=%v", got, msg.Done)
	}
}

func TestNextGivesUpWhenTheProgramEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if msg := New(1).Next(ctx)(); msg != nil {
		t.Errorf("%v", msg)
	}
	if msg := NewLatest[int]().Next(ctx, func(v int) tea.Msg { return v })(); msg != nil {
		t.Errorf("%v", msg)
	}
}

func TestLatestKeepsOnlyTheNewest(t *testing.T) {
	l := NewLatest[int]()
	for i := range 100 {
		l.Put(i) // never blocks
	}
	got := l.Next(context.Background(), func(v int) tea.Msg { return v })()
	if got != 99 {
		t.Errorf("got %v", got)
	}
}
