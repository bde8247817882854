package remote

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

var _ LogReader = (*Local)(nil)

// Logs reads a local backend's log: docker logs, journalctl -u or tail,
// streamed line by line as the program prints them (following, until ctx
// ends).
func (l *Local) Logs(ctx context.Context, req LogRequest, sink func(line string)) error {
	if err := req.Target.checkTarget(); err != nil {
		return fmt.Errorf("local: logs: %w", err)
	}
	argv := l.logCommand(req)
	if _, err := exec.LookPath(argv[0]); err != nil {
		return fmt.Errorf("local: logs: %s is not installed here: %w", argv[0], err)
	}
	err := streamProcess(ctx, argv, sink)
	if req.Follow && ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("local: logs: %s: %w", strings.Join(argv, " "), err)
	}
	return nil
}

// logCommand is the program and arguments that print req's log.
func (l *Local) logCommand(req LogRequest) []string {
	n := strconv.Itoa(req.linesOrDefault())
	t := req.Target
	var argv []string
	switch {
	case t.Container != "":
		argv = []string{l.docker, "logs", "--tail", n}
	case t.Unit != "":
		argv = []string{"journalctl", "--no-pager", "-o", "short-iso", "-n", n, "-u", t.Unit}
	default:
		argv = []string{"tail", "-n", n}
	}
	if req.Follow {
		argv = append(argv, map[bool]string{true: "-F", false: "-f"}[t.File != ""])
	}
	switch {
	case t.Container != "":
		argv = append(argv, t.Container)
	case t.File != "":
		argv = append(argv, "--", t.File)
	}
	return argv
}

// streamProcess runs argv (in its own process group, killed when ctx
// ends) and hands each line of its stdout and stderr to sink. A non-zero
// exit is an error carrying the last line.
func streamProcess(ctx context.Context, argv []string, sink func(string)) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	setProcessGroup(cmd)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	last := make(chan string, 1)
	go scanLines(pr, sink, last)
	err := cmd.Run()
	pw.Close()
	lastLine := <-last
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("%w: %s", err, abbreviate(lastLine, 300))
	}
	return err
}

func scanLines(r io.Reader, sink func(string), last chan<- string) {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 1024*1024)
	line := ""
	for scanner.Scan() {
		line = strings.TrimRight(scanner.Text(), "\r")
		sink(line)
	}
	_, _ = io.Copy(io.Discard, r)
	last <- line
}
