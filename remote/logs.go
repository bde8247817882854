package remote

import (
	"context"
	"fmt"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// The log-reading capability, which the SSH (ssh_logs.go), WinRM and local
// transports implement.

// LogTarget names whose logs to read: a container (docker or podman logs),
// a systemd unit (journalctl -u) or a file (tail). Exactly one is set.
type LogTarget struct {
	Container string
	Unit      string
	File      string
}

// LogRequest asks for the last Lines lines (0: 100) and, with Follow,
// every line after them until the context ends.
type LogRequest struct {
	Target LogTarget
	Lines  int
	Follow bool
}

// LogReader is implemented by transports that read a backend's logs. Each
// line (without its newline) goes to sink as it arrives; Logs returns when
// the output ends, or, when following, when ctx ends (with ctx's error).
type LogReader interface {
	Logs(ctx context.Context, req LogRequest, sink func(line string)) error
}

const defaultLogLines = 100

// systemdUnit is a unit name journalctl -u accepts without quoting.
var systemdUnit = lazyre.New(`^[a-zA-Z0-9:_.@-]+$`)

// linesOrDefault is req.Lines, or defaultLogLines when unset.
func (r LogRequest) linesOrDefault() int {
	if r.Lines <= 0 {
		return defaultLogLines
	}
	return r.Lines
}

// checkTarget refuses a target that names none or several sources, or a
// name that is not a container's or a unit's.
func (t LogTarget) checkTarget() error {
	set := 0
	for _, s := range []string{t.Container, t.Unit, t.File} {
		if s != "" {
			set++
		}
	}
	switch {
	case set != 1:
		return fmt.Errorf("a log target names exactly one of container, unit or file (got %+v)", t)
	case t.Container != "" && !containerName().MatchString(t.Container):
		return fmt.Errorf("container name %q is not a container name", t.Container)
	case t.Unit != "" && !systemdUnit().MatchString(t.Unit):
		return fmt.Errorf("unit name %q is not a systemd unit name", t.Unit)
	}
	return nil
}
