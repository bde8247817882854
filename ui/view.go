package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/task"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// View draws the whole screen: header, the view on top, the status line
// and the key help.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "straylight"
	return v
}

// Render is the screen's text (View's content).
func (m Model) Render() string {
	lines := []string{m.header(), m.body(), m.statusLine(), m.footer()}
	return strings.Join(lines, "\n")
}

func (m Model) body() string {
	h := m.bodyHeight()
	switch {
	case m.showHelp:
		return m.help.Overlay("Keys · "+m.current().String(), m.focused(), m.width, h)
	case m.phase == phaseLoading:
		return layout.Clip("\n  "+m.spinner()+" reading the repository…", m.width, h)
	case m.phase == phaseFailed:
		return layout.Clip(m.failure(), m.width, h)
	}
	return layout.Clip(m.viewBody(), m.width, h)
}

func (m Model) viewBody() string { return m.current().spec().body(m) }

// fleetBody is the fleet table, under the banner of deploys cut short.
func (m Model) fleetBody() string {
	if banner := m.bannerLines(); len(banner) > 0 {
		return strings.Join(banner, "\n") + "\n" + m.fleet.View()
	}
	return m.fleet.View()
}

func (m Model) failure() string {
	wrapped := ansi.Wordwrap(m.errText, max(20, m.width-4), " /")
	return "\n" + m.th.Err.S("  cannot read the repository:") + "\n\n" + indent(wrapped, "  ") +
		"\n\n" + m.th.Dim.S("  fix it and start straylight again · q quits")
}

