package remote

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/straylight-fleet/straylight/internal/shquote"
)

// maxStatusAnswer bounds one section of a status shell's answer.
const maxStatusAnswer = 8 << 20

// statusShell is one /bin/sh kept open on a connection that runs the
// status probes on request. OpenSSH's sshd forks and starts the login
// shell for every session; a refresh through this shell costs the host
// neither. A request is script lines, then a line holding the shell's end
// token; the answer is the probes' sections, then a section named by the
// end token whose exit field is the script's exit status.
type statusShell struct {
	session *ssh.Session
	stdin   io.WriteCloser
	stdout  *bufio.Reader
	stderr  *tailWriter
	end     string
	defined map[string]string // probes script -> the shell function running it
}

// shellPreamble defines the status shell's section: it appends the probe
// to $out, so that each answer leaves the shell in one write. (sshd does
// not set TCP_NODELAY on a session without a terminal: an answer written
// in pieces waits on Nagle's algorithm and the peer's delayed ACK, up to
// 40 ms a piece.)
const shellPreamble = `LC_ALL=C; export LC_ALL
section() { n=$1; shift; if command -v "$1" >/dev/null 2>&1; then o=$("$@" 2>&1); c=$?; else o=; c=127; fi; out="$out$n $c ${#o}
$o
"; }
`

// statusLoop is the shell's program: read a request, eval it with stdin
// closed (so nothing it runs eats the next request), answer in one write,
// repeat until stdin ends.
func statusLoop(end string) string {
	return shellPreamble + `request() { r=; while IFS= read -r l; do [ "$l" = ` + end + ` ] && return 0; r="$r$l
"; done; return 1; }
while request; do out=; eval "$r" </dev/null; printf '%s%s %d 0\n\n' "$out" ` + end + ` "$?"; done
`
}

// startStatusShell opens the session and starts the loop.
func startStatusShell(client *ssh.Client) (*statusShell, error) {
	session, err := client.NewSession()
	if err != nil {
		return nil, fmt.Errorf("%w: opening the status shell's session: %v", ErrUnreachable, err)
	}
	sh, err := attachStatusShell(session)
	if err != nil {
		session.Close()
		return nil, err
	}
	if err := session.Start("/bin/sh -c " + shquote.Always(statusLoop(sh.end))); err != nil {
		session.Close()
		return nil, fmt.Errorf("%w: starting the status shell: %v", ErrUnreachable, err)
	}
	return sh, nil
}

func attachStatusShell(session *ssh.Session) (*statusShell, error) {
	stdin, err := session.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := session.StdoutPipe()
	if err != nil {
		return nil, err
	}
	sh := &statusShell{session: session, stdin: stdin, stdout: bufio.NewReader(stdout),
		stderr: &tailWriter{max: 4096}, end: newEndToken(), defined: map[string]string{}}
	session.Stderr = sh.stderr
	return sh, nil
}

func newEndToken() string {
	buf := make([]byte, 12)
	_, _ = rand.Read(buf)
	return "straylight-end-" + hex.EncodeToString(buf)
}

// run sends probes (defined once as a function, then only called) and
// reads the answer.
func (sh *statusShell) run(probes string) (map[string]section, error) {
	if _, err := io.WriteString(sh.stdin, sh.request(probes)); err != nil {
		return nil, fmt.Errorf("%w: writing to the status shell: %v", ErrUnreachable, err)
	}
	sections, code, err := readSections(sh.stdout, maxStatusAnswer, sh.end)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, abbreviate(sh.stderr.String(), 300))
	}
	if code != 0 {
		return nil, scriptError(code, sh.stderr.String())
	}
	return sections, nil
}

// request is the text that runs probes: its function's definition the
// first time, then just the call.
func (sh *statusShell) request(probes string) string {
	name, ok := sh.defined[probes]
	if ok {
		return name + "\n" + sh.end + "\n"
	}
	name = fmt.Sprintf("straylight_status_%d", len(sh.defined))
	sh.defined[probes] = name
	return name + "() {\n" + probes + "}\n" + name + "\n" + sh.end + "\n"
}

// close kills the shell and closes its session.
func (sh *statusShell) close() {
	_ = sh.session.Signal(ssh.SIGKILL)
	_ = sh.session.Close()
}

// tailWriter keeps the last max bytes written (a shell's stderr, for
// error messages).
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - w.max; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.TrimSpace(string(w.buf))
}

// shellSlot holds a connection's status shell and hands it to one caller
// at a time; it holds nil until a shell is started, and again after one
// failed or was abandoned.
type shellSlot chan *statusShell

func newShellSlot() shellSlot {
	slot := make(shellSlot, 1)
	slot <- nil
	return slot
}

// take waits for the shell until ctx ends.
func (slot shellSlot) take(ctx context.Context) (*statusShell, error) {
	select {
	case sh := <-slot:
		return sh, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the status shell: %w", ctx.Err())
	}
}

// shellAnswer is what one request to the status shell came back with.
type shellAnswer struct {
	shell    *statusShell
	sections map[string]section
	err      error
}

// kept is the shell to put back: none after a failure (it is closed).
func (a shellAnswer) kept() *statusShell {
	if a.err != nil && a.shell != nil {
		a.shell.close()
		return nil
	}
	return a.shell
}

// shellStatus runs the probes in the connection's status shell, starting
// it when there is none. When ctx ends first it returns at once: the shell
// is closed in the background, the slot gets a fresh start, and a
// keepalive decides whether the connection is kept (as execRaw does).
func (s *SSH) shellStatus(ctx context.Context, q StatusQuery) (map[string]section, error) {
	sh, err := s.conn.shell.take(ctx)
	if err != nil {
		return nil, err
	}
	done := make(chan shellAnswer, 1)
	go func() { done <- s.conn.askShell(sh, statusProbes(q)) }()
	select {
	case answer := <-done:
		s.conn.shell <- answer.kept()
		return answer.sections, answer.err
	case <-ctx.Done():
		s.conn.shell <- nil
		go abandonShell(sh, done)
		go s.conn.checkAfterAbandon()
		return nil, ctx.Err()
	}
}

// askShell runs probes in sh, starting a shell when sh is nil.
func (c *sshConn) askShell(sh *statusShell, probes string) shellAnswer {
	if sh == nil {
		var err error
		if sh, err = startStatusShell(c.target()); err != nil {
			return shellAnswer{err: err}
		}
	}
	sections, err := sh.run(probes)
	return shellAnswer{shell: sh, sections: sections, err: err}
}

// abandonShell closes a shell whose caller gave up: the one it held at
// once, and whatever the request came back with once it does.
func abandonShell(held *statusShell, done <-chan shellAnswer) {
	if held != nil {
		held.close()
	}
	if answer := <-done; answer.shell != nil {
		answer.shell.close()
	}
}
