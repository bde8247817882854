package ui

import (
	"context"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/ui/apply"
	"github.com/straylight-fleet/straylight/ui/task"
)

// logTail is how many lines the log view asks for before following.
const logTail = 200

// logLinesMsg carries the lines a log stream produced since the last one.
type logLinesMsg struct {
	stream *linePump
	lines  []string
	done   bool
	err    error
}

// linePump hands a log stream's lines from the transport's goroutine to
// Update in batches: Add never blocks (the view's buffer is bounded, and so
// is the pump's: a stream faster than the screen loses its oldest unread
// lines, counted).
type linePump struct {
	mu     sync.Mutex
	lines  []string
	done   bool
	err    error
	wake   chan struct{}
	cancel context.CancelFunc
}

func newLinePump(cancel context.CancelFunc) *linePump {
	return &linePump{wake: make(chan struct{}, 1), cancel: cancel}
}

func (p *linePump) add(line string) {
	p.mu.Lock()
	p.lines = append(p.lines, line)
	if len(p.lines) > 2*logTail*10 {
		p.lines = p.lines[len(p.lines)-logTail*10:]
	}
	p.mu.Unlock()
	p.poke()
}

func (p *linePump) finish(err error) {
	p.mu.Lock()
	p.done, p.err = true, err
	p.mu.Unlock()
	p.poke()
}

func (p *linePump) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// next waits for lines (or the end) and returns them as one message.
func (p *linePump) next(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-p.wake:
		case <-ctx.Done():
			return nil
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		msg := logLinesMsg{stream: p, lines: p.lines, done: p.done, err: p.err}
		p.lines = nil
		return msg
	}
}

// openLogs shows host's log view and starts streaming its backend log.
func (m Model) openLogs(host string) (Model, tea.Cmd) {
	g, ok := m.gpuHost(host)
	if !ok || m.svc.logs == nil {
		m.errText = host + " is not a GPU host of this repository"
		return m, nil
	}
	m = m.stopLogs()
	ctx, cancel := context.WithCancel(m.rt.ctx)
	pump := newLinePump(cancel)
	m.logStream = pump
	m.logs.Open(host, g.Container+" over "+g.Conn.String())
	repo, read := m.repo, m.svc.logs
	start := func() tea.Msg {
		pump.finish(read(ctx, repo, host, logTail, true, pump.add))
		return nil
	}
	return m.push(viewLogs), tea.Batch(start, pump.next(m.rt.ctx))
}

// onLogLines adds a batch to the view, if it is still the view's stream.
func (m Model) onLogLines(msg logLinesMsg) (Model, tea.Cmd) {
	if msg.stream != m.logStream {
		return m, nil
	}
	m.logs.Append(msg.lines)
	if msg.done {
		if m.rt.ctx.Err() == nil && !isCancel(msg.err) {
			m.logs.End(msg.err)
		}
		return m, nil
	}
	return m, msg.stream.next(m.rt.ctx)
}

// stopLogs ends the view's stream (leaving the view, or opening another).
func (m Model) stopLogs() Model {
	if m.logStream != nil {
		m.logStream.cancel()
		m.logStream = nil
	}
	return m
}

func isCancel(err error) bool { return err == context.Canceled }

// logTailMsg carries a host's last log lines for a task's progress.
type logTailMsg struct {
	id    task.ID
	host  string
	lines []string
	err   error
}

// logTailOnGateFailure reads the host's last log lines when ev is its
// health gate failing: why vLLM did not start is in them.
func (m Model) logTailOnGateFailure(id task.ID, ev fleetapply.Event) tea.Cmd {
	if ev.Step != fleetapply.StepHealth || ev.Status != fleetapply.StatusFailed || ev.Host == "" || m.svc.logs == nil {
		return nil
	}
	ctx, repo, read, host := m.rt.ctx, m.repo, m.svc.logs, ev.Host
	return safely(func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, logTailTimeout)
		defer cancel()
		var lines []string
		err := read(ctx, repo, host, apply.LogTailLines, false, func(l string) { lines = append(lines, l) })
		return logTailMsg{id: id, host: host, lines: lines, err: err}
	})
}

// logTailTimeout bounds reading a failed host's log.
const logTailTimeout = 20 * time.Second

func (m Model) onLogTail(msg logTailMsg) (Model, tea.Cmd) {
	if p, ok := m.tasks[msg.id]; ok {
		p.SetLogTail(msg.host, msg.lines, msg.err)
		if m.apply.Progress() == p {
			m.apply.Refresh(m.spinner())
		}
	}
	return m, nil
}
