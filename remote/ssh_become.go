package remote

import (
	"bytes"
	"io"
	"sync"
)

// becomeGate is the escalated command's stdin: it answers the first
// password prompt with the password, signals a second one as a refusal,
// and passes the real stdin only after the marker was seen.
type becomeGate struct {
	password string
	stdin    io.Reader // nil: none (EOF right after acceptance)
	prompt   chan struct{}
	accepted chan struct{}
	refused  chan struct{}
	done     chan struct{}

	mu            sync.Mutex
	prompts       int
	pending       []byte
	open          bool // accepted: stdin flows
	doneOnce      sync.Once
	refuseOnce    sync.Once
	askedNoSecret bool
}

func newBecomeGate(password string, stdin io.Reader) *becomeGate {
	return &becomeGate{password: password, stdin: stdin,
		prompt: make(chan struct{}, 4), accepted: make(chan struct{}),
		refused: make(chan struct{}), done: make(chan struct{})}
}

func (g *becomeGate) finish() { g.doneOnce.Do(func() { close(g.done) }) }

// answered: the password was sent after a prompt.
func (g *becomeGate) answered() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.password != "" && g.prompts > 0
}

func (g *becomeGate) promptedWithoutPassword() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.askedNoSecret
}

// Read blocks until there is something to send: the password after a
// prompt, or the real stdin once the escalated shell runs.
func (g *becomeGate) Read(p []byte) (int, error) {
	for {
		if n, ok := g.drainPending(p); ok {
			return n, nil
		}
		if g.isOpen() {
			return g.readStdin(p)
		}
		select {
		case <-g.prompt:
			g.onPrompt()
		case <-g.accepted:
			g.setOpen()
		case <-g.done:
			return 0, io.EOF
		}
	}
}

func (g *becomeGate) readStdin(p []byte) (int, error) {
	if g.stdin == nil {
		return 0, io.EOF
	}
	return g.stdin.Read(p)
}

func (g *becomeGate) drainPending(p []byte) (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pending) == 0 {
		return 0, false
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	return n, true
}

func (g *becomeGate) isOpen() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open
}

func (g *becomeGate) setOpen() {
	g.mu.Lock()
	g.open = true
	g.mu.Unlock()
}

// onPrompt answers the first prompt; a second one is a refusal.
func (g *becomeGate) onPrompt() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.prompts++
	switch {
	case g.password == "":
		g.askedNoSecret = true
		g.refuseOnce.Do(func() { close(g.refused) })
	case g.prompts == 1:
		g.pending = append([]byte(g.password), '\n')
	default:
		g.refuseOnce.Do(func() { close(g.refused) })
	}
}

// markerWriter hides the escalated shell's marker line and what came
// before it, closing seen when the marker arrives.
type markerWriter struct {
	marker []byte
	next   io.Writer
	seen   chan struct{}
	buf    bytes.Buffer
	found  bool
	mu     sync.Mutex
}

func (m *markerWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.found {
		return len(p), writeTo(m.next, p)
	}
	m.buf.Write(p)
	i := bytes.Index(m.buf.Bytes(), m.marker)
	if i < 0 {
		return len(p), nil
	}
	m.found = true
	close(m.seen)
	rest := m.buf.Bytes()[i+len(m.marker):]
	return len(p), writeTo(m.next, rest)
}

func (m *markerWriter) text() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.found {
		return ""
	}
	return m.buf.String()
}

// promptWatcher passes stderr on, minus sudo's prompts, signalling each,
// until the escalated shell runs (then stderr is the command's own).
type promptWatcher struct {
	prompt   []byte
	accepted <-chan struct{}
	next     io.Writer
	prompted chan struct{}
	buf      bytes.Buffer // everything, for the error message
	pending  []byte       // a possible prompt prefix at the end of a write
	mu       sync.Mutex
}

func (w *promptWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	data := append(w.pending, p...)
	w.pending = nil
	if w.isAccepted() {
		w.emit(data)
		return len(p), nil
	}
	for {
		i := bytes.Index(data, w.prompt)
		if i < 0 {
			break
		}
		w.emit(data[:i])
		w.prompted <- struct{}{}
		data = data[i+len(w.prompt):]
	}
	keep := partialSuffix(data, w.prompt)
	w.emit(data[:len(data)-keep])
	w.pending = append([]byte(nil), data[len(data)-keep:]...)
	return len(p), nil
}

func (w *promptWatcher) isAccepted() bool {
	select {
	case <-w.accepted:
		return true
	default:
		return false
	}
}

func (w *promptWatcher) emit(data []byte) {
	w.buf.Write(data)
	_ = writeTo(w.next, data)
}

func (w *promptWatcher) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// partialSuffix is how many trailing bytes of data begin prefix.
func partialSuffix(data, prefix []byte) int {
	for n := min(len(data), len(prefix)-1); n > 0; n-- {
		if bytes.HasPrefix(prefix, data[len(data)-n:]) {
			return n
		}
	}
	return 0
}

func writeTo(w io.Writer, p []byte) error {
	if w == nil || len(p) == 0 {
		return nil
	}
	_, err := w.Write(p)
	return err
}
