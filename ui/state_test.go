package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/ui/help"
	"github.com/straylight-fleet/straylight/ui/task"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// openForm opens wintermute's edit form and selects key's field.
func openForm(t *testing.T, f *fixture, key string) Model {
	t.Helper()
	m, cmd := pressKeys(f.ready(120, 40), "e")
	m = settle(t, m, cmd)
	if m.current() != viewEdit {
		t.Fatalf("e opens the form:\n%s", screen(m))
	}
	for i := 0; !strings.HasPrefix(strings.TrimSpace(lineOf(screen(m), key)), "›"); i++ {
		if i == 40 {
			t.Fatalf("the form never selected %s:\n%s", key, screen(m))
		}
		m, _ = pressKeys(m, "down")
	}
	return m
}

func lineOf(s, text string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

// TestEditFormAltKeysEditWords: alt+backspace deletes a word, alt+b moves
// back a word; neither closes the form, and alt+x is not esc then x.
func TestEditFormAltKeysEditWords(t *testing.T) {
	m := openForm(t, newFixture(t), "served_model_name")
	m, _ = pressKeys(m, "ctrl+u", "a", "b", "-", "c", "d", "alt+backspace")
	if m.current() != viewEdit || !strings.Contains(lineOf(screen(m), "served_model_name"), "ab- ") {
		t.Fatalf("alt+backspace deletes the last word, the form stays:\n%s", screen(m))
	}
	m, _ = pressKeys(m, "alt+b", "X", "alt+x", "alt+f")
	line := lineOf(screen(m), "served_model_name")
	if m.current() != viewEdit || m.confirm != nil || !strings.Contains(line, "Xab-") {
		t.Fatalf("alt+b moves a word back (X typed before it); alt+x does nothing:\n%s", screen(m))
	}
}

// TestEditFormEscAsksBeforeDiscarding: esc with typed values asks; n keeps
// the form and the value, y leaves without writing.
func TestEditFormEscAsksBeforeDiscarding(t *testing.T) {
	m := openForm(t, newFixture(t), "gpu_memory_utilization")
	m, _ = pressKeys(m, "ctrl+u", "0", ".", "9", "esc")
	if m.current() != viewEdit || !strings.Contains(screen(m), "Discard 1 unsaved change to host_vars/wintermute.yml? y/N") {
		t.Fatalf("esc asks first:\n%s", screen(m))
	}
	m, _ = pressKeys(m, "n")
	if m.current() != viewEdit || !strings.Contains(lineOf(screen(m), "gpu_memory_utilization"), "0.9") {
		t.Fatalf("n keeps the form and the value:\n%s", screen(m))
	}
	m, _ = pressKeys(m, "esc", "y")
	if m.current() != viewFleet {
		t.Fatalf("y discards and leaves:\n%s", screen(m))
	}
}

// TestEditFormQuestionMarkIsHelp: ? opens the help, it types nothing.
func TestEditFormQuestionMarkIsHelp(t *testing.T) {
	m := openForm(t, newFixture(t), "gpu_memory_utilization")
	m, _ = pressKeys(m, "?")
	if !m.showHelp || !strings.Contains(screen(m), "Keys · edit") || !strings.Contains(screen(m), "alt+b/f/⌫/d") {
		t.Fatalf("? shows the form's help:\n%s", screen(m))
	}
	m, _ = pressKeys(m, "esc")
	if m.showHelp || m.current() != viewEdit || m.edit.Dirty() != 0 {
		t.Fatalf("esc closes the help; the form is untouched")
	}
}

// TestValuesErrorClearsAfterAValidSave: "not valid" goes once the value is
// fixed and saved.
func TestValuesErrorClearsAfterAValidSave(t *testing.T) {
	m := openForm(t, newFixture(t), "gpu_memory_utilization")
	m, _ = pressKeys(m, "ctrl+u", "1", ".", "5", "enter")
	mustContain(t, screen(m), "some values are not valid")
	m, _ = pressKeys(m, "ctrl+u", "0", ".", "9")
	m, cmd := pressKeys(m, "enter")
	m = settle(t, m, cmd)
	if s := screen(m); strings.Contains(s, "not valid") || strings.Contains(s, "planning…") || !strings.Contains(s, "saved host_vars/wintermute.yml") {
		t.Fatalf("after a valid save and its plan: no stale error, no stale planning:\n%s", s)
	}
}

// TestEnterOnAnEmptyFilterResult names what happened, not " is not a GPU host".
func TestEnterOnAnEmptyFilterResult(t *testing.T) {
	m := newFixture(t).ready(100, 24)
	m, _ = pressKeys(m, "/", "z", "z", "enter", "enter")
	s := screen(m)
	if strings.Contains(s, "is not a GPU host") || !strings.Contains(s, "no host selected") || m.current() != viewFleet {
		t.Fatalf("enter with no row selected:\n%s", s)
	}
}

// TestCommitNotOfferedOutsideGit: in a repository that is not in git, the
// diff offers no c, the save says so, and c explains instead of failing.
func TestCommitNotOfferedOutsideGit(t *testing.T) {
	f := newFixture(t)
	f.svc.gitState = func(string) gitState { return gitState{known: true} }
	m := openForm(t, f, "gpu_memory_utilization")
	m, _ = pressKeys(m, "ctrl+u", "0", ".", "9")
	m, cmd := pressKeys(m, "enter")
	m = settle(t, m, cmd)
	s := screen(m)
	if m.current() != viewDiff || strings.Contains(s, "git commit") || !strings.Contains(s, "not in git: nothing to commit") {
		t.Fatalf("no commit offered outside git:\n%s", s)
	}
	m, _ = pressKeys(m, "c")
	if len(f.commits) != 0 || !strings.Contains(screen(m), "is not in a git repository") {
		t.Fatalf("c explains:\n%s", screen(m))
	}
}

// TestDetailKeepsItsPositionAcrossAPlan: a background plan (the repository
// re-read) does not throw the detail view back to its top.
func TestDetailKeepsItsPositionAcrossAPlan(t *testing.T) {
	f := newFixture(t)
	m, cmd := pressKeys(f.ready(100, 12), "enter")
	m = settle(t, m, cmd)
	m, _ = pressKeys(m, "end")
	before := screen(m)
	fresh, err := f.svc.open()
	if err != nil {
		t.Fatal(err)
	}
	m = step(m, planMsg{repo: fresh, plan: f.plan})
	if after := screen(m); after != before {
		t.Fatalf("the plan moved the view:\n%s\n---\n%s", before, after)
	}
}

// TestTablesMoveWithHomeEndPages: g/G, home/end and pgup/pgdn move the
// cursor in the fleet table and the routes pane.
func TestTablesMoveWithHomeEndPages(t *testing.T) {
	m := newFixture(t).ready(100, 24)
	for _, c := range []struct{ key, want string }{{"G", "motoko"}, {"g", "wintermute"}, {"end", "motoko"}, {"home", "wintermute"}, {"pgdown", "motoko"}, {"pgup", "wintermute"}} {
		m, _ = pressKeys(m, c.key)
		if got := m.selectedHost(); got != c.want {
			t.Errorf("fleet %s: %s, want %s", c.key, got, c.want)
		}
	}
	m, _ = pressKeys(m, "tab", "G")
	last, _ := m.routes.Selected()
	m, _ = pressKeys(m, "g")
	first, _ := m.routes.Selected()
	if last.Route == first.Route {
		t.Errorf("routes: G and g select the last and first route (%s, %s)", last.Route, first.Route)
	}
}

// TestRoutesPaneProgressKey: p works in the routes pane too.
func TestRoutesPaneProgressKey(t *testing.T) {
	m := newFixture(t).ready(100, 24)
	m, _ = pressKeys(m, "tab", "p")
	mustContain(t, screen(m), "no deploy, restart or route test has run yet")
}

// TestHelpListsEachKeyOnce: the overlay of every view names a key once.
func TestHelpListsEachKeyOnce(t *testing.T) {
	m := newFixture(t).ready(100, 30)
	for _, keys := range [][]string{nil, {"enter"}, {"esc", "d"}, {"esc", "tab"}, {"tab", "n"}} {
		m, _ = pressKeys(m, keys...)
		seen := map[string]bool{}
		for _, k := range help.Bindings(m.focused()) {
			if seen[k] {
				t.Errorf("%s view lists %q twice", m.current(), k)
			}
			seen[k] = true
		}
	}
}

// TestFooterKeepsHelpAndQuitAtEveryWidth: however narrow, the footer ends
// with ? help and the quit key, in every view.
func TestFooterKeepsHelpAndQuitAtEveryWidth(t *testing.T) {
	f := newFixture(t)
	for _, w := range []int{40, 60, 80, 100, 120} {
		m := f.ready(w, 24)
		for _, keys := range [][]string{nil, {"tab"}, {"tab", "tab", "enter"}, {"esc", "d"}} {
			m, _ = pressKeys(m, keys...)
			lines := strings.Split(screen(m), "\n")
			footer := lines[len(lines)-1]
			if !strings.Contains(footer, "? help") || !strings.Contains(footer, "q quit") {
				t.Errorf("%d columns, %s: footer %q", w, m.current(), footer)
			}
		}
	}
}

// TestDeployingAnInSyncHostAsksNothing: armitage is in sync; a says so.
func TestDeployingAnInSyncHostAsksNothing(t *testing.T) {
	m := newFixture(t).ready(100, 24)
	m, _ = pressKeys(m, "j", "a")
	if m.confirm != nil || !strings.Contains(screen(m), "armitage is in sync: nothing to deploy") {
		t.Fatalf("no question for an in-sync host:\n%s", screen(m))
	}
}

// TestInventoryWarningsShowInTheFleet: what --check warns about is on the
// fleet view too.
func TestInventoryWarningsShowInTheFleet(t *testing.T) {
	f := newFixture(t)
	if len(f.plan.Findings) == 0 {
		t.Fatal("the example has an inventory warning")
	}
	s := screen(f.ready(120, 30))
	if !strings.Contains(s, "warning: "+f.plan.Findings[0].Text()) {
		t.Fatalf("the warning %q is not shown:\n%s", f.plan.Findings[0].Text(), s)
	}
}

// TestLongTextWrapsInRoutesAndDetail: at 80 columns the routes pane's live
// mismatch and the detail's repository path are whole, wrapped.
func TestLongTextWrapsInRoutesAndDetail(t *testing.T) {
	f := newFixture(t)
	m, _ := pressKeys(f.ready(80, 24), "tab")
	joined := strings.Join(strings.Fields(screen(m)), " ")
	if !strings.Contains(joined, "live: wintermute serves casperhansen/llama-3-8b-instruct-awq") {
		t.Errorf("the live mismatch is cut:\n%s", screen(m))
	}
	m, cmd := pressKeys(f.ready(60, 30), "enter")
	m = settle(t, m, cmd)
	unwrapped := strings.ReplaceAll(strings.ReplaceAll(screen(m), "\n", ""), " ", "")
	if !strings.Contains(unwrapped, "repository"+f.dir) {
		t.Errorf("the detail names the repository in full (%s):\n%s", f.dir, screen(m))
	}
}

// TestNoColorOnTheNewScreens: NO_COLOR=1 holds for the prompt, the
// findings and the help overlay of the edit form.
func TestNoColorOnTheNewScreens(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	f := newFixture(t)
	m := newModel(context.Background(), Config{Repo: f.dir}, f.svc, theme.FromEnv(false))
	m = step(m, repoMsg{repo: f.repo})
	m = step(m, planMsg{repo: f.repo, plan: f.plan})
	m = step(m, snapshotMsg{seedSnapshot()})
	m, cmd := pressKeys(m, "e")
	m = settle(t, m, cmd)
	for _, keys := range [][]string{nil, {"?"}, {"esc", "ctrl+u", "x", "esc"}} {
		m, _ = pressKeys(m, keys...)
		if s := m.Render(); strings.Contains(s, "[38;") || strings.Contains(s, "[48;") || ansi.Strip(s) == "" {
			t.Errorf("colour escape after %v: %q", keys, s)
		}
	}
}

// TestProxyRowDiffsAndDeploys: the LiteLLM proxy has a row; d shows its
// diff, a asks (or says it is in sync), e and enter explain.
func TestProxyRowDiffsAndDeploys(t *testing.T) {
	m := newFixture(t).ready(120, 30)
	m, _ = pressKeys(m, "G")
	if m.selectedHost() != "motoko" || !strings.Contains(lineOf(screen(m), "motoko "), "up") {
		t.Fatalf("the proxy's row:\n%s", screen(m))
	}
	m, _ = pressKeys(m, "enter")
	mustContain(t, screen(m), "motoko is the LiteLLM proxy: d shows its diff, a deploys it")
	m, _ = pressKeys(m, "d")
	if m.current() != viewDiff || m.diff.Host() != "motoko" {
		t.Fatalf("d diffs the proxy:\n%s", screen(m))
	}
	m, _ = pressKeys(m, "esc", "a")
	if s := screen(m); m.confirm == nil && !strings.Contains(s, "motoko is in sync") {
		t.Fatalf("a deploys the proxy (or says it is in sync):\n%s", s)
	}
}

// TestWhileADeployRuns: a second a is refused, q asks (y, w or esc), x asks
// to cancel; when the deploy ends the question on quit goes, and the end is
// announced and kept on the row.
func TestWhileADeployRuns(t *testing.T) {
	m := newFixture(t).ready(120, 30)
	m, _ = pressKeys(m, "a", "y") // the deploy's command is not run: it stays running
	m, _ = pressKeys(m, "esc", "a")
	if m.confirm != nil || !strings.Contains(screen(m), "wintermute is busy: its deploy is running") {
		t.Fatalf("a second a is refused:\n%s", screen(m))
	}
	m, _ = pressKeys(m, "x")
	mustContain(t, screen(m), "Cancel the deploy of wintermute and roll it back? y/N")
	m, _ = pressKeys(m, "n", "q")
	mustContain(t, screen(m), "A deploy of wintermute is running — y: quit and roll it back · w: wait for it, then quit · esc: stay")
	m = step(m, task.EventsMsg{ID: 1, Done: true, Err: errors.New("health gate: wintermute did not serve")})
	s := screen(m)
	if m.confirm != nil || !strings.Contains(s, "✗ deploy wintermute failed (p shows it): health gate") || !strings.Contains(lineOf(s, "wintermute "), "✗ failed") {
		t.Fatalf("the end is announced, the row keeps it, the question on quit goes:\n%s", s)
	}
	m, _ = pressKeys(m, "p", "esc")
	if strings.Contains(lineOf(screen(m), "wintermute "), "✗ failed") {
		t.Fatalf("p acknowledges the outcome:\n%s", screen(m))
	}
}

// TestQuestionsWrapAt80: at 80×24 the question on quit is whole, wrapped
// over the status lines, and the screen still has 24 lines.
func TestQuestionsWrapAt80(t *testing.T) {
	m := newFixture(t).ready(80, 24)
	m, _ = pressKeys(m, "a", "y", "esc", "q")
	s := screen(m)
	joined := strings.Join(strings.Fields(s), " ")
	if !strings.Contains(joined, "A deploy of wintermute is running — y: quit and roll it back · w: wait for it, then quit · esc: stay") {
		t.Fatalf("the question is cut:\n%s", s)
	}
	if n := strings.Count(s, "\n") + 1; n != 24 {
		t.Fatalf("%d lines, want 24:\n%s", n, s)
	}
	for _, l := range strings.Split(s, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line of %d cells: %q", w, l)
		}
	}
}
