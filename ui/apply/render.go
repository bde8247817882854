package apply

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Marks of a step's status; a running step shows the spinner's frame.
const (
	MarkOK      = "✓"
	MarkFailed  = "✗"
	MarkSkipped = "–"
)

// Lines renders the progress for a width; spin is the spinner's frame.
func Lines(p *Progress, width int, spin string, th *theme.Theme) []string {
	return LinesAt(p, width, spin, time.Time{}, th)
}

// LinesAt renders the progress at now: a running health gate's time moves
// on from its last report (a zero now shows the reports as they are).
func LinesAt(p *Progress, width int, spin string, now time.Time, th *theme.Theme) []string {
	r := renderer{width: max(20, width), spin: spin, now: now, th: th}
	return r.progress(p)
}

type renderer struct {
	width int
	spin  string
	now   time.Time
	th    *theme.Theme
	out   []string
}

func (r *renderer) add(s string) { r.out = append(r.out, s) }

func (r *renderer) progress(p *Progress) []string {
	r.add(r.title(p))
	if len(p.Order) > 1 {
		r.add(r.th.Dim.S("order: " + strings.Join(p.Order, " → ") + why(p.Why)))
	}
	for _, h := range p.Hosts {
		r.host(h)
	}
	for _, s := range p.Routes {
		r.stream(s, "")
	}
	r.ending(p)
	return r.out
}

