package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
)

// runApply applies the plan: exit 0 when every host succeeded or nothing was
// to do, 1 otherwise.
func (a *app) runApply(ctx context.Context) int {
	repo, plan, err := a.applyPlan(ctx)
	if err != nil {
		return a.fail(err)
	}
	if err := a.refusal(plan); err != nil {
		plan.WriteHuman(io.Discard, a.stderr)
		return a.fail(err)
	}
	if !a.confirm(plan) {
		return a.fail(fmt.Errorf("not applied"))
	}
	eng := a.session().Engine(repo, nil)
	return a.runExitCode(eng.Apply(ctx, plan, a.observer()))
}

// runExitCode is the exit code of an apply or a restart (their one error
// contract): 1 when it could not run (the error) or a host failed, else 0.
func (a *app) runExitCode(sum apply.ApplySummary, err error) int {
	if err != nil {
		return a.fail(err)
	}
	if sum.FailedAny() {
		return exitFailure
	}
	return exitOK
}

// refusal says why the plan is not applied: errors, or routes the static
// lint says the deploy breaks (those only with --force).
func (a *app) refusal(plan *fleetplan.Plan) error {
	broken := plan.BrokenRoutes(nil, "")
	if plan.Summary.Errors > len(broken) {
		return fmt.Errorf("the plan has errors; nothing was applied")
	}
	if len(broken) == 0 {
		return nil
	}
	if !a.opts.force {
		return fmt.Errorf("deploying breaks %s; nothing was applied (--force deploys anyway)", describeRoutes(broken))
	}
	fmt.Fprintf(a.stderr, "straylight: --force: deploying although it breaks %s\n", describeRoutes(broken))
	return nil
}

// describeRoutes names each route and why the lint fails it.
func describeRoutes(routes []fleetplan.RouteCheck) string {
	parts := make([]string, len(routes))
	for i, r := range routes {
		parts[i] = fmt.Sprintf("route %s (%s)", r.Route, r.Detail)
	}
	return strings.Join(parts, ", ")
}

func (a *app) applyOptions() apply.Options {
	return apply.Options{Forks: a.opts.forks, SkipUnsupported: a.opts.skipUnsupported,
		WhenIdle: a.opts.whenIdle, NoRollback: a.opts.noRollback}
}

// applyPlan plans afresh; with --plan FILE it applies exactly the saved
// changes, refusing when anything they were computed from has changed.
func (a *app) applyPlan(ctx context.Context) (*fleet.Repo, *fleetplan.Plan, error) {
	repo, plan, err := a.plan(ctx)
	if err != nil || a.opts.planIn == "" {
		return repo, plan, err
	}
	plan, err = a.session().Restrict(plan, a.opts.planIn)
	return repo, plan, err
}

// confirm asks before applying, like terraform apply, unless --yes.
func (a *app) confirm(plan *fleetplan.Plan) bool {
	if !plan.HasChanges() {
		return true
	}
	return a.ask("apply", plan.Summary.Line(), "Apply these changes?")
}

// ask puts question on the terminal after what, unless --yes; without a
// terminal to ask on it refuses, naming --yes. verb is what --yes skips.
func (a *app) ask(verb, what, question string) bool {
	if a.opts.yes {
		return true
	}
	f, ok := a.stdin.(*os.File)
	if !ok || !isTerminal(f) {
		fmt.Fprintf(a.stderr, "straylight: no terminal to confirm on: pass --yes to %s without asking\n", verb)
		return false
	}
	fmt.Fprintln(a.stderr, what)
	fmt.Fprint(a.stderr, question+" Only 'yes' or 'y' is accepted: ")
	answer, _ := bufio.NewReader(a.stdin).ReadString('\n')
	answer = strings.TrimSpace(strings.ToLower(answer))
	return answer == "y" || answer == "yes"
}

// observer prints the engine's events: JSON Lines with --json, else one
// human line per step with the route test streamed inline.
func (a *app) observer() apply.Observer {
	if a.opts.json {
		enc := json.NewEncoder(a.stdout)
		return func(ev apply.Event) { enc.Encode(ev) }
	}
	hp := &humanPrinter{w: a.stdout}
	return hp.print
}

type humanPrinter struct {
	w         io.Writer
	mu        sync.Mutex
	streaming bool   // a line of the owner's stream is open
	owner     string // host and route of the stream printed as it arrives
	// held is the text of the other streams (hosts deploying in parallel),
	// printed whole when their test finishes, so no line mixes two streams.
	held map[string]*strings.Builder
}

