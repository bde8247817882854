package secret

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/straylight-fleet/straylight/ui/theme"
)

func text(s string) tea.KeyPressMsg {
	r := []rune(s)
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

func press(code rune, mod tea.KeyMod) tea.KeyPressMsg { return tea.KeyPressMsg{Code: code, Mod: mod} }

func TestTypedTextIsMaskedAndEnterGivesIt(t *testing.T) {
	m := New("Passphrase for key /k:")
	for _, k := range []tea.KeyPressMsg{text("s"), text("3"), text("€"), text("x"), press(tea.KeyBackspace, 0), text("Q")} {
		if got := m.Update(k); got != Typing {
			t.Fatalf("%s: outcome %d", k, got)
		}
	}
	view := ansi.Strip(m.View(80, theme.New(false)))
	if view != "Passphrase for key /k: •••• " || strings.Contains(view, "s3") {
		t.Fatalf("view %q", view)
	}
	if got := m.Update(press(tea.KeyEnter, 0)); got != Given {
		t.Fatalf("enter: outcome %d", got)
	}
	if got := m.Take(); string(got) != "s3€Q" {
		t.Fatalf("took %q", got)
	}
	if m.Len() != 0 || len(m.Take()) != 0 {
		t.Fatal("the text is still there after Take")
	}
}

// The input owns every key: the UI's commands (q, ?, /) are typed, other
// keys do nothing, esc declines and wipes what was typed.
func TestOwnsEveryKeyAndEscDeclines(t *testing.T) {
	m := New("?")
	for _, k := range []tea.KeyPressMsg{text("q"), text("?"), text("/"), press('x', tea.ModCtrl), press('b', tea.ModAlt),
		press(tea.KeyTab, 0), press(tea.KeyLeft, 0), press(tea.KeyUp, 0)} {
		if got := m.Update(k); got != Typing {
			t.Fatalf("%s: outcome %d", k, got)
		}
	}
	typed := *m.typed
	if string(typed) != "q?/" {
		t.Fatalf("typed %q", typed)
	}
	if got := m.Update(press(tea.KeyEscape, 0)); got != Declined {
		t.Fatalf("esc: outcome %d", got)
	}
	if m.Len() != 0 || !bytes.Equal(typed[:3], []byte{0, 0, 0}) {
		t.Fatalf("esc left %q (backing %q)", *m.typed, typed[:3])
	}
}

func TestCtrlUErasesAll(t *testing.T) {
	m := New("?")
	m.Update(text("a"))
	m.Update(text("b"))
	m.Update(press('u', tea.ModCtrl))
	if m.Len() != 0 {
		t.Fatalf("%d characters left", m.Len())
	}
}

// A long question is cut; the mask stays.
func TestLongQuestionKeepsTheMask(t *testing.T) {
	m := New("Passphrase for key " + strings.Repeat("/very/long", 20) + ":")
	m.Update(text("a"))
	m.Update(text("b"))
	view := ansi.Strip(m.View(40, theme.New(false)))
	if !strings.Contains(view, "••") || ansi.StringWidth(view) > 40 {
		t.Fatalf("view %q", view)
	}
}

// promptProgram runs the input as a program: it ends on enter or esc.
type promptProgram struct {
	input  Model
	result string
	ended  Outcome
}

func (p promptProgram) Init() tea.Cmd { return nil }

func (p promptProgram) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	if p.ended = p.input.Update(k); p.ended == Typing {
		return p, nil
	}
	p.result = string(p.input.Take())
	return p, tea.Quit
}

func (p promptProgram) View() tea.View { return tea.NewView(p.input.View(60, theme.New(false))) }

// In a real program: what is typed never reaches the terminal, enter
// gives it, esc gives nothing.
func TestInAProgram(t *testing.T) {
	for _, c := range []struct {
		last tea.KeyPressMsg
		want string
		end  Outcome
	}{{press(tea.KeyEnter, 0), "hunter2", Given}, {press(tea.KeyEscape, 0), "", Declined}} {
		tm := teatest.NewTestModel(t, promptProgram{input: New("Passphrase:")}, teatest.WithInitialTermSize(60, 3))
		tm.Type("hunter2")
		var shown []byte
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { shown = b; return bytes.Contains(b, []byte("•••••••")) },
			teatest.WithDuration(5*time.Second))
		tm.Send(c.last)
		final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(promptProgram)
		rest, _ := io.ReadAll(tm.FinalOutput(t))
		out := append(shown, rest...)
		if final.result != c.want || final.ended != c.end || bytes.Contains(out, []byte("hunter")) {
			t.Fatalf("%s: result %q, outcome %d, output held the text: %v", c.last, final.result, final.ended, bytes.Contains(out, []byte("hunter")))
		}
	}
}