func why(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func (r *renderer) title(p *Progress) string {
	mark := r.spin
	switch {
	case p.Done && p.Failed():
		mark = r.th.Err.S(MarkFailed)
	case p.Done:
		mark = r.th.OK.S(MarkOK)
	}
	return mark + " " + r.th.Title.S(titleCase(string(p.Kind))+" "+p.Target)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (r *renderer) host(h *HostProgress) {
	r.add("")
	r.add(r.outcomeMark(h) + " " + r.th.Bold.S(h.Host) + r.outcomeText(h))
	for _, s := range h.Steps {
		r.step(h, s)
	}
	r.logTail(h)
	for _, s := range h.Routes {
		r.stream(s, "  ")
	}
}

func (r *renderer) outcomeMark(h *HostProgress) string {
	switch h.Outcome {
	case "":
		return r.spin
	case string(apply.OutcomeFailed):
		return r.th.Err.S(MarkFailed)
	case string(apply.OutcomeSkipped):
		return r.th.Dim.S(MarkSkipped)
	}
	return r.th.OK.S(MarkOK)
}

func (r *renderer) outcomeText(h *HostProgress) string {
	if h.Outcome == "" {
		return ""
	}
	text := "  " + h.Outcome
	if h.Message != "" {
		text += ": " + h.Message
	}
	if h.Outcome == string(apply.OutcomeFailed) {
		return r.th.Err.S(text)
	}
	return r.th.Dim.S(text)
}

// stepName is a step as the operator reads it.
func stepName(s apply.Step) string {
	switch s {
	case apply.StepIdleWait:
		return "wait idle"
	case apply.StepPending:
		return "record restart"
	case apply.StepHandler:
		return "restart"
	case apply.StepRouteTest:
		return "route test"
	case apply.StepRollback:
		return "↺ rollback"
	case apply.StepViaAnsible:
		return "via ansible"
	}
	return string(s) // backup, write, health
}

func (r *renderer) step(h *HostProgress, s StepLine) {
	if s.Step == apply.StepRouteTest && s.Status == apply.StatusOK {
		s.Message, _, _ = strings.Cut(s.Message, ":") // TTFT and rate: on the stream's result line, once
	}
	line := "  " + r.statusMark(s.Status) + " " + layout.Fit(stepName(s.Step), 14) + s.Dest
	switch {
	case s.Message != "" && s.Dest != "":
		line += r.th.Dim.S("  " + s.Message)
	case s.Message != "":
		line += r.th.Dim.S(s.Message)
	}
	if s.Step == apply.StepRollback {
		line = r.th.Warn.S(ansi.Strip(line))
	}
	r.add(line)
	if s.Step == apply.StepHealth && s.Status == apply.StatusStart && h.Health != nil {
		r.add("      " + r.health(h.Health, r.since(h.HealthAt)))
	}
}

func (r *renderer) statusMark(s apply.StepStatus) string {
	switch s {
	case apply.StatusOK:
		return r.th.OK.S(MarkOK)
	case apply.StatusFailed:
		return r.th.Err.S(MarkFailed)
	case apply.StatusSkipped:
		return r.th.Dim.S(MarkSkipped)
	}
	return r.spin
}

// health is the gate's progress: state, a bar of the time spent against the
// timeout, what it waits for.
func (r *renderer) health(hp *apply.HealthProgress, later time.Duration) string {
	elapsed := min(hp.Elapsed+later, max(hp.Timeout, hp.Elapsed))
	frac := 0.0
	if hp.Timeout > 0 {
		frac = float64(elapsed) / float64(hp.Timeout)
	}
	full, empty := layout.Bar(frac, 10)
	text := fmt.Sprintf("%s %s/%s  expecting %s", hp.State, round(elapsed), round(hp.Timeout), hp.Expected)
	if hp.Detail != "" {
		text += r.th.Dim.S(" · " + hp.Detail)
	}
	return r.th.BarFull.S(full) + r.th.BarEmpty.S(empty) + " " + text
}

// since is how long ago t was at the render's now; 0 without a now.
func (r *renderer) since(t time.Time) time.Duration {
	if r.now.IsZero() || t.IsZero() {
		return 0
	}
	return max(0, r.now.Sub(t))
}

func round(d time.Duration) time.Duration { return d.Round(time.Second) }

// stream shows a route test: the text as it streams in, wrapped, then the
// TTFT and the rate, or the decoded error.
func (r *renderer) stream(s *RouteStream, indent string) {
	r.add(indent + r.streamMark(s) + " route " + r.th.Bold.S(s.Route))
	if s.Text != "" {
		wrapped := ansi.Hardwrap(ansi.Wordwrap(s.Text, r.width-len(indent)-4, ""), r.width-len(indent)-4, true)
		for _, l := range strings.Split(wrapped, "\n") {
			r.add(indent + r.th.Dim.S("  │ ") + l)
		}
	}
	if s.Result != nil {
		r.add(indent + "    " + r.result(s.Result))
	}
}

func (r *renderer) streamMark(s *RouteStream) string {
	switch {
	case s.Result == nil:
		return r.spin
	case s.Result.OK:
		return r.th.OK.S(MarkOK)
	}
	return r.th.Err.S(MarkFailed)
}

// result is "TTFT 182ms · 41.3 tok/s · 12 tokens · stop" or the error.
func (r *renderer) result(res *apply.RouteResult) string {
	if !res.OK {
		return r.th.Err.S(res.Error)
	}
	parts := []string{"TTFT " + millis(res.TTFT), fmt.Sprintf("%.1f tok/s", res.TokensPerSec)}
	if res.CompletionToks > 0 {
		parts = append(parts, fmt.Sprintf("%d tokens", res.CompletionToks))
	}
	if res.FinishReason != "" {
		parts = append(parts, res.FinishReason)
	}
	return r.th.OK.S(strings.Join(parts, " · "))
}

func millis(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}

func (r *renderer) ending(p *Progress) {
	switch {
	case p.Err != nil:
		r.add("")
		r.add(r.th.Err.S("✗ " + p.Err.Error()))
	case p.Line != "":
		r.add("")
		r.add(r.summaryPaint(p).S(p.Line))
	case p.Done && p.Summary != nil:
		r.add("")
		r.add(r.summaryPaint(p).S(summaryText(p.Summary)))
	}
}

func (r *renderer) summaryPaint(p *Progress) theme.Paint {
	if p.Failed() {
		return r.th.Err
	}
	return r.th.OK
}

func summaryText(s *apply.ApplySummary) string {
	return fmt.Sprintf("%d ok, %d failed, %d skipped, %d unchanged", s.OK, s.Failed, s.Skipped, s.Unchanged)
}
