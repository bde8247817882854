package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/fleet"
	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/ui/apply"
	"github.com/straylight-fleet/straylight/ui/task"
)

// quit leaves at once when no deploy or restart runs. While one runs it
// asks: roll it back and quit, wait for it, or stay. Asked again (q or
// ctrl+c at the question, or while waiting) it quits and rolls back: Run
// still waits for the rollback before the process exits.
func (m Model) quit() (Model, tea.Cmd) {
	running := m.runningTasks()
	if len(running) == 0 || m.quitting || (m.confirm != nil && m.confirm.quit) {
		m.rt.engine.cancelAll()
		m.Close()
		return m, tea.Quit
	}
	t := running[0]
	m.confirm = &confirmation{
		prompt: fmt.Sprintf("A %s of %s is running — y: quit and roll it back · w: wait for it, then quit · esc: stay", t.Kind, t.Target),
		run: func(m Model) (Model, tea.Cmd) {
			m.rt.engine.cancelAll()
			return m.quitWhenDone("rolling back " + t.Target)
		},
		others: map[string]func(Model) (Model, tea.Cmd){
			"w": func(m Model) (Model, tea.Cmd) {
				return m.quitWhenDone("waiting for the " + string(t.Kind) + " of " + t.Target)
			},
		},
		quit: true,
	}
	return m, nil
}

// runningTasks are the deploys and restarts not finished, oldest first.
func (m Model) runningTasks() []*apply.Progress {
	var out []*apply.Progress
	for id := task.ID(1); id <= m.nextTask; id++ {
		if p, ok := m.tasks[id]; ok && p.Running() && p.Kind != apply.KindRouteTest {
			out = append(out, p)
		}
	}
	return out
}

// runningOn is the deploy or restart running on host, if any.
func (m Model) runningOn(host string) *apply.Progress {
	for _, p := range m.runningTasks() {
		if p.Target == host {
			return p
		}
	}
	return nil
}

// quitWhenDone quits as soon as no deploy or restart runs.
func (m Model) quitWhenDone(what string) (Model, tea.Cmd) {
	if len(m.runningTasks()) == 0 {
		m.Close()
		return m, tea.Quit
	}
	m.quitting = true
	m.notice = what + ", then quitting… (q again: quit now, still rolling back)"
	return m, nil
}

// askCancel asks before cancelling a host's running deploy or restart.
func (m Model) askCancel(host string) Model {
	p := m.runningOn(host)
	if p == nil {
		m.notice = "nothing runs on " + host + " to cancel"
		return m
	}
	m.confirm = &confirmation{
		prompt: fmt.Sprintf("Cancel the %s of %s and roll it back? y/N", p.Kind, host),
		run: func(m Model) (Model, tea.Cmd) {
			if t := m.rt.engine.find(host); t != nil {
				t.stop()
			}
			m.notice = fmt.Sprintf("cancelling the %s of %s: rolling it back…", p.Kind, host)
			return m, nil
		},
	}
	return m
}

// refuseBusy says why a host cannot be deployed or restarted now: a
// deploy or restart runs on it, or elsewhere (one at a time: the
// repository lock).
func (m Model) refuseBusy(host string) (Model, bool) {
	if p := m.runningOn(host); p != nil {
		m.errText = fmt.Sprintf("%s is busy: its %s is running (p shows it · x cancels it)", host, p.Kind)
		return m, true
	}
	if running := m.runningTasks(); len(running) > 0 {
		p := running[0]
		m.errText = fmt.Sprintf("a %s of %s is running: one at a time (p shows it)", p.Kind, p.Target)
		return m, true
	}
	return m, false
}

// runningProgress is the progress of the deploy or restart running, if any.
func (m Model) runningProgress() *apply.Progress {
	if running := m.runningTasks(); len(running) > 0 {
		return running[0]
	}
	return nil
}

// notify reports a task's end wherever the operator is: the status line
// says it, and a deploy's or restart's row keeps it until its progress is
// seen (p).
func (m Model) notify(p *apply.Progress) Model {
	text := outcomeText(p)
	if p.Failed() {
		m.errText = strings.TrimPrefix(text, "✗ ") // the error bar marks it
	} else {
		m.notice = text
	}
	if p.Kind != apply.KindRouteTest {
		m.outcomes[p.Target] = outcomeMark(p)
		m.cutShort = without(m.cutShort, p.Target)
		m.layout()
	}
	return m
}

func without(cut []fleet.CutShort, host string) []fleet.CutShort {
	var out []fleet.CutShort
	for _, c := range cut {
		if c.Host != host {
			out = append(out, c)
		}
	}
	return out
}

// bannerLines tell, above the fleet, what a dead straylight left
// unfinished: from the audit log and the pending-restart records.
func (m Model) bannerLines() []string {
	var out []string
	for _, c := range m.cutShort {
		wrapped := ansi.Wrap("⚠ "+cutShortText(c), max(20, m.width-2), " ")
		for _, l := range strings.Split(wrapped, "\n") {
			out = append(out, m.th.Warn.S(l))
		}
	}
	return out
}

// cutShortText names the host and what is owed.
func cutShortText(c fleet.CutShort) string {
	if c.Host == "" {
		return strings.Join(c.Owed, "; ")
	}
	what := "a " + deployWord(c.Action) + " of " + c.Host
	text := what + " was cut short"
	if !c.Since.IsZero() {
		text = fmt.Sprintf("%s (started %s by %s, never finished)", text, c.Since.Local().Format("Jan 2 15:04:05"), c.User)
	}
	if len(c.Owed) > 0 {
		return text + " · restart owed: " + strings.Join(c.Owed, ", ") + " · a deploys it"
	}
	return text + " · its state is unknown: check it (r restarts it)"
}

func deployWord(action string) string {
	if action == "apply" {
		return "deploy"
	}
	return action
}

// outcomeText is one line: "✗ deploy wintermute failed, rolled back: …".
func outcomeText(p *apply.Progress) string {
	what := string(p.Kind) + " " + p.Target
	switch {
	case !p.Failed():
		return "✓ " + what + " ok"
	case rolledBack(p):
		return "✗ " + what + " failed, rolled back (p shows it): " + failure(p)
	}
	return "✗ " + what + " failed (p shows it): " + failure(p)
}

// outcomeMark is the row's short form (the DRIFT column).
func outcomeMark(p *apply.Progress) string {
	switch {
	case !p.Failed() && p.Kind == apply.KindRestart:
		return "✓ restarted"
	case !p.Failed():
		return "✓ deployed"
	case rolledBack(p):
		return "✗ reverted"
	}
	return "✗ failed"
}

func rolledBack(p *apply.Progress) bool {
	for _, h := range p.Hosts {
		for _, s := range h.Steps {
			if s.Step == fleetapply.StepRollback && s.Status == fleetapply.StatusOK {
				return true
			}
		}
	}
	return false
}

// failure is why the task failed: its error, or the first failed host's.
func failure(p *apply.Progress) string {
	if p.Err != nil {
		return p.Err.Error()
	}
	for _, h := range p.Hosts {
		if h.Outcome == string(fleetapply.OutcomeFailed) {
			return h.Message
		}
	}
	return "see its progress"
}
