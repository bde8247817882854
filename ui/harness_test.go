package ui

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// gate lets a test wait until the model reaches a state, checked inside
// Update (on the program's goroutine, so nothing races), and then freeze it:
// once frozen, live refreshes no longer reach the model, so the final View
// shows the state the test waited for.
type gate struct {
	mu      sync.Mutex
	cond    func(Model) bool
	reached chan struct{}
	frozen  bool
	last    string // the last frame, for failure messages
}

func describeLast(g *gate) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last
}

func (g *gate) await(cond func(Model) bool) <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cond, g.reached = cond, make(chan struct{})
	return g.reached
}

func (g *gate) check(m Model) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.last = m.Render()
	if g.cond != nil && g.cond(m) {
		close(g.reached)
		g.cond = nil
	}
}

func (g *gate) freeze() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.frozen = true
}

// passes drops, once frozen, the background refreshes (snapshots, plans,
// git state); what the operator's keys cause still arrives.
func (g *gate) passes(msg tea.Msg) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch msg.(type) {
	case snapshotMsg, planMsg, replanMsg, gitMsg:
		return !g.frozen
	}
	return true
}

// watched is the root under test with its gate.
type watched struct {
	Model
	g *gate
}

func (w watched) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if !w.g.passes(msg) {
		return w, nil
	}
	out, cmd := w.Model.Update(msg)
	w.Model = out.(Model)
	w.g.check(w.Model)
	return w, cmd
}

// waitUntil waits for cond (checked after every Update) or fails the test.
func waitUntil(t *testing.T, g *gate, what string, cond func(Model) bool) {
	t.Helper()
	waitAfter(t, g, what, cond, func() {})
}

// waitAfter arms cond, does what causes it (pressing keys), then waits: so
// the updates that satisfy cond cannot come before it is armed.
func waitAfter(t *testing.T, g *gate, what string, cond func(Model) bool, do func()) {
	t.Helper()
	reached := g.await(cond)
	do()
	select {
	case <-reached:
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s; the model was:\n%s", what, describeLast(g))
	}
}

// lab starts the simulated lab in the seed's state, refreshing fast.
func lab(t *testing.T, opts demo.Options) *demo.Demo {
	t.Helper()
	opts.Dir = filepath.Join(t.TempDir(), "homelab")
	d, err := demo.Start(opts)
	if err != nil {
		t.Fatalf("demo.Start: %v", err)
	}
	t.Cleanup(d.Close)
	settings := "refresh_seconds: 0.2\nprobe_timeout_seconds: 2\nhealth_timeout_seconds: 20\nroute_test_max_tokens: 12\n"
	if err := os.WriteFile(filepath.Join(d.Dir, "straylight.yml"), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// startUI runs the real UI on a repository in teatest.
func startUI(t *testing.T, repo string, w, h int) (*teatestModel, *gate) {
	t.Helper()
	cfg := Config{Repo: repo, NoColor: true}
	g := &gate{}
	m := newModel(context.Background(), cfg, defaultServices(cfg), theme.New(true))
	tm := teatest.NewTestModel(t, watched{Model: m, g: g}, teatest.WithInitialTermSize(w, h))
	t.Cleanup(func() { _ = tm.Quit() })
	return tm, g
}

// finalView quits and returns the last frame's text.
func finalView(t *testing.T, tm *teatestModel) string {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(watched)
	fm.Close()
	return fm.Render()
}

// press sends keys by their names ("tab", "enter", "esc", or text).
func press(tm *teatestModel, names ...string) {
	for _, n := range names {
		tm.Send(keyPress(n))
	}
}

// masks hide what differs between runs: temporary paths, loopback
// addresses, timings. Timings in free text become a fixed token; figures
// in table cells keep their width (each digit becomes #).
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(/tmp/\S*)?\bhomelab +`), "REPO "}, // the header: full path or name, as room allows
	{regexp.MustCompile(`127\.\d+\.\d+\.\d+(:\d+)?`), "LOOPBACK"},
	{regexp.MustCompile(`(after|TTFT) \d+(\.\d+)?(ms|s)\b`), "$1 <time>"},
	{regexp.MustCompile(`\d+(\.\d+)? (tokens|tok)/s`), "<rate> $2/s"},
	{regexp.MustCompile(`\b[0-9a-f]{12}\b`), "<sha>"},
	{regexp.MustCompile(`\.bak\.\d+`), ".bak.<n>"},
	// sparklines grow with every snapshot: their glyphs become blanks (the
	// history golden, fed fixed snapshots, keeps them)
	{regexp.MustCompile(`[▁▂▃▄▅▆▇╌]`), " "},
}

// digitsIn are cells whose figures vary from run to run (utilization, idle
// time) but whose width does not.
var digitsIn = []*regexp.Regexp{
	regexp.MustCompile(`\d+%`),
	regexp.MustCompile(`idle ≥?\d+[a-z]+`),
}

var digit = regexp.MustCompile(`\d`)

// mask applies masks and digitsIn.
func mask(s string) string {
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	for _, re := range digitsIn {
		s = re.ReplaceAllStringFunc(s, func(x string) string { return digit.ReplaceAllString(x, "#") })
	}
	return s
}

type teatestModel = teatest.TestModel
