package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet"
	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/addhost"
	"github.com/straylight-fleet/straylight/ui/apply"
	"github.com/straylight-fleet/straylight/ui/detail"
	"github.com/straylight-fleet/straylight/ui/diff"
	"github.com/straylight-fleet/straylight/ui/edit"
	"github.com/straylight-fleet/straylight/ui/field"
	"github.com/straylight-fleet/straylight/ui/fleettable"
	"github.com/straylight-fleet/straylight/ui/gitlog"
	"github.com/straylight-fleet/straylight/ui/help"
	"github.com/straylight-fleet/straylight/ui/logs"
	"github.com/straylight-fleet/straylight/ui/routes"
	"github.com/straylight-fleet/straylight/ui/task"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// phase is the root's state machine (soft-serve): reading the repository,
// failed to, or ready.
type phase int

const (
	phaseLoading phase = iota
	phaseFailed
	phaseReady
)

// viewID names a view.
type viewID int

const (
	viewFleet viewID = iota
	viewRoutes
	viewDetail
	viewEdit
	viewDiff
	viewApply
	viewLogs
	viewGit
	viewAddHost
)

// runtime is what the model shares across its copies: the program's
// lifetime and the background producers. Only Cmds and Close touch it.
type runtime struct {
	ctx       context.Context
	cancel    context.CancelFunc
	snapshots *task.Latest[status.Snapshot]
	history   *fleet.History // recent load per host, fed by the snapshots
	engine    *engineTasks   // deploys and restarts: they outlive a quit
	// passphrases are the session's questions for encrypted SSH keys
	// (passphrase.go); nil when nobody asks (tests).
	passphrases <-chan fleet.PassphraseRequest

	mu        sync.Mutex
	monitor   statusSource
	hosts     []status.Target     // the monitor's targets: what is deployed (from the latest plan)
	proxy     *status.ProxyTarget // the proxy's
	targeted  bool                // hosts and proxy hold targets
	planReady chan struct{}       // closed when the first plan is made (or failed)
	firstPlan sync.Once
}

// undeployed: the plan would change the host's files.
func undeployed(p *plan.Plan, host string) bool {
	if p == nil {
		return false
	}
	hp := p.Host(host)
	if hp == nil {
		return false
	}
	for _, f := range hp.Files {
		if f.Changes() && !f.CheckOnly { // a check_mode task changes nothing
			return true
		}
	}
	return false
}

func (rt *runtime) getMonitor() statusSource {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.monitor
}

// confirmation is a question waiting for y (or one of its other answers).
type confirmation struct {
	prompt string
	run    func(m Model) (Model, tea.Cmd)
	others map[string]func(m Model) (Model, tea.Cmd) // more answers, by key
	quit   bool                                      // the question asked on quit
}

// Model is the root of the terminal UI.
type Model struct {
	cfg    Config
	svc    services
	th     *theme.Theme
	rt     *runtime
	phase  phase
	width  int
	height int

	repo      *fleet.Repo
	plan      *plan.Plan
	planErr   error
	planning  bool
	replan    bool // another plan was asked for while one ran
	snap      *status.Snapshot
	git       gitState
	tests     map[string]fleetapply.RouteResult
	tasks     map[task.ID]*apply.Progress
	pumps     map[task.ID]*task.Pump
	nextTask  task.ID
	spinFrame int
	spinning  bool
	edits     map[string][]editRecord     // saved, uncommitted edits per host
	added     map[string]*fleet.AddedHost // hosts added (n), not committed yet
	values    map[string]valuesMsg        // configured values with origins, per host
	editing   *editSession                // the open form's file
	saving    bool
	logStream *linePump // the log view's stream; nil when none runs
	// clearedOnSave are the keys the save being written empties (a warning).
	clearedOnSave []string
	quitting      bool              // quit once the running deploys and restarts end
	outcomes      map[string]string // a task's end per host, shown on its row until seen
	cutShort      []fleet.CutShort  // the banner: deploys a dead straylight left unfinished

	stack     []viewID
	showHelp  bool
	filtering bool
	filterIn  field.Model
	confirm   *confirmation
	asking    *passphraseAsk            // the passphrase prompt on screen
	askQueue  []fleet.PassphraseRequest // questions waiting for it
	errText   string
	notice    string
	untilPlan bool // the notice waits for the next plan and goes with it

	fleet   fleettable.Model
	routes  routes.Model
	detail  detail.Model
	edit    edit.Model
	diff    diff.Model
	apply   apply.Model
	logs    logs.Model
	gitlog  gitlog.Model
	addhost addhost.Model
	help    help.Model
	keys    globalKeys
}

// newModel builds the root; nothing is read until Init's commands run.
func newModel(ctx context.Context, cfg Config, svc services, th *theme.Theme) Model {
	ctx, cancel := context.WithCancel(ctx)
	m := Model{
		cfg: cfg, svc: svc, th: th, width: 80, height: 24,
		rt: &runtime{ctx: ctx, cancel: cancel, snapshots: task.NewLatest[status.Snapshot](),
			history: fleet.NewHistory(fleet.HistoryWindow, 0), engine: newEngineTasks(), planReady: make(chan struct{})},
		tests: map[string]fleetapply.RouteResult{}, tasks: map[task.ID]*apply.Progress{},
		pumps: map[task.ID]*task.Pump{}, outcomes: map[string]string{}, edits: map[string][]editRecord{}, added: map[string]*fleet.AddedHost{}, values: map[string]valuesMsg{},
		stack: []viewID{viewFleet}, keys: newGlobalKeys(), spinning: true,
		fleet: fleettable.New(th), routes: routes.New(th), detail: detail.New(th),
		diff: diff.New(th), apply: apply.NewModel(th), help: help.New(th), logs: logs.New(th), gitlog: gitlog.New(th),
	}
	if svc.passphrases != nil {
		m.rt.passphrases = svc.passphrases()
	}
	m.layout()
	return m
}

