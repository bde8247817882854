package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/detail"
	"github.com/straylight-fleet/straylight/ui/diff"
	"github.com/straylight-fleet/straylight/ui/fleettable"
	"github.com/straylight-fleet/straylight/ui/routes"
)

type (
	repoMsg struct {
		repo     *fleet.Repo
		cutShort []fleet.CutShort // deploys a dead straylight left unfinished
		err      error
	}
	planMsg struct {
		repo *fleet.Repo // reopened: edits since are in it
		plan *plan.Plan
		err  error
	}
	valuesMsg struct {
		host   string
		values []detail.Value
		err    error
	}
	replanMsg   struct{}
	snapshotMsg struct{ snap status.Snapshot }
	gitMsg      struct{ state gitState }
	errMsg      struct{ err error }
	// monitorMsg says the monitor runs; the model keeps nothing of it (the
	// runtime does) but starts reading its snapshots.
	monitorMsg struct{}
)

// safely runs a command's work, turning a panic into the error bar.
func safely(work func() tea.Msg) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = errMsg{fmt.Errorf("internal error (please report): %v", r)}
			}
		}()
		return work()
	}
}

func (m Model) openRepo() tea.Cmd {
	return safely(func() tea.Msg {
		repo, err := m.svc.open()
		if err != nil {
			return repoMsg{err: err}
		}
		cut, cerr := repo.CutShort()
		if cerr != nil { // the log is unreadable: say so, and open anyway
			cut = append(cut, fleet.CutShort{Action: "unknown", Owed: []string{"state unreadable: " + cerr.Error()}})
		}
		return repoMsg{repo: repo, cutShort: cut}
	})
}

// onRepo: the repository is read. The table shows its hosts at once; the
// monitor, the plan and git run in the background.
func (m Model) onRepo(msg repoMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.phase, m.errText = phaseFailed, msg.err.Error()
		return m, nil
	}
	m.phase, m.repo, m.cutShort = phaseReady, msg.repo, msg.cutShort
	m.rt.history = fleet.NewHistory(fleet.HistoryWindow, msg.repo.Settings().RefreshInterval)
	m.layout()
	m.rebuild()
	monitor := m.startMonitor()
	m, plan := m.planWith(false)
	return m, tea.Batch(monitor, plan, m.readGit())
}

// startMonitor runs the status monitor off the Update path: it publishes
// snapshots into the runtime's holder, which a re-arming command reads.
func (m Model) startMonitor() tea.Cmd {
	rt, repo, newMonitor := m.rt, m.repo, m.svc.monitor
	return safely(func() tea.Msg {
		if newMonitor == nil || rt.ctx.Err() != nil {
			return nil
		}
		rt.awaitFirstPlan()
		mon := newMonitor(repo)
		var fallback func() ([]status.Target, *status.ProxyTarget)
		if targets := m.svc.targets; targets != nil {
			fallback = func() ([]status.Target, *status.ProxyTarget) { return targets(repo, nil) }
		}
		rt.startWith(mon, fallback)
		mon.Run(rt.ctx, repo.Settings().RefreshInterval, rt.snapshots.Put)
		return monitorMsg{}
	})
}

func (m Model) nextSnapshot() tea.Cmd {
	return m.rt.snapshots.Next(m.rt.ctx, func(s status.Snapshot) tea.Msg { return snapshotMsg{s} })
}

func (m Model) onSnapshot(msg snapshotMsg) (Model, tea.Cmd) {
	snap := msg.snap
	m.snap = &snap
	m.rt.history.Record(snap)
	m.rebuild()
	return m, m.nextSnapshot()
}

// requestPlan re-reads the repository and plans in the background, unless
// a plan is running, in which case one more follows it.
func (m Model) requestPlan() (Model, tea.Cmd) { return m.planWith(true) }

func (m Model) planWith(reopen bool) (Model, tea.Cmd) {
	if m.repo == nil {
		return m, nil
	}
	if m.planning {
		m.replan = true
		return m, nil
	}
	m.planning = true
	svc, repo, rt := m.svc, m.repo, m.rt
	return m, safely(func() tea.Msg {
		defer rt.planned() // made or failed: the monitor need not wait
		if reopen {
			fresh, err := svc.open()
			if err != nil {
				return planMsg{repo: repo, err: err}
			}
			repo = fresh
		}
		p, err := svc.plan(rt.ctx, repo)
		switch {
		case svc.targets == nil:
		case err == nil:
			rt.retarget(svc.targets(repo, p))
		default:
			rt.planFailed(svc.targets(repo, nil))
		}
		return planMsg{repo: repo, plan: p, err: err}
	})
}

// onPlan takes a new plan; the next one is due after the slower interval,
// or at once if one was asked for meanwhile.
func (m Model) onPlan(msg planMsg) (Model, tea.Cmd) {
	m.planning = false
	var values tea.Cmd
	if msg.repo != nil && msg.repo != m.repo {
		// re-read: origins may have moved. The values shown stay until the
		// new ones are read (the detail view keeps its length and position).
		m.repo = msg.repo
		values = m.loadValues(m.detail.Host())
	}
	if m.untilPlan {
		m.notice, m.untilPlan = "", false
	}
	if msg.err != nil {
		m.planErr, m.errText = msg.err, "plan: "+msg.err.Error()
	} else {
		m.plan, m.planErr = msg.plan, nil
	}
	m.rebuild()
	if m.replan {
		m.replan = false
		m, plan := m.requestPlan()
		return m, tea.Batch(plan, values)
	}
	return m, tea.Batch(values, tea.Tick(m.svc.planEvery, func(time.Time) tea.Msg { return replanMsg{} }))
}

