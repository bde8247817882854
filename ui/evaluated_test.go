package ui

import (
	"strings"
	"testing"
)

// TestDetailShowsValuesAsTheyEvaluate: the role defaults read as their
// values for the host (vllm_max_model_len 9000, from wintermute's
// host_vars), with the origin; v shows the expressions.
func TestDetailShowsValuesAsTheyEvaluate(t *testing.T) {
	f := newFixture(t)
	m := f.ready(160, 80)
	m, cmd := pressKeys(m, "enter")
	m = settle(t, m, cmd)
	row := lineContaining(screen(m), "vllm_max_model_len ")
	if !strings.Contains(row, " 9000 ") || strings.Contains(row, "{{") || !strings.Contains(row, "roles/windows-vllm-deploy/defaults/main.yml") {
		t.Fatalf("vllm_max_model_len row: %q\n%s", row, screen(m))
	}
	if c := lineContaining(screen(m), "vllm_container_name "); !strings.Contains(c, "vllm-wintermute") {
		t.Errorf("vllm_container_name: %q", c)
	}
	m, _ = pressKeys(m, "v")
	row = lineContaining(screen(m), "vllm_max_model_len ")
	if !strings.Contains(row, "9000  ← {{ vllm.max_model_len | default(8192) }}") {
		t.Fatalf("with v: %q", row)
	}
}