func indent(s, pad string) string {
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

// header: the product and repository on the left; git, the proxy and the
// routes on the right.
func (m Model) header() string {
	right := strings.Join(m.headerFacts(), m.th.Dim.S(" │ "))
	title := m.th.Title.S("straylight") + " "
	room := m.width - layout.Width(title) - layout.Width(right) - 1
	repo := m.th.Dim.S(m.repoName(max(0, room)))
	gap := layout.Pad(max(1, m.width-layout.Width(title)-layout.Width(repo)-layout.Width(right)))
	return layout.Truncate(title+repo+gap+right, m.width)
}

// repoName is the repository's full path when it fits, else its
// directory name cut to w (the host detail always shows the full path).
func (m Model) repoName(w int) string {
	root := m.cfg.repoDir()
	if m.repo != nil {
		root = m.repo.Root()
	}
	if layout.Width(root) <= w {
		return root
	}
	return layout.Truncate(filepath.Base(root), w)
}

func (m Model) headerFacts() []string {
	if m.phase != phaseReady {
		return nil
	}
	facts := []string{m.gitFact(), m.proxyFact()}
	if r := m.routesFact(); r != "" {
		facts = append(facts, r)
	}
	return facts
}

func (m Model) gitFact() string {
	s := m.git.String()
	if m.git.changed > 0 {
		return m.th.Warn.S(s)
	}
	return s
}

func (m Model) proxyFact() string {
	f := m.fleetModel()
	if f == nil || f.Proxy == nil {
		return m.th.Dim.S("no LiteLLM proxy")
	}
	state := status.StateUnknown
	if m.snap != nil && m.snap.Proxy != nil {
		state = m.snap.Proxy.State
	}
	text := "litellm " + f.Proxy.Name + " " + stateWord(state)
	switch state {
	case status.StateUp:
		return m.th.OK.S(text)
	case status.StateUnknown:
		return m.th.Dim.S(text)
	}
	return m.th.Err.S(text)
}

func stateWord(s status.State) string {
	if s == status.StateUnknown {
		return "…"
	}
	return string(s)
}

// routesFact is "routes ok n/m": live when the monitor has spoken, else the
// plan's static lint.
func (m Model) routesFact() string {
	ok, total, live := m.routeCounts()
	if total == 0 {
		return ""
	}
	text := fmt.Sprintf("routes ok %d/%d", ok, total)
	if !live {
		text += " (static)"
	}
	if ok == total {
		return m.th.OK.S(text)
	}
	return m.th.Err.S(text)
}

// routeCounts: a route is ok when the live lint says so and the static
// lint does not fail it (a repository error is not deployed yet, but it
// will break the route).
func (m Model) routeCounts() (ok, total int, live bool) {
	if m.snap != nil && len(m.snap.Routes) > 0 {
		broken := map[string]bool{}
		if m.plan != nil {
			for _, r := range m.plan.BrokenRoutes(nil, "") {
				broken[r.Route] = true
			}
		}
		for _, r := range m.snap.Routes {
			if r.State == status.RouteOK && !broken[r.Route.Alias] {
				ok++
			}
		}
		return ok, len(m.snap.Routes), true
	}
	if m.plan != nil {
		return m.plan.Summary.RoutesOK, m.plan.Summary.Routes, false
	}
	return 0, 0, false
}

// statusLine is the question, the filter being typed, the error bar, a
// notice or what runs in the background, in that order. A question or an
// error wraps onto up to three lines rather than being cut: it names what
// the operator must decide on.
func (m Model) statusLine() string {
	switch {
	case m.asking != nil:
		return m.asking.input.View(m.width, m.th)
	case m.confirm != nil:
		return m.wrapped(m.confirm.prompt, m.th.Prompt)
	case m.filtering:
		return layout.Truncate("/"+m.filterIn.View(m.width-2, true, m.th), m.width)
	case m.errText != "" && m.phase != phaseFailed:
		return m.errorBar()
	case m.notice != "":
		return layout.Truncate(strings.TrimSpace(m.th.Info.S(m.notice)+"  "+m.background()), m.width)
	}
	return layout.Truncate(m.background(), m.width)
}

// maxStatusLines bounds a wrapped question or error.
const maxStatusLines = 3

// wrapped folds text to the width, painted, on up to maxStatusLines lines.
func (m Model) wrapped(text string, paint theme.Paint) string {
	lines := strings.Split(ansi.Wrap(oneLine(text), max(20, m.width), " /,"), "\n")
	if len(lines) > maxStatusLines {
		lines = lines[:maxStatusLines]
		lines[maxStatusLines-1] = layout.Truncate(lines[maxStatusLines-1]+" …", m.width)
	}
	for i, l := range lines {
		lines[i] = paint.S(layout.Truncate(l, m.width))
	}
	return strings.Join(lines, "\n")
}

func (m Model) errorBar() string {
	lines := strings.Split(m.wrapped("✗ "+m.errText, theme.Paint{}), "\n")
	for i, l := range lines {
		lines[i] = m.th.ErrorBar.S(layout.Fit(l, m.width))
	}
	return strings.Join(lines, "\n")
}

// statusHeight is how many lines the status line takes now.
func (m Model) statusHeight() int { return strings.Count(m.statusLine(), "\n") + 1 }

// background says what runs: tasks, the plan, an active filter.
func (m Model) background() string {
	var parts []string
	for id := task.ID(1); id <= m.nextTask; id++ {
		if p, ok := m.tasks[id]; ok && p.Running() {
			parts = append(parts, m.spinner()+" "+string(p.Kind)+" "+p.Target)
		}
	}
	if m.planning && m.plan != nil {
		parts = append(parts, m.th.Dim.S("planning…"))
	}
	if f := m.activeFilter(); f != "" {
		parts = append(parts, m.th.Dim.S("filter: "+f+" (esc clears)"))
	}
	return strings.Join(parts, "  ")
}

func (m Model) activeFilter() string {
	switch m.current() {
	case viewFleet:
		return m.fleet.Filter()
	case viewRoutes:
		return m.routes.Filter()
	}
	return ""
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// footer is the focused view's keys; "? help" and the quit key are always
// on it, whatever the width.
func (m Model) footer() string {
	pinned := []key.Binding{m.keys.Help, m.keys.Quit}
	if m.phase == phaseReady && m.current() == viewEdit {
		pinned = []key.Binding{m.edit.Keys.Help, m.edit.Keys.Quit}
	}
	if m.phase != phaseReady {
		return layout.Truncate(m.help.Footer(m.keys, pinned, m.width), m.width)
	}
	return layout.Truncate(m.help.Footer(m.focused(), pinned, m.width), m.width)
}