func (m Model) readGit() tea.Cmd {
	if m.repo == nil || m.svc.gitState == nil {
		return nil
	}
	root, read := m.repo.Root(), m.svc.gitState
	return safely(func() tea.Msg { return gitMsg{read(root)} })
}

// rebuild recomputes every view's rows from the data (no I/O).
func (m *Model) rebuild() {
	if m.repo == nil {
		return
	}
	rows := fleettable.WithTrends(fleettable.BuildRows(m.servingHosts(), m.snap, m.plan), m.rt.history)
	if name := m.proxyName(); name != "" {
		rows = append(rows, fleettable.ProxyRow(name, m.snap, m.plan))
	}
	for i := range rows {
		rows[i].Outcome = m.outcomes[rows[i].Host]
		rows[i].Busy = m.busyWith(rows[i].Host)
	}
	m.fleet.SetRows(rows)
	m.fleet.SetNotes(m.findingLines())
	m.routes.SetRows(routes.BuildRows(m.plan, m.snap, m.tests))
	if in, ok := m.detailInput(m.detail.Host()); ok {
		m.detail.Refresh(in)
	}
	if m.diff.Host() != "" {
		m.diff.Refresh(m.diffInput(m.diff.Host()))
	}
}

// findingLines are the plan's warnings and errors (inventory, vars
// directories, routes), one line each, as --check prints them.
func (m Model) findingLines() []string {
	if m.plan == nil {
		return nil
	}
	var out []string
	for _, f := range m.plan.Findings {
		paint := m.th.Warn
		if f.Severity == plan.SevError {
			paint = m.th.Err
		}
		out = append(out, strings.Split(ansi.Wrap(paint.S(" "+string(f.Severity)+": ")+f.Text(), max(20, m.width-2), " /"), "\n")...)
	}
	return out
}

func (m Model) fleetModel() *fleet.Fleet {
	if m.plan != nil && m.plan.Fleet != nil {
		return m.plan.Fleet
	}
	if m.repo != nil {
		return m.repo.Fleet()
	}
	return nil
}

// proxyName is the LiteLLM proxy's host, "" when there is none.
func (m Model) proxyName() string {
	if f := m.fleetModel(); f != nil && f.Proxy != nil {
		return f.Proxy.Name
	}
	return ""
}

func (m Model) gpuHosts() []fleet.GPUHost {
	if f := m.fleetModel(); f != nil {
		return f.GPU
	}
	return nil
}

// servingHosts are the table's rows: the vllm-mapped hosts, then the
// servers discovered in what the hosts render (llama.cpp, SGLang, …).
func (m Model) servingHosts() []fleet.GPUHost {
	if f := m.fleetModel(); f != nil {
		return f.Serving()
	}
	return nil
}

func (m Model) gpuHost(name string) (fleet.GPUHost, bool) {
	if f := m.fleetModel(); f != nil {
		if g := f.ServerByName(name); g != nil {
			return *g, true
		}
	}
	return fleet.GPUHost{}, false
}

func (m Model) liveHost(name string) *status.HostStatus {
	if m.snap == nil {
		return nil
	}
	for i := range m.snap.Hosts {
		if m.snap.Hosts[i].Host == name {
			h := m.snap.Hosts[i]
			return &h
		}
	}
	return nil
}

func (m Model) hostPlan(name string) *plan.HostPlan {
	if m.plan == nil {
		return nil
	}
	return m.plan.Host(name)
}

// routesOf are the routes whose upstream is the host (the plan's lint).
func (m Model) routesOf(host string) []string {
	var out []string
	if m.plan != nil {
		for _, r := range m.plan.Routes {
			if r.Host == host {
				out = append(out, r.Route)
			}
		}
	}
	return out
}

// detailInput gathers a host's detail from what the model holds; the
// configured values come from loadValues, read off the Update path.
func (m Model) detailInput(host string) (detail.Input, bool) {
	g, ok := m.gpuHost(host)
	if !ok {
		return detail.Input{}, false
	}
	in := detail.Input{Host: g, Connection: g.Conn.String(), Repo: m.repo.Root(), Undeployed: undeployed(m.plan, host), Live: m.liveHost(host), Plan: m.hostPlan(host), Routes: m.routesOf(host)}
	in.History, in.Now = m.rt.history, m.snapTime()
	if v, ok := m.values[host]; ok {
		in.Values = v.values
		if v.err != nil {
			in.ValuesErr = v.err.Error()
		}
	} else {
		in.ValuesErr = "reading where each value comes from…"
	}
	return in, true
}

// loadValues reads a host's configured values with their origins (vars
// files on disk) in the background.
func (m Model) loadValues(host string) tea.Cmd {
	repo := m.repo
	g, ok := m.gpuHost(host)
	if !ok || repo == nil {
		return nil
	}
	return safely(func() tea.Msg {
		values, err := configuredValues(repo, g)
		return valuesMsg{host: host, values: values, err: err}
	})
}

func (m Model) onValues(msg valuesMsg) (Model, tea.Cmd) {
	m.values[msg.host] = msg
	m.rebuild()
	return m, nil
}

func (m Model) diffInput(host string) diff.Input {
	in := diff.Input{Host: host, Plan: m.hostPlan(host), Routes: m.routesOf(host), Committable: m.git.isRepo && m.svc.commit != nil}
	for _, e := range m.edits[host] {
		in.Edits = append(in.Edits, e.result.Description)
	}
	in.Written = m.writtenFiles(host)
	return in
}

// snapTime is when the last snapshot was taken (the charts end there);
// zero before the first.
func (m Model) snapTime() time.Time {
	if m.snap == nil {
		return time.Time{}
	}
	return m.snap.Time
}
