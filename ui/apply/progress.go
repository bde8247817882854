// Package apply is the progress view of the engine's work: a deploy, a
// restart or a route test. The engine reports through apply.Observer; the
// root forwards each apply.Event here as a message and Progress folds it in.
// Folding and rendering are pure, so the view is tested with scripted events.
package apply

import (
	"time"

	"github.com/straylight-fleet/straylight/fleet/apply"
)

// Kind is what the task does.
type Kind string

const (
	KindDeploy    Kind = "deploy"
	KindRestart   Kind = "restart"
	KindRouteTest Kind = "route test"
)

// Progress is one task's state, built from its events.
type Progress struct {
	Kind    Kind
	Target  string // the host or route it was started for
	Order   []string
	Why     string
	Hosts   []*HostProgress
	Routes  []*RouteStream // route tests not tied to a host
	Summary *apply.ApplySummary
	Line    string // the summary line
	Err     error  // the engine's own error (the task could not run)
	Done    bool
}

// HostProgress is one host's part of the task.
type HostProgress struct {
	Host   string
	Steps  []StepLine
	Health *apply.HealthProgress
	// HealthAt is when Health arrived (this machine's clock): the bar
	// moves on between the engine's reports.
	HealthAt time.Time
	Routes   []*RouteStream
	Outcome  string // ok, unchanged, failed, skipped; "" while running
	Message  string
	// LogTail is the last lines of the host's backend log, read when its
	// health gate failed; LogErr is why they could not be read.
	LogTail []string
	LogErr  string
}

// StepLine is a step's latest state.
type StepLine struct {
	Step    apply.Step
	Dest    string
	Status  apply.StepStatus
	Message string
}

// RouteStream is one route test: the text so far, then the result.
type RouteStream struct {
	Route  string
	Text   string
	Result *apply.RouteResult
}

// New starts a task's progress.
func New(kind Kind, target string) *Progress {
	return &Progress{Kind: kind, Target: target}
}

// Fold applies one event.
func (p *Progress) Fold(ev apply.Event) {
	switch ev.Kind {
	case apply.EvPlan:
		p.foldPlan(ev)
	case apply.EvStep:
		p.host(ev.Host).foldStep(ev)
	case apply.EvHealth:
		h := p.host(ev.Host)
		h.Health, h.HealthAt = ev.Health, time.Now()
	case apply.EvRouteChunk:
		p.stream(ev.Host, ev.Route).Text += ev.Chunk
	case apply.EvRouteResult:
		p.stream(ev.Host, ev.Route).Result = ev.Result
	case apply.EvHostResult:
		h := p.host(ev.Host)
		h.Outcome, h.Message = string(ev.Status), ev.Message
	case apply.EvSummary:
		p.Summary, p.Line = ev.Apply, ev.Message
	}
}

func (p *Progress) foldPlan(ev apply.Event) {
	if ev.Plan != nil {
		p.Order, p.Why = ev.Plan.Order, ev.Plan.Why
		for _, h := range ev.Plan.Order {
			p.host(h)
		}
	}
}

// Finish records the end of the task.
func (p *Progress) Finish(err error) {
	p.Done, p.Err = true, err
}

// Running reports a task not finished yet.
func (p *Progress) Running() bool { return !p.Done }

// Failed reports a task that could not run or where a host failed.
func (p *Progress) Failed() bool {
	if p.Err != nil || (p.Summary != nil && p.Summary.Failed > 0) {
		return true
	}
	for _, r := range p.allStreams() {
		if r.Result != nil && !r.Result.OK {
			return true
		}
	}
	return false
}

func (p *Progress) allStreams() []*RouteStream {
	out := append([]*RouteStream(nil), p.Routes...)
	for _, h := range p.Hosts {
		out = append(out, h.Routes...)
	}
	return out
}

// host returns the host's progress, adding it in order of first mention.
func (p *Progress) host(name string) *HostProgress {
	for _, h := range p.Hosts {
		if h.Host == name {
			return h
		}
	}
	h := &HostProgress{Host: name}
	p.Hosts = append(p.Hosts, h)
	return h
}

// stream returns a route test's stream: under its host in a deploy or a
// restart, at the top level in a route test.
func (p *Progress) stream(host, route string) *RouteStream {
	list := &p.Routes
	if p.Kind != KindRouteTest && host != "" {
		list = &p.host(host).Routes
	}
	for _, r := range *list {
		if r.Route == route {
			return r
		}
	}
	r := &RouteStream{Route: route}
	*list = append(*list, r)
	return r
}

// foldStep updates the step's line, or adds one. A rollback whose own
// restart and health lines came after its start ends on a line of its own,
// so the lines read in the order they ran; its start line takes the end's
// mark.
func (h *HostProgress) foldStep(ev apply.Event) {
	if n := len(h.Steps); ev.Step == apply.StepRollback && ev.Status != apply.StatusStart && n > 0 && h.Steps[n-1].Step != apply.StepRollback {
		for i := range h.Steps {
			if h.Steps[i].Step == apply.StepRollback && h.Steps[i].Status == apply.StatusStart {
				h.Steps[i].Status = ev.Status
			}
		}
		h.Steps = append(h.Steps, StepLine{Step: ev.Step, Dest: ev.Dest, Status: ev.Status, Message: ev.Message})
		return
	}
	for i := range h.Steps {
		s := &h.Steps[i]
		if s.Step == ev.Step && s.Dest == ev.Dest && s.Status == apply.StatusStart {
			s.Status, s.Message = ev.Status, ev.Message
			return
		}
	}
	h.Steps = append(h.Steps, StepLine{Step: ev.Step, Dest: ev.Dest, Status: ev.Status, Message: ev.Message})
}

// Deployed is the hosts a deploy finished ok: what they run now is what the
// repository renders.
func (p *Progress) Deployed() []string {
	var hosts []string
	for _, h := range p.Hosts {
		if p.Kind == KindDeploy && h.Outcome == string(apply.OutcomeOK) {
			hosts = append(hosts, h.Host)
		}
	}
	return hosts
}
