package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/ui/apply"
	"github.com/straylight-fleet/straylight/ui/diff"
	"github.com/straylight-fleet/straylight/ui/task"
)

// askDeploy asks before deploying a host (the key contract: a, then y).
func (m Model) askDeploy(host string) (Model, tea.Cmd) {
	if m, busy := m.refuseBusy(host); busy {
		return m, nil
	}
	if m.plan == nil {
		m.errText = "no plan yet: wait for the plan (drift column) before deploying"
		return m, nil
	}
	if m.hostPlan(host) == nil {
		m.errText = host + " is not in the plan (outside --limit, or no play targets it)"
		return m, nil
	}
	if c := diff.Count(m.hostPlan(host)); c.Changed+c.Unknown == 0 && !owesRestart(m.hostPlan(host)) {
		m.notice = host + " is in sync: nothing to deploy (r restarts its vLLM)"
		return m, nil
	}
	what := diff.Summary(m.hostPlan(host), m.routesOf(host))
	prompt := fmt.Sprintf("Deploy %s? y/N · %s", host, what)
	if broken := m.plan.BrokenRoutes([]string{host}, m.proxyName()); len(broken) > 0 {
		r := broken[0]
		prompt = fmt.Sprintf("Deploy %s? It breaks route %s: %s · y deploys anyway, N", host, r.Route, r.Detail)
	}
	m.confirm = &confirmation{
		prompt: prompt,
		run:    func(m Model) (Model, tea.Cmd) { return m.startDeploy(host) },
	}
	return m, nil
}

// owesRestart: an earlier apply died before running the host's restart.
func owesRestart(hp *plan.HostPlan) bool {
	for _, h := range hp.Handlers {
		if h.Pending {
			return true
		}
	}
	return false
}

// askRestart asks before restarting a host's vLLM.
func (m Model) askRestart(host string) (Model, tea.Cmd) {
	if m, busy := m.refuseBusy(host); busy {
		return m, nil
	}
	m.confirm = &confirmation{
		prompt: fmt.Sprintf("Restart vLLM on %s? y/N · the health gate and route tests follow", host),
		run:    func(m Model) (Model, tea.Cmd) { return m.startRestart(host) },
	}
	return m, nil
}

func (m Model) startDeploy(host string) (Model, tea.Cmd) {
	svc, repo, plan := m.svc, m.repo, m.plan // the engine is built in the task's command, off Update: it looks up ansible-playbook
	return m.startTask(apply.KindDeploy, host, func(ctx context.Context, obs fleetapply.Observer) error {
		_, err := svc.engine(repo, []string{host}).Apply(ctx, plan, obs)
		return err
	})
}

func (m Model) startRestart(host string) (Model, tea.Cmd) {
	svc, repo := m.svc, m.repo
	return m.startTask(apply.KindRestart, host, func(ctx context.Context, obs fleetapply.Observer) error {
		_, err := svc.engine(repo, []string{host}).Restart(ctx, host, obs) // a failed host is in the summary, as a deploy's
		return err
	})
}

// startRouteTest streams each route in turn; target names what was asked
// (a host or a route).
func (m Model) startRouteTest(target string, routeNames []string) (Model, tea.Cmd) {
	if len(routeNames) == 0 {
		m.errText = "no LiteLLM route goes through " + target
		return m, nil
	}
	if m, busy := m.refuseTestThroughBusy(routeNames); busy {
		return m, nil
	}
	svc, repo := m.svc, m.repo
	return m.startTask(apply.KindRouteTest, target, func(ctx context.Context, obs fleetapply.Observer) error {
		eng := svc.engine(repo, nil)
		var failed []string
		for _, r := range routeNames {
			if err := testRoute(ctx, eng, r, obs); err != nil {
				failed = append(failed, err.Error())
			}
		}
		if len(failed) > 0 {
			return errors.New(strings.Join(failed, "; "))
		}
		return nil
	})
}

// testRoute runs one route test. A failure the engine reported as the
// route's result is shown there already; only one it could not report (no
// proxy, no such route) is returned.
func testRoute(ctx context.Context, eng engine, route string, obs fleetapply.Observer) error {
	reported := false
	_, err := eng.TestRoute(ctx, route, func(ev fleetapply.Event) {
		reported = reported || ev.Kind == fleetapply.EvRouteResult
		obs(ev)
	})
	if reported {
		return nil
	}
	return err
}

