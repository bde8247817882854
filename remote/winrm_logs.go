package remote

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

var _ LogReader = (*WinRM)(nil)

// LogPollInterval is how often following a log over WinRM asks for the
// lines written since the last one: a WinRM command's output is read when
// it ends, so `docker logs -f` cannot stream, and each poll is a short
// `docker logs --since`.
const LogPollInterval = time.Second

// logPollTimeout bounds each poll.
const logPollTimeout = 10 * time.Second

// Logs reads a Windows host's vLLM container log with docker logs
// --timestamps (through cmd): the last lines, then, following, the lines
// stamped after the last one seen, every LogPollInterval until ctx ends.
// Only container targets exist on Windows hosts.
func (w *WinRM) Logs(ctx context.Context, req LogRequest, sink func(line string)) error {
	op := "logs"
	if err := req.Target.checkTarget(); err != nil {
		return w.refused(op, err)
	}
	if req.Target.Container == "" {
		return w.refused(op, fmt.Errorf("a Windows host's logs are read from its container (docker logs), not %+v", req.Target))
	}
	f := &logFollower{w: w, container: req.Target.Container, sink: sink}
	if err := f.poll(ctx, "--tail "+strconv.Itoa(req.linesOrDefault())); err != nil || !req.Follow {
		return err
	}
	return f.follow(ctx)
}

// logFollower keeps the timestamp of the last line handed on.
type logFollower struct {
	w         *WinRM
	container string
	sink      func(string)
	last      string // RFC 3339 timestamp of the last line; "" before any
}

func (f *logFollower) follow(ctx context.Context) error {
	tick := time.NewTicker(LogPollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		since := "--tail 0"
		if f.last != "" {
			since = "--since " + f.last
		}
		if err := f.poll(ctx, since); err != nil {
			return err
		}
	}
}

// poll runs one docker logs and hands on the lines newer than the last.
func (f *logFollower) poll(ctx context.Context, window string) error {
	ctx, cancel := context.WithTimeout(ctx, logPollTimeout)
	defer cancel()
	script := "docker logs --timestamps " + window + " " + f.container
	res, err := f.w.Run(ctx, Command{Shell: Cmd, Script: script})
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("%s: logs: docker logs exit code %d: %s", f.w.Describe(), res.ExitCode,
			abbreviate(strings.TrimSpace(res.Stdout+" "+res.Stderr), 300))
	}
	f.handOn(res.Stdout + "\n" + res.Stderr)
	return nil
}

// stampedLine is one line of docker logs --timestamps.
type stampedLine struct {
	at   time.Time
	text string
}

// handOn passes on, in time order, the lines of docker's stdout and stderr
// (the container's two streams, each "<RFC3339Nano> <line>") stamped after
// the last one seen: --since includes its own instant.
func (f *logFollower) handOn(out string) {
	last, _ := time.Parse(time.RFC3339Nano, f.last)
	lines := stampedLines(out)
	slices.SortStableFunc(lines, func(a, b stampedLine) int { return a.at.Compare(b.at) })
	for _, l := range lines {
		if f.last != "" && !l.at.After(last) {
			continue
		}
		f.last, last = l.at.Format(time.RFC3339Nano), l.at
		f.sink(l.text)
	}
}

// stampedLines parses docker's output; a line without a stamp (docker
// prints none only for its own messages) keeps the previous line's time.
func stampedLines(out string) []stampedLine {
	var lines []stampedLine
	var at time.Time
	for _, raw := range strings.Split(out, "\n") {
		raw = strings.TrimRight(raw, "\r")
		if raw == "" {
			continue
		}
		stamp, text, _ := strings.Cut(raw, " ")
		if t, err := time.Parse(time.RFC3339Nano, stamp); err == nil {
			at = t
		} else {
			text = raw
		}
		lines = append(lines, stampedLine{at: at, text: text})
	}
	return lines
}
