package apply

import (
	"time"

	"github.com/straylight-fleet/straylight/fleet/plan"
)

// EventKind names an apply event; headless --json prints it as "event".
type EventKind string

const (
	EvPlan        EventKind = "plan"         // the plan about to be applied
	EvStep        EventKind = "step"         // a step started, finished or failed
	EvHealth      EventKind = "health"       // health-gate progress after a restart
	EvRouteChunk  EventKind = "route_chunk"  // one streamed piece of a route test
	EvRouteResult EventKind = "route_result" // a route test finished
	EvHostResult  EventKind = "host_result"  // a host finished (ok, failed, skipped)
	EvSummary     EventKind = "summary"      // the apply finished
	EvLogs        EventKind = "logs"         // the last log lines of a host that never became healthy
)

// Step names one thing the engine does to a host.
type Step string

const (
	StepIdleWait  Step = "idle-wait"
	StepBackup    Step = "backup"
	StepWrite     Step = "write"
	StepPending   Step = "pending-restart"
	StepHandler   Step = "handler"
	StepHealth    Step = "health"
	StepRouteTest Step = "route-test"
	StepRollback  Step = "rollback"
	// StepViaAnsible is ansible-playbook running a play with tasks
	// straylight does not run itself (Dest: the playbook), and each of its
	// tasks (Dest: the task's name; Message starts "via ansible").
	StepViaAnsible Step = "via-ansible"
)

// StepStatus is where a step is.
type StepStatus string

const (
	StatusStart   StepStatus = "start"
	StatusOK      StepStatus = "ok"
	StatusFailed  StepStatus = "failed"
	StatusSkipped StepStatus = "skipped"
)

// Event is what the apply engine reports through its hooks. One engine
// drives both faces: the TUI turns events into messages, headless mode
// prints them as lines or JSON Lines. Fields that do not apply are empty.
type Event struct {
	Kind    EventKind  `json:"event"`
	Time    time.Time  `json:"time"`
	Host    string     `json:"host,omitempty"`
	Step    Step       `json:"step,omitempty"`
	Status  StepStatus `json:"status,omitempty"`
	Dest    string     `json:"dest,omitempty"`
	Message string     `json:"message,omitempty"`

	Health *HealthProgress `json:"health,omitempty"`
	Route  string          `json:"route,omitempty"`
	Chunk  string          `json:"chunk,omitempty"`
	Result *RouteResult    `json:"result,omitempty"`
	Plan   *PlanSummary    `json:"plan,omitempty"`
	Apply  *ApplySummary   `json:"summary,omitempty"`
	// Logs are the backend's last log lines (EvLogs), secrets masked.
	Logs []string `json:"logs,omitempty"`
}

// HealthProgress is one poll of the health gate.
type HealthProgress struct {
	State    string        `json:"state"` // loading, serving, not-serving, engine-dead, unreachable
	Expected string        `json:"expected"`
	Served   []string      `json:"served,omitempty"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	Timeout  time.Duration `json:"timeout_ns"`
	Detail   string        `json:"detail,omitempty"`
}

// RouteResult is a finished route test.
type RouteResult struct {
	Route          string        `json:"route"`
	Upstream       string        `json:"upstream"`
	Host           string        `json:"host"`
	OK             bool          `json:"ok"`
	Error          string        `json:"error,omitempty"`
	TTFT           time.Duration `json:"ttft_ns"`
	TokensPerSec   float64       `json:"tokens_per_second"`
	FinishReason   string        `json:"finish_reason,omitempty"`
	CompletionToks int           `json:"completion_tokens"`
	Text           string        `json:"text,omitempty"`
}

// PlanSummary is the plan event's payload: the order and why.
type PlanSummary struct {
	Summary plan.Summary `json:"summary"`
	Order   []string     `json:"order"`
	Why     string       `json:"why,omitempty"`
}

// ApplySummary is the summary event's payload.
type ApplySummary struct {
	OK, Failed, Skipped, Unchanged int
	RouteFailingFor                time.Duration `json:"route_failing_ns,omitempty"`
}

// Observer receives apply events. It is called from the engine's goroutines,
// one event at a time per host; it must not block for long.
type Observer func(Event)
