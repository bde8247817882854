package remote

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/internal/shquote"
)

// LogTarget, LogRequest and LogReader are declared in logs.go.

func (t LogTarget) command(lines int, follow bool) (string, error) {
	n := strconv.Itoa(lines)
	f := map[bool]string{true: " -f", false: ""}[follow]
	switch {
	case t.Container != "" && t.Unit == "" && t.File == "":
		if !containerName().MatchString(t.Container) {
			return "", fmt.Errorf("container name %q is not a container name", t.Container)
		}
		engine := `$(command -v docker >/dev/null 2>&1 || ! command -v podman >/dev/null 2>&1 && echo docker || echo podman)`
		return engine + " logs --tail " + n + f + " " + shquote.Always(t.Container) + " 2>&1", nil
	case t.Unit != "" && t.Container == "" && t.File == "":
		if !unitNamePattern().MatchString(t.Unit) {
			return "", fmt.Errorf("unit name %q is not a systemd unit name", t.Unit)
		}
		return "journalctl --no-pager -o short-iso -n " + n + f + " -u " + shquote.Always(t.Unit) + " 2>&1", nil
	case t.File != "" && t.Container == "" && t.Unit == "":
		if err := checkRemotePath(t.File); err != nil {
			return "", err
		}
		return "tail -n " + n + map[bool]string{true: " -F", false: ""}[follow] + " -- " + shquote.Always(t.File) + " 2>&1", nil
	}
	return "", fmt.Errorf("a log target names exactly one of container, unit or file (got %+v)", t)
}

// Logs streams the target's log lines to sink. Reading a log needs the
// same privilege as the backend's other commands, so become applies.
func (s *SSH) Logs(ctx context.Context, req LogRequest, sink func(line string)) error {
	op := "logs"
	lines := req.Lines
	if lines <= 0 {
		lines = defaultLogLines
	}
	command, err := req.Target.command(lines, req.Follow)
	if err != nil {
		return s.fail(op, err)
	}
	splitter := newLineSplitter(sink)
	code, err := s.scriptTo(ctx, "exec "+command, sessionIO{stdout: splitter, stderr: splitter})
	splitter.flush()
	if err != nil {
		return s.fail(op, err)
	}
	if code != 0 {
		return s.fail(op, fmt.Errorf("exit code %d: %s", code, abbreviate(strings.TrimSpace(splitter.last()), 300)))
	}
	return nil
}

// lineSplitter turns written bytes into lines for a sink.
type lineSplitter struct {
	mu       sync.Mutex // guards lastLine
	writeMu  sync.Mutex
	pw       *io.PipeWriter
	done     chan struct{}
	lastLine string
}

func newLineSplitter(sink func(string)) *lineSplitter {
	pr, pw := io.Pipe()
	l := &lineSplitter{pw: pw, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		scanner := bufio.NewScanner(pr)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		for scanner.Scan() {
			line := strings.TrimRight(scanner.Text(), "\r")
			l.mu.Lock()
			l.lastLine = line
			l.mu.Unlock()
			sink(line)
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	return l
}

func (l *lineSplitter) Write(p []byte) (int, error) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	return l.pw.Write(p)
}

func (l *lineSplitter) flush() {
	l.pw.Close()
	<-l.done
}

func (l *lineSplitter) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastLine
}
