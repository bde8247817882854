package main

import (
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/apply"
)

// Two hosts' route tests streaming at once (hosts deploy in parallel): the
// first streams inline, the second's text is held and printed whole under
// its own host when its test finishes; no line mixes the two. An event the
// printer does not show (a step starting) leaves the streamed line open.
func TestHumanPrinterKeepsParallelStreamsApart(t *testing.T) {
	var out strings.Builder
	p := &humanPrinter{w: &out}
	chunk := func(host, route, text string) apply.Event {
		return apply.Event{Kind: apply.EvRouteChunk, Host: host, Route: route, Chunk: text}
	}
	result := func(host, route string) apply.Event {
		return apply.Event{Kind: apply.EvRouteResult, Host: host, Route: route, Result: &apply.RouteResult{Route: route, OK: true}}
	}
	for _, ev := range []apply.Event{
		chunk("wintermute", "local/reasoner", "Hel"),
		{Kind: apply.EvStep, Host: "case", Step: apply.StepWrite, Status: apply.StatusStart}, // not shown: the line stays open
		chunk("wintermute", "local/reasoner", "lo"), chunk("case", "local/case", "Hi"),
		{Kind: apply.EvHealth, Host: "case", Health: &apply.HealthProgress{State: "serving"}},
		chunk("wintermute", "local/reasoner", " there"), chunk("case", "local/case", " you"),
		result("wintermute", "local/reasoner"), chunk("case", "local/case", " all"), result("case", "local/case"),
	} {
		p.print(ev)
	}
	got := out.String()
	for _, want := range []string{"[wintermute] local/reasoner ▸ Hello\n", "[wintermute] local/reasoner ▸  there\n",
		"[case] local/case ▸ Hi you all\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "▸") != 3 {
		t.Errorf("want 3 streamed lines:\n%s", got)
	}
}
