package edit

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/ui/theme"
)

func specs() []Spec {
	return []Spec{
		{Key: "model", Text: "casperhansen/llama-3-8b-instruct-awq", Present: true},
		{Key: "served_model_name", Text: "llama31-8b-wintermute", Present: true},
		{Key: "gpu_memory_utilization", Text: "0.88", Present: true},
		{Key: "max_num_seqs"},
	}
}

func typeKeys(m Model, keys ...string) Model {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "backspace":
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		case "clear":
			msg = tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
		default:
			for _, r := range k {
				m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
			}
			continue
		}
		m, _ = m.Update(msg)
	}
	return m
}

func TestValidatesAsYouType(t *testing.T) {
	m := New(theme.New(true), "wintermute", "host_vars/wintermute.yml", specs(), "")
	m = typeKeys(m, "down", "down", "clear", "1.5")
	if m.Valid() {
		t.Fatal("1.5 is out of range for gpu_memory_utilization")
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "✗ 1.5 is out of range: must be in (0, 1]") || !strings.Contains(view, "fix the values marked ✗") {
		t.Errorf("the error shows beside the field:\n%s", view)
	}
	m = typeKeys(m, "clear", "0.9")
	if !m.Valid() {
		t.Fatalf("0.9 is valid:\n%s", ansi.Strip(m.View()))
	}
	if !strings.Contains(ansi.Strip(m.View()), "✓ was 0.88") {
		t.Errorf("a changed field shows its old value:\n%s", ansi.Strip(m.View()))
	}
	got := m.Changes()
	if len(got) != 1 || got[0].Key != "gpu_memory_utilization" || got[0].Value != 0.9 {
		t.Errorf("changes: %+v", got)
	}
}

func TestTypedTextIsReadAsYAML(t *testing.T) {
	m := New(theme.New(true), "h", "f", specs(), "")
	m = typeKeys(m, "tab", "tab", "tab", "4") // max_num_seqs, absent
	got := m.Changes()
	if len(got) != 1 || got[0].Value != 4 || got[0].Key != "max_num_seqs" {
		t.Errorf("an integer, added: %+v", got)
	}
	m = typeKeys(m, "up", "up", "backspace", "backspace", "x") // served_model_name
	if c := m.Changes(); len(c) != 2 || c[0].Value != "llama31-8b-wintermux" {
		t.Errorf("a string: %+v", c)
	}
	m = typeKeys(m, "up")
	for range 40 {
		m = typeKeys(m, "backspace")
	}
	if m.Valid() {
		t.Error("an empty model is not valid")
	}
}

func TestReadOnlyFormSaysWhy(t *testing.T) {
	m := New(theme.New(true), "h", "f", specs(), "read-only: vllm is set in group_vars")
	if m.ReadOnly() == "" || !strings.Contains(ansi.Strip(m.View()), "read-only: vllm is set in group_vars") {
		t.Errorf("%s", ansi.Strip(m.View()))
	}
}

func TestFormScrollsInSmallBoxes(t *testing.T) {
	m := New(theme.New(true), "h", "f", specs(), "")
	m.SetSize(80, 6) // title, header, 2 fields, hint
	m = typeKeys(m, "down", "down", "down")
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "› ") || !strings.Contains(view, "max_num_seqs") || strings.Contains(view, "served_model_name") {
		t.Errorf("the cursor's field stays visible:\n%s", view)
	}
}

// TestValuesTypedAsAnsibleTypesThem: 8001.0 is not an integer port; yes is
// a boolean (YAML 1.1), "yes" quoted a string; a cleared value warns.
func TestValuesTypedAsAnsibleTypesThem(t *testing.T) {
	typed := []Spec{
		{Key: "port", Text: "8000", Present: true},
		{Key: "enabled", Text: "true", Present: true},
		{Key: "served_model_name", Text: "llama31-8b-wintermute", Present: true},
	}
	m := New(theme.New(true), "wintermute", "host_vars/wintermute.yml", typed, "")
	m = typeKeys(m, "clear", "8001.0")
	if m.Valid() || !strings.Contains(ansi.Strip(m.View()), "✗ expected an integer, got 8001.0") {
		t.Fatalf("8001.0 is refused as a port:\n%s", ansi.Strip(m.View()))
	}
	m = typeKeys(m, "clear", "8001", "down", "clear", "yes")
	changes := m.Changes()
	if !m.Valid() || len(changes) != 2 || changes[0].Value != 8001 || changes[1].Value != true {
		t.Fatalf("port 8001 (int) and enabled yes (true): %+v\n%s", changes, ansi.Strip(m.View()))
	}
	m = typeKeys(m, "down", "clear")
	if got := m.Cleared(); len(got) != 1 || got[0] != "served_model_name" {
		t.Fatalf("cleared: %v", got)
	}
	if !strings.Contains(ansi.Strip(m.View()), "⚠ cleared: saving writes null") {
		t.Errorf("a cleared value warns:\n%s", ansi.Strip(m.View()))
	}
}
