package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/fleet"
)

// fakeLogs streams the given lines for any host, then waits for more on
// more until ctx ends, as a followed log does.
func fakeLogs(first []string, more <-chan string) func(context.Context, *fleet.Repo, string, int, bool, func(string)) error {
	return func(ctx context.Context, _ *fleet.Repo, _ string, _ int, _ bool, sink func(string)) error {
		for _, l := range first {
			sink(l)
		}
		for {
			select {
			case l := <-more:
				sink(l)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

func TestLogViewFollowsSearchesAndWraps(t *testing.T) {
	f := newFixture(t)
	more := make(chan string, 4)
	f.svc.logs = fakeLogs([]string{
		"INFO 12-04 12:00:00 [api_server.py:1805] vLLM API server version 0.10.2",
		"INFO 12-04 12:00:05 [api_server.py:1857] Starting vLLM API server 0 on http://127.0.0.1:8000",
		"INFO:     Application startup complete.",
	}, more)
	m := f.ready(80, 12)
	m, cmd := pressKeys(m, "l")
	if m.current() != viewLogs {
		t.Fatalf("l opens %s", m.current())
	}
	more <- `INFO:     127.0.0.1:50312 - "GET /metrics HTTP/1.1" 200 OK` // after the first lines
	m = settle(t, m, cmd)
	screen := ansi.Strip(m.Render())
	if !strings.Contains(screen, "Logs wintermute") || !strings.Contains(screen, "Application startup complete.") {
		t.Fatalf("log view:\n%s", screen)
	}
	if got := ansi.Strip(m.Render()); !strings.Contains(got, `"GET /metrics HTTP/1.1" 200 OK`) {
		t.Fatalf("a new line while following does not show:\n%s", got)
	}
	m, _ = pressKeys(m, "/", "S", "t", "a", "r", "t", "i", "n", "g")
	if !m.typing() {
		t.Fatal("the search field does not take the keys")
	}
	m, _ = pressKeys(m, "enter")
	if m.logs.Following() || !strings.Contains(ansi.Strip(m.Render()), "/Starting: 1 matching") {
		t.Fatalf("search: following %v\n%s", m.logs.Following(), ansi.Strip(m.Render()))
	}
}

func TestLogViewWrapToggle(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("x", 150)
	f.svc.logs = fakeLogs([]string{long}, nil)
	m := f.ready(80, 12)
	m, cmd := pressKeys(m, "l")
	m = settle(t, m, cmd)
	wrapped := strings.Count(ansi.Strip(m.Render()), "xxxxxxxxxx")
	m, _ = pressKeys(m, "w")
	cut := strings.Count(ansi.Strip(m.Render()), "xxxxxxxxxx")
	if wrapped <= cut {
		t.Fatalf("wrap on shows %d runs, off %d", wrapped, cut)
	}
	m, _ = pressKeys(m, "esc")
	if m.current() == viewLogs || m.logStream != nil {
		t.Fatal("esc leaves the view and stops the stream")
	}
}
