package sim

import (
	"strconv"
	"strings"
	"time"
)

// LogSource is a Runtime that also keeps its container's output: the
// simulated `docker logs` answers from it.
type LogSource interface {
	// DockerLogs is the stdout of docker logs --timestamps [--tail N]
	// [--since T] NAME (tail < 0: all; since zero: from the start); ok is
	// false when there is no container of that name.
	DockerLogs(name string, tail int, since time.Time) (string, bool)
}

// dockerLogsArgs is a parsed `docker logs` command line.
type dockerLogsArgs struct {
	name  string
	tail  int
	since time.Time
}

// dockerLogs answers `docker logs --timestamps [--tail N] [--since RFC3339]
// NAME` (flags in any order, `--flag=value`). Following (-f) is not
// simulated over WinRM: a command there ends before its output is read.
func (h *psHost) dockerLogs(args []string) (string, bool) {
	src, isSource := h.runtime.(LogSource)
	a, ok := parseDockerLogs(args)
	if h.runtime == nil || !isSource || !ok {
		return "", false
	}
	out, found := src.DockerLogs(a.name, a.tail, a.since)
	if !found {
		return "", false
	}
	return strings.ReplaceAll(out, "\n", "\r\n"), true
}

func parseDockerLogs(args []string) (dockerLogsArgs, bool) {
	a := dockerLogsArgs{tail: -1}
	if len(args) < 2 || args[0] != "logs" {
		return a, false
	}
	stamps := false
	for i := 1; i < len(args); i++ {
		name, value, hasValue := strings.Cut(args[i], "=")
		if !hasValue && (name == "--tail" || name == "-n" || name == "--since") && i+1 < len(args) {
			i++
			value = args[i]
		}
		var ok bool
		switch {
		case name == "-t" || name == "--timestamps":
			stamps, ok = true, true
		case name == "--tail" || name == "-n":
			a.tail, ok = parseTail(value)
		case name == "--since":
			a.since, ok = parseSince(value)
		case !strings.HasPrefix(name, "-") && a.name == "":
			a.name, ok = args[i], true
		}
		if !ok {
			return a, false
		}
	}
	return a, stamps && a.name != ""
}

func parseTail(v string) (int, bool) {
	if v == "all" {
		return -1, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

func parseSince(v string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, v)
	return t, err == nil
}