func (p *humanPrinter) print(ev apply.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Kind == apply.EvRouteChunk {
		p.chunk(ev)
		return
	}
	line := humanLine(ev)
	if line == "" && ev.Kind != apply.EvRouteResult {
		return // an event the printer does not show leaves a stream's line open
	}
	if p.streaming {
		fmt.Fprintln(p.w)
		p.streaming = false
	}
	if ev.Kind == apply.EvRouteResult {
		p.endStream(ev)
	}
	if line != "" {
		fmt.Fprintln(p.w, line)
	}
}

func streamKey(ev apply.Event) string { return ev.Host + " " + ev.Route }

// chunk prints the owner stream's text inline and holds the others'.
func (p *humanPrinter) chunk(ev apply.Event) {
	key := streamKey(ev)
	if p.owner == "" {
		p.owner = key
	}
	if key != p.owner {
		p.hold(key).WriteString(ev.Chunk)
		return
	}
	if !p.streaming {
		fmt.Fprintf(p.w, "[%s] %s ▸ %s", ev.Host, ev.Route, p.release(key))
		p.streaming = true
	}
	fmt.Fprint(p.w, ev.Chunk)
}

// endStream: the owner's test finished, or a held stream's text is printed.
func (p *humanPrinter) endStream(ev apply.Event) {
	key := streamKey(ev)
	if key == p.owner {
		p.owner = ""
	} else if text := p.release(key); text != "" {
		fmt.Fprintf(p.w, "[%s] %s ▸ %s\n", ev.Host, ev.Route, text)
	}
}

func (p *humanPrinter) hold(key string) *strings.Builder {
	if p.held == nil {
		p.held = map[string]*strings.Builder{}
	}
	if p.held[key] == nil {
		p.held[key] = &strings.Builder{}
	}
	return p.held[key]
}

// release takes a held stream's text ("" when none).
func (p *humanPrinter) release(key string) string {
	b := p.held[key]
	delete(p.held, key)
	if b == nil {
		return ""
	}
	return b.String()
}

func humanLine(ev apply.Event) string {
	switch ev.Kind {
	case apply.EvPlan:
		return planLine(ev.Plan)
	case apply.EvStep:
		return stepLine(ev)
	case apply.EvHealth:
		h := ev.Health
		return fmt.Sprintf("[%s] health: %s (%s of %s) %s", ev.Host, h.State, h.Elapsed.Round(1e7), h.Timeout, h.Detail)
	case apply.EvRouteResult:
		return routeLine(ev)
	case apply.EvHostResult:
		return strings.TrimSpace(fmt.Sprintf("[%s] %s %s", ev.Host, strings.ToUpper(string(ev.Status)), ev.Message))
	case apply.EvSummary:
		return ev.Message
	case apply.EvLogs:
		return logsLines(ev)
	}
	return ""
}

// logsLines: a host that never became healthy, and its backend's last log lines.
func logsLines(ev apply.Event) string {
	lines := []string{fmt.Sprintf("[%s] logs: %s", ev.Host, ev.Message)}
	for _, l := range ev.Logs {
		lines = append(lines, fmt.Sprintf("[%s] | %s", ev.Host, l))
	}
	return strings.Join(lines, "\n")
}

func planLine(p *apply.PlanSummary) string {
	line := fmt.Sprintf("PLAY %s; order: %s", p.Summary.Line(), strings.Join(p.Order, ", "))
	if p.Why != "" {
		line += "\n  why: " + p.Why
	}
	return line
}

func stepLine(ev apply.Event) string {
	if ev.Status == apply.StatusStart && ev.Step != apply.StepHandler && ev.Step != apply.StepRollback && ev.Step != apply.StepHealth {
		return ""
	}
	parts := []string{fmt.Sprintf("[%s] %s %s", ev.Host, ev.Step, ev.Status)}
	for _, s := range []string{ev.Dest, ev.Message} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

func routeLine(ev apply.Event) string {
	r := ev.Result
	if !r.OK {
		return fmt.Sprintf("[%s] route %s FAILED: %s", ev.Host, ev.Route, r.Error)
	}
	return fmt.Sprintf("[%s] route %s ok: first token %s, %.1f tokens/s, %d tokens, finish %s",
		ev.Host, ev.Route, r.TTFT.Round(1e6), r.TokensPerSec, r.CompletionToks, r.FinishReason)
}
