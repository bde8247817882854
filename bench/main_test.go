package main

import (
	"strings"
	"testing"
	"time"
)

// TestTableColumnsAgree checks that the head, the rule and every row of the
// table have as many cells as each other, with one or two Ansible columns
// and with a baseline, so that Markdown renders the table README quotes.
func TestTableColumnsAgree(t *testing.T) {
	for _, cfg := range []config{
		{runs: 3, ansibles: []string{"/nonexistent/ansible-playbook"}},
		{runs: 3, ansibles: []string{"/nonexistent/a", "/nonexistent/b"}, baseline: "old"},
		{runs: 3},
	} {
		m := measurement{hosts: 10, median: 5 * time.Millisecond, min: 4 * time.Millisecond}
		for range cfg.ansibles {
			m.ansible = append(m.ansible, ansibleRun{wall: 5 * time.Second})
		}
		if cfg.baseline != "" {
			m.base = &timing{walls: []time.Duration{6 * time.Millisecond}}
		}
		want := cells(tableHead(cfg))
		for _, line := range []string{tableRule(cfg), tableRow(cfg, m)} {
			if got := cells(line); got != want {
				t.Errorf("%d Ansible column(s), baseline %q: %q has %d cells, the head %d", len(cfg.ansibles), cfg.baseline, line, got, want)
			}
		}
	}
}

func TestRatioOfAnsibleToStraylight(t *testing.T) {
	if got := tableRow(config{ansibles: []string{"x"}}, measurement{hosts: 10, median: 5 * time.Millisecond, ansible: []ansibleRun{{wall: 5 * time.Second}}}); !strings.Contains(got, "| 1000× |") {
		t.Errorf("row %q lacks the 1000× speed-up", got)
	}
}

func cells(line string) int { return strings.Count(line, "|") - 1 }

func TestMedianCPUIsTheMiddleRun(t *testing.T) {
	tm := timing{cpus: []time.Duration{9 * time.Millisecond, 3 * time.Millisecond, 5 * time.Millisecond}}
	if got := tm.medianCPU(); got != 5*time.Millisecond {
		t.Errorf("medianCPU = %v, want 5ms", got)
	}
	if tm.cpus[0] != 9*time.Millisecond {
		t.Errorf("medianCPU reordered the runs: %v", tm.cpus)
	}
	if got := (&timing{}).medianCPU(); got != 0 {
		t.Errorf("medianCPU of no runs = %v, want 0", got)
	}
}

func TestRowShowsTheCPUTime(t *testing.T) {
	m := measurement{hosts: 10, median: 5 * time.Millisecond, cpu: 7 * time.Millisecond}
	if got := tableRow(config{}, m); !strings.Contains(got, "| 7.0 ms |") {
		t.Errorf("row %q lacks the CPU time", got)
	}
}
