package sim

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"
)

// wsExitTerminated is the exit code of a command stopped by a terminate
// signal: STATUS_CONTROL_C_EXIT (0xC000013A) read as a signed 32-bit integer.
const wsExitTerminated = -1073741510

// wsMaxStdin bounds what one command may receive on stdin.
const wsMaxStdin = 64 << 20

var errWSStdinTooLarge = errors.New("stdin larger than the simulated host accepts")

// newWinRMID returns an upper-case random UUID, the form Windows uses for
// ShellId and CommandId, after prefix ("uuid:" for message ids).
func newWinRMID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%s%X-%X-%X-%X-%X", prefix, b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// wsOutputChunk is what one Receive hands back.
type wsOutputChunk struct {
	stdout, stderr []byte
	done           bool
	exitCode       int
}

// wsSignal is a channel closed (and replaced) on every change, so waiters can
// select on it together with timers and contexts.
type wsSignal struct{ ch chan struct{} }

func newWSSignal() wsSignal { return wsSignal{ch: make(chan struct{})} }

// notify wakes every waiter; the caller holds the lock guarding the state.
func (s *wsSignal) notify() {
	close(s.ch)
	s.ch = make(chan struct{})
}

// wsStdin is a command's stdin: chunks from Send requests until End="true".
type wsStdin struct {
	mu      sync.Mutex
	data    []byte
	closed  bool
	tooBig  bool
	changed wsSignal
}

func newWSStdin() *wsStdin { return &wsStdin{changed: newWSSignal()} }

func (s *wsStdin) write(p []byte, end bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if len(s.data)+len(p) > wsMaxStdin {
		s.tooBig = true
	} else {
		s.data = append(s.data, p...)
	}
	s.closed = end
	s.changed.notify()
}

func (s *wsStdin) close() { s.write(nil, true) }

// readAll waits for the end of stdin (or ctx) and returns all of it.
func (s *wsStdin) readAll(ctx context.Context) ([]byte, error) {
	for {
		s.mu.Lock()
		closed, tooBig, data, ch := s.closed, s.tooBig, s.data, s.changed.ch
		s.mu.Unlock()
		switch {
		case closed && tooBig:
			return nil, errWSStdinTooLarge
		case closed:
			return data, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// wsCommand is one running or finished command and its buffered output.
type wsCommand struct {
	id     string
	cancel context.CancelFunc
	stdin  *wsStdin

	mu       sync.Mutex
	stdout   []byte
	stderr   []byte
	done     bool
	exitCode int
	changed  wsSignal
}

func newWSCommand(cancel context.CancelFunc) *wsCommand {
	return &wsCommand{id: newWinRMID(""), cancel: cancel, stdin: newWSStdin(), changed: newWSSignal()}
}

// writeStdout and writeStderr make wsCommand the output of an interpreter;
// output after the command finished (a terminated command's late writes) is dropped.
func (c *wsCommand) writeStdout(p []byte) { c.append(&c.stdout, p) }

func (c *wsCommand) writeStderr(p []byte) { c.append(&c.stderr, p) }

func (c *wsCommand) append(buf *[]byte, p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done || len(p) == 0 {
		return
	}
	*buf = append(*buf, p...)
	c.changed.notify()
}

// finish records the exit code; the first call wins.
func (c *wsCommand) finish(exitCode int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	c.done, c.exitCode = true, exitCode
	c.changed.notify()
}

// terminate stops the command (Signal terminate, shell Delete) and drops its
// unread output, as Windows does.
func (c *wsCommand) terminate() {
	c.cancel()
	c.stdin.close()
	c.mu.Lock()
	c.stdout, c.stderr = nil, nil
	c.mu.Unlock()
	c.finish(wsExitTerminated)
}

// waitReady blocks until there is output or the command is done, up to
// timeout; false means the Receive must answer with the OperationTimeout fault.
func (c *wsCommand) waitReady(ctx context.Context, timeout time.Duration) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		c.mu.Lock()
		ready := c.done || len(c.stdout) > 0 || len(c.stderr) > 0
		ch := c.changed.ch
		c.mu.Unlock()
		if ready {
			return true
		}
		select {
		case <-ch:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// takeChunk removes up to limit bytes of output; the chunk is final (done)
// only once every byte has been handed out.
func (c *wsCommand) takeChunk(limit int) wsOutputChunk {
	c.mu.Lock()
	defer c.mu.Unlock()
	var chunk wsOutputChunk
	chunk.stdout, c.stdout = wsSplitAtMost(c.stdout, limit)
	chunk.stderr, c.stderr = wsSplitAtMost(c.stderr, limit-len(chunk.stdout))
	chunk.done = c.done && len(c.stdout) == 0 && len(c.stderr) == 0
	chunk.exitCode = c.exitCode
	return chunk
}

func wsSplitAtMost(b []byte, n int) (head, rest []byte) {
	if n <= 0 {
		return nil, b
	}
	if len(b) <= n {
		return b, nil
	}
	return b[:n:n], b[n:]
}

// wsShell is a remote shell: a set of commands.
type wsShell struct {
	commands map[string]*wsCommand
}

// wsRegistry holds the open shells of one WinRM server.
type wsRegistry struct {
	mu     sync.Mutex
	shells map[string]*wsShell
}

func newWSRegistry() *wsRegistry { return &wsRegistry{shells: map[string]*wsShell{}} }

func (r *wsRegistry) createShell() string {
	id := newWinRMID("")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shells[id] = &wsShell{commands: map[string]*wsCommand{}}
	return id
}

// addCommand registers cmd in the shell; false when there is no such shell.
func (r *wsRegistry) addCommand(shellID string, cmd *wsCommand) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	sh, ok := r.shells[shellID]
	if ok {
		sh.commands[cmd.id] = cmd
	}
	return ok
}

// command finds a command, or the fault that explains why there is none.
func (r *wsRegistry) command(shellID, commandID string) (*wsCommand, *soapFaultSpec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sh, ok := r.shells[shellID]
	if !ok {
		f := soapShellNotFoundFault(shellID)
		return nil, &f
	}
	cmd, ok := sh.commands[commandID]
	if !ok {
		f := soapCommandNotFoundFault(commandID)
		return nil, &f
	}
	return cmd, nil
}

// deleteShell forgets a shell and terminates its commands.
func (r *wsRegistry) deleteShell(shellID string) bool {
	r.mu.Lock()
	sh, ok := r.shells[shellID]
	delete(r.shells, shellID)
	r.mu.Unlock()
	if ok {
		wsTerminateAll(sh)
	}
	return ok
}

func (r *wsRegistry) deleteAll() {
	r.mu.Lock()
	shells := r.shells
	r.shells = map[string]*wsShell{}
	r.mu.Unlock()
	for _, sh := range shells {
		wsTerminateAll(sh)
	}
}

func wsTerminateAll(sh *wsShell) {
	for _, cmd := range sh.commands {
		cmd.terminate()
	}
}
