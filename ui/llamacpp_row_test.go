package ui

import (
	"strings"
	"testing"
)

// TestLlamaCppHostRowDetailAndEdit: the demo's dixie (llama.cpp, found in
// its rendered unit) has its row, its detail view, and an edit form that
// says why it does not open (no vllm mapping to edit).
func TestLlamaCppHostRowDetailAndEdit(t *testing.T) {
	tm, g := labUI(t, 140, 30)
	waitAfter(t, g, "dixie's detail", func(m Model) bool {
		return m.current() == viewDetail && strings.Contains(m.detail.View(), "dixie")
	}, func() { press(tm, "down", "down", "down", "down", "enter") })
	waitAfter(t, g, "the edit refusal", func(m Model) bool {
		return strings.Contains(m.errText, "dixie's llama.cpp server is found in what its tasks render")
	}, func() { press(tm, "esc", "e") })
}