// Init reads the repository.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.openRepo(), m.spinTick(), m.awaitPassphrase())
}

// Close stops the background work (monitor, route tests). Deploys and
// restarts are not stopped here: Run settles them (rolls them back) before
// the process exits.
func (m Model) Close() {
	m.rt.cancel()
	if mon := m.rt.getMonitor(); mon != nil {
		mon.Close()
	}
}

// Update routes a message; a panic in a handler becomes the error bar
// instead of taking the terminal down.
func (m Model) Update(msg tea.Msg) (out tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			m.errText = fmt.Sprintf("internal error (please report): %v", r)
			out, cmd = m, nil
		}
	}()
	return m.update(msg)
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case spinMsg:
		return m.onSpin()
	}
	return m.onData(msg)
}

// onData handles what background work reports.
func (m Model) onData(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case repoMsg:
		return m.onRepo(msg)
	case planMsg:
		return m.onPlan(msg)
	case replanMsg:
		return m.requestPlan()
	case snapshotMsg:
		return m.onSnapshot(msg)
	case gitMsg:
		m.git = msg.state
		m.rebuild()
		return m, nil
	case monitorMsg:
		return m, m.nextSnapshot()
	case valuesMsg:
		return m.onValues(msg)
	case logLinesMsg:
		return m.onLogLines(msg)
	case logTailMsg:
		return m.onLogTail(msg)
	case historyMsg:
		return m.onHistory(msg)
	case commitDiffMsg:
		return m.onCommitDiff(msg)
	case revertCheckMsg:
		return m.onRevertCheck(msg)
	case revertMsg:
		return m.onRevert(msg)
	case passphraseMsg:
		return m.onPassphraseRequest(msg)
	case task.EventsMsg:
		return m.onEvents(msg)
	case errMsg:
		m.errText = msg.err.Error()
		return m, nil
	}
	if m, cmd, ok := m.onAddData(msg); ok {
		return m, cmd
	}
	return m.onEditData(msg)
}

// current is the view on top.
func (m Model) current() viewID { return m.stack[len(m.stack)-1] }

func (m Model) push(v viewID) Model {
	m.stack = append(append([]viewID(nil), m.stack...), v)
	return m
}

// back pops the top view; the base (fleet or routes) stays.
func (m Model) back() Model {
	if len(m.stack) > 1 {
		m.stack = append([]viewID(nil), m.stack[:len(m.stack)-1]...)
	}
	return m
}

// replaceTop swaps the top view (edit → diff after saving).
func (m Model) replaceTop(v viewID) Model {
	m.stack = append(append([]viewID(nil), m.stack[:len(m.stack)-1]...), v)
	return m
}

// bodyHeight is what the header, the status line (one line, up to three
// for a question or an error) and the footer leave.
func (m Model) bodyHeight() int { return max(1, m.height-2-m.statusHeight()) }

// viewHeight is the views' size: the body with a one-line status line (a
// longer question or error clips their last lines while it shows).
func (m Model) viewHeight() int { return max(1, m.height-3) }

func (m *Model) layout() {
	w, h := m.width, m.viewHeight()
	m.fleet.SetSize(w, max(1, h-len(m.bannerLines())))
	m.routes.SetSize(w, h)
	m.detail.SetSize(w, h)
	m.edit.SetSize(w, h)
	m.diff.SetSize(w, h)
	m.apply.SetSize(w, h)
	m.logs.SetSize(w, h)
	m.gitlog.SetSize(w, h)
	m.addhost.SetSize(w, h)
}

// spinMsg advances the spinners.
type spinMsg struct{}

const spinEvery = 120 * time.Millisecond

func (m Model) spinTick() tea.Cmd {
	return tea.Tick(spinEvery, func(time.Time) tea.Msg { return spinMsg{} })
}

// onSpin moves the spinner while something runs; the tick stops when idle
// and restarts with the next task.
func (m Model) onSpin() (Model, tea.Cmd) {
	if !m.busy() {
		m.spinning = false
		return m, nil
	}
	m.spinFrame++
	m.apply.Refresh(m.spinner())
	return m, m.spinTick()
}

func (m Model) busy() bool {
	if m.phase == phaseLoading {
		return true
	}
	for _, p := range m.tasks {
		if p.Running() {
			return true
		}
	}
	return false
}

// startSpinning starts the spinner's tick unless it runs already.
func (m Model) startSpinning() (Model, tea.Cmd) {
	if m.spinning {
		return m, nil
	}
	m.spinning = true
	return m, m.spinTick()
}

// spinFrames are the spinner's frames, one rune each.
const spinFrames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

func (m Model) spinner() string {
	frames := []rune(spinFrames)
	return m.th.Accent.S(string(frames[m.spinFrame%len(frames)]))
}
