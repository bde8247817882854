package addhost

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/ui/theme"
)

func form() Model {
	return New(theme.New(true), Input{Templates: []string{"wintermute", "armitage"}, Template: "armitage",
		Address: "", Taken: []string{"wintermute", "armitage", "motoko"}})
}

func press(m Model, keys ...string) (Model, tea.Msg) {
	var msg tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(keyMsg(k))
		msg = nil
		if cmd != nil {
			msg = cmd()
		}
	}
	return m, msg
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

func typed(m Model, text string) Model {
	for _, r := range text {
		m, _ = press(m, string(r))
	}
	return m
}

func view(m Model) string { return ansi.Strip(m.View()) }

func TestEscCancels(t *testing.T) {
	m := typed(form(), "molly")
	if _, msg := press(m, "esc"); msg != (CancelMsg{}) {
		t.Fatalf("esc sent %#v, want CancelMsg", msg)
	}
}

func TestEnterSubmitsTheTemplateNameAndAddress(t *testing.T) {
	m := typed(form(), "molly")
	m.Suggest("127.0.0.9")
	m, msg := press(m, "enter")
	want := SubmitMsg{Template: "armitage", Name: "molly", Address: "127.0.0.9"}
	if msg != want {
		t.Fatalf("enter sent %#v, want %#v\n%s", msg, want, view(m))
	}
}

func TestValidationMessagesAreShownAndNothingIsSent(t *testing.T) {
	cases := []struct{ name, address, want string }{
		{"", "127.0.0.9", "name: the name is empty"},
		{"wintermute", "127.0.0.9", "name: wintermute is already in the inventory"},
		{"mol ly", "127.0.0.9", `name: " " is not allowed in a host name`},
		{"molly", "", "address: the address is empty"},
		{"molly", "127.0.0.9:22", "address: \"127.0.0.9:22\" is neither an IP address nor a DNS name"},
	}
	for _, c := range cases {
		m := typed(form(), c.name)
		m.Suggest(c.address)
		m, msg := press(m, "enter")
		if msg != nil {
			t.Errorf("%q %q: enter sent %#v", c.name, c.address, msg)
		}
		if !strings.Contains(view(m), "✗ "+c.want) {
			t.Errorf("%q %q: the form does not say %q:\n%s", c.name, c.address, c.want, view(m))
		}
		if m, _ = press(m, "x"); strings.Contains(view(m), "✗") {
			t.Errorf("the message stays after a key is typed:\n%s", view(m))
		}
	}
}

func TestTheTemplateIsChosenOnItsField(t *testing.T) {
	m := typed(form(), "molly")
	m.Suggest("127.0.0.9")
	m, _ = press(m, "shift+tab", "right")
	if !strings.Contains(view(m), "‹ wintermute ›") {
		t.Fatalf("→ on the template field picks the next host:\n%s", view(m))
	}
	m, _ = press(m, "left", "left", "tab")
	if _, msg := press(m, "enter"); msg != (SubmitMsg{Template: "wintermute", Name: "molly", Address: "127.0.0.9"}) {
		t.Fatalf("submitted %#v", msg)
	}
}

func TestASuggestionDoesNotReplaceATypedAddress(t *testing.T) {
	m, _ := press(form(), "tab")
	m = typed(m, "10")
	m.Suggest("127.0.0.9")
	if !strings.Contains(view(m), "address        10") || strings.Contains(view(m), "127.0.0.9") {
		t.Fatalf("the typed address was replaced:\n%s", view(m))
	}
}

func TestTheEnginesRefusalIsShownWrapped(t *testing.T) {
	m := form()
	m.SetSize(40, 20)
	m.SetError("inventory/hosts.yml:6: host molly is already in the inventory: choose another name")
	v := view(m)
	if !strings.Contains(v, "✗ inventory/hosts.yml:6: host molly is") || !strings.Contains(v, "another name") {
		t.Fatalf("the refusal is not shown in full:\n%s", v)
	}
}
