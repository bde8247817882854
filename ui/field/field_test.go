package field

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/ui/theme"
)

func TestEditing(t *testing.T) {
	m := New("0.88")
	steps := []struct {
		key  tea.KeyPressMsg
		want string
	}{
		{tea.KeyPressMsg{Code: tea.KeyBackspace}, "0.8"},
		{tea.KeyPressMsg{Code: '5', Text: "5"}, "0.85"},
		{tea.KeyPressMsg{Code: tea.KeyHome}, "0.85"},
		{tea.KeyPressMsg{Code: tea.KeyDelete}, ".85"},
		{tea.KeyPressMsg{Code: '1', Text: "1"}, "1.85"},
		{tea.KeyPressMsg{Code: tea.KeyRight}, "1.85"},
		{tea.KeyPressMsg{Code: 'é', Text: "é"}, "1.é85"},
		{tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}, ""},
	}
	for _, s := range steps {
		var used bool
		m, used = m.Update(s.key)
		if !used || m.Value() != s.want {
			t.Fatalf("after %s: %q (used %v), want %q", s.key, m.Value(), used, s.want)
		}
	}
	if _, used := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter}); used {
		t.Error("enter is not an editing key")
	}
	if _, used := m.Update(tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl}); used {
		t.Error("ctrl+x is not text")
	}
}

func TestViewShowsTheCursor(t *testing.T) {
	m := New("abc")
	if got := ansi.Strip(m.View(10, true, theme.New(true))); got != "abc " {
		t.Errorf("cursor at the end is a reverse cell: %q", got)
	}
	if got := m.View(10, false, theme.New(true)); got != "abc" {
		t.Errorf("unfocused: %q", got)
	}
}