// startTask runs work in the background (the engine calls obs from its own
// goroutines); its events come back through the task's pump. The progress
// view opens on it.
func (m Model) startTask(kind apply.Kind, target string, work func(context.Context, fleetapply.Observer) error) (Model, tea.Cmd) {
	m.nextTask++
	id := m.nextTask
	pump := task.New(id)
	progress := apply.New(kind, target)
	m.tasks[id], m.pumps[id] = progress, pump
	m.apply.Show(progress)
	m.apply.Refresh(m.spinner())
	if m.current() != viewApply {
		m = m.push(viewApply)
	}
	run := m.runner(id, kind, target, pump, work)
	m.rebuild() // the row says what runs on it
	m, spin := m.startSpinning()
	return m, tea.Batch(run, pump.Next(m.rt.ctx), spin)
}

// runner is the command that runs a task's work. A deploy or restart runs
// under its own context, registered with the runtime: quitting does not
// cut it short, cancelling it rolls the host back. A route test stops with
// the program.
func (m Model) runner(id task.ID, kind apply.Kind, target string, pump *task.Pump, work func(context.Context, fleetapply.Observer) error) tea.Cmd {
	if kind == apply.KindRouteTest {
		ctx := m.rt.ctx
		return func() tea.Msg {
			pump.Finish(runGuarded(func() error { return work(ctx, pump.Observe) }))
			return nil
		}
	}
	engines := m.rt.engine
	return func() tea.Msg { // registered when it runs: a discarded command leaves nothing behind
		ctx, et := engines.start(id, kind, target)
		obs := func(ev fleetapply.Event) { et.watch(ev); pump.Observe(ev) }
		err := runGuarded(func() error { return work(ctx, obs) })
		engines.end(id)
		pump.Finish(err)
		return nil
	}
}

// runGuarded turns a panic in the engine into the task's error.
func runGuarded(work func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error (please report): %v", r)
		}
	}()
	return work()
}

// onEvents folds a task's events into its progress; when the task is done
// the plan and git state are refreshed (a deploy changes drift).
func (m Model) onEvents(msg task.EventsMsg) (Model, tea.Cmd) {
	p, ok := m.tasks[msg.ID]
	if !ok {
		return m, nil
	}
	var logs []tea.Cmd
	for _, ev := range msg.Events {
		p.Fold(ev)
		m.recordRouteResult(ev)
		logs = append(logs, m.logTailOnGateFailure(msg.ID, ev))
	}
	if m.apply.Progress() == p {
		m.apply.Refresh(m.spinner())
	}
	if !msg.Done {
		return m, tea.Batch(append(logs, m.pumps[msg.ID].Next(m.rt.ctx))...)
	}
	m, cmd := m.finishTask(msg, p)
	return m, tea.Batch(append(logs, cmd)...)
}

func (m Model) finishTask(msg task.EventsMsg, p *apply.Progress) (Model, tea.Cmd) {
	p.Finish(msg.Err)
	delete(m.pumps, msg.ID)
	if m.apply.Progress() == p {
		m.apply.Refresh(m.spinner())
	}
	m = m.notify(p)
	m.rebuild()
	if m.confirm != nil && m.confirm.quit && len(m.runningTasks()) == 0 {
		m.confirm = nil // the question on quit is moot: nothing runs now
		m.notice = outcomeText(p) + " · q quits"
	}
	if m.quitting && len(m.runningTasks()) == 0 {
		m.Close()
		return m, tea.Quit
	}
	if p.Kind == apply.KindRouteTest {
		return m, nil
	}
	if m.svc.targets != nil && m.repo != nil {
		repository, _ := m.svc.targets(m.repo, nil)
		m.rt.adoptRepository(p.Deployed(), repository)
	}
	m, plan := m.requestPlan()
	return m, tea.Batch(plan, m.readGit())
}

// recordRouteResult keeps the last test of each route for the routes pane.
func (m *Model) recordRouteResult(ev fleetapply.Event) {
	if ev.Kind == fleetapply.EvRouteResult && ev.Result != nil {
		m.tests[ev.Route] = *ev.Result
	}
}
